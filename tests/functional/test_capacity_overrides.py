"""The capacity of a named worker or team: a head of service sets one for their own agency, at
or below the policy's figure, as an event with the reason; the partnership may set one above
it; the sweep judges the figures against it; /capacity/ and /manage/ show it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.ledger import Envelope
from tocsin.server.actors import ActionRefused, Invalid, NotVisible
from tocsin.server.capacity.actions import do_set_capacity
from tocsin.server.capacity.models import CapacityAlarm, CapacityOverride
from tocsin.server.casework.actions import do_allocate
from tocsin.server.clocks.sweep import clocks_policy, sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db

_PART_TIME = "Works three days a week, so carries fewer cases"


@pytest.fixture
def people() -> dict[str, Any]:
    council = make_agency("Override Council", "council")
    other = make_agency("Override Police", "police")
    mash = make_team(council, "MASH")
    team = make_team(council, "Exploitation team")
    return {
        "council": council,
        "team": team,
        "mash": make_user(council, role="mash_officer", team=mash),
        "worker": make_user(council, team=team, name="Ola Nowak"),
        "manager": make_user(council, role="team_manager", team=team),
        "head": make_user(council, role="head_of_service"),
        "other_head": make_user(other, role="head_of_service"),
        "other_worker": make_user(other, name="Kim Other"),
        "scrutineer": make_user(
            make_agency("Override Partnership", "partnership"), role="partnership_scrutineer"
        ),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _give(worker: Any, mash: Any, count: int) -> list[Any]:
    concerns = [do_record_concern(make_draft(), actor=worker).concern for _ in range(count)]
    for concern in concerns:
        do_allocate(concern.pk, worker_id=str(worker.pk), actor=mash)
    return concerns


def _events(kind: str) -> list[Envelope]:
    store = reading_ledger().store
    return [
        Envelope.parse(data)
        for batch in store.stream_events(store.head()[0])
        for _seq, event_kind, _subject, data, _sealed in batch
        if event_kind == kind
    ]


def test_a_lower_capacity_for_a_named_worker_raises_the_alarm_at_that_figure(
    people: dict[str, Any],
) -> None:
    spec = clocks_policy().capacity
    assert spec is not None and spec.worker_caseload > 3
    worker, head = people["worker"], people["head"]
    _give(worker, people["mash"], 3)
    now = timezone.now()
    assert sweep(now).alarms_raised == 0, "3 cases: under the policy's figure"

    do_set_capacity("worker", str(worker.pk), "caseload", 2, _PART_TIME, actor=head)
    [event] = _events("capacity.override_set")
    assert event.actor == f"user:{head.pk}" and f"user:{worker.pk}" in event.subjects
    row = CapacityOverride.objects.get()
    assert (row.threshold, row.reason, row.agency_id) == (2, _PART_TIME, str(worker.agency_id))

    # The sweep judges the worker against their own capacity.
    assert sweep(now + timedelta(minutes=1)).alarms_raised == 1
    [alarm] = CapacityAlarm.objects.filter(scope="worker")
    assert (alarm.scope_id, alarm.value, alarm.threshold) == (str(worker.pk), 3, 2)

    # /capacity/ lists the capacity in force beside the policy's figure; /manage/ shows it.
    page = BeautifulSoup(_client(head).get("/capacity/").content, "html.parser")
    listed = page.select_one("#overrides").get_text(" ")
    assert "Ola Nowak" in listed and _PART_TIME in listed
    assert str(spec.worker_caseload) in listed
    manage = BeautifulSoup(_client(people["manager"]).get("/manage/").content, "html.parser")
    row_text = next(
        tr.get_text(" ") for tr in manage.select("#caseloads tbody tr") if "Ola Nowak" in tr.text
    )
    assert "over capacity" in row_text and " 2 " in f" {row_text} "
    api = _client(people["manager"]).get("/api/v1/caseloads/").json()
    [mine] = [w for w in api["workers"] if w["name"] == "Ola Nowak"]
    assert (mine["open_cases"], mine["capacity"]) == (3, 2)

    # Back to the policy's figure: 3 is at or below its clear point, so the alarm clears.
    do_set_capacity("worker", str(worker.pk), "caseload", None, "Back to full time", actor=head)
    assert sweep(now + timedelta(minutes=2)).alarms_cleared == 1
    assert not CapacityOverride.objects.get().threshold
    page = BeautifulSoup(_client(head).get("/capacity/").content, "html.parser")
    assert page.select_one("#no-overrides") is not None
    assert verify_ledger().ok, "the overrides are a projection rebuilt by replay"


def test_only_the_partnership_can_raise_a_capacity_and_heads_keep_to_their_agency(
    people: dict[str, Any],
) -> None:
    spec = clocks_policy().capacity
    assert spec is not None
    worker, head, scrutineer = people["worker"], people["head"], people["scrutineer"]
    over = spec.worker_caseload + 1
    with pytest.raises(Invalid) as refused:
        do_set_capacity("worker", str(worker.pk), "caseload", over, _PART_TIME, actor=head)
    assert "only the partnership" in str(refused.value)
    with pytest.raises(NotVisible):  # another agency's worker
        do_set_capacity(
            "worker", str(people["other_worker"].pk), "caseload", 2, _PART_TIME, actor=head
        )
    for who in ("manager", "worker", "mash"):
        with pytest.raises(ActionRefused):
            do_set_capacity("worker", str(worker.pk), "caseload", 2, _PART_TIME, actor=people[who])
    with pytest.raises(Invalid):  # a reason of substance
        do_set_capacity("worker", str(worker.pk), "caseload", 2, "ok", actor=head)
    with pytest.raises(Invalid):  # a worker has no queue of their own
        do_set_capacity("worker", str(worker.pk), "queue_age_days", 2, _PART_TIME, actor=head)
    with pytest.raises(Invalid):
        do_set_capacity("worker", str(worker.pk), "caseload", 0, _PART_TIME, actor=head)
    assert _events("capacity.override_set") == [], "nothing refused was written"

    # The partnership may raise it: one over the policy's figure raises no alarm then.
    do_set_capacity(
        "worker", str(worker.pk), "caseload", over, "Carries only low-risk cases", actor=scrutineer
    )
    _give(worker, people["mash"], over)
    assert sweep(timezone.now()).alarms_raised == 0
    # A team's queue can have its own wait too.
    do_set_capacity(
        "team", str(people["team"].pk), "queue_age_days", 1, "A specialist team", actor=head
    )
    assert CapacityOverride.objects.filter(scope="team", threshold=1).exists()


def test_the_page_sets_a_capacity_and_shows_refusals_at_their_fields(
    people: dict[str, Any],
) -> None:
    worker, head = people["worker"], people["head"]
    assert _client(people["manager"]).get("/capacity/set/").status_code == 404
    client = _client(head)
    form = BeautifulSoup(client.get("/capacity/set/").content, "html.parser")
    choices = [o["value"] for o in form.select("#target option")]
    assert f"worker:{worker.pk}" in choices and f"team:{people['team'].pk}" in choices
    assert f"worker:{people['other_worker'].pk}" not in choices, "their own agency's only"

    data = {
        "target": f"worker:{worker.pk}",
        "measure": "caseload",
        "change": "set",
        "threshold": "999",
        "reason": _PART_TIME,
    }
    refused = client.post("/capacity/set/", data)
    assert refused.status_code == 400
    page = BeautifulSoup(refused.content, "html.parser")
    assert "only the partnership" in page.select_one("#threshold-error").get_text()
    assert client.post("/capacity/set/", {**data, "threshold": "two"}).status_code == 400
    # Digits only to str.isdigit ("²" made int() raise, a 500), other scripts' digits, and
    # more than six digits: each a field error, nothing set.
    for not_a_capacity in ("²", "١٢", "1_000", "1234567"):
        odd = client.post("/capacity/set/", {**data, "threshold": not_a_capacity})
        assert odd.status_code == 400, not_a_capacity
        error = BeautifulSoup(odd.content, "html.parser").select_one("#threshold-error")
        assert error is not None and "whole number" in error.get_text(), not_a_capacity
    assert _events("capacity.override_set") == []

    answer = client.post("/capacity/set/", {**data, "threshold": "4"})
    assert answer.status_code == 302 and answer["Location"] == "/capacity/?done=set"
    assert CapacityOverride.objects.get().threshold == 4
    done = BeautifulSoup(client.get(answer["Location"]).content, "html.parser")
    assert "The capacity is set" in done.get_text()
