"""Professional challenge end to end: a police officer challenges the front door's decision
about the concern the police recorded; it goes to the partnership's independent scrutineer,
outside the decider's line; it runs on its own clock; the scrutineer answers and the
challenger sees the outcome. The refusals write nothing: nobody in the decider's line may
answer, another agency cannot see, grounds must have substance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.language import check_text, default_phrase_table
from tocsin.server.actors import ActionRefused, Invalid, NotVisible
from tocsin.server.casework.actions import do_allocate, do_decide
from tocsin.server.challenges.actions import do_answer_challenge, do_raise_challenge
from tocsin.server.challenges.models import Challenge
from tocsin.server.clocks.models import Escalation, OpenObligation
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.verify import verify_ledger

#: Wording the language check flags, from the phrase table (its one home), and what it marks.
FLAGGED = default_phrase_table().phrase("putting-self-at-risk").examples[0]
MARKED = check_text(FLAGGED)[0].matched


pytestmark = pytest.mark.django_db

GROUNDS = (
    "Three agencies saw the same car; early help is not enough, she needs a strategy discussion."
)
ANSWER = "Upheld: the front door is to hold a strategy discussion within one working day."


@dataclass
class World:
    concern: Concern
    decision: str
    officer: User
    mash_officer: User
    mash_manager: User
    head_of_service: User
    scrutineer: User
    school: User


def _world() -> World:
    council = make_agency("Challenge Council", "council")
    police = make_agency("Challenge Police", "police")
    school = make_agency("Challenge Academy", "education")
    mash = make_team(council, "Challenge MASH")
    officer = make_user(police, role="police_officer", name="Tess Officer")
    concern = do_record_concern(make_draft(), actor=officer).concern
    mash_officer = make_user(council, role="mash_officer", team=mash, name="Mo Front")
    # The front door gives it to the council's team, so the council's managers see it too.
    do_allocate(concern.pk, team_id=str(make_team(council, "Exploitation").pk), actor=mash_officer)
    decision = do_decide(
        concern.pk, "early_help", "Family engaged; early help offered", actor=mash_officer
    ).decision_id
    return World(
        concern=concern,
        decision=decision,
        officer=officer,
        mash_officer=mash_officer,
        mash_manager=make_user(council, role="mash_manager", team=mash),
        head_of_service=make_user(council, role="head_of_service"),
        scrutineer=make_user(council, role="partnership_scrutineer", name="Sam Scrutineer"),
        school=make_user(school, name="Pat Teacher"),
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _size() -> int:
    """Events written, reads aside (a page that shows a form records what it showed)."""
    return LedgerLeaf.objects.exclude(kind="record.viewed").count()


def _page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_a_challenge_goes_outside_the_line_and_its_answer_reaches_the_challenger() -> None:
    world = _world()
    officer = _client(world.officer)
    concern_page = _page(officer.get(f"/concerns/{world.concern.pk}/"))
    link = concern_page.select_one("#decisions a[href$='/challenge/']")
    assert link is not None and "Challenge this decision" in link.get_text()

    raised = officer.post(f"/decisions/{world.decision}/challenge/", {"grounds": GROUNDS})
    assert raised.status_code == 302 and "done=challenged" in raised["Location"]
    challenge = Challenge.objects.get()
    assert challenge.routed_to_role == "partnership_scrutineer"
    assert challenge.routed_to_agency_id is None
    assert challenge.raised_by == f"user:{world.officer.pk}"

    shown = _page(officer.get(f"/concerns/{world.concern.pk}/")).select_one("#challenges")
    assert shown is not None
    text = shown.get_text(" ")
    assert "You" in text and GROUNDS in text and "Due in 5 working days" in text

    # The decider's own agency sees the challenge, but not who raised it.
    decider_view = _page(_client(world.mash_manager).get(f"/concerns/{world.concern.pk}/"))
    assert "Tess Officer" not in decider_view.select_one("#challenges").get_text()

    # The scrutineer's challenges page lists it with its deadline; they answer it.
    scrutineer = _client(world.scrutineer)
    tray = _page(scrutineer.get("/challenges/")).select_one("#to-answer").get_text(" ")
    assert world.concern.reference in tray and "Tess Officer" in tray and "working days" in tray
    answer_page = scrutineer.get(f"/challenges/{challenge.pk}/")
    assert answer_page.status_code == 200 and b"Your answer" in answer_page.content
    before = _size()
    empty = scrutineer.post(f"/challenges/{challenge.pk}/", {"outcome": "upheld", "answer": ""})
    assert empty.status_code == 400 and _size() == before
    assert "Give the reasons" in _page(empty).select_one(".govuk-error-summary").get_text()
    done = scrutineer.post(f"/challenges/{challenge.pk}/", {"outcome": "upheld", "answer": ANSWER})
    assert done.status_code == 302
    challenge.refresh_from_db()
    assert challenge.outcome == "upheld" and challenge.answered_by == f"user:{world.scrutineer.pk}"
    again = scrutineer.post(f"/challenges/{challenge.pk}/", {"outcome": "upheld", "answer": ANSWER})
    assert again.status_code == 400

    # The challenger is told: on the concern and on their challenges page.
    concern_text = _page(officer.get(f"/concerns/{world.concern.pk}/")).select_one("#challenges")
    assert "Upheld" in concern_text.get_text() and ANSWER in concern_text.get_text()
    mine = _page(officer.get("/challenges/")).select_one("#raised").get_text(" ")
    assert "Upheld" in mine and ANSWER in mine
    assert verify_ledger().ok


def test_the_api_raises_and_answers_a_challenge() -> None:
    world = _world()
    url = f"/api/v1/concerns/{world.concern.pk}/challenges/"
    raised = _client(world.officer).post(
        url, {"decision": world.decision, "grounds": GROUNDS}, content_type="application/json"
    )
    assert raised.status_code == 201, raised.content
    body = raised.json()
    assert body["routed_to_role"] == "partnership_scrutineer" and body["routed_to_agency"] is None
    answered = _client(world.scrutineer).post(
        f"/api/v1/challenges/{body['id']}/answer/",
        {"outcome": "not_upheld", "answer": "The assessment already covers the car sightings."},
        content_type="application/json",
    )
    assert answered.status_code == 201, answered.content
    assert Challenge.objects.get(pk=body["id"]).outcome == "not_upheld"


def test_nobody_in_the_deciders_line_may_answer_and_nothing_is_written() -> None:
    world = _world()
    raised = do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.officer)
    data = {"outcome": "not_upheld", "answer": "The decision was right for the family."}
    for manager in (world.mash_manager, world.head_of_service, world.mash_officer):
        before = _size()
        client = _client(manager)
        assert client.post(f"/challenges/{raised.challenge_id}/", data).status_code == 403
        api = client.post(
            f"/api/v1/challenges/{raised.challenge_id}/answer/",
            data,
            content_type="application/json",
        )
        assert api.status_code == 403
        with pytest.raises(ActionRefused):
            do_answer_challenge(raised.challenge_id, "not_upheld", data["answer"], actor=manager)
        assert _size() == before, f"{manager.role} wrote to the ledger"
        # Nor do they get an answer form on the page.
        page = client.get(f"/challenges/{raised.challenge_id}/")
        assert page.status_code == 200 and b'name="outcome"' not in page.content
    assert not Challenge.objects.get().answered


def test_another_agency_cannot_see_or_challenge_and_nothing_is_written() -> None:
    world = _world()
    school = _client(world.school)
    before = _size()
    assert school.get(f"/decisions/{world.decision}/challenge/").status_code == 404
    assert (
        school.post(f"/decisions/{world.decision}/challenge/", {"grounds": GROUNDS}).status_code
        == 404
    )
    api = school.post(
        f"/api/v1/concerns/{world.concern.pk}/challenges/",
        {"decision": world.decision, "grounds": GROUNDS},
        content_type="application/json",
    )
    assert api.status_code == 404
    with pytest.raises(NotVisible):
        do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.school)
    assert _size() == before and not Challenge.objects.exists()
    # A challenge raised by someone who may see the concern stays out of the school's sight.
    raised = do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.officer)
    assert school.get(f"/challenges/{raised.challenge_id}/").status_code == 404
    assert world.concern.reference not in school.get("/challenges/").content.decode()


def test_grounds_must_have_substance_and_nobody_challenges_their_own_decision() -> None:
    world = _world()
    officer = _client(world.officer)
    before = _size()
    for grounds in ("", "   ", "Wrong."):
        empty = officer.post(f"/decisions/{world.decision}/challenge/", {"grounds": grounds})
        assert empty.status_code == 400
        assert _page(empty).select_one("#grounds-error") is not None
    api = officer.post(
        f"/api/v1/concerns/{world.concern.pk}/challenges/",
        {"decision": world.decision, "grounds": ""},
        content_type="application/json",
    )
    assert api.status_code == 400 and "grounds" in api.content.decode()
    own = _client(world.mash_officer).post(
        f"/decisions/{world.decision}/challenge/", {"grounds": GROUNDS}
    )
    assert own.status_code == 403
    assert _size() == before
    # The grounds are language-checked first: the writer sees the flagged words.
    warned = officer.post(
        f"/decisions/{world.decision}/challenge/",
        {"grounds": FLAGGED + " Early help will not stop it."},
    )
    assert warned.status_code == 200 and _page(warned).select_one("#wording-check") is not None
    assert _size() == before
    # One open challenge per person per decision.
    do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.officer)
    with pytest.raises(Invalid):
        do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.officer)


def test_a_challenge_runs_on_its_own_clock() -> None:
    world = _world()
    now = timezone.now()
    raised = do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.officer)
    sweep(now)
    clock = OpenObligation.objects.get(obligation="challenge_answer")
    assert clock.key == f"challenge:{raised.challenge_id}" and clock.owner == "challenge_handler"
    assert clock.level_at(now) == 0

    # Ten days on, unanswered: it has climbed the ladder.
    later = now + timedelta(days=10)
    climbed = [e for e in sweep(later).escalations if e.obligation == "challenge_answer"]
    assert climbed and climbed[0].level == 1
    assert Escalation.objects.filter(obligation="challenge_answer", level=1).exists()

    # Answering meets it: it leaves the open obligations and climbs no further.
    do_answer_challenge(raised.challenge_id, "partly_upheld", ANSWER, actor=world.scrutineer)
    assert not [
        e
        for e in sweep(later + timedelta(days=30)).escalations
        if e.obligation == "challenge_answer"
    ]
    assert not OpenObligation.objects.filter(obligation="challenge_answer").exists()


def test_answering_in_time_meets_the_clock_before_it_escalates() -> None:
    world = _world()
    now = timezone.now()
    raised = do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.officer)
    sweep(now)
    assert OpenObligation.objects.filter(obligation="challenge_answer").exists()
    do_answer_challenge(raised.challenge_id, "not_upheld", ANSWER, actor=world.scrutineer)
    assert not [
        e for e in sweep(now + timedelta(days=10)).escalations if e.obligation == "challenge_answer"
    ]
    assert not Escalation.objects.filter(obligation="challenge_answer").exists()
    assert not OpenObligation.objects.filter(obligation="challenge_answer").exists()


def test_the_oversight_view_counts_challenges_and_their_outcomes() -> None:
    world = _world()
    raised = do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.officer)
    page = _page(_client(world.scrutineer).get("/oversight/"))
    rows = {
        r.select_one("th").get_text(strip=True): r.select_one("td").get_text(strip=True)
        for r in page.select("#challenges tbody tr")
    }
    assert rows["Raised"] == "1" and rows["Waiting for an answer"] == "1"
    do_answer_challenge(raised.challenge_id, "not_upheld", ANSWER, actor=world.scrutineer)
    page = _page(_client(world.scrutineer).get("/oversight/"))
    rows = {
        r.select_one("th").get_text(strip=True): r.select_one("td").get_text(strip=True)
        for r in page.select("#challenges tbody tr")
    }
    assert rows["Waiting for an answer"] == "0"
    assert rows["Not upheld: the decision stands"] == "1"


def test_an_unanswered_challenge_climbs_above_whoever_must_answer_it_not_the_deciders_line() -> (
    None
):
    """The challenge went to the partnership (every manager above the front door is in the
    decider's line): its clock's escalations stay with the partnership at every level, in
    the trays and by e-mail, and never reach the decider's managers, who may not answer it."""
    from django.core import mail

    from tocsin.server.actors import SystemActor
    from tocsin.server.clocks import notify
    from tocsin.server.clocks.read_models import challenge_ladder, escalated_to
    from tocsin.server.directory.actions import do_set_email

    world = _world()
    line = [world.mash_manager, world.head_of_service]
    for person in [*line, world.scrutineer]:
        do_set_email(person, f"{person.username}@example.invalid", actor=SystemActor("cli"))
    do_raise_challenge(world.concern.pk, world.decision, GROUNDS, actor=world.officer)
    mail.outbox.clear()
    escalations = [
        e
        for e in sweep(timezone.now() + timedelta(days=30)).escalations
        if e.obligation == "challenge_answer"
    ]
    assert sorted(e.level for e in escalations) == [1, 2, 3]
    rows = Escalation.objects.filter(obligation="challenge_answer")
    assert set(escalated_to(world.scrutineer).filter(pk__in=rows)) == set(rows)
    for person in line:
        assert not escalated_to(person).filter(pk__in=rows).exists(), person.role
    for escalation in escalations:
        assert [u.pk for u in notify.recipients(escalation)] == [world.scrutineer.pk]
    told = {m.to[0] for m in mail.outbox if "Answer the challenge" in m.subject}
    assert told == {f"{world.scrutineer.username}@example.invalid"}

    # Sent to an agency's team manager, it would climb to that agency's head of service
    # first, then the partnership: above the person who must answer, as other clocks do.
    assert challenge_ladder("team_manager", "a", 1) == ("head_of_service", "a")
    assert challenge_ladder("team_manager", "a", 2) == ("partnership_scrutineer", None)
    assert challenge_ladder("practitioner", "a", 1) == ("team_manager", "a")
    assert challenge_ladder("practitioner", "a", 2) == ("head_of_service", "a")
    assert challenge_ladder("practitioner", "a", 3) == ("partnership_scrutineer", None)
    assert challenge_ladder("partnership_scrutineer", None, 1) == ("partnership_scrutineer", None)
