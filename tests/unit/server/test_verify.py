"""tocsin verify: a clean ledger passes; any UPDATE, DELETE or INSERT made directly in SQL on
any ledger or projection table makes it exit 1 and name the table (and the row and sequence
number where there is one). The projection cases are generated from the projection registry, so
a new projection table is covered (or fails the build) without anyone remembering to. The CLI is
driven in-process so it sees the test database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections, models, transaction
from django.utils import timezone

from tests.factories import (
    ACTOR,
    built_once_for_module,
    make_agency,
    make_draft,
    make_partnership,
    make_team,
    make_user,
)
from tests.factories.estimates import FROM, TODAY, concern
from tests.factories.register import make_report
from tocsin.cli import main
from tocsin.domain.casework import Attendee, MeetingAction
from tocsin.domain.concerns import ChildDraft, IndicatorSeen
from tocsin.domain.people import PeopleMatched
from tocsin.domain.records import RecordExpunged
from tocsin.domain.screening import load_scheme
from tocsin.server.capacity.actions import do_set_capacity
from tocsin.server.casework.actions import (
    do_allocate,
    do_decide,
    do_record_contact,
    do_record_outcome,
    do_sign_off,
    proposal_of,
)
from tocsin.server.challenges.actions import do_answer_challenge, do_raise_challenge
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import (
    do_add_information,
    do_record_concern,
    do_record_view,
    do_regrade_risk,
)
from tocsin.server.concerns.models import Concern, Screening
from tocsin.server.directory.models import User
from tocsin.server.directory.tokens import do_issue_api_token
from tocsin.server.intel.actions import do_produce_estimate
from tocsin.server.intel.models import EstimateRun
from tocsin.server.ledger.actions import do_expunge_record, do_lift_legal_hold, do_place_legal_hold
from tocsin.server.ledger.checkpoints import sign_checkpoint_now
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger, record_events
from tocsin.server.meetings.actions import do_complete_action, do_record_meeting
from tocsin.server.people.models import ChildMerge, PersonMatch
from tocsin.server.people.review import do_review_match, do_split_children
from tocsin.server.projections import ProjectionModel, projection_models
from tocsin.server.register.profiles import do_generate_profile
from tocsin.server.register.scrutiny import do_export_for_scrutiny
from tocsin.server.statistics.actions import do_export_statistics
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


def verify(*args: str) -> int:
    """``tocsin verify`` in-process. Django closes every connection when a command ends, which
    would end the module's transaction (the world) on PostgreSQL; here it is left open."""
    with mock.patch.object(connections, "close_all"):
        return main(["verify", *args])


def run_verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = verify("--json")
    return code, json.loads(capsys.readouterr().out)


def prep(model: type[models.Model], field: str, value: Any) -> Any:
    return model._meta.get_field(field).get_db_prep_save(value, connection)


