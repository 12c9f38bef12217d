"""The register of reports and recommendations end to end (docs/register.md): a head of
service registers a report through the pages; each recommendation runs on the clocks policy's
``recommendation_response`` obligation and climbs the ladder above its owner when nobody
answers; only its owner answers it, which meets the clock; a report is withdrawn only with a
reason, stays on the register shown as withdrawn, and its clocks keep running; the public
summary shows titles, dates and counts and nothing personal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_team, make_user
from tests.factories.register import make_report
from tocsin.domain.clocks import default_policy
from tocsin.server.actors import ActionRefused, Invalid, SystemActor
from tocsin.server.clocks.models import Escalation, Notification, OpenObligation
from tocsin.server.clocks.notify import recipients
from tocsin.server.clocks.sweep import sweep
from tocsin.server.directory.actions import do_set_email
from tocsin.server.directory.models import User
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.register.actions import do_respond_to_recommendation, do_withdraw_report
from tocsin.server.register.models import Recommendation, Report
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db

RESPONSE = "Accepted: licensing checks at night start in January, led by the licensing team."


@dataclass
class World:
    head: User
    owner: User
    team_manager: User
    other_manager: User
    scrutineer: User
    practitioner: User
    analyst: User


def _world() -> World:
    council = make_agency("Register Council", "council")
    team = make_team(council, "Licensing")
    other = make_team(council, "Other team")
    for user in [
        make_user(council, role="team_manager", team=team, name="Tam Manager"),
        make_user(council, role="team_manager", team=other, name="Oth Manager"),
        make_user(council, role="head_of_service", name="Hana Head"),
        make_user(council, role="partnership_scrutineer", name="Sam Scrutineer"),
    ]:
        do_set_email(user, f"{user.username}@example.invalid", actor=SystemActor("test"))
    head = User.objects.get(display_name="Hana Head")
    return World(
        head=head,
        owner=make_user(council, team=team, name="Olu Owner"),
        team_manager=User.objects.get(display_name="Tam Manager"),
        other_manager=User.objects.get(display_name="Oth Manager"),
        scrutineer=User.objects.get(display_name="Sam Scrutineer"),
        practitioner=make_user(council, team=other, name="Pat Other"),
        analyst=make_user(council, role="analyst", name="Ana Lyst"),
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _writes() -> int:
    """Events written, reads aside."""
    return LedgerLeaf.objects.exclude(kind="record.viewed").count()


def _page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _form(owner: User, **changes: str) -> dict[str, str]:
    form = {
        "rows": "2",
        "kind": "external_inquiry",
        "title": "Independent inquiry into exploitation in Northgate",
        "author": "Independent inquiry team",
        "published_on-day": "2",
        "published_on-month": "11",
        "published_on-year": "2026",
        "summary": "Agencies held the information to act and did not act on it.",
        "rec-0-text": "Review every closed case of the last three years.",
        "rec-0-owner": str(owner.pk),
        "rec-0-due-day": "10",
        "rec-0-due-month": "12",
        "rec-0-due-year": "2026",
    }
    form.update(changes)
    return form


def test_a_report_is_registered_through_the_pages_and_its_owner_is_asked_to_respond() -> None:
    world = _world()
    head = _client(world.head)
    blank = head.get("/register/new/")
    assert blank.status_code == 200 and len(_page(blank).select("fieldset textarea")) == 3
    more = head.post("/register/new/", {**_form(world.owner), "add": "yes"})
    assert more.status_code == 200 and len(_page(more).select("fieldset textarea")) == 3

    before = _writes()
    refused = head.post("/register/new/", _form(world.owner, **{"rec-0-owner": "", "title": ""}))
    assert refused.status_code == 400 and _writes() == before
    summary = _page(refused).select_one(".govuk-error-summary").get_text()
    assert "Enter the report's title" in summary and "Choose the person who owns" in summary
    assert _page(refused).select_one("#rec-0-owner-error") is not None

    done = head.post("/register/new/", _form(world.owner))
    assert done.status_code == 302 and "done=registered" in done["Location"]
    report = Report.objects.get()
    (recommendation,) = report.recommendations.all()
    assert recommendation.owner == world.owner and recommendation.due == date(2026, 12, 10)
    assert LedgerLeaf.objects.filter(kind="report.registered").count() == 1

    shown = _page(head.get(done["Location"]))
    assert "Review every closed case" in shown.get_text() and "Olu Owner" in shown.get_text()
    mine = _page(_client(world.owner).get("/register/")).select_one("#mine")
    assert mine is not None and "Independent inquiry" in mine.get_text()
    # Only those who may register do; everyone who reads may see the register.
    assert _client(world.practitioner).get("/register/new/").status_code == 403
    assert _client(world.practitioner).get("/register/").status_code == 200


def test_an_unanswered_recommendation_climbs_the_ladder_above_its_owner() -> None:
    world = _world()
    due = timezone.localdate() + timedelta(days=3)
    report = make_report(actor=world.head, owners=[(world.owner, due)])
    recommendation = report.recommendations.get()
    policy = default_policy()
    sweep(timezone.now())
    assert not Escalation.objects.exists()
    assert OpenObligation.objects.filter(obligation="recommendation_response").count() == 1

    later = timezone.now() + timedelta(days=21)
    sweep(later)
    escalations = {
        e.level: e for e in Escalation.objects.filter(obligation="recommendation_response")
    }
    assert sorted(escalations) == [1, 2, 3]
    assert escalations[1].concern_id is None
    assert recipients(escalations[1]) == [world.team_manager]  # not the other team's manager
    assert recipients(escalations[2]) == [world.head]
    assert recipients(escalations[3]) == [world.scrutineer]
    message = Notification.objects.filter(kind="escalation").first()
    assert message is not None and f"/register/recommendations/{recommendation.pk}/" in message.body
    assert policy.obligation("recommendation_response").owner == "recommendation_owner"

    # The pages work the clock out as of now: in time today; one due ten days ago is
    # overdue at level 3 without waiting for a sweep, and escalated to the scrutineer.
    page = _page(_client(world.scrutineer).get(f"/register/recommendations/{recommendation.pk}/"))
    assert "Waiting for a response" in page.select_one("#status").get_text()
    late = make_report(
        actor=world.head,
        owners=[(world.owner, timezone.localdate() - timedelta(days=10))],
        title="Audit of return home interviews",
    ).recommendations.get()
    page = _page(_client(world.scrutineer).get(f"/register/recommendations/{late.pk}/"))
    assert "Overdue: level 3" in page.select_one("#status").get_text(" ")
    escalated = _page(_client(world.scrutineer).get("/register/")).select_one("#escalated")
    assert escalated is not None and "Audit of return home interviews" in escalated.get_text()
    assert _page(_client(world.other_manager).get("/register/")).select_one("#escalated") is None


def test_only_the_owner_answers_and_the_answer_meets_the_clock() -> None:
    world = _world()
    due = timezone.localdate() + timedelta(days=3)
    report = make_report(actor=world.head, owners=[(world.owner, due)])
    recommendation = report.recommendations.get()
    url = f"/register/recommendations/{recommendation.pk}/"
    before = _writes()
    other = _client(world.practitioner).post(url, {"response": "accepted", "text": RESPONSE})
    assert other.status_code == 403 and _writes() == before
    with pytest.raises(ActionRefused):
        do_respond_to_recommendation(recommendation.pk, "accepted", RESPONSE, actor=world.head)
    owner = _client(world.owner)
    assert b"Record the response" in owner.get(url).content
    short = owner.post(url, {"response": "accepted", "text": "ok"})
    assert short.status_code == 400 and _writes() == before
    done = owner.post(url, {"response": "accepted", "text": RESPONSE})
    assert done.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.response == "accepted" and recommendation.response_text == RESPONSE
    again = owner.post(url, {"response": "accepted", "text": RESPONSE})
    assert again.status_code in (400, 403)
    sweep(timezone.now() + timedelta(days=21))
    assert not Escalation.objects.exists()
    assert not OpenObligation.objects.filter(obligation="recommendation_response").exists()
    page = _page(owner.get(f"/register/reports/{report.pk}/")).get_text()
    assert "Answered in time" in page and RESPONSE in page


def test_a_withdrawn_report_stays_on_the_register_and_its_clocks_keep_running() -> None:
    world = _world()
    due = timezone.localdate() + timedelta(days=3)
    report = make_report(actor=world.head, owners=[(world.owner, due)])
    url = f"/register/reports/{report.pk}/withdraw/"
    before = _writes()
    assert _client(world.owner).post(url, {"reason": "Not needed now"}).status_code == 403
    empty = _client(world.head).post(url, {"reason": ""})
    assert empty.status_code == 400 and _writes() == before
    reason = "Superseded by the inquiry's final report, registered separately."
    assert _client(world.head).post(url, {"reason": reason}).status_code == 302
    with pytest.raises(Invalid):
        do_withdraw_report(report.pk, reason, actor=world.head)
    page = _page(_client(world.practitioner).get(f"/register/reports/{report.pk}/"))
    assert reason in page.select_one("#withdrawn").get_text()
    listed = _page(_client(world.practitioner).get("/register/")).select_one("#reports")
    assert report.title in listed.get_text() and "Withdrawn" in listed.get_text()
    sweep(timezone.now() + timedelta(days=21))
    assert Escalation.objects.filter(obligation="recommendation_response", level=3).exists()


def test_the_public_summary_shows_counts_and_nothing_personal() -> None:
    world = _world()
    soon = timezone.localdate() + timedelta(days=3)
    past = timezone.localdate() - timedelta(days=10)
    report = make_report(actor=world.head, owners=[(world.owner, soon), (world.practitioner, past)])
    first = report.recommendations.get(number=1)
    do_respond_to_recommendation(first.pk, "partly_accepted", RESPONSE, actor=world.owner)
    do_withdraw_report(report.pk, "Withdrawn by Hana Head after a complaint", actor=world.head)
    before = LedgerLeaf.objects.count()
    response = Client().get("/partnership/register/")
    assert response.status_code == 200
    assert LedgerLeaf.objects.count() == before  # nothing protected shown, nothing recorded
    row = _page(response).select_one("#reports tbody tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.select("td")]
    assert report.title in cells[0] and "Withdrawn" in cells[0]
    assert cells[3:] == ["2", "1", "0", "1"]  # recommendations, answered, in time, overdue
    text = response.content.decode()
    for personal in ("Olu Owner", "Pat Other", "Hana Head", RESPONSE, "complaint"):
        assert personal not in text


def test_the_register_replays_and_verifies() -> None:
    world = _world()
    report = make_report(
        actor=world.analyst, owners=[(world.owner, timezone.localdate() + timedelta(days=1))]
    )
    do_respond_to_recommendation(
        report.recommendations.get().pk, "not_accepted", RESPONSE, actor=world.owner
    )
    do_withdraw_report(
        report.pk, "Replaced by the second edition of the profile.", actor=world.analyst
    )
    result = verify_ledger()
    assert result.ok, result.problems
    assert Recommendation.objects.get().responded
