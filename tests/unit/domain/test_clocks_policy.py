"""The clocks policy: the shipped defaults and their sources, the setting that names the file,
and files that are refused with the line to fix and the problem."""

from __future__ import annotations

import inspect
import re
from importlib import resources
from pathlib import Path

import pytest

import tocsin.domain.clocks
from tocsin.config import SETTINGS, load_config
from tocsin.domain.clocks import (
    OWNERS,
    Amount,
    ClockPolicyError,
    DueFromField,
    default_policy,
    load_policy,
    parse_policy,
)
from tocsin.domain.clocks._toml_lines import key_lines
from tocsin.domain.events import CATALOGUE

DEFAULT_TEXT = resources.files("tocsin.domain.clocks").joinpath("policy.toml").read_text("utf-8")
POLICY = default_policy()
DOCS = Path(__file__).resolve().parents[3] / "docs"


# --- the public surface ---------------------------------------------------------------------


def test_public_names_are_pinned() -> None:
    assert sorted(tocsin.domain.clocks.__all__) == [
        "AlarmToClear",
        "AlarmToRaise",
        "Amount",
        "CAPACITY_MEASURED",
        "CAPACITY_MEASURES",
        "CAPACITY_SCOPES",
        "CHALLENGE_OUTCOMES",
        "CalendarError",
        "CalendarSpec",
        "CapacityAlarmCleared",
        "CapacityAlarmRaised",
        "CapacityChanges",
        "CapacityOverrideSet",
        "CapacitySpec",
        "ChallengeAnswered",
        "ChallengeRaised",
        "ClockEngine",
        "ClockEvent",
        "ClockPolicy",
        "ClockPolicyError",
        "ClockStateError",
        "Condition",
        "DueFromField",
        "Escalation",
        "EscalationClosed",
        "Evaluation",
        "EventPattern",
        "Level",
        "MEETING_DECISIONS",
        "MEETING_KINDS",
        "Measurement",
        "MeetingActionCompleted",
        "MeetingRecorded",
        "OVERRIDABLE",
        "OWNERS",
        "Obligation",
        "ObligationChange",
        "ObligationEscalated",
        "ObligationRule",
        "OpenAlarm",
        "PATTERN_RULE_KINDS",
        "PatternAlertRule",
        "ProfileSpec",
        "Reference",
        "STATUSES",
        "Trigger",
        "UNITS",
        "WorkingCalendar",
        "default_policy",
        "evaluate",
        "judge_capacity",
        "load_policy",
        "parse_policy",
    ]
    for name in tocsin.domain.clocks.__all__:
        value = getattr(tocsin.domain.clocks, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert (value.__doc__ or "").strip(), name


def test_the_new_event_kinds_are_in_the_catalogue() -> None:
    for kind in [
        "obligation.escalated",
        "escalation.closed",
        "challenge.raised",
        "challenge.answered",
        "meeting.recorded",
        "meeting.action_completed",
        "capacity.alarm_raised",
        "capacity.alarm_cleared",
    ]:
        assert kind in CATALOGUE


# --- the defaults ---------------------------------------------------------------------------


def test_the_default_policy_is_versioned_and_cited() -> None:
    assert POLICY.policy == "tocsin-default" and POLICY.version >= 1
    assert "DOMAIN.md section 2" in POLICY.source
    for rule in POLICY.obligations:
        assert "DOMAIN.md" in rule.source, rule.id
        assert rule.label.strip() and rule.description.strip(), rule.id
        assert rule.owner in OWNERS, rule.id


def test_the_default_timescales_are_domain_md_s() -> None:
    due = {rule.id: rule.due for rule in POLICY.obligations}
    assert due == {
        "decision": Amount("working_days", 1),
        "crime_recording": Amount("hours", 24),
        "strategy_discussion": Amount("working_days", 1),
        "icpc": Amount("working_days", 15),
        "assessment": Amount("working_days", 45),
        "rescreening": Amount("months", 3),
        "challenge_answer": Amount("working_days", 5),
        "sign_off": Amount("working_days", 1),
        "meeting_action": DueFromField("due"),
        "recommendation_response": DueFromField("due"),
    }
    owners = {rule.id: rule.owner for rule in POLICY.obligations}
    assert owners["decision"] == "front_door"
    assert owners["crime_recording"] == "police"
    assert owners["sign_off"] == "signer"
    assert owners["challenge_answer"] == "challenge_handler"
    assert owners["meeting_action"] == "action_owner"
    assert owners["recommendation_response"] == "recommendation_owner"


def test_the_ladder_ends_outside_the_agency() -> None:
    assert [(lv.level, lv.role, lv.outside_agency) for lv in POLICY.levels] == [
        (0, "worker", False),
        (1, "team_manager", False),
        (2, "head_of_service", False),
        (3, "scrutineer", True),
    ]
    assert POLICY.levels[0].after_due is None and POLICY.levels[1].after_due is None
    assert POLICY.obligation("icpc").ladder == (
        POLICY.levels[2].after_due,
        POLICY.levels[3].after_due,
    )
    assert POLICY.obligation("decision").ladder == (
        Amount("working_days", 1),
        Amount("working_days", 3),
    )
    with pytest.raises(LookupError, match="no obligation 'nothing'"):
        POLICY.obligation("nothing")


def test_the_calendar_is_england_and_wales_in_london_time() -> None:
    spec = POLICY.calendar_spec
    assert (spec.country, spec.subdivision, spec.timezone) == ("GB", "ENG", "Europe/London")
    assert POLICY.calendar.timezone == "Europe/London"


def test_every_default_obligation_is_documented() -> None:
    doc = (DOCS / "clocks.md").read_text(encoding="utf-8")
    for rule in POLICY.obligations:
        assert f"`{rule.id}`" in doc, f"docs/clocks.md does not describe {rule.id}"
    for owner in OWNERS:
        assert f"`{owner}`" in doc, owner


# --- the setting ----------------------------------------------------------------------------


def test_the_setting_names_the_policy_file(tmp_path: Path) -> None:
    assert "TOCSIN_CLOCKS_POLICY" in {setting.name for setting in SETTINGS}
    assert load_config({"TOCSIN_HOME": str(tmp_path)}).clocks_policy is None
    assert load_policy(load_config({"TOCSIN_HOME": str(tmp_path)}).clocks_policy) is POLICY
    own = tmp_path / "clocks.toml"
    own.write_text(DEFAULT_TEXT.replace("version = 2", "version = 3", 1), encoding="utf-8")
    config = load_config({"TOCSIN_HOME": str(tmp_path), "TOCSIN_CLOCKS_POLICY": str(own)})
    assert config.clocks_policy == own
    loaded = load_policy(config.clocks_policy)
    assert loaded.version == 3 and loaded.origin == str(own)
    assert loaded.digest != POLICY.digest


def test_a_policy_can_be_given_as_text_or_a_path(tmp_path: Path) -> None:
    assert load_policy(DEFAULT_TEXT).obligations == POLICY.obligations
    with pytest.raises(ClockPolicyError, match="cannot be read"):
        load_policy(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text(DEFAULT_TEXT.replace("due = { months = 3 }", "due = { weeks = 12 }"), "utf-8")
    with pytest.raises(
        ClockPolicyError, match=rf"^clocks policy {re.escape(str(broken))}, line \d+: "
    ):
        load_policy(broken)


# --- refusals -------------------------------------------------------------------------------

HERE = "  # HERE"


def full_line(start: str) -> str:
    """The whole line of the default policy that begins with ``start``."""
    begin = DEFAULT_TEXT.index(start)
    return DEFAULT_TEXT[begin : DEFAULT_TEXT.index("\n", begin)]


ICPC_SOURCE = full_line('source = "DOMAIN.md section 2, Process and timescales, Initial')


def refusal(old: str, new: str) -> tuple[ClockPolicyError, str]:
    """The default policy with ``old`` replaced by ``new``, refused; the text, with "# HERE"
    moved to the end of the line where it stood in ``new`` (so it comments nothing out)."""
    assert DEFAULT_TEXT.count(old) >= 1, old
    before, _, after = new.partition(HERE)
    at = DEFAULT_TEXT.index(old) + len(before)
    text = DEFAULT_TEXT.replace(old, before + after, 1)
    end = text.index("\n", at)
    text = text[:end] + HERE + text[end:]
    with pytest.raises(ClockPolicyError) as caught:
        parse_policy(text, origin="test.toml")
    return caught.value, text


def line_holding(text: str, fragment: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert lines, fragment
    return lines[0]


# (what is wrong, replace this, with this — "# HERE" marks the line the error must name, the
# problem the message must state)
REFUSALS = [
    (
        "unknown event kind",
        'trigger = { kind = "challenge.raised" }',
        'trigger = { kind = "challenge.rased" }' + HERE,
        r"unknown event kind 'challenge\.rased'",
    ),
    (
        "negative due",
        "due = { working_days = 45 }",
        "due = { working_days = -45 }" + HERE,
        r"working_days must be more than 0, not -45",
    ),
    (
        "zero due",
        "due = { hours = 24 }",
        "due = { hours = 0 }" + HERE,
        r"hours must be more than 0, not 0",
    ),
    (
        "unknown unit",
        "due = { months = 3 }",
        "due = { weeks = 12 }" + HERE,
        r"unknown unit 'weeks' \(use one of: working_days, hours, months\)",
    ),
    (
        "two units",
        "due = { working_days = 5 }",
        "due = { working_days = 5, hours = 2 }" + HERE,
        r"one unit and a number",
    ),
    (
        "fraction",
        "due = { working_days = 15 }",
        "due = { working_days = 1.5 }" + HERE,
        r"working_days must be a whole number, not 1\.5",
    ),
    (
        "true as a number",
        "due = { working_days = 15 }",
        "due = { working_days = true }" + HERE,
        r"whole number, not True",
    ),
    (
        "empty source",
        ICPC_SOURCE,
        'source = "  "' + HERE,
        r"obligation 'icpc' is missing its source",
    ),
    (
        "duplicate id",
        'id = "icpc"',
        'id = "decision"' + HERE,
        r"duplicate id: there is already an obligation 'decision'",
    ),
    (
        "badly formed id",
        'id = "icpc"',
        'id = "ICPC meeting"' + HERE,
        r"an id of lower-case letters",
    ),
    (
        "level numbered out of order",
        'level = 2\nrole = "head_of_service"',
        "level = 3" + HERE + '\nrole = "head_of_service"',
        r"level out of order: .* says 3",
    ),
    (
        "ladder steps out of order",
        "ladder = [{ hours = 24 }, { hours = 72 }]",
        "ladder = [{ hours = 72 }, { hours = 24 }]" + HERE,
        r"level out of order: level 3 would be reached 24 hours after the due time, "
        r"before level 2 \(72 hours\)",
    ),
    (
        "ladder of the wrong length",
        "ladder = [{ hours = 24 }, { hours = 72 }]",
        "ladder = [{ hours = 0 }, { hours = 24 }, { hours = 72 }]" + HERE,
        r"ladder gives when levels 2 and 3 are reached",
    ),
    (
        "negative ladder step",
        "ladder = [{ hours = 24 }, { hours = 72 }]",
        "ladder = [{ hours = -1 }, { hours = 72 }]" + HERE,
        r"hours must be 0 or more, not -1",
    ),
    (
        "level 1 given a time",
        'label = "The team manager"',
        'label = "The team manager"\nafter_due = { hours = 1 }' + HERE,
        r"level 1 is reached at the due time itself",
    ),
    (
        "level 3 inside the agency",
        "outside_agency = true",
        "outside_agency = false" + HERE,
        r"level 3, and only level 3, is outside the agency",
    ),
    (
        "unknown owner",
        'owner = "police"',
        'owner = "the_police"' + HERE,
        r"unknown owner 'the_police' \(use one of: front_door, case_owner",
    ),
    (
        "unknown subject type",
        'key = "challenge"',
        'key = "complaint"' + HERE,
        r"key must be the type of subject",
    ),
    (
        "trigger that never names the key",
        'trigger = { kind = "child.screened" }',
        'trigger = { kind = "decision.recorded" }' + HERE,
        r"keyed on child, but a decision\.recorded event names no child",
    ),
    (
        "misspelt field",
        'where = { decision = "crime_recorded" }',
        'where = { decison = "crime_recorded" }' + HERE,
        r"decision\.recorded has no field 'decison'",
    ),
    (
        "misspelt code",
        'where = { decision = "strategy_discussion" }',
        'where = { decision = "strategy_discusion" }' + HERE,
        r"'strategy_discusion' is not a decision\.recorded decision",
    ),
    (
        "unknown operator",
        '{ any_of = ["11A", "19B", "19C"] }',
        '{ all_of = ["11A", "19B", "19C"] }' + HERE,
        r"any_of = \[\.\.\.\] \} or \{ none_of",
    ),
    (
        "empty any_of",
        '{ any_of = ["11A", "19B", "19C"] }',
        "{ any_of = [] }" + HERE,
        r"any_of needs a list of values",
    ),
    (
        "unknown pattern",
        'cancelled_by = ["case_closed", "concern_expunged"]',
        'cancelled_by = ["case_closd", "concern_expunged"]' + HERE,
        r"no \[pattern\.case_closd\] is declared",
    ),
    (
        "pattern on a subject its kind never names",
        'on = "concern"\nrefers_to',
        'on = "child"' + HERE + "\nrefers_to",
        r"a decision\.signed_off event names no 'child'",
    ),
    (
        "satisfier that can never match",
        'satisfied_by = [{ kind = "child.screened" }]',
        'satisfied_by = [{ kind = "outcome.recorded" }]' + HERE,
        r"a outcome\.recorded event names no child",
    ),
    (
        "refers_to through the wrong subject",
        'by = "decision"',
        'by = "child"' + HERE,
        r"refers_to\.by must be a subject both",
    ),
    (
        "unknown key in an obligation",
        'on_retrigger = "restart"',
        'on_retrigger = "restart"\ndue_in = 3' + HERE,
        r"obligation 'icpc' has an unknown key 'due_in'",
    ),
    (
        "bad retrigger",
        'on_retrigger = "restart"',
        'on_retrigger = "sometimes"' + HERE,
        r"on_retrigger must be 'keep' or 'restart'",
    ),
    (
        "for_each on no such field",
        'for_each = "actions"',
        'for_each = "tasks"' + HERE,
        r"meeting\.recorded has no field 'tasks'",
    ),
    ("for_each without item_id", ', item_id = "action_id" }', " }" + HERE, r"needs item_id"),
    (
        "unknown top-level key",
        'policy = "tocsin-default"',
        'policy = "tocsin-default"\npolicies = 2' + HERE,
        r"the policy has an unknown key 'policies'",
    ),
    (
        "version zero",
        "version = 2",
        "version = 0" + HERE,
        r"'version' must be a whole number from 1",
    ),
    (
        "unknown time zone",
        'timezone = "Europe/London"',
        'timezone = "Europe/Londres"' + HERE,
        r"unknown time zone 'Europe/Londres'",
    ),
    (
        "unknown region",
        'subdivision = "ENG"',
        'subdivision = "XYZ"' + HERE,
        r"no bank holidays for GB/XYZ",
    ),
    (
        "not TOML",
        "due = { working_days = 45 }",
        "due = { working_days = 45" + HERE,
        r"is not valid TOML",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "problem"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_an_invalid_policy_is_refused_naming_the_line_and_the_problem(
    old: str, new: str, problem: str
) -> None:
    error, text = refusal(old, new)
    assert error.origin == "test.toml"
    assert error.line == line_holding(text, "# HERE"), str(error)
    assert re.search(problem, error.problem), str(error)
    assert str(error).startswith(f"clocks policy test.toml, line {error.line}: ")


def test_a_missing_source_is_refused_at_its_obligation() -> None:
    start = DEFAULT_TEXT.index('source = "DOMAIN.md section 2, Process and timescales, Initial')
    end = DEFAULT_TEXT.index("\n", start) + 1
    text = DEFAULT_TEXT[:start] + DEFAULT_TEXT[end:]
    with pytest.raises(ClockPolicyError, match="obligation 'icpc' is missing its source") as caught:
        parse_policy(text, origin="test.toml")
    assert caught.value.line == line_holding(text, 'id = "icpc"') - 1  # its [[obligation]]


def test_a_missing_satisfier_is_refused() -> None:
    text = DEFAULT_TEXT.replace('satisfied_by = [{ kind = "challenge.answered" }]\n', "")
    with pytest.raises(ClockPolicyError, match="'challenge_answer' needs satisfied_by"):
        parse_policy(text)


def test_a_missing_level_is_refused() -> None:
    start = DEFAULT_TEXT.index("[[level]]\nlevel = 3")
    end = DEFAULT_TEXT.index("after_due = { working_days = 5 }\n", start)
    text = DEFAULT_TEXT[:start] + DEFAULT_TEXT[end + len("after_due = { working_days = 5 }\n") :]
    with pytest.raises(ClockPolicyError, match=r"levels 0 to 3 .* not 3") as caught:
        parse_policy(text)
    assert caught.value.line == line_holding(text, "[[level]]")


def test_the_global_ladder_must_climb_in_order() -> None:
    text = DEFAULT_TEXT.replace(
        "after_due = { working_days = 2 }", "after_due = { working_days = 9 }"
    )
    with pytest.raises(ClockPolicyError, match="level out of order: level 3") as caught:
        parse_policy(text)
    assert caught.value.line == line_holding(text, "after_due = { working_days = 5 }")


def test_a_missing_calendar_is_refused() -> None:
    start = DEFAULT_TEXT.index("\n[calendar]\n")
    end = DEFAULT_TEXT.index('timezone = "Europe/London"\n') + len('timezone = "Europe/London"\n')
    with pytest.raises(ClockPolicyError, match=r"needs a \[calendar\] table"):
        parse_policy(DEFAULT_TEXT[:start] + DEFAULT_TEXT[end:])


# --- finding lines --------------------------------------------------------------------------


def test_key_lines_finds_tables_arrays_and_inline_tables() -> None:
    text = "\n".join(
        [
            'name = "x"  # a comment with = and [brackets]',  # 1
            '"quoted key" = """',  # 2
            "many",  # 3
            'lines"""',  # 4
            "[calendar]",  # 5
            "zone = 'Europe/London'",  # 6
            "[[item]]",  # 7
            "id = 1",  # 8
            "[[item]]",  # 9
            "id = 2",  # 10
            "list = [",  # 11
            "  { kind = 'a' },",  # 12
            "  # between",  # 13
            "  { kind = 'b', where = { x = [1, 2] } },",  # 14
            "]",  # 15
            "[item.sub]",  # 16
            "deep.er = true",  # 17
        ]
    )
    lines = key_lines(text)
    assert lines[("name",)] == 1
    assert lines[("quoted key",)] == 2
    assert lines[("calendar", "zone")] == 6
    assert lines[("item", 0, "id")] == 8
    assert lines[("item", 1, "id")] == 10
    assert lines[("item", 1, "list", 0, "kind")] == 12
    assert lines[("item", 1, "list", 1, "where", "x", 1)] == 14
    assert lines[("item", 1, "sub", "deep", "er")] == 17
