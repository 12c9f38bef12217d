"""The public route under a flood: limits in the database per session and per client, invalid
attempts counted apart from genuine ones, the proof-of-work challenge and its no-JavaScript
wait, and a follow-up code that is never kept in plain text."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from tocsin.server.concerns.models import Concern
from tocsin.server.web import _challenge, _ratelimit, public
from tocsin.server.web.models import RateCount

pytestmark = pytest.mark.django_db

REPORT = {
    "child_name": "Kasia",
    "child_age": "14",
    "narrative": "Adults in a car have been collecting the child from school.",
}


def _page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _challenge_in(response: Any) -> tuple[str, int]:
    html = _page(response)
    token = html.select_one(f'input[name="{_challenge.TOKEN_FIELD}"]')
    assert token is not None, "the form carries no challenge"
    bits = int(html.select_one("[data-tocsin-bits]")["data-tocsin-bits"])
    return token["value"], bits


def _solve(token: str, bits: int) -> str:
    """What the page's script does, in Python."""
    answer = 0
    while True:
        digest = hashlib.sha256(f"{token}:{answer}".encode("ascii")).digest()
        if _challenge.leading_zero_bits(digest) >= bits:
            return str(answer)
        answer += 1


def _junk(count: int, address: str = "192.0.2.10") -> None:
    for _ in range(count):
        response = Client().post("/report/en/", {}, REMOTE_ADDR=address)
        assert response.status_code == 400


def test_leading_zero_bits() -> None:
    assert _challenge.leading_zero_bits(b"\x00\x00\xff") == 16
    assert _challenge.leading_zero_bits(b"\x00\x01") == 15
    assert _challenge.leading_zero_bits(b"\x80") == 0
    assert _challenge.leading_zero_bits(b"\x00\x00") == 16


def test_no_challenge_until_invalid_attempts_pile_up(client: Client) -> None:
    assert _page(client.get("/report/en/")).select_one("[data-tocsin-bits]") is None
    assert _page(client.post("/report/en/", {})).select_one("[data-tocsin-bits]") is None
    # A handful of mistakes is what people make; the limit for the client is a few more.
    _junk(_ratelimit.SUSPECT.per_client)
    token, bits = _challenge_in(Client().get("/report/en/", REMOTE_ADDR="192.0.2.10"))
    assert bits == _challenge.BITS and token
    # Another address is not asked, until the whole service is flooded.
    assert _page(client.get("/report/en/")).select_one("[data-tocsin-bits]") is None


def test_a_flood_of_junk_never_uses_up_what_genuine_reports_need(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small limits, so that the junk is far over every one of them.
    monkeypatch.setattr(_ratelimit, "REPORT", _ratelimit.Limit("public-report", 2, 3))
    _junk(_ratelimit.SUSPECT.overall)
    assert not Concern.objects.exists()
    # Everyone is now asked for the challenge, including a newcomer at another address.
    genuine = Client()
    without = genuine.post("/report/en/", REPORT, REMOTE_ADDR="198.51.100.4")
    assert without.status_code == 400
    html = _page(without)
    assert html.select_one("#tocsin-notice") is not None
    assert html.select_one("#narrative").get_text() == REPORT["narrative"]  # answers kept
    token, bits = _challenge_in(without)
    answered = {
        **REPORT,
        _challenge.TOKEN_FIELD: token,
        _challenge.ANSWER_FIELD: _solve(token, bits),
    }
    sent = genuine.post("/report/en/", answered, REMOTE_ADDR="198.51.100.4")
    assert sent.status_code == 302, sent.content.decode()[:2000]
    assert Concern.objects.count() == 1
    # And even from the flooding address: its junk counted apart from genuine reports.
    neighbour = Client()
    token, bits = _challenge_in(neighbour.get("/report/en/", REMOTE_ADDR="192.0.2.10"))
    answered = {
        **REPORT,
        _challenge.TOKEN_FIELD: token,
        _challenge.ANSWER_FIELD: _solve(token, bits),
    }
    assert neighbour.post("/report/en/", answered, REMOTE_ADDR="192.0.2.10").status_code == 302
    assert Concern.objects.count() == 2


def test_a_challenge_answers_for_one_submission_only(client: Client) -> None:
    _junk(_ratelimit.SUSPECT.overall)
    token, bits = _challenge_in(client.get("/report/en/"))
    answered = {
        **REPORT,
        _challenge.TOKEN_FIELD: token,
        _challenge.ANSWER_FIELD: _solve(token, bits),
    }
    assert client.post("/report/en/", answered).status_code == 302
    again = Client().post("/report/en/", answered)
    assert again.status_code == 400
    wrong = {**answered, _challenge.ANSWER_FIELD: "x1"}
    assert Client().post("/report/en/", wrong).status_code == 400
    forged = {**answered, _challenge.TOKEN_FIELD: token[:-2] + "xx"}
    assert Client().post("/report/en/", forged).status_code == 400
    assert Concern.objects.count() == 1


def test_without_javascript_a_short_wait_lets_a_reporter_through(client: Client) -> None:
    _junk(_ratelimit.SUSPECT.overall)
    token, _bits = _challenge_in(client.get("/report/en/"))
    too_soon = client.post("/report/en/", {**REPORT, _challenge.TOKEN_FIELD: token})
    assert too_soon.status_code == 429
    assert 0 < int(too_soon["Retry-After"]) <= _challenge.WAIT_SECONDS
    html = _page(too_soon)
    assert "Wait" in html.select_one("#tocsin-notice").get_text()
    # The same challenge again, so the wait already done counts.
    assert _challenge_in(too_soon)[0] == token
    assert html.select_one("noscript") is not None
    waited = _challenge.issue(now=time.time() - _challenge.WAIT_SECONDS - 1)
    sent = client.post("/report/en/", {**REPORT, _challenge.TOKEN_FIELD: waited.token})
    assert sent.status_code == 302
    expired = _challenge.issue(now=time.time() - _challenge.LIFETIME - 1)
    late = Client().post("/report/en/", {**REPORT, _challenge.TOKEN_FIELD: expired.token})
    assert late.status_code == 400


def test_limits_are_kept_in_the_database_for_every_process(client: Client) -> None:
    """What one process counted, another sees: the counts are rows, not process memory."""
    client.post("/report/en/", {})
    rows = {row.bucket.split(":")[0]: row.count for row in RateCount.objects.all()}
    assert rows == {"public-report-invalid": 1}
    assert RateCount.objects.filter(bucket__contains=":everyone:").count() == 1
    bucket = RateCount.objects.get(bucket__contains=":everyone:").bucket
    assert _ratelimit.count(bucket, int(time.time()) + 60) == 2


@override_settings(TOCSIN_TRUSTED_PROXIES=("10.0.0.5",))
def test_the_client_is_found_behind_a_trusted_proxy_only() -> None:
    from django.test import RequestFactory

    factory = RequestFactory()
    proxied = factory.get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )
    assert _ratelimit.client_address(proxied) == "203.0.113.9"
    through_two = factory.get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.5"
    )
    assert _ratelimit.client_address(through_two) == "203.0.113.9"
    # Anyone else's X-Forwarded-For is not believed.
    direct = factory.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _ratelimit.client_address(direct) == "198.51.100.7"
    six = factory.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    assert _ratelimit.client_address(six) == "2001:db8:1:2::/64"


