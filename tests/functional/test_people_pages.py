"""The already-known panel and search, through the pages and the API (test client): what the
reader may see is linked and recorded as read; what they may not is named only by the agency
holding it and whom to contact; every search needs a purpose and is one search.made."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import make_draft, make_partnership, make_user
from tocsin.domain.concerns import ChildDraft, VehicleDraft
from tocsin.domain.people import SearchMade
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import RecordView
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.people.known import forget_index

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fresh_index() -> None:
    forget_index()


def page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def girl(given: str = "Amara") -> ChildDraft:
    return ChildDraft(
        given_name=given,
        family_name="Okonkwo",
        date_of_birth=date(2011, 3, 4),
        sex="F",
        address="12 Larch Avenue",
        postcode="ZZ1 4QX",
    )


def known_to_the_council() -> Any:
    """A partnership whose council holds a concern about the girl, and a police officer."""
    partnership = make_partnership()
    council = do_record_concern(
        make_draft(children=[girl()], vehicles=[VehicleDraft(registration="YX19 KLM")]),
        actor=partnership.practitioner,
        today=TODAY,
    ).concern
    officer = make_user(partnership.police, role="police_officer")
    return partnership, council, officer


def answer_child(client: Client, given: str) -> None:
    client.get("/concerns/new/")
    response = client.post(
        "/concerns/new/children/",
        {
            "children-count": "1",
            "children-0-given_name": given,
            "children-0-family_name": "Okonkwo",
            "children-0-date_of_birth-day": "4",
            "children-0-date_of_birth-month": "3",
            "children-0-date_of_birth-year": "2011",
            "children-0-sex": "F",
            "children-0-postcode": "ZZ1 4QX",
            "action": "continue",
        },
    )
    assert response.status_code == 302


def search_leaf() -> dict[str, Any]:
    leaf = LedgerLeaf.objects.filter(kind=SearchMade.kind).order_by("-seq").first()
    assert leaf is not None
    payload: dict[str, Any] = json.loads(
        reading_ledger().store.read_payloads([leaf.seq])[leaf.seq].body
    )
    return payload


def test_check_answers_says_who_holds_a_child_the_officer_may_not_see() -> None:
    partnership, council, officer = known_to_the_council()
    client = Client()
    client.force_login(officer)
    answer_child(client, "Amarah")
    panel = page(client.get("/concerns/new/check/")).select_one("#already-known")
    assert panel is not None
    text = panel.get_text(" ", strip=True)
    assert partnership.council.name in text and "You may not see it" in text
    # Never what the council's record says, nor where to find it.
    assert council.reference not in text and "12 Larch" not in text
    assert not panel.select("a[href]")


def test_check_answers_links_a_child_the_reader_may_see_and_records_it() -> None:
    partnership, council, _ = known_to_the_council()
    front_door = make_user(partnership.council, role="mash_officer")
    client = Client()
    client.force_login(front_door)
    answer_child(client, "Amara")
    before = RecordView.objects.count()
    panel = page(client.get("/concerns/new/check/")).select_one("#already-known")
    assert panel is not None
    assert panel.select_one(f"a[href='/concerns/{council.pk}/']") is not None
    # The explanation: each field's weight, as a table with headers.
    assert "Date of birth or age" in panel.get_text()
    assert panel.select("table th[scope=row]")
    viewed = set(
        RecordView.objects.order_by("viewed_seq")[before:].values_list("subject", flat=True)
    )
    assert f"concern:{council.pk}" in viewed


def test_the_concern_page_shows_the_panel_within_need_to_know() -> None:
    partnership, council, officer = known_to_the_council()
    police = do_record_concern(make_draft(children=[girl("Amarah")]), actor=officer, today=TODAY)
    client = Client()
    client.force_login(officer)
    panel = page(client.get(f"/concerns/{police.concern.pk}/")).select_one("#already-known")
    assert panel is not None
    assert partnership.council.name in panel.get_text() and not panel.select("a[href]")
    # The council's own concern page names the police as holding a later record of the girl.
    client.force_login(partnership.practitioner)
    panel = page(client.get(f"/concerns/{council.pk}/")).select_one("#already-known")
    assert panel is not None
    assert partnership.police.name in panel.get_text()
    assert police.concern.reference not in panel.get_text()


def test_a_search_needs_a_purpose_and_records_nothing_without_one() -> None:
    _, _, officer = known_to_the_council()
    client = Client()
    client.force_login(officer)
    response = client.get(
        "/search/",
        {"search": "1", "looked_for": "person", "first_name": "Amara", "surname": "Okonkwo"},
    )
    assert response.status_code == 400
    assert "Say why you are searching" in page(response).get_text()
    assert not LedgerLeaf.objects.filter(kind=SearchMade.kind).exists()


def test_a_search_shows_what_the_reader_may_see_and_names_the_holders_of_the_rest() -> None:
    partnership, council, officer = known_to_the_council()
    mine = do_record_concern(make_draft(children=[girl("Amarah")]), actor=officer, today=TODAY)
    client = Client()
    client.force_login(officer)
    response = client.get(
        "/search/",
        {
            "search": "1",
            "looked_for": "person",
            "first_name": "Amara",
            "surname": "Okonkwo",
            "date_of_birth": "2011-03-04",
            "purpose": "Strategy discussion tomorrow",
        },
    )
    assert response.status_code == 200
    html = page(response)
    rows = html.select("#search-results tbody tr")
    assert [r.a.get_text() if r.a else "" for r in rows] == [mine.concern.reference]
    held_list = html.select_one("#held-elsewhere")
    assert held_list is not None
    held = held_list.get_text(" ", strip=True)
    assert partnership.council.name in held and council.reference not in html.get_text()
    payload = search_leaf()
    assert payload["purpose"] == "Strategy discussion tomorrow"
    assert payload["query"]["first_name"] == "Amara"
    assert payload["shown"][0] == f"concern:{mine.concern.pk}"
    assert f"concern:{council.pk}" not in payload["shown"]
    assert payload["held_elsewhere"] == [str(partnership.council.pk)]
    # "Who has seen this record" lists the search, for its purpose.
    view = RecordView.objects.get(
        subject=f"concern:{mine.concern.pk}", view_id=payload["search_id"]
    )
    assert view.purpose == "search: Strategy discussion tomorrow"


def test_a_partial_registration_finds_the_whole_plate_through_the_api() -> None:
    partnership, council, _ = known_to_the_council()
    front_door = make_user(partnership.council, role="mash_officer")
    client = Client()
    client.force_login(front_door)
    response = client.get(
        "/api/v1/search/",
        {"looked_for": "vehicle", "registration": "yx19", "purpose": "Car seen at the park"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [hit["concern"] for hit in body["shown"]] == [str(council.pk)]
    assert body["held_elsewhere"] == []
    assert search_leaf()["shown"] == [f"concern:{council.pk}"]
    missing = client.get("/api/v1/search/", {"looked_for": "vehicle", "registration": "yx19"})
    assert missing.status_code == 400


def test_an_administrator_may_not_search() -> None:
    partnership = make_partnership()
    client = Client()
    client.force_login(partnership.admin)
    assert client.get("/search/").status_code == 403
