"""The demo's bulk action path (issue 18): the same checks and the same events as the actions
one by one, with the ledger's rows and the projections' written once per batch."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from tocsin.domain.directory import ROLES
from tocsin.ledger import Envelope
from tocsin.server.actors import ActionRefused, Invalid, NotVisible
from tocsin.server.casework.actions import (
    do_allocate,
    do_decide,
    do_record_contact,
    do_record_outcome,
    do_sign_off,
)
from tocsin.server.casework.bulk import BulkCaseWork
from tocsin.server.casework.models import Case
from tocsin.server.concerns.actions import do_add_information
from tocsin.server.concerns.gates import concerns_visible_to, sees_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.demo import DemoLoad, demo_tables, load_partnership
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import reading_ledger, recording_in_bulk
from tocsin.server.projections import LiveSession, projection_models
from tocsin.server.verify import verify_ledger
from tocsin.simulate import simulate

pytestmark = pytest.mark.django_db

_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    # a concern's reference, as person record ids hold it (TOC-AB12-CD34/child/0)
    r"|TOC-[0-9A-Z]{4}-[0-9A-Z]{4}"
)


def _normalised(value: Any, ids: dict[str, str], key: str = "") -> Any:
    """``value`` with every id replaced by the order of its first appearance, and concern
    references (random by design) blanked: two loads of one world then read the same."""
    if key == "reference":
        return "REF"
    if isinstance(value, str):
        return _UUID.sub(lambda m: ids.setdefault(m.group(0), f"#{len(ids)}"), value)
    if isinstance(value, dict):
        return {k: _normalised(v, ids, k) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_normalised(v, ids, key) for v in value]
    return value


def _events(start: int = 0) -> list[tuple[Any, ...]]:
    """Every event from ``start`` on: kind, actor, subjects and payload, normalised."""
    store = reading_ledger().store
    ids: dict[str, str] = {}
    found = []
    for batch in store.stream_events(store.size(), start=start):
        for stored in batch:
            envelope = Envelope.parse(stored.leaf)
            assert stored.payload is not None
            payload = json.loads(stored.payload.body)
            found.append(
                (
                    envelope.kind,
                    _normalised(envelope.actor, ids),
                    _normalised(list(envelope.subjects), ids),
                    _normalised(payload, ids),
                )
            )
    return found


def _counts(load: DemoLoad) -> dict[str, Any]:
    counts = asdict(load)
    counts["recorded"] = len(load.recorded)
    # Which records loaded as one child, not the child records' (random) ids.
    children: dict[str, list[str]] = {}
    for record, child in sorted(load.children.items()):
        children.setdefault(child, []).append(record)
    counts["children"] = sorted(children.values())
    counts["linkage"] = load.linkage.cluster_of if load.linkage else None
    return counts


def test_a_bulk_load_records_the_same_events_as_the_actions_one_by_one() -> None:
    world = simulate(seed=1, scale="small")
    tables = demo_tables(world)
    # One by one (each action alone), then rolled back; then in bulk, in batches of 100 so
    # that concerns and case work span several batches.
    with transaction.atomic():
        one_by_one = load_partnership(tables, batch=1, bulk=False)
        expected = _events()
        transaction.set_rollback(True)
    assert reading_ledger().size() == 0
    in_bulk = load_partnership(tables, batch=100, bulk=True)
    got = _events()
    assert _counts(in_bulk) == _counts(one_by_one)
    assert in_bulk.concerns > 200 and in_bulk.decisions > 200 and in_bulk.outcomes > 0
    assert len(got) == len(expected) > 1500
    assert [event[0] for event in got] == [event[0] for event in expected]
    assert got == expected
    # The ledger verifies, and a rebuild from it gives the projections the bulk path wrote.
    report = verify_ledger()
    assert report.ok, report
    # The bulk actions' need-to-know is the gate's: for one person in each role (and one
    # whose account is closed), the same concerns as concerns_visible_to.
    rows = list(Concern.objects.values_list("pk", "agency_id", "case__allocated_agency_id"))
    people = [User.objects.filter(role=role).first() for role in ROLES]
    closed = User.objects.filter(role="practitioner").last()
    assert closed is not None
    closed.is_active = False
    for person in [p for p in people if p is not None] + [closed]:
        expected_pks = set(concerns_visible_to(person).values_list("pk", flat=True))
        seen = {
            pk
            for pk, agency, allocated in rows
            if sees_concern(
                person,
                agency_id=str(agency) if agency else None,
                allocated_agency_id=str(allocated) if allocated else None,
            )
        }
        assert seen == expected_pks, person.role
    assert any(len(set(concerns_visible_to(p))) < len(rows) for p in people if p is not None)


RATIONALE = "Indicators of exploitation need a child and family assessment"


def test_a_refused_bulk_action_records_nothing() -> None:
    world = simulate(seed=1, scale="small")
    tables = demo_tables(world)
    tables["records/decisions"] = []
    load_partnership(tables, batch=100)
    officer = User.objects.filter(role="mash_officer").first()
    concern_id = Concern.objects.exclude(channel="public").values_list("pk", flat=True).first()
    size = reading_ledger().size()
    with recording_in_bulk() as recording:
        work = BulkCaseWork(recording)
        work.decide(str(concern_id), "assessment", RATIONALE, actor=officer)
        waiting = recording.waiting
        with pytest.raises(Invalid):
            work.decide(str(concern_id), "not a decision", RATIONALE, actor=officer)
        with pytest.raises(Invalid):  # no such outcome
            work.record_outcome(str(concern_id), "no such outcome", "", actor=officer)
        assert recording.waiting == waiting == 1
    assert reading_ledger().size() == size + 1
    assert Case.objects.get(pk=concern_id).status == "in_progress"


def test_an_appliers_read_of_a_row_is_the_orms_values_row() -> None:
    """LiveSession.get compiles each model's read once and runs it again per key: for every
    projection table the demo fills, the row is what ``.values()`` gives, key given as a UUID
    or as text, and a missing key is a LookupError."""
    load_partnership(demo_tables(simulate(seed=1, scale="small")), batch=500, bulk=True)
    session = LiveSession("default")
    checked = 0
    for model in projection_models():
        names = [f.attname for f in model._meta.concrete_fields]
        rows = list(model._base_manager.values(*names).order_by("pk")[:5])
        for row in rows:
            pk = row[model._meta.pk.attname]
            assert session.get(model, pk) == row, model
            assert session.get(model, str(pk)) == row, model
            checked += 1
        if rows and isinstance(rows[0][model._meta.pk.attname], uuid.UUID):
            with pytest.raises(LookupError):
                session.get(model, uuid.UUID(int=1))
    assert checked >= 40
    assert session._readers[Concern].sql is not None  # compiled, not the ORM each time


def _refusal(call: Callable[[], object]) -> tuple[type[Exception], str] | None:
    """What ``call`` is refused with (its type and message), or None; nothing it records is
    kept."""
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except ActionRefused as exc:
        return type(exc), str(exc)
    return None


def test_the_bulk_actions_refuse_as_the_actions_do() -> None:
    """Each bulk action's checks are its action's own (one function for both): the same
    refusals, field problems and messages, for what each action refuses."""
    load_partnership(demo_tables(simulate(seed=1, scale="small")), batch=100)
    officer = User.objects.filter(role="mash_officer").first()
    analyst = User.objects.filter(role="analyst").first()
    manager = User.objects.filter(role="mash_manager").first()
    worker = User.objects.filter(role="practitioner", team__isnull=False).first()
    assert officer and analyst and manager and worker
    # An agency's concern still open and with no proposal waiting (the same one on any
    # database: the first recorded), so that a decision on it can wait for sign-off below.
    concern_id = str(
        Case.objects.filter(status__in=("new", "allocated", "in_progress"))
        .exclude(concern__channel="public")
        .order_by("recorded_seq")
        .values_list("concern_id", flat=True)[0]
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    contact = {"with_whom": "child", "method": "home_visit", "made": True, "summary": ""}
    one_by_one: dict[str, Callable[[], object]] = {
        "allocate: not case work": lambda: do_allocate(
            concern_id, worker_id=str(analyst.pk), actor=officer
        ),
        "decide: no decision": lambda: do_decide(concern_id, "no such", "", actor=officer),
        "sign off: none": lambda: do_sign_off(str(uuid.uuid4()), True, "", actor=manager),
        "contact: tomorrow": lambda: do_record_contact(
            concern_id, happened_on=tomorrow, actor=officer, **contact
        ),
        "note: empty": lambda: do_add_information(concern_id, "  ", actor=officer),
        "outcome: none": lambda: do_record_outcome(concern_id, "no such", "", actor=officer),
        "outcome: by an analyst": lambda: do_record_outcome(
            concern_id, "no such", "", actor=analyst
        ),
    }
    with recording_in_bulk() as recording:
        work = BulkCaseWork(recording, [worker])
        in_bulk: dict[str, Callable[[], object]] = {
            "allocate: not case work": lambda: work.allocate(
                concern_id, worker=analyst, actor=officer
            ),
            "decide: no decision": lambda: work.decide(concern_id, "no such", "", actor=officer),
            "sign off: none": lambda: work.sign_off(str(uuid.uuid4()), True, "", actor=manager),
            "contact: tomorrow": lambda: work.record_contact(
                concern_id, happened_on=tomorrow, actor=officer, **contact
            ),
            "note: empty": lambda: work.add_information(concern_id, "  ", actor=officer),
            "outcome: none": lambda: work.record_outcome(concern_id, "no such", "", actor=officer),
            "outcome: by an analyst": lambda: work.record_outcome(
                concern_id, "no such", "", actor=analyst
            ),
        }
        refused = {name: _refusal(call) for name, call in in_bulk.items()}
        assert recording.waiting == 0
    assert refused == {name: _refusal(call) for name, call in one_by_one.items()}
    assert all(refused.values()), refused
    assert refused["sign off: none"][0] is NotVisible  # type: ignore[index]
    assert refused["outcome: by an analyst"][0] is ActionRefused  # type: ignore[index]
    # A proposal pending refuses the next decision, in bulk as one by one.
    waits = "no_further_action"
    with recording_in_bulk() as recording:
        work = BulkCaseWork(recording)
        work.decide(concern_id, waits, RATIONALE, actor=officer)
        pending_in_bulk = _refusal(lambda: work.decide(concern_id, waits, RATIONALE, actor=officer))
    pending = _refusal(lambda: do_decide(concern_id, waits, RATIONALE, actor=officer))
    assert pending == pending_in_bulk is not None and pending[0] is Invalid
