"""The public route in Urdu and Polish (issue 19): every page a visitor can reach is in their
language, keeps what they typed, and gives the 999 advice when something goes wrong; answers
over their limits get their own messages; staff, never the public, see what is not yet reviewed.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_user
from tocsin.domain.concerns._draft import MAX_ADDRESS, MAX_DESCRIPTION, MAX_NAME, MAX_NARRATIVE
from tocsin.server.concerns.models import Concern, ConcernNote
from tocsin.server.web import _challenge, _translations, public
from tocsin.server.web._translations import catalogue_review, unreviewed_languages

pytestmark = pytest.mark.django_db

REPORT = {
    "child_name": "Kasia",
    "narrative": "Adults in a car have been collecting the child from school.",
    "occurred_where": "Outside the school",
}
#: What a reporter writes in each language (what they typed is shown back to them).
WRITTEN = {
    "ur": {
        **REPORT,
        "narrative": "گاڑی میں بالغ افراد بچے کو اسکول سے لے جاتے ہیں۔",
        "occurred_where": "اسکول کے باہر",
    },
    "pl": {
        **REPORT,
        "narrative": "Dorośli w samochodzie odbierają dziecko ze szkoły.",
        "occurred_where": "Przed szkołą",
    },
}
DANGER = {"ur": "999 پر کال کریں", "pl": "999 lub 112"}
TITLES = {
    "ur": {
        "not-found": "صفحہ نہیں ملا",
        "error": "معذرت، کچھ غلط ہو گیا",
        "bad-request": "آپ کی بھیجی ہوئی معلومات ہم پڑھ نہیں سکے",
    },
    "pl": {
        "not-found": "Nie znaleziono strony",
        "error": "Przepraszamy, coś poszło nie tak",
        "bad-request": "Nie udało się odczytać tego, co wysłano",
    },
}
#: An answer that makes the request larger than Django will read (DATA_UPLOAD_MAX_MEMORY_SIZE).
TOO_LARGE = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
#: Allowed in any language: the product name, the licence's name and our own references.
ALLOWED = ("Tocsin", "GNU Affero General Public License", "English")
#: English words that are not also Polish words ("a", "to", "on", "we", "menu", "problem" are).
ENGLISH_WORDS = {
    "the", "and", "you", "your", "is", "are", "was", "with", "what", "this", "that", "page",
    "not", "found", "error", "server", "forbidden", "failed", "please", "been", "have", "has",
    "of", "for", "child", "report", "sent", "code", "try", "again", "sign", "skip", "main",
    "content", "warning", "there", "verification", "request", "enter", "check", "answer",
}  # fmt: skip
#: The msgids the December 2026 review read (the catalogues as it found them), and its mark.
REVIEWED_2026_12 = Path(__file__).parents[1] / "data" / "translations" / "reviewed-2026-12.txt"
REVIEW_2026_12 = "2026-12 (reviews/translations-2026-12.md)"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def html(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.content, "html.parser")


def visible_text(response) -> str:  # type: ignore[no-untyped-def]
    """Everything a visitor reads or hears: the text, the title and the labels in attributes."""
    soup = html(response)
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    parts = [soup.get_text(" ")]
    for tag in soup.find_all(True):
        for attribute in ("aria-label", "title", "alt", "placeholder"):
            if tag.get(attribute):
                parts.append(tag[attribute])
    return " ".join(parts)


def english_in(text: str, msgids: set[str]) -> list[str]:
    """English in ``text``, once the allowed names are taken out: any msgid of the catalogue of
    more than one word, as written in English, and any two Latin-letter words in a row of which
    at least one is a common English word (``ENGLISH_WORDS``), which finds Django's own English
    pages too. The rule is the same for Urdu and Polish: Latin words that are not English (a
    Polish sentence, a code) pass."""
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    found = [msgid for msgid in msgids if len(msgid.split()) > 1 and msgid in text]
    words = re.findall(r"[A-Za-z']+", text)
    found += [
        f"{a} {b}"
        for a, b in itertools.pairwise(words)
        if a.lower() in ENGLISH_WORDS or b.lower() in ENGLISH_WORDS
    ]
    return found


def _msgids() -> set[str]:
    text = (_translations.LOCALE / "pl" / "LC_MESSAGES" / "django.po").read_text()
    return {m.replace('\\"', '"') for m in re.findall(r'^msgid "(.+)"$', text, re.MULTILINE)}


# -- the catalogues' review marks -------------------------------------------------------------


def test_an_entry_marked_neither_draft_nor_reviewed_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = tmp_path / "pl" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: pl\\n"\n\n'
        "# draft machine-assisted translation, needs review by a fluent speaker\n"
        'msgid "Menu"\nmsgstr "Menu"\n\n'
        "# reviewed by a Polish-speaking social worker, 2026-12-05\n"
        'msgid "Day"\nmsgstr "Dzień"\n\n'
        "# reviewed, looks fine\n"
        'msgid "Month"\nmsgstr "Miesiąc"\n'
    )
    monkeypatch.setattr(_translations, "LOCALE", tmp_path)
    review = catalogue_review("pl")
    assert (review.entries, review.to_review, review.unmarked) == (3, 1, ("Month",))


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_only_entries_the_december_review_read_are_marked_as_reviewed_by_it(lang: str) -> None:
    """An entry added after the review (a later msgid) is a draft, whatever its neighbours say."""
    read = {
        line
        for line in REVIEWED_2026_12.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert len(read) == 58
    po = (_translations.LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    marked = [
        msgid.replace('\\"', '"')
        for comments, msgid in _translations._entries(po)
        if any(REVIEW_2026_12 in line for line in comments)
    ]
    assert marked, "the December 2026 review's marks are gone"
    later = sorted(set(marked) - read)
    assert not later, f"added after the review, so mark them draft: {later}"


def test_staff_see_which_languages_are_not_yet_reviewed_and_the_public_never_do(
    client: Client,
) -> None:
    assert "translation-notice" not in client.get("/report/ur/").content.decode()
    client.force_login(make_user(make_agency("Northgate Council", "council")))
    notice = html(client.get("/report/ur/")).select_one("#translation-notice")
    assert notice is not None and notice["lang"] == "en-GB"
    listed = notice.get_text(" ")
    for review in unreviewed_languages():
        assert f"{review.language}: {review.to_review + len(review.unmarked)} of" in listed
    # A signed-in person on the public pages gets the public's navigation, in the language.
    assert "Your recent concerns" not in client.get("/report/pl/").content.decode()


# -- answers at and over their limits ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ur", "pl"])
def test_answers_over_their_limits_get_a_length_message_at_their_own_field(
    client: Client, lang: str
) -> None:
    response = client.post(
        f"/report/{lang}/",
        {
            **REPORT,
            "occurred_where": "w" * (MAX_ADDRESS + 1),
            "narrative": "n" * (MAX_NARRATIVE + 1),
            "child_school": "s" * (MAX_NAME + 1),
            "adult_description": "a" * (MAX_DESCRIPTION + 1),
        },
    )
    assert response.status_code == 400
    assert not Concern.objects.exists()
    links = {a["href"]: a.get_text() for a in html(response).select(".govuk-error-summary__list a")}
    assert list(links) == ["#child_school", "#narrative", "#occurred_where", "#adult_description"]
    # The limits as the language writes numbers: "20,000", "20 000" (Urdu: "20000").
    limits = {target: re.sub(r"[^0-9]", "", text) for target, text in links.items()}
    assert limits == {
        "#child_school": "200",
        "#narrative": "20000",
        "#occurred_where": "300",
        "#adult_description": "2000",
    }
    assert len(set(links.values())) == 4
    if lang == "en":
        assert links["#occurred_where"] == "Where it happened must be 300 characters or fewer"
        assert links["#adult_description"] == (
            "What you know about adults must be 2,000 characters or fewer"
        )
    # What was typed stays.
    assert html(response).select_one("#occurred_where")["value"] == "w" * (MAX_ADDRESS + 1)
    assert html(response).select_one("#adult_description").get_text() == "a" * (MAX_DESCRIPTION + 1)


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_answers_at_their_limits_are_accepted(client: Client, lang: str) -> None:
    response = client.post(
        f"/report/{lang}/",
        {
            **REPORT,
            "occurred_where": "w" * MAX_ADDRESS,
            "narrative": "n" * MAX_NARRATIVE,
            "adult_description": "a" * MAX_DESCRIPTION,
            "child_age": "17",
        },
    )
    assert response.status_code == 302
    assert Concern.objects.get().narrative == "n" * MAX_NARRATIVE


@pytest.mark.parametrize(("lang", "age"), [("ur", "²"), ("pl", "²"), ("en", "1²"), ("pl", "18")])
def test_an_age_that_is_not_a_plain_number_from_0_to_17_is_refused_in_the_language(
    client: Client, lang: str, age: str
) -> None:
    response = client.post(f"/report/{lang}/", {**REPORT, "child_age": age})
    assert response.status_code == 400
    assert html(response).select_one("#child_age-error") is not None
    assert html(response).select_one("#child_age")["value"] == age
    assert not Concern.objects.exists()


def test_an_age_in_urdu_digits_is_read(client: Client) -> None:
    assert client.post("/report/ur/", {**REPORT, "child_age": "۱۴"}).status_code == 302
    assert Concern.objects.get().child_links.get().child.approximate_age == 14


# -- pages when something goes wrong ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_a_refused_cookie_brings_the_form_back_in_the_language_with_what_was_typed(
    lang: str,
) -> None:
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"/report/{lang}/", REPORT)
    assert response.status_code == 403
    page = html(response)
    assert page.select_one("html")["lang"] == lang
    assert page.select_one("#narrative").get_text() == REPORT["narrative"]
    assert page.select_one("#child_name")["value"] == "Kasia"
    assert DANGER[lang] in page.select_one("#problem").get_text()
    # A fresh token comes with it, so sending again works.
    token = page.select_one("input[name=csrfmiddlewaretoken]")["value"]
    again = browser.post(f"/report/{lang}/", {**REPORT, "csrfmiddlewaretoken": token})
    assert again.status_code == 302
    follow_up = browser.post(f"/report/{lang}/follow-up/", {"code": "X", "information": "More"})
    assert follow_up.status_code == 403
    assert html(follow_up).select_one("#information").get_text() == "More"


def test_a_refused_cookie_off_the_public_route_gets_djangos_page() -> None:
    response = Client(enforce_csrf_checks=True).post("/sign-in/", {"username": "x"})
    assert response.status_code == 403
    assert b"CSRF verification failed" in response.content


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_a_stale_receipt_link_gets_a_page_in_the_language_with_the_999_advice(
    client: Client, lang: str
) -> None:
    response = client.get(f"/report/{lang}/receipt/")
    assert response.status_code == 404
    page = html(response)
    assert page.select_one("h1").get_text() == TITLES[lang]["not-found"]
    assert DANGER[lang] in page.get_text()
    assert page.select_one("html")["lang"] == lang


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_a_report_too_large_to_read_gets_a_page_in_the_language_with_the_999_advice(
    client: Client, lang: str
) -> None:
    response = client.post(f"/report/{lang}/", {**REPORT, "narrative": TOO_LARGE})
    assert response.status_code == 400
    page = html(response)
    assert page.select_one("html")["lang"] == lang
    assert page.select_one("h1").get_text() == TITLES[lang]["bad-request"]
    assert DANGER[lang] in page.get_text()
    assert not Concern.objects.exists()
    # The other languages' links lead to the form (the address sent to may not be a page).
    others = {a["href"] for a in page.select(".tocsin-languages a")}
    assert others == {f"/report/{code}/" for code in ("en", "ur", "pl") if code != lang}
    # From a browser with its cookie, the CSRF check reads the body first: the same page.
    browser = Client(enforce_csrf_checks=True)
    form = html(browser.get(f"/report/{lang}/"))
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]
    sent = {**REPORT, "narrative": TOO_LARGE, "csrfmiddlewaretoken": token}
    refused = browser.post(f"/report/{lang}/", sent)
    assert refused.status_code == 400
    assert html(refused).select_one("h1").get_text() == TITLES[lang]["bad-request"]


def test_a_request_too_large_off_the_public_route_gets_djangos_page(client: Client) -> None:
    response = client.post("/sign-in/", {"username": "x", "password": TOO_LARGE})
    assert response.status_code == 400
    assert b"Bad Request (400)" in response.content


def test_a_page_off_the_public_route_that_is_not_there_gets_djangos_page(client: Client) -> None:
    assert b"Not Found" in client.get("/no-such-page/").content
    unknown = client.get("/report/xx/", HTTP_ACCEPT_LANGUAGE="pl")
    assert unknown.status_code == 404
    assert html(unknown).select_one("h1").get_text() == TITLES["pl"]["not-found"]


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_a_server_error_gets_a_page_in_the_language_that_keeps_the_text(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(public, "do_record_concern", broken)
    response = Client(raise_request_exception=False).post(f"/report/{lang}/", REPORT)
    assert response.status_code == 500
    page = html(response)
    assert page.select_one("h1").get_text() == TITLES[lang]["error"]
    assert DANGER[lang] in page.get_text()
    kept = [block.get_text() for block in page.select(".tocsin-kept")]
    assert REPORT["narrative"] in kept and "Kasia" in kept


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_a_failed_write_keeps_the_text_with_the_999_advice(
    client: Client, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise DatabaseError("could not write")

    monkeypatch.setattr(public, "do_record_concern", refused)
    response = client.post(f"/report/{lang}/", REPORT)
    assert response.status_code == 503
    page = html(response)
    assert page.select_one("#narrative").get_text() == REPORT["narrative"]
    assert DANGER[lang] in page.select_one("#problem").get_text()
    monkeypatch.setattr(public, "do_add_follow_up", refused)
    added = client.post(f"/report/{lang}/follow-up/", {"code": "ABCD", "information": "More"})
    assert added.status_code == 503
    assert html(added).select_one("#information").get_text() == "More"
    assert not ConcernNote.objects.exists()


# -- no English sentence ------------------------------------------------------------------------


def _every_public_page(lang: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    client = Client()
    pages: dict[str, object] = {
        "form": client.get(f"/report/{lang}/"),
        "form with errors": client.post(f"/report/{lang}/", {"child_age": "²"}),
        "form over limits": client.post(
            f"/report/{lang}/", {**WRITTEN[lang], "occurred_where": "w" * 301, "vehicle": "v" * 101}
        ),
        "stale receipt": client.get(f"/report/{lang}/receipt/"),
        "no such page": client.get(f"/report/{lang}/nothing/"),
        "refused cookie": Client(enforce_csrf_checks=True).post(f"/report/{lang}/", WRITTEN[lang]),
        "too large": client.post(f"/report/{lang}/", {**WRITTEN[lang], "narrative": TOO_LARGE}),
    }
    pages["sent"] = client.post(f"/report/{lang}/", WRITTEN[lang], follow=True)
    code = html(pages["sent"]).select_one("#follow-up-code").get_text()
    pages["sent again"] = client.get(f"/report/{lang}/sent/")
    pages["follow-up"] = client.get(f"/report/{lang}/follow-up/")
    pages["wrong code"] = client.post(
        f"/report/{lang}/follow-up/", {"code": "AAAABBBBCCCCDDDD", "information": "x"}
    )
    pages["empty follow-up"] = client.post(f"/report/{lang}/follow-up/", {"code": code})
    pages["added"] = client.post(f"/report/{lang}/follow-up/", {"code": code, "information": "y"})
    pages["progress"] = client.get(f"/report/{lang}/progress/")
    pages["progress shown"] = client.post(f"/report/{lang}/progress/", {"code": code})

    def refused(*args: object, **kwargs: object) -> None:
        raise DatabaseError("could not write")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(public, "do_record_concern", refused)
    pages["failed write"] = Client().post(f"/report/{lang}/", WRITTEN[lang])
    monkeypatch.setattr(public, "do_record_concern", broken)
    crashing = Client(raise_request_exception=False)
    pages["server error"] = crashing.post(f"/report/{lang}/", WRITTEN[lang])
    monkeypatch.undo()
    with monkeypatch.context() as limited:
        limited.setattr(public._ratelimit, "REPORT", public._ratelimit.Limit("r", 0, 0))
        pages["too many"] = Client().post(f"/report/{lang}/", WRITTEN[lang])
    with monkeypatch.context() as flooded:
        # Under attack: the form carries a challenge; sent too soon, or without an answer.
        flooded.setattr(public._ratelimit, "challenge_due", lambda request, action: True)
        pages["challenge"] = Client().get(f"/report/{lang}/")
        token = html(pages["challenge"]).select_one(f'input[name="{_challenge.TOKEN_FIELD}"]')
        too_soon = {**WRITTEN[lang], _challenge.TOKEN_FIELD: token["value"]}
        pages["challenge too soon"] = Client().post(f"/report/{lang}/", too_soon)
        pages["challenge failed"] = Client().post(f"/report/{lang}/", WRITTEN[lang])
    return pages


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_no_public_page_shows_an_english_sentence(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    msgids = _msgids()
    pages = _every_public_page(lang, monkeypatch)
    statuses = {name: response.status_code for name, response in pages.items()}  # type: ignore[attr-defined]
    assert statuses == {
        "form": 200, "form with errors": 400, "form over limits": 400, "stale receipt": 404,
        "no such page": 404, "refused cookie": 403, "too large": 400, "sent": 200,
        "sent again": 200,
        "follow-up": 200, "wrong code": 400, "empty follow-up": 400, "added": 200,
        "progress": 200, "progress shown": 200, "failed write": 503, "server error": 500,
        "too many": 429, "challenge": 200, "challenge too soon": 429, "challenge failed": 400,
    }  # fmt: skip
    for name, response in pages.items():
        found = english_in(visible_text(response), msgids)
        assert not found, f"English on the {lang} '{name}' page: {found}"


def test_the_english_check_finds_english(client: Client) -> None:
    """The check above can fail: the English pages are full of English sentences."""
    assert english_in(visible_text(client.get("/report/en/")), _msgids())
    assert english_in("Forbidden (403) CSRF verification failed", set())
    polish = "Zgłoś obawy dotyczące dziecka. Menu. To problem, a on we Wrocławiu"
    assert not english_in(polish, set())


def test_the_report_date_today_is_accepted_and_tomorrow_is_not(client: Client) -> None:
    today = timezone.localdate()
    tomorrow = today.toordinal() + 1
    from datetime import date

    later = date.fromordinal(tomorrow)
    refused = client.post(
        "/report/pl/",
        {
            **REPORT,
            "occurred_on-day": str(later.day),
            "occurred_on-month": str(later.month),
            "occurred_on-year": str(later.year),
        },
    )
    assert refused.status_code == 400
    assert html(refused).select_one("#occurred_on-day-error") is not None
    accepted = client.post(
        "/report/pl/",
        {
            **REPORT,
            "occurred_on-day": str(today.day),
            "occurred_on-month": str(today.month),
            "occurred_on-year": str(today.year),
        },
    )
    assert accepted.status_code == 302
