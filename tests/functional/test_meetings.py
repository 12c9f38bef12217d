"""Meetings about a concern: a strategy discussion recorded with its attendees, decisions and
actions through the page and the API; each action runs on a clock (it escalates when its owner
misses its due date and stops when it is recorded done); nobody else's concern, no bad lines."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.casework import Attendee, MeetingAction, read_attendees
from tocsin.server.clocks.models import OpenObligation
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.meetings.actions import do_complete_action, do_record_meeting
from tocsin.server.meetings.models import Meeting
from tocsin.server.meetings.models import MeetingAction as ActionRow
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    council = make_agency("Meeting Council", "council")
    police = make_agency("Meeting Police", "police")
    team = make_team(council, "Exploitation team")
    return {
        "council": council,
        "police": police,
        "worker": make_user(council, team=team),
        "manager": make_user(council, role="team_manager", team=team),
        "detective": make_user(police, role="police_officer", team=make_team(police, "CSE")),
        "stranger": make_user(make_agency("Elsewhere Trust", "health")),
    }


def _page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_attendees_are_read_one_per_line_with_registered_agencies() -> None:
    agencies = {"meeting council": "a1"}
    found, problems = read_attendees(
        "Sam Carter, team manager, Meeting Council\n\nJo Reid, detective\nAl Tan, nurse, Nowhere",
        agencies,
    )
    assert found == [Attendee("Sam Carter", "team manager", "a1")]
    assert [p[1][:6] for p in problems] == ["Line 3", "Line 4"]


def test_a_strategy_discussion_through_the_page(world: dict[str, Any]) -> None:
    concern = do_record_concern(make_draft(), actor=world["worker"]).concern
    client = Client()
    client.force_login(world["worker"])
    url = f"/concerns/{concern.pk}/meetings/new/"
    assert client.get(url).status_code == 200
    empty = client.post(url, {})
    assert empty.status_code == 400 and not Meeting.objects.exists()
    targets = [a["href"] for a in _page(empty).select(".govuk-error-summary a")]
    assert targets[:2] == ["#kind", "#held_on-day"]
    answers = {
        "kind": "strategy_discussion",
        "held_on-day": "1",
        "held_on-month": "12",
        "held_on-year": "2026",
        "held_time": "14:30",
        "attendees": (
            "Sam Carter, team manager, Meeting Council\nJo Reid, detective, Meeting Police"
        ),
        "decisions": ["section_47_enquiry", "police_investigation"],
        "summary": "Reasonable cause to suspect significant harm: the car and the flat.",
        "action-0-text": "Visit the child at school with a police officer",
        "action-0-owner": str(world["worker"].pk),
        "action-0-due-day": "4",
        "action-0-due-month": "12",
        "action-0-due-year": "2026",
    }
    wrong = client.post(url, {**answers, "attendees": "Sam Carter, team manager, Nowhere Trust"})
    assert wrong.status_code == 400
    assert "Line 1" in _page(wrong).select_one(".govuk-error-summary").get_text()
    done = client.post(url, answers)
    assert done.status_code == 302, _page(done).select_one(".govuk-error-summary")
    meeting = Meeting.objects.get()
    assert meeting.decisions == ["section_47_enquiry", "police_investigation"]
    assert [a["agency_id"] for a in meeting.attendees] == [
        str(world["council"].pk),
        str(world["police"].pk),
    ]
    action = ActionRow.objects.get()
    assert action.owner_id == world["worker"].pk and action.due == date(2026, 12, 4)
    page = _page(client.get(f"/concerns/{concern.pk}/"))
    text = page.select_one(".tocsin-meeting").get_text(" ")
    assert "Strategy discussion" in text and "Start a section 47 enquiry" in text
    assert "Visit the child at school" in text
    child = concern.child_links.get().child
    chronology = _page(client.get(f"/children/{child.pk}/"))
    rows = [r for r in chronology.select("#chronology tbody tr") if r["data-kind"] == "meeting"]
    assert len(rows) == 1 and "Jo Reid (detective)" in rows[0].get_text()
    assert verify_ledger().ok


def test_an_action_runs_on_its_own_clock(world: dict[str, Any]) -> None:
    concern = do_record_concern(make_draft(), actor=world["worker"]).concern
    now = timezone.now()
    do_record_meeting(
        concern.pk,
        kind="strategy_discussion",
        held_at=now - timedelta(hours=2),
        attendees=[
            Attendee("Sam Carter", "team manager", str(world["council"].pk)),
            Attendee("Jo Reid", "detective", str(world["police"].pk)),
        ],
        decisions=["section_47_enquiry"],
        summary="Reasonable cause to suspect significant harm.",
        actions=[MeetingAction("Visit the child", str(world["worker"].pk), now.date())],
        actor=world["worker"],
    )
    sweep(now)
    action = ActionRow.objects.get()
    assert OpenObligation.objects.filter(obligation="meeting_action", concern=concern).exists()
    escalated = [
        e for e in sweep(now + timedelta(days=10)).escalations if e.obligation == "meeting_action"
    ]
    assert [e.level for e in escalated][:1] == [1], "missed: it climbs the ladder"
    # Only the owner or a manager records it done; a police officer who may not see it, never.
    client = Client()
    client.force_login(world["detective"])
    assert client.post(f"/meetings/actions/{action.pk}/", {"summary": "Done"}).status_code == 404
    assert (
        client.post(
            f"/api/v1/meeting-actions/{action.pk}/done/",
            {"summary": "Done"},
            content_type="application/json",
        ).status_code
        == 404
    )
    do_complete_action(
        action.pk, "Visited with PC Reid; she is safe at home.", actor=world["manager"]
    )
    sweep(now + timedelta(days=11))
    assert not OpenObligation.objects.filter(obligation="meeting_action").exists()
    assert ActionRow.objects.get().done_summary.startswith("Visited")


def test_the_api_and_need_to_know(world: dict[str, Any]) -> None:
    concern = do_record_concern(make_draft(), actor=world["worker"]).concern
    body = {
        "kind": "mace",
        "held_at": "2026-12-01T10:00:00Z",
        "attendees": [
            {"name": "Sam Carter", "role": "chair", "agency": str(world["council"].pk)},
            {"name": "Jo Reid", "role": "detective", "agency": str(world["police"].pk)},
        ],
        "decisions": ["disruption"],
        "summary": "The flat is linked to three children; disruption agreed.",
        "actions": [
            {"text": "Visit the flat", "owner": str(world["worker"].pk), "due": "2026-12-20"}
        ],
    }
    stranger = Client()
    stranger.force_login(world["stranger"])
    url = f"/api/v1/concerns/{concern.pk}/meetings/"
    assert stranger.post(url, body, content_type="application/json").status_code == 404
    client = Client()
    client.force_login(world["worker"])
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert Meeting.objects.get().kind == "mace"


def test_the_concern_page_gives_each_action_still_to_do_its_deadline_in_words(
    world: dict[str, Any],
) -> None:
    concern = do_record_concern(make_draft(), actor=world["worker"]).concern
    now = timezone.now()
    today = timezone.localdate()
    do_record_meeting(
        concern.pk,
        kind="strategy_discussion",
        held_at=now - timedelta(days=10),
        attendees=[
            Attendee("Sam Carter", "team manager", str(world["council"].pk)),
            Attendee("Jo Reid", "detective", str(world["police"].pk)),
        ],
        decisions=["section_47_enquiry"],
        summary="Reasonable cause to suspect significant harm.",
        actions=[
            MeetingAction(
                "Visit the child at school", str(world["worker"].pk), today - timedelta(3)
            ),
            MeetingAction(
                "Check the flat's tenancy", str(world["worker"].pk), today + timedelta(14)
            ),
            MeetingAction("Tell the school nurse", str(world["worker"].pk), today - timedelta(5)),
        ],
        actor=world["worker"],
    )
    told = ActionRow.objects.get(text="Tell the school nurse")
    do_complete_action(told.pk, "Told her in person.", actor=world["worker"])
    client = Client()
    client.force_login(world["worker"])
    page = _page(client.get(f"/concerns/{concern.pk}/"))
    cells = {
        row.select("td")[0].get_text(): row.select("td")[2].get_text(" ")
        for row in page.select(".tocsin-meeting tbody tr")
    }
    late = cells["Visit the child at school"]
    assert "by the end of" in late and "3 days overdue" in late
    ahead = cells["Check the flat's tenancy"]
    assert "by the end of" in ahead and "Due in" in ahead and "working days" in ahead
    # Done: its due date is past history, said as such, with no clock.
    done = cells["Tell the school nurse"]
    assert done.startswith("was due by the end of") and "overdue" not in done

    # The action's own page agrees with the concern page.
    visit = ActionRow.objects.get(text="Visit the child at school")
    action_page = _page(client.get(f"/meetings/actions/{visit.pk}/")).select_one("dl")
    assert "3 days overdue" in action_page.get_text(" ")
    told_page = _page(client.get(f"/meetings/actions/{told.pk}/")).select_one("dl")
    assert "Was due" in told_page.get_text(" ") and "overdue" not in told_page.get_text(" ")
