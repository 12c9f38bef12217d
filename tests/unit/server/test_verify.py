"""tocsin verify: a clean ledger passes; any UPDATE, DELETE or INSERT made directly in SQL on
any ledger or projection table makes it exit 1 and name the table (and the row and sequence
number where there is one). The CLI is driven in-process so it sees the test database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, models

from tests.factories import ACTOR, make_agency, make_partnership, make_team, make_user
from tests.factories.estimates import FROM, TODAY, concern
from tocsin.cli import main
from tocsin.server.directory.models import Agency, Team, User
from tocsin.server.intel.actions import do_produce_estimate
from tocsin.server.intel.models import EstimateRun
from tocsin.server.ledger.actions import do_expunge_record, do_lift_legal_hold, do_place_legal_hold
from tocsin.server.ledger.models import Expunction, LegalHold
from tocsin.server.ledger.recording import reading_ledger

pytestmark = pytest.mark.django_db


def run_verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["verify", "--json"])
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


@pytest.fixture
def world() -> dict[str, Any]:
    """Every projection table holds rows, and one record has been expunged."""
    partnership = make_partnership()
    spare_team = make_team(partnership.police, "Empty team")
    leaver = make_user(partnership.police, username="leaver", password="another long password")
    hold = do_place_legal_hold("*", "public inquiry moratorium", actor=ACTOR)
    hold_id = hold.subjects[0].split(":", 1)[1]
    do_lift_legal_hold(hold_id, "moratorium ended", actor=ACTOR)
    do_place_legal_hold(f"user:{partnership.admin.pk}", "litigation", actor=ACTOR)
    expunged = do_expunge_record(f"user:{leaver.pk}", "retention period ended", actor=ACTOR)
    make_user(partnership.council, username="late-joiner")
    lonely_agency = make_agency("Lonely agency", "voluntary")  # no dependants: deletable in SQL
    # Concerns by people the tampering below leaves alone, and an estimate from them.
    worker = make_user(partnership.council, username="council-worker")
    officer = make_user(partnership.police, role="police_officer")
    for n, user in enumerate([worker, officer] * 3 + [officer]):
        concern(user, n // 2 if n < 4 else n, ["11A"])
    estimate = do_produce_estimate(FROM, TODAY, bootstrap=0, actor=ACTOR)
    return {
        "estimate": estimate,
        "partnership": partnership,
        "spare_team": spare_team,
        "leaver": leaver,
        "lonely_agency": lonely_agency,
        "hold_id": hold_id,
        "expunged_seqs": expunged.seq,
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
    assert main(["verify"]) == 0
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
    # projections
    "update agency": (
        lambda w: sql(
            "UPDATE directory_agency SET name = 'Renamed' WHERE id = %s",
            [prep(Agency, "id", w["partnership"].police.pk)],
        ),
        "directory_agency",
    ),
    "delete agency": (
        lambda w: sql(
            "DELETE FROM directory_agency WHERE id = %s",
            [prep(Agency, "id", w["lonely_agency"].pk)],
        ),
        "directory_agency",
    ),
    "insert agency": (
        lambda w: insert(
            Agency,
            id=uuid.uuid4(),
            name="Ghost",
            name_key="ghost",
            sector="council",
            registered_seq=1,
        ),
        "directory_agency",
    ),
    "update team": (
        lambda w: sql(
            "UPDATE directory_team SET name = 'Moved' WHERE id = %s",
            [prep(Team, "id", w["spare_team"].pk)],
        ),
        "directory_team",
    ),
    "delete team": (
        lambda w: sql(
            "DELETE FROM directory_team WHERE id = %s", [prep(Team, "id", w["spare_team"].pk)]
        ),
        "directory_team",
    ),
    "insert team": (
        lambda w: insert(
            Team,
            id=uuid.uuid4(),
            agency_id=w["partnership"].council.pk,
            name="Ghost team",
            formed_seq=1,
        ),
        "directory_team",
    ),
    "update user role": (
        lambda w: sql(
            "UPDATE directory_user SET role = 'administrator' WHERE id = %s",
            [prep(User, "id", w["partnership"].practitioner.pk)],
        ),
        "directory_user",
    ),
    "update user password": (
        lambda w: sql(
            "UPDATE directory_user SET password = 'x' WHERE id = %s",
            [prep(User, "id", w["partnership"].admin.pk)],
        ),
        "directory_user",
    ),
    "delete user": (
        lambda w: sql(
            "DELETE FROM directory_user WHERE id = %s",
            [prep(User, "id", w["partnership"].practitioner.pk)],
        ),
        "directory_user",
    ),
    "insert user": (
        lambda w: insert(
            User,
            id=uuid.uuid4(),
            username="ghost",
            display_name="Ghost",
            agency_id=w["partnership"].council.pk,
            team_id=None,
            role="analyst",
            is_active=True,
            enrolled_seq=1,
            password="!",
        ),
        "directory_user",
    ),
    "update legal hold": (
        lambda w: sql(
            "UPDATE ledger_legal_hold SET lifted_seq = NULL WHERE id = %s",
            [prep(LegalHold, "id", uuid.UUID(w["hold_id"]))],
        ),
        "ledger_legal_hold",
    ),
    "delete legal hold": (
        lambda w: sql(
            "DELETE FROM ledger_legal_hold WHERE id = %s",
            [prep(LegalHold, "id", uuid.UUID(w["hold_id"]))],
        ),
        "ledger_legal_hold",
    ),
    "insert legal hold": (
        lambda w: insert(
            LegalHold, id=uuid.uuid4(), scope="*", reason="x", placed_seq=1, lifted_seq=None
        ),
        "ledger_legal_hold",
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
    "delete estimate": (lambda w: sql("DELETE FROM intel_estimate_run"), "intel_estimate_run"),
    "insert estimate": (
        lambda w: insert(
            EstimateRun,
            **{
                f.attname: getattr(w["estimate"], f.attname)
                for f in EstimateRun._meta.concrete_fields
            }
            | {"id": uuid.uuid4(), "produced_seq": w["size"] + 3},
        ),
        "intel_estimate_run",
    ),
    "update expunction": (
        lambda w: sql("UPDATE ledger_expunction SET reason = 'tidying up'"),
        "ledger_expunction",
    ),
    "delete expunction": (lambda w: sql("DELETE FROM ledger_expunction"), "ledger_expunction"),
    "insert expunction": (
        lambda w: insert(
            Expunction, id=uuid.uuid4(), subject="user:ghost", seqs=1, reason="x", seq=1
        ),
        "ledger_expunction",
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
        [last.replace(b"system:factory", b"system:someone"), size - 1],
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
