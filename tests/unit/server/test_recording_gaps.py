"""Recording gaps on the ledger: a child recorded before ``child.recorded`` version 2 (no
description) replays through the upcast and verifies; described children and concerns about no
child yet replay to the same projection rows as live."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tests.factories import make_draft, make_partnership
from tocsin.domain.concerns import ChildDraft, ChildRecorded, VehicleDraft
from tocsin.domain.events import Event
from tocsin.ledger import parse_canonical_json
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Child, Concern
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


def _version_1_payload(self: ChildRecorded) -> dict[str, Any]:
    payload = Event.payload(self)
    del payload["description"]
    return payload


def test_a_child_recorded_at_version_1_replays_with_no_description(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = make_partnership()
    # The ledger as it was before version 2: child.recorded without a description.
    with monkeypatch.context() as old:
        old.setattr(ChildRecorded, "version", 1)
        old.setattr(ChildRecorded, "payload", _version_1_payload)
        first = do_record_concern(make_draft(), actor=p.practitioner).concern
    leaf = LedgerLeaf.objects.get(kind="child.recorded")
    assert parse_canonical_json(bytes(leaf.data))["v"] == 1
    older = first.child_links.get().child
    assert older.description == ""

    described = ChildDraft(description="Girl in a Northfield Academy blazer", approximate_age=14)
    do_record_concern(make_draft(children=[described]), actor=p.practitioner)
    newer = Child.objects.exclude(pk=older.pk).get()
    assert newer.description == "Girl in a Northfield Academy blazer"
    versions = [
        parse_canonical_json(bytes(data))["v"]
        for data in LedgerLeaf.objects.filter(kind="child.recorded")
        .order_by("seq")
        .values_list("data", flat=True)
    ]
    assert versions == [1, 2]
    report = verify_ledger()
    assert report.ok, report.problems


def test_intelligence_about_no_child_replays_and_verifies() -> None:
    p = make_partnership()
    draft = make_draft(children=[], vehicles=[VehicleDraft(make="Audi", colour="black")], phones=[])
    concern = do_record_concern(draft, actor=p.practitioner).concern
    assert Concern.objects.get(pk=concern.pk).intelligence_summary == (
        "intelligence about 1 vehicle"
    )
    assert not concern.child_links.exists()
    report = verify_ledger()
    assert report.ok, report.problems


def test_a_changed_description_is_caught_by_verify() -> None:
    p = make_partnership()
    described = ChildDraft(description="Girl in a red coat")
    do_record_concern(make_draft(children=[described]), actor=p.practitioner)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE concerns_child SET description = 'Boy in a blue coat'")
    report = verify_ledger()
    assert not report.ok
    assert any(problem.table == "concerns_child" for problem in report.problems)