def sql(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def insert(model: type[models.Model], **values: Any) -> None:
    columns = [model._meta.get_field(name).column for name in values]
    params = [prep(model, name, value) for name, value in values.items()]
    marks = ", ".join(["%s"] * len(params))
    sql(f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({marks})", params)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Built once for the module (built per test, the 137 tests took about ten minutes)."""
    with built_once_for_module(django_db_blocker):
        yield build_world()


def build_world() -> dict[str, Any]:
    """Every projection table holds rows, and one record has been expunged."""
    partnership = make_partnership()
    spare_team = make_team(partnership.police, "Empty team")
    leaver = make_user(partnership.police, username="leaver", password="another long password")
    hold = do_place_legal_hold("*", "public inquiry moratorium", actor=ACTOR)
    hold_id = hold.subjects[0].split(":", 1)[1]
    do_lift_legal_hold(hold_id, "moratorium ended", actor=ACTOR)
    do_place_legal_hold(f"user:{partnership.admin.pk}", "litigation", actor=ACTOR)
    leaver_seqs = list(
        LedgerLeaf.objects.filter(subject=f"user:{leaver.pk}").values_list("seq", flat=True)
    )
    erased_payloads = reading_ledger().store.read_payloads(leaver_seqs)
    expunged = do_expunge_record(f"user:{leaver.pk}", "retention period ended", actor=ACTOR)
    make_user(partnership.council, username="late-joiner")
    lonely_agency = make_agency("Lonely agency", "voluntary")  # no dependants: deletable in SQL
    # Concerns by people the tampering below leaves alone, and an estimate from them.
    worker = make_user(partnership.council, username="council-worker")
    officer = make_user(partnership.police, role="police_officer")
    do_issue_api_token(worker, "Case system feed", "read", 30, actor=ACTOR)
    do_set_capacity("worker", str(worker.pk), "caseload", 12, "Part-time this term", actor=ACTOR)
    for n, user in enumerate([worker, officer] * 3 + [officer]):
        concern(user, n // 2 if n < 4 else n, ["11A"])
    # One girl known to the council and then to the police: a person match (people.matched).
    for user, given in ((worker, "Nadia"), (officer, "Nadiya")):
        child = ChildDraft(given, "Brightwater", date_of_birth=date(2012, 2, 9), postcode="ZZ9 1AA")
        do_record_concern(make_draft(children=[child]), actor=user, today=TODAY)
    estimate = do_produce_estimate(FROM, TODAY, bootstrap=0, actor=ACTOR)
    # A planted network and the pattern alerts it raises (pattern.detected, AlertedPattern).
    from tests.factories.networks import AS_OF as NETWORK_AS_OF
    from tests.factories.networks import make_network_world
    from tocsin.server.networks.alerts import do_raise_pattern_alerts

    make_network_world()
    assert do_raise_pattern_alerts(as_of=NETWORK_AS_OF).raised
    # An export of the statistics at a signed checkpoint (statistics.exported). The checkpoint
    # is not a projection; it goes again, so that the checkpoint tests below sign their own
    # with keys of their own.
    checkpoint, _ = sign_checkpoint_now()
    do_export_statistics("csv", published=True, actor=ACTOR)
    # A problem profile at that checkpoint (report.registered and profile.generated).
    do_generate_profile(label="2026-Q3", actor=ACTOR)
    checkpoint.delete()
    # A screened concern, its band regraded, a note added, and a view of it recorded.
    scheme = load_scheme()
    significant = [i.id for i in scheme.indicators if i.group == "significant"][:3]
    draft = make_draft(indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in significant])
    screened = do_record_concern(draft, actor=worker, today=TODAY).concern
    screening = Screening.objects.get(concern=screened)
    other_band = next(band.id for band in scheme.bands if band.id != screening.current_band)
    regraded = do_regrade_risk(
        screened.pk, screening.pk, other_band, "Seen by the team; plan agreed.", actor=worker
    )
    manager = make_user(partnership.council, role="team_manager", team=partnership.team)
    proposal = proposal_of(regraded)
    if proposal is not None:  # lowering a band waits for a second person
        do_sign_off(proposal, True, "Agreed at supervision today.", actor=manager)
    # The case: allocated, decided, and a proposal to close it awaiting sign-off.
    do_allocate(screened.pk, worker_id=str(partnership.practitioner.pk), actor=ACTOR)
    do_decide(screened.pk, "assessment", "Assess the family's situation", actor=worker)
    closing = do_decide(
        screened.pk, "close", "Assessment finished, plan in place", actor=worker
    ).decision_id
    # The front door challenges closing it; the scrutineer answers.
    challenged = do_raise_challenge(
        screened.pk,
        closing,
        "The car was seen again; closing leaves her without a plan.",
        actor=make_user(partnership.council, role="mash_officer"),
    )
    do_answer_challenge(
        challenged.challenge_id,
        "partly_upheld",
        "The plan stays open for a month while the car sightings are checked.",
        actor=make_user(partnership.council, role="partnership_scrutineer"),
    )
    # A report on the register, its recommendation owned by the manager, and an export.
    make_report(actor=ACTOR, owners=[(manager, date(2026, 12, 20))])
    # Clerical review: a proposed match confirmed, its two children merged, the merge split.
    earlier = Concern.objects.exclude(pk=screened.pk).order_by("recorded_seq").first()
    assert earlier is not None
    pair = {
        "left": f"{screened.reference}/child/0",
        "right": f"{earlier.reference}/child/0",
        "probability": 0.8,
        "match_weight": 2.0,
        "weights": {"surname": 2.0},
        "status": "proposed",
    }
    record_events(
        [PeopleMatched(str(earlier.pk), "test", 0.99, 0.5, [pair])], actor_id="system:test"
    )
    front_door = make_user(partnership.council, role="mash_officer")
    match = PersonMatch.objects.get(left_id=pair["left"], right_id=pair["right"])
    do_review_match(match.pk, "confirmed", "Same girl, same school", merge=True, actor=front_door)
    do_split_children(
        ChildMerge.objects.get(match_id=str(match.pk)).pk, "Twins, after all", actor=front_door
    )
    do_export_for_scrutiny("downgrades", date(2026, 1, 1), date(2026, 12, 31), actor=ACTOR)
    do_add_information(screened.pk, "The car was seen again on Friday.", actor=worker)
    do_record_contact(
        screened.pk,
        with_whom="child",
        method="home_visit",
        happened_on=TODAY,
        made=True,
        seen_alone=True,
        summary="Seen alone at home; talked about school.",
        actor=worker,
    )
    do_record_outcome(
        screened.pk, "child_in_need_plan", "Plan agreed with the family", actor=worker
    )
    meeting = do_record_meeting(
        screened.pk,
        kind="strategy_discussion",
        held_at=timezone.now() - timedelta(hours=1),
        attendees=[
            Attendee("Sam Carter", "team manager", str(partnership.council.pk)),
            Attendee("Jo Reid", "detective", str(partnership.police.pk)),
        ],
        decisions=["section_47_enquiry"],
        summary="Reasonable cause to suspect significant harm.",
        actions=[
            MeetingAction("Visit with the police", str(worker.pk), TODAY),
            MeetingAction("Check the flat", str(worker.pk), TODAY),
        ],
        actor=worker,
    )
    first_action = sorted(a["action_id"] for a in meeting_actions(meeting))[0]
    do_complete_action(first_action, "Visited with PC Reid", actor=worker)
    # Three weeks on, the clocks escalate what nobody met (an obligation.escalated row).
    assert sweep(timezone.now() + timedelta(days=21)).escalations
    do_record_view(worker, "concern page", [f"concern:{screened.pk}"])
    return {
        "estimate": estimate,
        "partnership": partnership,
        "spare_team": spare_team,
        "leaver": leaver,
        "lonely_agency": lonely_agency,
        "hold_id": hold_id,
        "expunged_seq": expunged.seq,
        "erased_payloads": erased_payloads,
        "screening": screening,
        "bands": [band.id for band in scheme.bands],
        "size": reading_ledger().size(),
    }


def test_a_clean_ledger_verifies(world: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_verify(capsys)
    assert code == 0, report["problems"]
    assert report["ok"] is True
    assert report["size"] == world["size"]
    assert report["problems"] == []


def test_human_output_says_intact(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify() == 0
    assert "ledger intact" in capsys.readouterr().out


def _leaf(seq: int) -> bytes:
    return reading_ledger().store.read_leaves(seq, seq + 1)[0]


Tamper = Callable[[dict[str, Any]], None]

TAMPERS: dict[str, tuple[Tamper, str]] = {
    # ledger storage
    "update leaf bytes": (
        lambda w: sql(
            "UPDATE ledger_leaf SET data = %s WHERE seq = 2",
            [_leaf(2).replace(b"system:factory", b"system:someone")],
        ),
        "ledger_leaf",
    ),
    "update leaf kind column": (
        lambda w: sql("UPDATE ledger_leaf SET kind = 'user.deactivated' WHERE seq = 3"),
        "ledger_leaf",
    ),
    "delete leaf": (lambda w: sql("DELETE FROM ledger_leaf WHERE seq = 3"), "ledger_leaf"),
    "insert leaf": (
        lambda w: sql(
            "INSERT INTO ledger_leaf (seq, kind, subject, data) VALUES (%s, %s, %s, %s)",
            [w["size"], "agency.registered", "agency:x", _leaf(0)],
        ),
        "ledger_leaf",
    ),
    "update node": (
        lambda w: sql(
            'UPDATE ledger_node SET hash = %s WHERE level = 1 AND "index" = 0', [b"\x01" * 32]
        ),
        "ledger_node",
    ),
    "delete node": (
        lambda w: sql('DELETE FROM ledger_node WHERE level = 2 AND "index" = 0'),
        "ledger_node",
    ),
    "insert node": (
        lambda w: sql(
            'INSERT INTO ledger_node (level, "index", hash) VALUES (0, %s, %s)',
            [w["size"] + 5, b"\x02" * 32],
        ),
        "ledger_node",
    ),
    "update payload": (
        lambda w: sql(
            "UPDATE ledger_payload SET body = %s WHERE seq = 0",
            [b'{"agency_id":"x","name":"Elsewhere","sector":"council"}'],
        ),
        "ledger_payload",
    ),
    "update salt": (
        lambda w: sql("UPDATE ledger_payload SET salt = %s WHERE seq = 1", [b"\x00" * 32]),
        "ledger_payload",
    ),
    "delete payload": (lambda w: sql("DELETE FROM ledger_payload WHERE seq = 1"), "ledger_payload"),
    "insert payload": (
        lambda w: sql(
            "INSERT INTO ledger_payload (seq, salt, body) VALUES (%s, %s, %s)",
            [w["size"] + 1, b"\x00" * 32, b"{}"],
        ),
        "ledger_payload",
    ),
    "update head root": (
        lambda w: sql("UPDATE ledger_head SET root = %s WHERE id = 1", [b"\x03" * 32]),
        "ledger_head",
    ),
    "update head size": (
        lambda w: sql("UPDATE ledger_head SET size = size - 1 WHERE id = 1"),
        "ledger_leaf",
    ),
    "delete head": (lambda w: sql("DELETE FROM ledger_head"), "ledger_head"),
    # projections: every table's UPDATE, DELETE and INSERT are generated below; these are
    # the changes that matter most to the people the records are about.
    "update user password": (
        lambda w: sql(
            "UPDATE directory_user SET password = 'x' WHERE id = %s",
            [prep(User, "id", w["partnership"].admin.pk)],
        ),
        "directory_user",
    ),
    "lower a screening band": (
        lambda w: sql(
            "UPDATE concerns_screening SET current_band = %s, band = %s WHERE id = %s",
            [w["bands"][0], w["bands"][0], prep(Screening, "id", w["screening"].pk)],
        ),
        "concerns_screening",
    ),
    # An estimate, once shown, can be neither lowered, removed nor made up.
    "lower an estimate": (
        lambda w: sql(
            "UPDATE intel_estimate_run SET result = %s WHERE id = %s",
            [
                prep(EstimateRun, "result", {**w["estimate"].result, "estimate": 1.0}),
                prep(EstimateRun, "id", w["estimate"].pk),
            ],
        ),
        "intel_estimate_run",
    ),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_tampering_in_sql_is_caught_and_named(
    name: str, world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    tamper, table = TAMPERS[name]
    tamper(world)
    code, report = run_verify(capsys)
    assert code == 1
    assert report["ok"] is False
    tables = {problem["table"] for problem in report["problems"]}
    assert table in tables, report["problems"]
    for problem in report["problems"]:
        assert set(problem) == {"check", "table", "row", "seq", "detail"}
        assert "password" not in problem["detail"] or "differs" in problem["detail"]


def test_a_changed_projection_row_names_the_event_that_wrote_it(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    practitioner = world["partnership"].practitioner
    sql(
        "UPDATE directory_user SET display_name = 'Someone else' WHERE id = %s",
        [prep(User, "id", practitioner.pk)],
    )
    _, report = run_verify(capsys)
    (problem,) = report["problems"]
    assert problem["table"] == "directory_user"
    assert problem["row"] == str(practitioner.pk)
    assert problem["seq"] == practitioner.enrolled_seq
    assert "display_name" in problem["detail"] and "Someone else" in problem["detail"]


def test_the_last_leaf_of_an_odd_sized_tree_is_covered_by_the_root(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Leaf hashes are not stored; the last leaf of an odd-sized tree is under no stored
    subtree, so changing it must still fail verification (through the root) and say so."""
    size = world["size"]
    if size % 2 == 0:
        make_agency("Odd one out", "voluntary")
        size += 1
    last = reading_ledger().store.read_leaves(size - 1, size)[0]
    sql(
        "UPDATE ledger_leaf SET data = %s WHERE seq = %s",
        [last.replace(b'"actor":"', b'"actor":"someone else, not ', 1), size - 1],
    )
    code, report = run_verify(capsys)
    assert code == 1
    heads = [p for p in report["problems"] if p["table"] == "ledger_head"]
    assert heads and f"last leaf, seq {size - 1}" in heads[0]["detail"], report["problems"]


def test_a_changed_leaf_is_told_apart_from_a_changed_subtree_hash(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    leaf = reading_ledger().store.read_leaves(4, 5)[0]
    sql(
        "UPDATE ledger_leaf SET data = %s WHERE seq = 4",
        [leaf.replace(b"system:factory", b"system:someone")],
    )
    _, report = run_verify(capsys)
    # The lowest difference is blamed on the leaves; every hash above differs too.
    tree = [(p["table"], p["row"]) for p in report["problems"] if p["check"] == "tree"]
    assert tree[0] == ("ledger_leaf", "4, 5"), tree
    assert ("ledger_node", "(1, 2)") not in tree


def test_a_changed_subtree_hash_is_told_apart_from_a_changed_leaf(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    sql('UPDATE ledger_node SET hash = %s WHERE level = 1 AND "index" = 2', [b"\x05" * 32])
    _, report = run_verify(capsys)
    tree = [p for p in report["problems"] if p["check"] == "tree"]
    assert ("ledger_node", "(1, 2)") in [(p["table"], p["row"]) for p in tree], tree


# ---------------------------------------------------------------------------------------------
# Every projection table, from the registry: an UPDATE, a DELETE and an INSERT made in SQL are
# each caught and named down to the row. A table the world leaves empty fails here too.

PROJECTION_TABLES = {model._meta.db_table: model for model in projection_models()}


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def changed(field: models.Field[Any, Any], value: Any) -> Any:
    """A different value of ``field``'s type than ``value``; None if there is no obvious one."""
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.SmallIntegerField):  # PostgreSQL's smallint stops at 32,767
        return (value or 0) + 10_000
    if isinstance(field, models.IntegerField):
        return (value or 0) + 1_000_000
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.DateTimeField):
        return (value or timezone.now()) + timedelta(days=1)
    if isinstance(field, models.DateField):
        return (value or date(2026, 1, 1)) + timedelta(days=1)
    if isinstance(field, models.JSONField):
        return {"tampered": value}
    if isinstance(field, models.CharField | models.TextField):
        text = value or ""
        return text[:-1] + ("y" if text.endswith("x") else "x") if text else "x"
    return None


def rows_of(model: type[ProjectionModel]) -> list[dict[str, Any]]:
    names = [f.attname for f in model._meta.concrete_fields]
    rows = list(model._base_manager.order_by("pk").values(*names))
    assert rows, (
        f"the world holds no {model._meta.db_table} row to tamper with: make the world "
        "fixture create one through an action"
    )
    return rows


def pk_text(model: type[ProjectionModel], pk: Any) -> str:
    return str(model._meta.pk.to_python(pk))


def update_a_row(model: type[ProjectionModel]) -> str:
    row = rows_of(model)[0]
    pk = model._meta.pk
    candidates = [f for f in model._meta.concrete_fields if not f.primary_key]
    # A plain column if there is one; otherwise (a link table) a reference, pointed elsewhere.
    field = next(
        (f for f in candidates if not f.is_relation and changed(f, row[f.attname]) is not None),
        candidates[0],
    )
    value = uuid.uuid4() if field.is_relation else changed(field, row[field.attname])
    sql(
        f"UPDATE {quote(model._meta.db_table)} SET {quote(field.column)} = %s "
        f"WHERE {quote(pk.column)} = %s",
        [
            prep(model, field.name, value),
            prep(model, pk.name, row[pk.attname]),
        ],
    )
    return pk_text(model, row[pk.attname])


def delete_a_row(model: type[ProjectionModel]) -> str:
    row = rows_of(model)[-1]
    pk = model._meta.pk
    sql(
        f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(pk.column)} = %s",
        [prep(model, pk.name, row[pk.attname])],
    )
    return pk_text(model, row[pk.attname])


def insert_a_row(model: type[ProjectionModel]) -> str:
    """A copy of a row under a new key, changed where a unique constraint demands it."""
    row = dict(rows_of(model)[0])
    pk = model._meta.pk
    fields = {f.name: f for f in model._meta.concrete_fields}
    # A key that is a reference (a case is keyed by its concern) points at no record at all.
    row[pk.attname] = (
        uuid.uuid4() if isinstance(pk, models.UUIDField) or pk.is_relation else changed(pk, None)
    )
    for field in fields.values():
        if field.unique and not field.primary_key:
            row[field.attname] = changed(field, row[field.attname])
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            field = fields[constraint.fields[-1]]
            row[field.attname] = (
                uuid.uuid4() if field.is_relation else changed(field, row[field.attname])
            )
    insert(model, **{name: row[f.attname] for name, f in fields.items()})
    return pk_text(model, row[pk.attname])


ROW_TAMPERS: dict[str, tuple[Callable[[type[ProjectionModel]], str], str]] = {
    "update": (update_a_row, "differs"),  # the detail names the differing column
    "delete": (delete_a_row, "missing from the live table"),
    "insert": (insert_a_row, "no event created it"),
}


@pytest.mark.parametrize("action", sorted(ROW_TAMPERS))
@pytest.mark.parametrize("table", sorted(PROJECTION_TABLES))
def test_every_projection_table_catches_update_delete_and_insert(
    table: str, action: str, world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    tamper, words = ROW_TAMPERS[action]
    # Undone before the test ends: a deleted row may be referenced, an inserted one may refer
    # to nothing, and the test database checks its foreign keys at the end.
    with transaction.atomic():
        row = tamper(PROJECTION_TABLES[table])
        code, report = run_verify(capsys)
        transaction.set_rollback(True)
    assert code == 1
    named = [
        p
        for p in report["problems"]
        if (p["check"], p["table"], p["row"]) == ("projection", table, row)
    ]
    assert named, report["problems"]
    if action != "update":
        assert words in named[0]["detail"]


def test_the_generated_cases_cover_every_concern_table() -> None:
    # The registry is the source of the cases; the concern tables must be in it.
    concern_tables = {t for t in PROJECTION_TABLES if t.startswith("concerns_")}
    assert {"concerns_concern", "concerns_screening", "concerns_regrading"} <= concern_tables


# ---------------------------------------------------------------------------------------------
# Named checks: each of these fails if its check is removed from verify.


def meeting_actions(envelope: Any) -> list[dict[str, Any]]:
    """The actions a ``meeting.recorded`` envelope's event agreed (read back from the ledger)."""
    payload = reading_ledger().store.read_payloads([envelope.seq])[envelope.seq]
    actions: list[dict[str, Any]] = json.loads(payload.body)["actions"]
    return actions


def problems_at(report: dict[str, Any], check: str, seq: int) -> list[str]:
    return [p["detail"] for p in report["problems"] if p["check"] == check and p["seq"] == seq]


def test_a_leaf_stored_under_another_sequence_number_is_named(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Leaf 3's bytes stored again as leaf 4 (and 4's as 3): each says it is the other.
    three, four = _leaf(3), _leaf(4)
    sql("UPDATE ledger_leaf SET data = %s WHERE seq = 3", [four])
    sql("UPDATE ledger_leaf SET data = %s WHERE seq = 4", [three])
    _, report = run_verify(capsys)
    assert "the leaf says it is seq 4" in problems_at(report, "envelope", 3), report["problems"]
    assert "the leaf says it is seq 3" in problems_at(report, "envelope", 4), report["problems"]


def test_a_changed_subject_column_is_named(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    sql("UPDATE ledger_leaf SET subject = 'agency:elsewhere' WHERE seq = 3")
    code, report = run_verify(capsys)
    assert code == 1
    assert problems_at(report, "envelope", 3) == [
        "the kind or subject column differs from the leaf"
    ], report["problems"]


def test_a_payload_an_expunction_erased_must_stay_erased(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    seq, sealed = min(world["erased_payloads"].items())
    sql(
        "INSERT INTO ledger_payload (seq, salt, body) VALUES (%s, %s, %s)",
        [seq, sealed.salt, sealed.body],
    )
    code, report = run_verify(capsys)
    assert code == 1
    assert problems_at(report, "payload", seq) == [
        "payload should have been erased by the record.expunged event at seq "
        f"{world['expunged_seq']}"
    ], report["problems"]


def test_an_expunction_cannot_erase_events_after_it(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    later = world["size"] + 1
    record_events(
        [
            RecordExpunged(
                expunction_id=str(uuid.uuid4()),
                subject=f"user:{uuid.uuid4()}",
                seqs=[later],
                reason="names an event not yet written",
            )
        ],
        actor_id=ACTOR.actor_id,
    )
    make_agency("Written after the expunction", "voluntary")
    sql("DELETE FROM ledger_payload WHERE seq = %s", [later])
    code, report = run_verify(capsys)
    assert code == 1
    assert problems_at(report, "payload", later) == [
        "payload is missing and no record.expunged event erased it"
    ], report["problems"]


def test_a_stored_cosignature_is_checked(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    from tocsin.ledger import CosignatureSigner, cosign, parse_note
    from tocsin.server.ledger.checkpoints import sign_checkpoint_now

    settings.TOCSIN_LEDGER_KEY_FILE = tmp_path / "ledger.skey"
    witness = CosignatureSigner("witness.test/oversight", bytes(range(32, 64)))
    settings.TOCSIN_WITNESSES = [(witness.vkey, "http://127.0.0.1:9")]
    checkpoint, _ = sign_checkpoint_now()
    body = parse_note(checkpoint.note).text
    line = cosign(body, witness, timestamp=1_700_000_000).line
    good = checkpoint.note + line
    sql("UPDATE ledger_checkpoint SET note = %s", [good])
    # In-process, not the CLI: run twice, the CLI would close the test's connection.
    assert verify_ledger().problems == []
    # The same cosignature line with its signature changed: well formed, but it fails.
    signature = line.rstrip("\n").rsplit(" ", 1)[1]
    flipped = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    forged = checkpoint.note + line.replace(signature, flipped)
    sql("UPDATE ledger_checkpoint SET note = %s", [forged])
    details = [p.detail for p in verify_ledger().problems if p.check == "checkpoint"]
    assert details and details[0].startswith(f"a cosignature by {witness.name} fails"), details
