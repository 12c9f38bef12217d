"""Case notes, contact with the child and family, and outcomes, through the pages and the API;
and the person who raised a concern learning its outcome (an agency on its concern page, a
public reporter with the follow-up code, in their language)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.language import check_text, default_phrase_table
from tocsin.server.casework.actions import do_allocate, do_record_outcome
from tocsin.server.casework.models import Case, Contact, OutcomeRecord
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern, ConcernNote
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.verify import verify_ledger

#: Wording the language check flags, from the phrase table (its one home), and what it marks.
FLAGGED = default_phrase_table().phrase("putting-self-at-risk").examples[0]
MARKED = check_text(FLAGGED)[0].matched


pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, Any]:
    cache.clear()
    school = make_agency("Northfield Academy", "education")
    council = make_agency("Records Council", "council")
    mash = make_team(council, "MASH")
    team = make_team(council, "Exploitation team")
    return {
        "teacher": make_user(school, team=make_team(school, "Pastoral")),
        "mash": make_user(council, role="mash_officer", team=mash),
        "worker": make_user(council, team=team),
        "analyst": make_user(council, role="analyst"),
        "police": make_user(make_agency("Records Police", "police"), role="police_officer"),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _size() -> int:
    return reading_ledger().store.head()[0]


def test_a_case_note_is_checked_for_wording_before_it_is_saved(people: dict[str, Any]) -> None:
    concern = do_record_concern(make_draft(), actor=people["teacher"]).concern
    client = _client(people["teacher"])
    url = f"/concerns/{concern.pk}/notes/new/"
    assert client.get(url).status_code == 200
    worded = FLAGGED
    first = client.post(url, {"text": worded})
    assert first.status_code == 200 and not ConcernNote.objects.exists(), "warned, not saved"
    shown = _page(first)
    assert shown.select_one("#wording-check") is not None
    assert shown.select_one("mark.tocsin-flagged").get_text() == MARKED
    assert shown.select_one("textarea#text").get_text() == worded
    # Saved as written when the writer keeps the wording they were shown.
    kept = client.post(
        url, {"text": worded, "checked": shown.select_one("[name=checked]")["value"]}
    )
    assert kept.status_code == 302 and kept["Location"].endswith("?done=noted#notes")
    note = ConcernNote.objects.get()
    assert note.text == worded and note.language_warnings == 1 and note.channel == "practitioner"
    # A note with nothing to warn about is saved at once, and the page names who wrote it.
    plain = "Called the school: attendance is down to 60% this term."
    assert client.post(url, {"text": plain}).status_code == 302
    page = _page(client.get(f"/concerns/{concern.pk}/"))
    notes = [n.get_text(" ", strip=True) for n in page.select(".tocsin-note")]
    assert plain in notes[1] and people["teacher"].display_name in notes[1]


def test_changing_flagged_wording_checks_it_again(people: dict[str, Any]) -> None:
    concern = do_record_concern(make_draft(), actor=people["teacher"]).concern
    client = _client(people["teacher"])
    url = f"/concerns/{concern.pk}/notes/new/"
    checked = FLAGGED
    changed = FLAGGED + " She was seen with a man who is 22."
    again = client.post(url, {"text": changed, "checked": checked})
    assert again.status_code == 200 and not ConcernNote.objects.exists()


def test_notes_refuse_empty_text_other_agencies_and_readers(people: dict[str, Any]) -> None:
    concern = do_record_concern(make_draft(), actor=people["teacher"]).concern
    empty = _client(people["teacher"]).post(f"/concerns/{concern.pk}/notes/new/", {"text": " "})
    assert empty.status_code == 400 and not ConcernNote.objects.exists()
    assert _page(empty).select_one(".govuk-error-summary a")["href"] == "#text"
    before = _size()  # a refusal (403, 404) shows nothing, so not even a view is recorded
    other = _client(people["police"])
    assert other.post(f"/concerns/{concern.pk}/notes/new/", {"text": "A note"}).status_code == 404
    api = other.post(
        f"/api/v1/concerns/{concern.pk}/notes/", {"text": "A note"}, content_type="application/json"
    )
    assert api.status_code == 404
    reader = _client(people["analyst"]).post(f"/concerns/{concern.pk}/notes/new/", {"text": "x y"})
    assert reader.status_code == 403
    assert _size() == before


def test_contact_with_the_child_through_the_page_and_the_api(people: dict[str, Any]) -> None:
    concern = do_record_concern(make_draft(), actor=people["teacher"]).concern
    do_allocate(concern.pk, worker_id=str(people["worker"].pk), actor=people["mash"])
    client = _client(people["worker"])
    url = f"/concerns/{concern.pk}/contacts/new/"
    missing = client.post(url, {"with_whom": "child", "made": "yes"})
    assert missing.status_code == 400
    targets = [a["href"] for a in _page(missing).select(".govuk-error-summary a")]
    assert targets == ["#method", "#happened_on-day", "#seen_alone", "#summary"]
    answers = {
        "with_whom": "child",
        "method": "home_visit",
        "happened_on-day": "2",
        "happened_on-month": "12",
        "happened_on-year": "2026",
        "made": "yes",
        "seen_alone": "no",
        "summary": "Seen at home with her mother present; she would not talk about the car.",
    }
    assert client.post(url, answers).status_code == 302
    contact = Contact.objects.get()
    assert (contact.made, contact.seen_alone, str(contact.happened_on)) == (
        True,
        False,
        "2026-12-02",
    )
    assert contact.child_id == concern.child_links.get().child_id
    row = _page(client.get(f"/concerns/{concern.pk}/")).select_one("#contacts tbody tr")
    assert "2 December 2026" in row.get_text() and "Not seen alone" in row.get_text()
    # The API: a visit tried and not made; whether the child was seen alone is not kept.
    answer = client.post(
        f"/api/v1/concerns/{concern.pk}/contacts/",
        {
            "with_whom": "child",
            "method": "school_visit",
            "happened_on": "2026-12-03",
            "made": False,
            "seen_alone": True,
            "summary": "She was not in school; the office had not seen her since Monday.",
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    tried = Contact.objects.get(method="school_visit")
    assert tried.made is False and tried.seen_alone is None
    wrong_day = client.post(url, {**answers, "happened_on-day": "99999999999"})
    assert wrong_day.status_code == 400, "an absurd day is a field problem, not a crash"
    assert verify_ledger().ok, "replaying the ledger rebuilds the contacts as they are"


def test_the_agency_that_raised_it_sees_the_outcome(people: dict[str, Any]) -> None:
    concern = do_record_concern(make_draft(), actor=people["teacher"]).concern
    do_allocate(concern.pk, worker_id=str(people["worker"].pk), actor=people["mash"])
    worker = _client(people["worker"])
    page = _page(worker.get(f"/concerns/{concern.pk}/outcome/"))
    hints = [h.get_text() for h in page.select(".govuk-radios__hint")]
    assert "They are told: “The police are taking action.”" in hints
    refused = worker.post(f"/concerns/{concern.pk}/outcome/", {"outcome": "police_action"})
    assert refused.status_code == 400 and not OutcomeRecord.objects.exists()
    answer = worker.post(
        f"/api/v1/concerns/{concern.pk}/outcomes/",
        {"outcome": "child_in_need_plan", "summary": "Plan agreed with the family at the meeting"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert Case.objects.get(concern=concern).outcome == "child_in_need_plan"
    # The school that raised the concern reads the outcome on its own concern page.
    banner = _page(_client(people["teacher"]).get(f"/concerns/{concern.pk}/")).select_one(
        "#outcome"
    )
    assert "Child in need plan" in banner.get_text()
    assert "Plan agreed with the family" in banner.get_text()
    mine = _page(_client(people["teacher"]).get("/concerns/mine/")).select_one("#concerns")
    assert "Outcome: Child in need plan" in mine.get_text()
    assert verify_ledger().ok


def test_a_public_reporter_learns_the_outcome_in_plain_words(
    client: Client, people: dict[str, Any]
) -> None:
    report = {
        "child_name": "Kasia",
        "child_age": "14",
        "narrative": "Adults in a car have been collecting the child from school.",
    }
    assert client.post("/report/pl/", report).status_code == 302
    code = _page(client.get("/report/pl/sent/")).select_one("#follow-up-code").get_text()
    concern = Concern.objects.get(channel="public")
    visitor = Client()
    received = _page(visitor.post("/report/en/progress/", {"code": code}))
    assert received.select_one("#progress").get_text() == (
        "Your concern has been received. The safeguarding team is looking at it."
    )
    do_allocate(concern.pk, worker_id=str(people["worker"].pk), actor=people["mash"])
    do_record_outcome(
        concern.pk, "police_action", "Two adults arrested; the car seized", actor=people["worker"]
    )
    told = _page(visitor.post("/report/pl/progress/", {"code": code.lower()}))
    assert told.select_one("#progress").get_text() == "Policja podejmuje działania."
    assert "arrested" not in told.get_text(), "the summary is for professionals only"
    english = _page(visitor.post("/report/en/progress/", {"code": code}))
    assert english.select_one("#progress").get_text() == "The police are taking action."
    # The worker's page says what the reporter reads.
    banner = _page(_client(people["worker"]).get(f"/concerns/{concern.pk}/")).select_one("#outcome")
    assert "“The police are taking action.”" in banner.get_text()


def test_a_wrong_code_learns_nothing(client: Client) -> None:
    answers = []
    for code in ("AAAA CCCC DDDD EEEE", "not even a code"):
        response = client.post("/report/en/progress/", {"code": code})
        assert response.status_code == 400
        answers.append(_page(response).select_one(".govuk-error-summary").get_text())
    assert answers[0] == answers[1]


def test_looking_up_progress_is_rate_limited(client: Client) -> None:
    cache.clear()
    statuses = [
        client.post("/report/en/progress/", {"code": "AAAA"}).status_code for _ in range(11)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {400}


def test_what_a_reporter_was_shown_is_recorded(client: Client, people: dict[str, Any]) -> None:
    assert (
        client.post("/report/en/", {"child_name": "Kasia", "narrative": "A car again."}).status_code
        == 302
    )
    code = _page(client.get("/report/en/sent/")).select_one("#follow-up-code").get_text()
    concern = Concern.objects.get(channel="public")
    Client().post("/report/en/progress/", {"code": code})
    from tocsin.server.concerns.models import RecordView

    seen = RecordView.objects.filter(subject=f"concern:{concern.pk}")
    assert seen.filter(viewer="system:public-reporting").exists()
    assert not re.search(code.replace(" ", ""), str(list(seen.values())))
