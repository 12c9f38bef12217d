"""Capacity alarms in the server: the sweep raises an alarm once when a worker's caseload goes
over capacity, keeps it while the numbers stay high (hysteresis), and clears it only when they
fall; the front door's queue age raises its own; heads of service and the partnership's
scrutineers see the alarms on /capacity/, nobody else does, and nobody can clear one by hand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

import tocsin.server.capacity as capacity_app
from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.ledger import Envelope
from tocsin.server.actors import NotVisible
from tocsin.server.capacity.models import CapacityAlarm
from tocsin.server.capacity.read_models import open_alarms
from tocsin.server.casework.actions import do_allocate
from tocsin.server.clocks.sweep import clocks_policy, sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, Any]:
    council = make_agency("Capacity Council", "council")
    other = make_agency("Capacity Police", "police")
    mash = make_team(council, "MASH")
    team = make_team(council, "Exploitation team")
    return {
        "council": council,
        "team": team,
        "mash": make_user(council, role="mash_officer", team=mash),
        "worker": make_user(council, team=team, name="Sam Carter"),
        "colleague": make_user(council, team=team),
        "manager": make_user(council, role="team_manager", team=team),
        "head": make_user(council, role="head_of_service"),
        "other_head": make_user(other, role="head_of_service"),
        "scrutineer": make_user(
            make_agency("Capacity Partnership", "partnership"), role="partnership_scrutineer"
        ),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _alarm_events(kind: str) -> list[Envelope]:
    store = reading_ledger().store
    found = []
    for batch in store.stream_events(store.head()[0]):
        for _seq, event_kind, _subject, data, _sealed in batch:
            if event_kind == kind:
                found.append(Envelope.parse(data))
    return found


def test_a_caseload_over_capacity_raises_once_and_clears_only_when_it_falls(
    people: dict[str, Any],
) -> None:
    spec = clocks_policy().capacity
    assert spec is not None
    capacity, clears_at = spec.worker_caseload, spec.clears_at(spec.worker_caseload)
    worker, colleague = people["worker"], people["colleague"]
    concerns = [do_record_concern(make_draft(), actor=worker).concern for _ in range(capacity + 1)]
    for concern in concerns[:capacity]:
        do_allocate(concern.pk, worker_id=str(worker.pk), actor=people["mash"])
    now = timezone.now()
    sweep(now)
    assert not CapacityAlarm.objects.filter(scope="worker").exists(), "at capacity: no alarm"

    # One more case: over capacity, an alarm to the head of service and the partnership.
    do_allocate(concerns[capacity].pk, worker_id=str(worker.pk), actor=people["mash"])
    result = sweep(now + timedelta(minutes=1))
    assert result.alarms_raised == 1
    [alarm] = CapacityAlarm.objects.filter(scope="worker")
    assert (alarm.scope_id, alarm.measure) == (str(worker.pk), "caseload")
    assert (alarm.value, alarm.threshold, alarm.is_open) == (capacity + 1, capacity, True)
    assert alarm.agency_id == str(people["council"].pk)
    [raised] = _alarm_events("capacity.alarm_raised")
    assert raised.actor == "system:clocks" and f"user:{worker.pk}" in raised.subjects

    # Sweeping again changes nothing: raised once.
    assert sweep(now + timedelta(minutes=2)).alarms_raised == 0
    assert CapacityAlarm.objects.filter(scope="worker").count() == 1

    # Falling back to capacity is not enough (hysteresis): it stays on until clears_at.
    moved = concerns[: capacity + 1 - clears_at]
    do_allocate(moved[0].pk, worker_id=str(colleague.pk), actor=people["mash"])
    assert sweep(now + timedelta(minutes=3)).alarms_cleared == 0
    alarm.refresh_from_db()
    assert alarm.is_open
    [shown] = open_alarms(people["head"], now + timedelta(minutes=3))
    assert (shown.who, shown.now_value) == ("Sam Carter", capacity)

    for concern in moved[1:]:
        do_allocate(concern.pk, worker_id=str(colleague.pk), actor=people["mash"])
    result = sweep(now + timedelta(minutes=4))
    assert result.alarms_cleared == 1
    alarm.refresh_from_db()
    assert not alarm.is_open and alarm.cleared_value == clears_at
    [cleared] = _alarm_events("capacity.alarm_cleared")
    assert cleared.actor == "system:clocks"
    assert open_alarms(people["scrutineer"]) == []
    assert verify_ledger().ok, "the alarms are a projection rebuilt by replay"


def test_the_front_door_queue_age_raises_an_alarm_seen_by_heads_and_scrutineers(
    people: dict[str, Any],
) -> None:
    do_record_concern(make_draft(), actor=people["worker"])
    spec = clocks_policy().capacity
    assert spec is not None
    now = timezone.now()
    sweep(now)
    assert not CapacityAlarm.objects.exists()
    later = now + timedelta(days=spec.queue_age_days + 1)
    assert sweep(later).alarms_raised == 1
    [alarm] = CapacityAlarm.objects.all()
    assert (alarm.scope, alarm.measure, alarm.value) == (
        "front_door",
        "queue_age_days",
        spec.queue_age_days + 1,
    )
    for who in ("head", "other_head", "scrutineer"):
        page = _client(people[who]).get("/capacity/")
        assert page.status_code == 200, who
        table = BeautifulSoup(page.content, "html.parser").select_one("#alarms").get_text(" ")
        assert "The front door" in table and "Days the oldest undecided concern" in table
    # And on the oversight view, until the numbers fall.
    oversight = BeautifulSoup(
        _client(people["scrutineer"]).get("/oversight/").content, "html.parser"
    )
    shown = oversight.select_one("#capacity-alarms").get_text(" ")
    assert "The front door" in shown and str(spec.queue_age_days + 1) in shown


def test_who_sees_alarms_and_that_nobody_can_clear_one_by_hand(people: dict[str, Any]) -> None:
    worker = people["worker"]
    for _ in range(clocks_policy().capacity.worker_caseload + 1):  # type: ignore[union-attr]
        concern = do_record_concern(make_draft(), actor=worker).concern
        do_allocate(concern.pk, worker_id=str(worker.pk), actor=people["mash"])
    sweep(timezone.now())
    [alarm] = CapacityAlarm.objects.filter(scope="worker")

    # The head of service of the worker's agency and the partnership see it.
    for who in ("head", "scrutineer"):
        page = BeautifulSoup(_client(people[who]).get("/capacity/").content, "html.parser")
        assert "Sam Carter" in page.select_one("#alarms").get_text(" "), who
        assert page.select_one("a[href='/capacity/']") is not None, "in the navigation"
    # Another agency's head of service does not; the managers in the line, the worker and
    # the front door have no such page at all.
    other = BeautifulSoup(_client(people["other_head"]).get("/capacity/").content, "html.parser")
    assert other.select_one("#alarms") is None and other.select_one("#no-alarms") is not None
    for who in ("manager", "worker", "mash", "colleague"):
        assert _client(people[who]).get("/capacity/").status_code == 404, who
        with pytest.raises(NotVisible):
            open_alarms(people[who])

    # Nobody can clear it by hand: the page only reads (no POST), the app offers no action,
    # and an alarm is cleared only by the sweep when the numbers fall.
    head = _client(people["head"])
    for who in ("head", "manager"):
        answer = _client(people[who]).post("/capacity/", {"alarm": alarm.pk})
        assert answer.status_code == 405, who
    assert head.get("/api/v1/capacity/").status_code == 404
    modules = [m for m in dir(capacity_app) if not m.startswith("_")]
    assert not any(name.startswith("do_") for name in modules)
    from tocsin.server.capacity import check, read_models

    assert not [n for n in (*dir(check), *dir(read_models)) if n.startswith("do_")]
    sweep(timezone.now() + timedelta(minutes=1))
    alarm.refresh_from_db()
    assert alarm.is_open, "still over capacity: still open"
    assert _alarm_events("capacity.alarm_cleared") == []
