"""Recording a concern through the question pages, and the pages for agencies (test client)."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import make_draft, make_partnership, make_user
from tocsin.domain.concerns import IndicatorSeen
from tocsin.domain.language import check_text, default_phrase_table
from tocsin.domain.screening import scheme
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern, RecordView
from tocsin.server.ledger.models import LedgerLeaf

# A sentence the language check flags, taken from the phrase table itself so that the wording
# to avoid is written down in one place only (the table).
FLAGGED_SENTENCE = default_phrase_table().phrase("putting-self-at-risk").examples[0]

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 1"


def page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.content, "html.parser")


def signed_in(client: Client, role: str = "practitioner"):  # type: ignore[no-untyped-def]
    partnership = make_partnership()
    agency = partnership.police if role == "police_officer" else partnership.council
    user = make_user(agency, role=role, password=PASSWORD)
    client.force_login(user)
    return partnership, user


def answer_children(client: Client) -> None:
    client.get("/concerns/new/")
    response = client.post(
        "/concerns/new/children/",
        {
            "children-count": "1",
            "children-0-given_name": "Zofia",
            "children-0-family_name": "Testowa",
            "children-0-date_of_birth-day": "4",
            "children-0-date_of_birth-month": "3",
            "children-0-date_of_birth-year": "2012",
            "children-0-sex": "F",
            "action": "continue",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/concerns/new/what-happened/"


def test_login_is_required(client: Client) -> None:
    for path in ("/concerns/new/", "/concerns/mine/", "/concerns/new/check/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("practitioner", True),
        ("police_officer", True),
        ("analyst", False),
        ("partnership_scrutineer", False),
        ("administrator", False),
    ],
)
def test_recording_is_offered_only_to_the_roles_that_may_record(
    client: Client, role: str, offered: bool
) -> None:
    signed_in(client, role)
    doc = page(client.get("/concerns/mine/"))
    links = {a.get_text(strip=True) for a in doc.select("a")}
    assert ("Record a concern" in links) is offered
    assert ("Your recent concerns" in links) is offered


def test_an_empty_question_page_shows_the_error_summary_and_inline_errors(client: Client) -> None:
    signed_in(client)
    client.get("/concerns/new/")
    response = client.post("/concerns/new/children/", {"children-count": "1", "action": "continue"})
    assert response.status_code == 400
    html = page(response)
    links = html.select(".govuk-error-summary__list a")
    # The link goes to the first question it asks about, and says the child may be described
    # or that no child is known yet.
    assert [a["href"] for a in links] == ["#children-0-given_name"]
    assert html.select_one("#children-0-given_name") is not None
    assert "No child is known yet" in links[0].get_text()
    assert html.select_one("title").get_text().startswith("Error:")


def test_problems_are_mapped_to_their_fields(client: Client) -> None:
    signed_in(client)
    client.get("/concerns/new/")
    response = client.post(
        "/concerns/new/children/",
        {
            "children-count": "1",
            "children-0-given_name": "Zofia",
            "children-0-date_of_birth-day": "31",
            "children-0-date_of_birth-month": "2",
            "children-0-date_of_birth-year": "2012",
            "children-0-nhs_number": "1234567890",
            "action": "continue",
        },
    )
    html = page(response)
    hrefs = [a["href"] for a in html.select(".govuk-error-summary__list a")]
    assert hrefs == ["#children-0-date_of_birth-day", "#children-0-nhs_number"]
    assert html.select_one("#children-0-nhs_number-error") is not None
    assert "govuk-input--error" in html.select_one("#children-0-nhs_number")["class"]
    # What was typed stays on the page.
    assert html.select_one("#children-0-given_name")["value"] == "Zofia"


def test_add_another_gives_another_fieldset(client: Client) -> None:
    signed_in(client)
    client.get("/concerns/new/")
    response = client.post(
        "/concerns/new/children/",
        {"children-count": "1", "children-0-given_name": "Zofia", "action": "add"},
    )
    html = page(response)
    assert html.select_one("#children-1-given_name") is not None
    assert html.select_one("#children-0-given_name")["value"] == "Zofia"


def test_record_a_concern_end_to_end(client: Client) -> None:
    _, user = signed_in(client)
    answer_children(client)
    response = client.post(
        "/concerns/new/what-happened/",
        {
            "narrative": FLAGGED_SENTENCE,
            "occurred_on-day": "1",
            "occurred_on-month": "3",
            "occurred_on-year": "2025",
            "occurred_where": "A flat above the takeaway",
        },
    )
    assert response["Location"] == "/concerns/new/persons/"
    client.post(
        "/concerns/new/persons/",
        {
            "persons-count": "1",
            "persons-0-nicknames": "Tall man",
            "persons-0-ethnicity": "REFU",
            "persons-0-approximate_age": "30",
        },
    )
    client.post(
        "/concerns/new/vehicles/", {"vehicles-count": "1", "vehicles-0-registration": "ZX12 ABC"}
    )
    client.post("/concerns/new/phones/", {"phones-count": "1", "phones-0-number": "07700 900123"})
    client.post("/concerns/new/places/", {"places-count": "1"})
    indicator = scheme().indicators[0].id
    response = client.post(
        "/concerns/new/indicators/",
        {
            "indicator": indicator,
            f"seen-{indicator}-day": "2",
            f"seen-{indicator}-month": "3",
            f"seen-{indicator}-year": "2025",
        },
    )
    assert response["Location"] == "/concerns/new/cin-factors/"
    response = client.post("/concerns/new/cin-factors/", {"cin_factors": ["11A"]})
    # Not a police officer: no grading question.
    assert response["Location"] == "/concerns/new/check/"

    check = page(client.get("/concerns/new/check/"))
    text = check.get_text()
    assert "Zofia Testowa" in text and "Refused" in text and "ZX12 ABC" in text
    change_links = [a["href"] for a in check.select(".govuk-summary-list__actions a")]
    assert "/concerns/new/children/?change=1" in change_links
    # The language check advises inline and never blocks.
    warning = check.select_one(".tocsin-language mark")
    assert warning is not None
    assert check_text(FLAGGED_SENTENCE)[0].matched in warning.get_text()
    assert check.select(".tocsin-language-warning")

    response = client.post("/concerns/new/check/")
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert response["Location"] == f"/concerns/{concern.pk}/recorded/"
    assert concern.recorded_by_id == user.pk and concern.language_warnings >= 1
    confirmation = page(client.get(response["Location"]))
    assert concern.reference in confirmation.select_one(".govuk-panel").get_text()
    receipt = client.get(confirmation.select_one("#receipt")["href"])
    assert receipt["Content-Type"].startswith("text/plain")
    assert "attachment" in receipt["Content-Disposition"]
    assert receipt.content.decode().startswith("c2sp.org/tlog-proof@v1")


def test_a_change_link_returns_to_check_your_answers(client: Client) -> None:
    signed_in(client)
    answer_children(client)
    response = client.post(
        "/concerns/new/children/?change=1",
        {"children-count": "1", "children-0-given_name": "Ola", "action": "continue"},
    )
    assert response["Location"] == "/concerns/new/check/"


def test_submitting_an_incomplete_draft_links_to_the_question(client: Client) -> None:
    signed_in(client)
    answer_children(client)
    response = client.post("/concerns/new/check/")
    assert response.status_code == 400
    links = [a["href"] for a in page(response).select(".govuk-error-summary__list a")]
    assert links == ["/concerns/new/what-happened/?change=1#narrative"]
    assert not Concern.objects.exists()


def test_only_police_officers_are_asked_for_the_grading(client: Client) -> None:
    partnership, _ = signed_in(client, role="police_officer")
    client.get("/concerns/new/")
    assert client.get("/concerns/new/grading/").status_code == 200
    response = client.post("/concerns/new/grading/", {"grading-source": "1"})
    assert response.status_code == 400
    client.force_login(make_user(partnership.council, password=PASSWORD))
    client.get("/concerns/new/")
    assert client.get("/concerns/new/grading/").status_code == 404


def test_administrators_may_not_record(client: Client) -> None:
    partnership = make_partnership()
    client.force_login(partnership.admin)
    assert client.get("/concerns/new/").status_code == 403


def _recorded(user, **overrides):  # type: ignore[no-untyped-def]
    indicator = scheme().indicators[0].id
    draft = make_draft(indicators=[IndicatorSeen(indicator, date(2025, 1, 2))], **overrides)
    return do_record_concern(draft, actor=user).concern


def test_the_concern_page_shows_the_band_indicators_timeline_and_viewers(client: Client) -> None:
    _, user = signed_in(client)
    concern = _recorded(user)
    before = RecordView.objects.count()
    html = page(client.get(f"/concerns/{concern.pk}/"))
    assert html.select_one("#reference").get_text() == concern.reference
    assert html.select_one(".tocsin-band") is not None
    assert scheme().indicators[0].label in html.select_one(".tocsin-screening table").get_text()
    kinds = [row.select("td")[2].get_text() for row in html.select("#timeline tbody tr")]
    assert kinds[:2] == ["concern.recorded", "child.screened"]
    # One record.viewed for the request, listing the concern and its child.
    views = RecordView.objects.order_by("viewed_seq")[before:]
    assert {v.subject.split(":")[0] for v in views} == {"concern", "child"}
    assert len({v.view_id for v in views}) == 1
    again = page(client.get(f"/concerns/{concern.pk}/"))
    assert user.display_name in again.select_one("#viewers").get_text()


def test_another_agency_gets_404(client: Client) -> None:
    partnership, user = signed_in(client)
    concern = _recorded(user)
    child = concern.child_links.get().child
    client.force_login(make_user(partnership.police, password=PASSWORD))
    for path in (
        f"/concerns/{concern.pk}/",
        f"/concerns/{concern.pk}/receipt/",
        f"/concerns/{concern.pk}/recorded/",
        f"/children/{child.pk}/",
    ):
        assert client.get(path).status_code == 404
    assert page(client.get("/concerns/mine/")).select_one("#concerns") is None


def test_child_page_and_my_recent_concerns(client: Client) -> None:
    _, user = signed_in(client)
    concern = _recorded(user)
    child = concern.child_links.get().child
    mine = page(client.get("/concerns/mine/"))
    assert concern.reference in mine.select_one("#concerns").get_text()
    child_page = page(client.get(f"/children/{child.pk}/"))
    assert concern.reference in child_page.select_one("#concerns").get_text()


def test_regrading_another_agencys_concern_gets_404_and_writes_nothing(client: Client) -> None:
    partnership, user = signed_in(client)
    concern = _recorded(user)
    screening = concern.screenings.get()
    path = f"/concerns/{concern.pk}/screenings/{screening.pk}/regrade/"
    other = next(b.id for b in scheme().bands if b.id != screening.current_band)
    client.force_login(make_user(partnership.police, role="police_officer", password=PASSWORD))
    before = LedgerLeaf.objects.count()
    assert client.get(path).status_code == 404
    refused = client.post(path, {"band": other, "reason": "Seen with the adult again"})
    assert refused.status_code == 404
    assert client.post(path, {"band": other, "reason": " "}).status_code == 404
    assert LedgerLeaf.objects.count() == before  # no regrading, and nothing shown to record
    screening.refresh_from_db()
    assert screening.current_band != other


def test_regrade_needs_a_reason_and_then_shows_it(client: Client) -> None:
    _, user = signed_in(client)
    concern = _recorded(user)
    screening = concern.screenings.get()
    path = f"/concerns/{concern.pk}/screenings/{screening.pk}/regrade/"
    other = next(b.id for b in scheme().bands if b.id != screening.current_band)
    refused = client.post(path, {"band": other, "reason": " "})
    assert refused.status_code == 400
    assert [a["href"] for a in page(refused).select(".govuk-error-summary__list a")] == ["#reason"]
    assert (
        client.post(path, {"band": other, "reason": "Seen with the adult again"}).status_code == 302
    )
    html = page(client.get(f"/concerns/{concern.pk}/"))
    assert "Seen with the adult again" in html.get_text()
    assert LedgerLeaf.objects.filter(kind="risk.regraded").count() == 1