def _capture_codes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    codes: list[str] = []
    record = public.do_record_concern

    def recording(*args: Any, **kwargs: Any) -> Any:
        result = record(*args, **kwargs)
        codes.append(result.follow_up_code)
        return result

    monkeypatch.setattr(public, "do_record_concern", recording)
    return codes


def _stored_text() -> str:
    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    buckets = [row.bucket for row in RateCount.objects.all()]
    return "\n".join(sessions + buckets)


def test_no_follow_up_code_is_kept_in_plain_text(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = _capture_codes(monkeypatch)
    # A visitor who never loads the "sent" page leaves no readable code behind.
    response = client.post("/report/en/", REPORT)
    assert response.status_code == 302
    (code,) = codes
    assert code not in _stored_text()
    assert code.lower() not in _stored_text().lower()
    pad = response.cookies[public.CODE_COOKIE]
    assert pad["httponly"] and pad["samesite"] == "Strict"
    assert int(pad["max-age"]) == public.CODE_SHOWN_FOR

    # Loading it shows the code once and drops both the sealed code and its pad.
    shown = client.get("/report/en/sent/")
    assert _page(shown).select_one("#follow-up-code").get_text().replace(" ", "") == code
    assert shown.cookies[public.CODE_COOKIE]["max-age"] == 0
    (session,) = Session.objects.all()
    assert set(session.get_decoded()[public.SESSION_KEY]) == {"reference", "seq"}


def test_the_session_alone_cannot_show_the_code(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _capture_codes(monkeypatch)
    client.post("/report/en/", REPORT)
    # Someone holding the session cookie but not the pad (or after the pad expired) sees no code.
    stolen = Client()
    stolen.cookies["sessionid"] = client.cookies["sessionid"].value
    html = _page(stolen.get("/report/en/sent/"))
    assert html.select_one("#reference") is not None
    assert html.select_one("#follow-up-code") is None
    # Nor can the visitor then: the sealed code was dropped when the page was shown.
    assert _page(client.get("/report/en/sent/")).select_one("#follow-up-code") is None


def test_codes_left_in_sessions_from_before_are_scrubbed() -> None:
    import importlib

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore

    scrub = importlib.import_module(
        "tocsin.server.web.migrations.0002_scrub_plain_follow_up_codes"
    ).scrub
    old = SessionStore()
    old[public.SESSION_KEY] = {"reference": "TOC-AAAA-BBBB", "seq": 3, "code": "ABCD2345EFGH6789"}
    old.save()
    other = SessionStore()
    other["something"] = "else"
    other.save()
    scrub(apps, None)
    kept = SessionStore(session_key=old.session_key).load()
    assert kept[public.SESSION_KEY] == {"reference": "TOC-AAAA-BBBB", "seq": 3}
    assert "ABCD2345EFGH6789" not in _stored_text()
    assert SessionStore(session_key=other.session_key).load() == {"something": "else"}


def test_counts_whose_window_is_over_are_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_ratelimit, "_PRUNE_ONE_IN", 1)
    RateCount.objects.create(bucket="public-report:old:0", count=4, expires_at=1)
    assert _ratelimit.count("public-report:new:1", int(time.time()) + 60) == 1
    assert list(RateCount.objects.values_list("bucket", flat=True)) == ["public-report:new:1"]
