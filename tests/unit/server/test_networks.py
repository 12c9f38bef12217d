"""Networks in the server: mentions from the concern projections (identities resolved, pattern
concerns left out, flags), and pattern alerts raised as concerns that go through the front door,
once per pattern and again only when it grows."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories.networks import AS_OF, add_linked_concern, make_network_world
from tocsin.domain.clocks import ClockPolicyError, parse_policy
from tocsin.domain.networks import PatternDetected
from tocsin.server.actors import ActionRefused
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.networks.alerts import NO_PARTNERSHIP, do_raise_pattern_alerts
from tocsin.server.networks.mentions import MentionFilter, adult_identity, concern_mentions
from tocsin.server.networks.models import AlertedPattern

pytestmark = pytest.mark.django_db


def _nodes(mentions: list) -> set[str]:  # type: ignore[type-arg]
    return {m.node_id for m in mentions}


def test_mentions_resolve_each_kind_to_one_identity() -> None:
    world = make_network_world()
    mentions = concern_mentions()
    adults = {m.node_id for m in mentions if m.kind == "adult"}
    vehicles = {m.node_id for m in mentions if m.kind == "vehicle"}
    places = {m.node_id for m in mentions if m.kind == "place"}
    children = {m.node_id for m in mentions if m.kind == "child"}
    # Mohammed and Mohamed are one adult; the partial plate YX19 is the one whole plate it fits.
    assert len(adults) == 1
    assert vehicles == {"vehicle:YX19KLM"}
    assert len(places) == 1
    assert len(children) == 5
    assert {m.node_id for m in mentions if m.kind == "phone"} == {"phone:+447700900456"}
    by_concern = {m.concern_id: m for m in mentions if m.kind == "child"}
    first = by_concern[world.concern_ids[0]]
    assert first.flags == frozenset({"cse"})
    assert first.agency == str(world.council.pk)
    assert first.reporter == f"staff:{world.reporters[0].pk}"
    assert first.occurred_on == date(2026, 6, 1)


def test_mentions_filter_by_days_and_agency() -> None:
    world = make_network_world()
    july_on = concern_mentions(MentionFilter(since=date(2026, 7, 1)))
    assert world.concern_ids[0] not in {m.concern_id for m in july_on}
    police = concern_mentions(MentionFilter(agencies=frozenset({str(world.police.pk)})))
    assert {m.concern_id for m in police} == {world.concern_ids[3]}


def test_an_adult_given_only_a_description_cannot_be_linked() -> None:
    assert adult_identity({"names": [], "nicknames": [], "description": "tall"}) is None
    mo, mohamed = (
        adult_identity({"names": ["Mo Khan"]}),
        adult_identity({"names": ["mohamed  KHAN"]}),
    )
    assert mo is not None and mohamed is not None
    assert mo[0] == mohamed[0]
    assert mo[1] == "Mo Khan"
    assert adult_identity({"names": ["Tom Khan"]}) != mo
    nickname = adult_identity({"names": [], "nicknames": ["Big M"]})
    assert nickname == ("nickname:big m", "known as Big M")


def test_a_pattern_alert_is_a_concern_at_the_front_door_raised_once() -> None:
    world = make_network_world()
    run = do_raise_pattern_alerts(as_of=AS_OF)
    subjects = sorted(alert.pattern.subject.split(":")[0] for alert in run.raised)
    # The adult, the car and the flat each link four children through three reporters.
    assert subjects == ["adult", "place", "vehicle"]
    concern = Concern.objects.get(pk=run.raised[0].concern_id)
    assert concern.channel == "pattern"
    assert concern.agency_id == world.partnership.pk
    assert "linked to 4 children" in concern.narrative
    assert concern.child_links.count() == 0
    # Its clock runs like any concern's: a decision is owed by the front door.
    from tocsin.server.clocks.sweep import sweep

    sweep()
    from tocsin.server.clocks.models import OpenObligation

    assert OpenObligation.objects.filter(concern_id=concern.pk, obligation="decision").exists()
    # Its pattern is kept with its size; the alert concern is not evidence for itself.
    row = AlertedPattern.objects.get(key=run.raised[0].pattern.key)
    assert (row.size, row.alerts, row.concern_id) == (4, 1, concern.pk)
    assert concern.pk not in {m.concern_id for m in concern_mentions()}
    # The same pattern does not alert twice.
    again = do_raise_pattern_alerts(as_of=AS_OF)
    assert again.found == 3 and again.raised == []


def test_a_pattern_that_grows_alerts_again() -> None:
    world = make_network_world()
    do_raise_pattern_alerts(as_of=AS_OF)
    size = reading_ledger().store.head()[0]
    add_linked_concern(world.reporters[2], 5, on=date(2026, 10, 1))
    run = do_raise_pattern_alerts(as_of=AS_OF)
    grown = [a for a in run.raised if a.pattern.rule_id == "linked_to_children"]
    assert sorted(a.previous_size for a in grown) == [4, 4, 4]
    assert all(a.pattern.size == 5 for a in grown)
    row = AlertedPattern.objects.get(key=grown[0].pattern.key)
    assert (row.size, row.alerts) == (5, 2)
    assert "grown from 4 children" in Concern.objects.get(pk=grown[0].concern_id).narrative
    # The new child is linked to a network an earlier alert named: that alerts too, once.
    (known,) = [a for a in run.raised if a.pattern.rule_id == "child_in_known_network"]
    assert known.previous_size == 0
    assert [c.removeprefix("child:") for c in known.pattern.children] == [
        str(c) for c in AlertedPattern.objects.get(key=known.pattern.key).children
    ]
    assert "linked to the network of" in Concern.objects.get(pk=known.concern_id).narrative
    events = [
        e for e in reading_ledger().store.events_of_kind(PatternDetected.kind) if e.seq >= size
    ]
    assert len(events) == 4
    assert do_raise_pattern_alerts(as_of=AS_OF).raised == []


def test_old_links_fall_outside_the_window() -> None:
    make_network_world()
    run = do_raise_pattern_alerts(as_of=date(2028, 1, 1))
    assert run.found == 0 and run.raised == []


def test_without_a_partnership_agency_nothing_is_raised_and_the_refusal_says_why() -> None:
    make_network_world(partnership=False)
    size = reading_ledger().store.head()[0]
    with pytest.raises(ActionRefused, match="sector 'partnership'"):
        do_raise_pattern_alerts(as_of=AS_OF)
    assert reading_ledger().store.head()[0] == size
    assert NO_PARTNERSHIP


def test_nobody_records_through_the_pattern_channel_by_hand() -> None:
    world = make_network_world()
    from tests.factories import make_draft

    with pytest.raises(ActionRefused, match="pattern channel"):
        do_record_concern(make_draft(channel="pattern"), actor=world.practitioner)


def test_the_default_policy_carries_the_issue_rules() -> None:
    rules = {rule.id: rule for rule in clocks_policy().network_patterns}
    linked = rules["linked_to_children"]
    assert (linked.min_children, linked.min_reporters, linked.window_days) == (3, 2, 365)
    assert rules["child_in_known_network"].kind == "known_network"


def _policy_head() -> str:
    """The shipped policy without its pattern rules."""
    from importlib import resources

    text = resources.files("tocsin.domain.clocks").joinpath("policy.toml").read_text("utf-8")
    return text[: text.index("[[patterns]]")]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('kind = "linked_children"\nmin_children = 0', "min_children must be a whole number"),
        ('kind = "sometimes"', "kind must be one of"),
        ('kind = "linked_children"\nsubjects = ["child"]', "subjects must be a list"),
        ('kind = "known_network"\nsubjects = ["adult"]', "leave out subjects"),
        ('kind = "linked_children"\ncolour = "red"', "unknown key 'colour'"),
    ],
)
def test_a_bad_pattern_rule_names_its_line(entry: str, problem: str) -> None:
    text = _policy_head() + (
        '[[patterns]]\nid = "r"\ndescription = "d"\nsource = "s"\n' + entry + "\n"
    )
    bad_line = len(text.splitlines())
    with pytest.raises(ClockPolicyError, match=problem) as raised:
        parse_policy(text)
    assert raised.value.line == bad_line


def test_the_command_prints_the_networks_raises_the_alerts_and_records_the_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from django.core.management import call_command

    from tocsin.server.concerns.models import ConcernChild

    make_network_world()
    size = reading_ledger().store.head()[0]
    call_command("networks", "--json", "--alert", "--as-of", AS_OF.isoformat())
    result = json.loads(capsys.readouterr().out)
    assert result["entities"] == 9  # five children, the adult, the car, the flat, the phone
    assert result["resolution"] == 1.0  # a graph this small keeps plain modularity
    network = result["networks"][0]
    assert (network["children"], network["adults"], network["vehicles"]) == (4, 1, 1)
    assert (network["reporters"], network["agencies"], network["flags"]) == (3, 2, ["cse"])
    assert result["top_adults"][0]["children"] == 4
    assert result["top_adults"][0]["reporters"] == 3
    assert result["hotspots"][0]["place"] == "Flat 3, 12 Quarry Lane, ZZ9 4QT"
    assert sorted(a["subject"].split(":")[0] for a in result["alerts"]) == [
        "adult",
        "place",
        "vehicle",
    ]
    from tocsin.server.concerns.models import RecordView

    children = {f"child:{c}" for c in ConcernChild.objects.values_list("child_id", flat=True)}
    seen = RecordView.objects.filter(purpose="tocsin networks")
    assert {v.subject for v in seen} == children
    assert size < reading_ledger().store.head()[0]
    call_command("networks", "--alert", "--as-of", AS_OF.isoformat())
    assert "Pattern alerts raised: 0." in capsys.readouterr().out
