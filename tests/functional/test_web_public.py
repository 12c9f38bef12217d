"""Public reporting without an account: languages, the follow-up code, rate limits, no IP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.sessions.models import Session
from django.test import Client

from tocsin.server.concerns.models import Concern, ConcernNote
from tocsin.server.ledger.models import LedgerPayload
from tocsin.server.web import _ratelimit
from tocsin.server.web._translations import catalogue_review
from tocsin.server.web.models import RateCount

pytestmark = pytest.mark.django_db

WEB = Path(__file__).resolve().parents[2] / "src" / "tocsin" / "server" / "web"
REPORT = {
    "child_name": "Kasia",
    "child_age": "14",
    "narrative": "Adults in a car have been collecting the child from school.",
    "occurred_where": "Outside the school",
    "vehicle": "ZX12",
}


def page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.content, "html.parser")


def _msgids_in_templates() -> set[str]:
    pattern = re.compile(r"""_\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")
    files = [WEB / "public.py", *(WEB / "jinja2" / "web").glob("*.html")]
    found = set()
    for path in files:
        for match in pattern.finditer(path.read_text()):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
    return found


def _po_entries(lang: str) -> dict[str, str]:
    text = (WEB / "locale" / lang / "LC_MESSAGES" / "django.po").read_text()
    entries = re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, flags=re.MULTILINE)
    return {msgid.replace('\\"', '"'): msgstr for msgid, msgstr in entries if msgid}


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_every_public_string_has_a_translation_marked_draft_or_reviewed(lang: str) -> None:
    entries = _po_entries(lang)
    missing = _msgids_in_templates() - set(entries)
    assert not missing, f"add these to locale/{lang}/LC_MESSAGES/django.po: {sorted(missing)}"
    assert all(entries.values())
    po = (WEB / "locale" / lang / "LC_MESSAGES" / "django.po").read_text()
    # docs/web.md: each entry is a draft ("needs review by a fluent speaker") or carries
    # "# reviewed by <role>, <date>"; an entry marked neither way fails.
    review = catalogue_review(lang)
    assert review.entries == len(entries)
    assert not review.unmarked, f"mark these draft or reviewed: {review.unmarked}"
    assert "fuzzy" not in po
    mo = WEB / "locale" / lang / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), "run make setup (django-admin compilemessages)"


@pytest.mark.parametrize(
    ("lang", "html_lang", "direction", "heading"),
    [
        ("en", "en-GB", "ltr", "Report a concern about a child"),
        ("ur", "ur", "rtl", "کسی بچے کے بارے میں تشویش کی اطلاع دیں"),
        ("pl", "pl", "ltr", "Zgłoś obawy dotyczące dziecka"),
    ],
)
def test_the_report_page_in_each_language(
    client: Client, lang: str, html_lang: str, direction: str, heading: str
) -> None:
    response = client.get(f"/report/{lang}/")
    html = page(response)
    assert html.select_one("html")["lang"] == html_lang
    assert html.select_one("html").get("dir", "ltr") == direction
    assert html.select_one("h1").get_text(strip=True) == heading
    switcher = {a["hreflang"] for a in html.select(".tocsin-languages a")}
    assert html_lang not in switcher and len(switcher) == 2
    assert response["Content-Language"] == html_lang


def test_report_chooses_the_browser_language(client: Client) -> None:
    assert client.get("/report/", HTTP_ACCEPT_LANGUAGE="pl,en;q=0.5")["Location"] == "/report/pl/"
    assert client.get("/report/", HTTP_ACCEPT_LANGUAGE="de")["Location"] == "/report/en/"
    assert client.get("/report/xx/").status_code == 404


def test_errors_are_in_the_page_language(client: Client) -> None:
    response = client.post("/report/ur/", {"child_age": "old"})
    assert response.status_code == 400
    html = page(response)
    assert html.select_one(".govuk-error-summary__title").get_text() == "ایک مسئلہ ہے"
    hrefs = [a["href"] for a in html.select(".govuk-error-summary__list a")]
    assert hrefs == ["#child_name", "#child_age", "#narrative"]
    assert not Concern.objects.exists()


def test_a_public_report_shows_its_code_once_and_follows_up(client: Client) -> None:
    response = client.post("/report/en/", REPORT, REMOTE_ADDR="203.0.113.77")
    assert response["Location"] == "/report/en/sent/"
    sent = page(client.get("/report/en/sent/"))
    code = sent.select_one("#follow-up-code").get_text()
    assert re.fullmatch(r"[A-Z0-9]{4}( [A-Z0-9]{4}){3}", code)
    concern = Concern.objects.get()
    assert concern.channel == "public" and concern.agency_id is None
    assert sent.select_one("#reference").get_text() == concern.reference
    # Shown once: the code is not kept, so it cannot be shown again.
    assert page(client.get("/report/en/sent/")).select_one("#follow-up-code") is None
    receipt = client.get("/report/en/receipt/")
    assert receipt.content.decode().startswith("c2sp.org/tlog-proof@v1")

    other = Client()
    added = other.post(
        "/report/pl/follow-up/",
        {"code": code.lower(), "information": "The car came again."},
        REMOTE_ADDR="203.0.113.77",
    )
    assert added.status_code == 200
    assert page(added).select_one(".govuk-panel__title").get_text() == "Informacje zostały dodane"
    note = ConcernNote.objects.get()
    assert note.concern_id == concern.pk and note.channel == "public"
    # No IP address anywhere: not in the ledger's payloads, not in the sessions.
    for payload in LedgerPayload.objects.all():
        assert b"203.0.113.77" not in bytes(payload.body)
    for session in Session.objects.all():
        assert "203.0.113.77" not in str(session.get_decoded())
    # Nor in the rate counters, which hold keyed hashes.
    assert RateCount.objects.exists()
    assert not RateCount.objects.filter(bucket__contains="203.0.113").exists()


def test_wrong_codes_get_the_same_answer(client: Client) -> None:
    client.post("/report/en/", REPORT)
    answers = []
    for code in ("AAAA CCCC DDDD EEEE", "not even a code"):
        response = client.post("/report/en/follow-up/", {"code": code, "information": "More"})
        assert response.status_code == 400
        answers.append(page(response).select_one(".govuk-error-summary").get_text())
    assert answers[0] == answers[1]
    assert not ConcernNote.objects.exists()


def test_public_reports_are_rate_limited_per_session_and_per_client(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_ratelimit, "REPORT", _ratelimit.Limit("public-report", 2, 3))
    assert client.post("/report/en/", REPORT).status_code == 302
    assert client.post("/report/en/", REPORT).status_code == 302
    busy = client.post("/report/en/", REPORT)
    assert busy.status_code == 429
    assert Concern.objects.count() == 2
    # Throwing the cookie away helps only until the limit for the client's address.
    assert Client().post("/report/ur/", REPORT).status_code == 302
    assert Client().post("/report/ur/", REPORT).status_code == 429
    # Someone else, at another address, is not held back by any of it.
    assert Client().post("/report/pl/", REPORT, REMOTE_ADDR="198.51.100.4").status_code == 302
    assert Concern.objects.count() == 4


def test_follow_up_attempts_are_rate_limited(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_ratelimit, "FOLLOW_UP", _ratelimit.Limit("public-follow-up", 3, 100))
    for _ in range(3):
        client.post("/report/en/follow-up/", {"code": "AAAA", "information": "x"})
    assert (
        client.post("/report/en/follow-up/", {"code": "AAAA", "information": "x"}).status_code
        == 429
    )
