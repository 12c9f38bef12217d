"""Web pages through Django's test client: the start page, sign-in, headers and routes."""

from __future__ import annotations

import base64

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from tests.factories import make_partnership
from tocsin.server.ledger.recording import reading_ledger

pytestmark = pytest.mark.django_db

_ID = "7c82ba73-9ed1-4fd4-83f3-2ba6f6c7c033"

# A route that disappears fails this test (STYLE.md, inventory tests).
ROUTES = {
    "web:start": ("/", {}),
    "web:sign-in": ("/sign-in/", {}),
    "web:sign-out": ("/sign-out/", {}),
    # Practitioners (docs/web.md).
    "web:concern-new": ("/concerns/new/", {}),
    "web:concern-check": ("/concerns/new/check/", {}),
    "web:concern-step": ("/concerns/new/children/", {"slug": "children"}),
    "web:my-concerns": ("/concerns/mine/", {}),
    "web:concern": (f"/concerns/{_ID}/", {"concern_id": _ID}),
    "web:concern-recorded": (f"/concerns/{_ID}/recorded/", {"concern_id": _ID}),
    "web:concern-receipt": (f"/concerns/{_ID}/receipt/", {"concern_id": _ID}),
    "web:regrade": (
        f"/concerns/{_ID}/screenings/{_ID}/regrade/",
        {"concern_id": _ID, "screening_id": _ID},
    ),
    "web:screen": (f"/concerns/{_ID}/screen/", {"concern_id": _ID}),
    "web:child": (f"/children/{_ID}/", {"child_id": _ID}),
    "web:search": ("/search/", {}),
    # The front door's clerical review of matches (docs/linkage.md).
    "web:match-tray": ("/people/review/", {}),
    "web:match-review": (f"/people/review/{_ID}/", {"match_id": _ID}),
    "web:merge-split": (
        f"/children/{_ID}/merges/{_ID}/split/",
        {"child_id": _ID, "merge_id": _ID},
    ),
    # Analysts, scrutineers, the front door and heads of service (docs/estimation.md).
    "web:estimates": ("/estimates/", {}),
    "web:estimate-new": ("/estimates/new/", {}),
    "web:estimate": (f"/estimates/{_ID}/", {"estimate_id": _ID}),
    "web:estimate-csv": (f"/estimates/{_ID}/capture-table.csv", {"estimate_id": _ID}),
    "web:estimate-receipt": (f"/estimates/{_ID}/receipt/", {"estimate_id": _ID}),
    # Analysts, the front door and scrutineers: the partnership's network (docs/networks.md).
    "web:networks": ("/networks/", {}),
    "web:networks-table": ("/networks/table/", {}),
    "web:networks-json": ("/networks/graph.json", {}),
    "web:networks-csv": ("/networks/links.csv", {}),
    "web:networks-pdf": ("/networks/chart.pdf", {}),
    # Heads of service and the partnership's scrutineers (docs/clocks.md).
    "web:capacity": ("/capacity/", {}),
    # The register of reports and recommendations, and scrutiny (docs/register.md).
    "web:register": ("/register/", {}),
    "web:register-new": ("/register/new/", {}),
    "web:register-report": (f"/register/reports/{_ID}/", {"report_id": _ID}),
    "web:register-withdraw": (f"/register/reports/{_ID}/withdraw/", {"report_id": _ID}),
    "web:recommendation": (
        f"/register/recommendations/{_ID}/",
        {"recommendation_id": _ID},
    ),
    "web:scrutiny": ("/scrutiny/", {}),
    # Managers, the front door, analysts and scrutineers (docs/statistics.md).
    "web:statistics": ("/statistics/", {}),
    "web:profiles": ("/profiles/", {}),
    "web:profile": (f"/profiles/{_ID}/", {"profile_id": _ID}),
    "web:profile-pdf": (f"/profiles/{_ID}/pdf", {"profile_id": _ID}),
    "web:statistics-export": ("/statistics/export.csv", {"file_format": "csv"}),
    # The public, without an account.
    "web:register-public": ("/partnership/register/", {}),
    "web:transparency": ("/transparency/", {}),
    "web:report": ("/report/", {}),
    "web:report-form": ("/report/ur/", {"lang": "ur"}),
    "web:report-sent": ("/report/pl/sent/", {"lang": "pl"}),
    "web:report-receipt": ("/report/en/receipt/", {"lang": "en"}),
    "web:follow-up": ("/report/en/follow-up/", {"lang": "en"}),
}


@pytest.mark.parametrize(("name", "route"), sorted(ROUTES.items()))
def test_routes_exist(name: str, route: tuple[str, dict[str, str]]) -> None:
    path, kwargs = route
    assert reverse(name, kwargs=kwargs) == path


def test_start_page_shows_the_ledger_size_and_root(client: Client) -> None:
    make_partnership()
    size, root = reading_ledger().store.head()
    page = BeautifulSoup(client.get("/").content, "html.parser")
    assert page.select_one("#ledger-size").get_text(strip=True) == str(size)
    assert page.select_one("#ledger-root").get_text(strip=True) == base64.b64encode(root).decode()
    assert page.select_one("html")["lang"] == "en-GB"
    assert page.select_one("a.govuk-skip-link")["href"] == "#main-content"
    assert page.select_one("main#main-content") is not None


def test_pages_forbid_inline_script_and_framing(client: Client) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    page = BeautifulSoup(response.content, "html.parser")
    assert all(script.get("src") for script in page.select("script"))


def test_sign_in_with_the_right_password_and_not_the_wrong_one(client: Client) -> None:
    make_partnership()
    wrong = client.post("/sign-in/", {"username": "admin", "password": "nope"})
    page = BeautifulSoup(wrong.content, "html.parser")
    assert wrong.status_code == 200
    assert page.select_one(".govuk-error-summary") is not None
    assert page.select_one("title").get_text().startswith("Error:")
    right = client.post("/sign-in/", {"username": "admin", "password": "a long enough password 1"})
    assert right.status_code == 302
    start = BeautifulSoup(client.get("/").content, "html.parser")
    assert "Signed in as Test Person" in start.get_text()


def test_signing_in_writes_nothing_to_projections(client: Client) -> None:
    make_partnership()
    before = reading_ledger().store.head()
    client.post("/sign-in/", {"username": "admin", "password": "a long enough password 1"})
    assert reading_ledger().store.head() == before


def test_csrf_is_enforced() -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/sign-in/", {"username": "a", "password": "b"}).status_code == 403


def test_demo_sign_ins_appear_only_in_demo_mode(client: Client, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json as json_module

    settings.TOCSIN_HOME = tmp_path
    (tmp_path / "demo-credentials.json").write_text(
        json_module.dumps(
            [
                {
                    "role": "practitioner",
                    "username": "amara.okafor",
                    "password": "pw-1",
                    "name": "Amara Okafor",
                    "agency": "Wyrmford Council",
                }
            ]
        )
    )
    settings.TOCSIN_DEMO = False
    assert (
        BeautifulSoup(client.get("/").content, "html.parser").select_one("#demo-sign-ins") is None
    )
    settings.TOCSIN_DEMO = True
    page = BeautifulSoup(client.get("/").content, "html.parser")
    assert page.select_one("#demo-sign-ins") is not None
    assert "amara.okafor" in page.get_text()
    assert "the analyst" in page.select_one("#demo-estimates").get_text()
