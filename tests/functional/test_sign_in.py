"""Strong sign-in (issue 14 §1): lockout by account and by client recorded on the ledger, a
second factor required for every role, session expiry, re-authentication before signing off,
password rules and the settings for running behind a TLS-terminating proxy."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import ACTOR, make_agency, make_partnership, make_team, make_user
from tocsin.domain.directory import ROLES
from tocsin.server.actors import ActionRefused
from tocsin.server.directory.actions import do_set_password
from tocsin.server.ledger.models import LedgerLeaf, LedgerPayload
from tocsin.server.signin.middleware import LAST_SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 1"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def sign_in_events() -> list[tuple[str, str, dict[str, Any]]]:
    """Every sign-in event on the ledger: kind, actor and payload, in order."""
    leaves = LedgerLeaf.objects.filter(kind__startswith="sign_in.").order_by("seq")
    bodies = dict(
        LedgerPayload.objects.filter(seq__in=[leaf.seq for leaf in leaves]).values_list(
            "seq", "body"
        )
    )
    return [
        (
            leaf.kind,
            json.loads(bytes(leaf.data))["actor"],
            json.loads(bytes(bodies[leaf.seq])),
        )
        for leaf in leaves
    ]


def attempt(client: Client, username: str, password: str, address: str = "192.0.2.10") -> Any:
    return client.post(
        "/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client: Client) -> bool:
    return "Signed in as" in BeautifulSoup(client.get("/?about").content, "html.parser").get_text()


# --- Lockout -------------------------------------------------------------------------------


def test_wrong_passwords_then_the_right_one_is_refused_and_the_lockout_recorded(
    settings: Any,
) -> None:
    partnership = make_partnership()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page = attempt(client, "admin", "not the password at all")
        assert page.status_code == 200
        assert BeautifulSoup(page.content, "html.parser").select_one(".govuk-error-summary")
    locked = attempt(client, "admin", "not the password either")
    assert locked.status_code == 429
    assert BeautifulSoup(locked.content, "html.parser").select_one("#locked-out")
    right = attempt(client, "admin", PASSWORD)
    assert right.status_code == 429
    assert not signed_in(client)
    events = sign_in_events()
    kinds = [kind for kind, _, _ in events]
    failures = settings.AXES_FAILURE_LIMIT - 1
    assert kinds == ["sign_in.failed"] * failures + ["sign_in.locked_out"] * 2
    user_id = str(partnership.admin.pk)
    assert all(payload["user_id"] == user_id for _, _, payload in events)
    # While the lockout lasts, a flood adds one event a minute, not one an attempt.
    for _ in range(20):
        assert attempt(client, "admin", PASSWORD).status_code == 429
    assert len(sign_in_events()) == len(events)
    assert all(actor == "system:sign-in" for _, actor, _ in events)
    assert [payload["failures"] for _, _, payload in events[:failures]] == list(
        range(1, failures + 1)
    )
    # What was typed, and the client's address, are not kept.
    text = json.dumps([payload for _, _, payload in events])
    assert "not the password" not in text and PASSWORD not in text and "192.0.2.10" not in text
    assert events[0][2]["client"].startswith("fd")


def test_the_account_stays_locked_from_other_devices(settings: Any) -> None:
    make_partnership()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "admin", f"guess number {n}", address=f"198.51.100.{n + 1}")
    fresh = Client()
    assert attempt(fresh, "admin", PASSWORD, address="203.0.113.7").status_code == 429
    assert not signed_in(fresh)


def test_a_guessing_client_is_locked_out_whatever_the_username(settings: Any) -> None:
    make_partnership()
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"nobody{n}", "some password here")
    assert attempt(client, "admin", PASSWORD).status_code == 429
    assert not signed_in(client)
    kinds = [kind for kind, _, payload in sign_in_events() if payload["user_id"] is None]
    assert kinds[-1] == "sign_in.locked_out"
    # The same account from another client is not locked.
    other = Client()
    assert attempt(other, "admin", PASSWORD, address="203.0.113.9").status_code == 302
    assert signed_in(other)


def test_behind_a_proxy_the_forwarded_client_is_the_one_counted(settings: Any) -> None:
    settings.TOCSIN_TRUSTED_PROXIES = ("10.0.0.2",)
    make_partnership()
    proxy = "10.0.0.2"
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/sign-in/",
            {"username": f"nobody{n}", "password": "some password here"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="192.0.2.50",
        )
    # The guessing client is locked out, whatever it puts in front of the proxy's entry.
    spoofed = Client().post(
        "/sign-in/",
        {"username": "admin", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.99, 192.0.2.50",
    )
    assert spoofed.status_code == 429
    # Another person behind the same proxy still signs in.
    other = Client()
    response = other.post(
        "/sign-in/",
        {"username": "admin", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="192.0.2.51",
    )
    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_count_and_records_nothing() -> None:
    make_partnership()
    client = Client()
    attempt(client, "admin", "not the password at all")
    before = len(sign_in_events())
    assert attempt(client, "admin", PASSWORD).status_code == 302
    assert len(sign_in_events()) == before == 1


# --- A second factor for every role ---------------------------------------------------------


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_must_set_up_a_second_factor_before_any_page(role: str, settings: Any) -> None:
    settings.TOCSIN_MFA_REQUIRED = True
    council = make_agency("Northgate Council", "council")
    team = make_team(council, "Exploitation team")
    make_user(council, role=role, team=team, username="person", password=PASSWORD)
    client = Client()
    assert attempt(client, "person", PASSWORD).status_code == 302
    for path in ("/", "/?about", "/concerns/new/", "/concerns/mine/", "/work/", "/challenges/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/", path
    api = client.get("/api/v1/concerns/")
    assert api.status_code == 403
    assert api.json()["errors"][0]["field"] == ""
    assert "second factor" in api.json()["errors"][0]["message"]
    # Setting it up lets them in; recovery codes are shown.
    page = BeautifulSoup(client.get("/accounts/2fa/totp/activate/").content, "html.parser")
    assert page.select_one("#set-up-mfa") is not None
    secret = page.select_one("#totp-secret").get_text(strip=True)
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and b"govuk-error-summary" in wrong.content
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    codes_page = BeautifulSoup(client.get(done["Location"]).content, "html.parser")
    codes = [li.get_text(strip=True) for li in codes_page.select("#recovery-codes li")]
    assert len(codes) >= 8
    assert client.get("/?about").status_code == 200
    assert signed_in(client)
    # Next time, the password alone is not enough: a code is asked for.
    client.post("/sign-out/")
    again = Client()
    second = attempt(again, "person", PASSWORD)
    assert second["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(again)
    assert again.get("/concerns/new/")["Location"].startswith("/sign-in/")
    page = BeautifulSoup(again.get(second["Location"]).content, "html.parser")
    assert page.select_one("#id_code") is not None
    assert again.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert again.get("/?about").status_code == 200
    assert signed_in(again)


def test_mfa_secrets_are_not_stored_in_the_clear(settings: Any) -> None:
    from allauth.mfa.models import Authenticator

    settings.TOCSIN_MFA_REQUIRED = True
    make_partnership()
    client = Client()
    attempt(client, "admin", PASSWORD)
    page = BeautifulSoup(client.get("/accounts/2fa/totp/activate/").content, "html.parser")
    secret = page.select_one("#totp-secret").get_text(strip=True)
    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    stored = json.dumps(list(Authenticator.objects.values_list("data", flat=True)))
    assert Authenticator.objects.filter(type="totp").exists()
    assert secret not in stored


def test_an_administrator_can_remove_a_lost_second_factor(settings: Any) -> None:
    from allauth.mfa.models import Authenticator
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.TOCSIN_MFA_REQUIRED = True
    partnership = make_partnership()
    client = Client()
    attempt(client, "admin", PASSWORD)
    page = BeautifulSoup(client.get("/accounts/2fa/totp/activate/").content, "html.parser")
    secret = page.select_one("#totp-secret").get_text(strip=True)
    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user_id=partnership.admin.pk).exists()
    call_command("unlock", "admin", "--second-factor", "--reason", "phone lost; codes at home")
    assert not Authenticator.objects.filter(user_id=partnership.admin.pk).exists()
    kind, actor, payload = sign_in_events()[-1]
    assert (kind, actor, payload["user_id"]) == (
        "sign_in.second_factor_removed",
        "system:cli",
        str(partnership.admin.pk),
    )
    with pytest.raises(CommandError, match="no second factor"):
        call_command("unlock", "admin", "--second-factor", "--reason", "again")
    # The next sign-in is sent to set up a new one.
    fresh = Client()
    assert attempt(fresh, "admin", PASSWORD)["Location"] == "/"
    assert fresh.get("/?about")["Location"] == "/accounts/2fa/totp/activate/"


# --- Session expiry --------------------------------------------------------------------------


def _age_session(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = float(session[key]) - seconds
    session.save()


@pytest.mark.parametrize(
    ("key", "seconds", "expired"),
    [(LAST_SEEN_AT, 31 * 60, "idle"), (SIGNED_IN_AT, 10 * 3600 + 1, "limit")],
)
def test_an_idle_or_old_session_is_signed_out(key: str, seconds: int, expired: str) -> None:
    make_partnership()
    client = Client()
    attempt(client, "admin", PASSWORD)
    assert signed_in(client)
    _age_session(client, key, seconds)
    response = client.get("/concerns/new/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/sign-in/?expired={expired}")
    page = BeautifulSoup(client.get(response["Location"]).content, "html.parser")
    assert page.select_one("#session-expired") is not None
    assert not signed_in(client)
    again = client.post(
        response["Location"], {"username": "admin", "password": PASSWORD, "next": "/?about"}
    )
    assert again["Location"] == "/?about"


def test_an_active_session_is_not_signed_out() -> None:
    make_partnership()
    client = Client()
    attempt(client, "admin", PASSWORD)
    _age_session(client, LAST_SEEN_AT, 29 * 60)
    assert client.get("/?about").status_code == 200
    assert time.time() - client.session[LAST_SEEN_AT] < 60


# --- Re-authentication before sensitive actions ---------------------------------------------


def test_signing_off_asks_for_the_password_again_after_five_minutes(settings: Any) -> None:
    settings.TOCSIN_REAUTHENTICATE = True
    make_partnership()
    client = Client()
    attempt(client, "admin", PASSWORD)
    path = "/decisions/7c82ba73-9ed1-4fd4-83f3-2ba6f6c7c033/"
    # Just signed in: the view itself answers (this decision does not exist).
    assert client.get(path).status_code == 404
    session = client.session
    session["account_authentication_methods"] = [
        {**record, "at": record["at"] - 301} for record in session["account_authentication_methods"]
    ]
    session.save()
    asked = client.get(path)
    assert asked.status_code == 302
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    page = BeautifulSoup(client.get(asked["Location"]).content, "html.parser")
    assert page.select_one("#reauthenticate") is not None
    wrong = client.post(asked["Location"], {"password": "not the password"})
    assert wrong.status_code == 200
    confirmed = client.post(asked["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert client.get(path).status_code == 404


# --- Passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "abababababab",
        "123412341234",
        "short pw 1",
        "Test Person 99 x",
        "password1234",
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    council = make_agency("Northgate Council", "council")
    user = make_user(council, username="testperson99", name="Test Person 99 x")
    with pytest.raises(ActionRefused):
        do_set_password(user, password, actor=ACTOR)


def test_a_password_like_the_username_is_refused() -> None:
    council = make_agency("Northgate Council", "council")
    user = make_user(council, username="amara.okafor.home")
    with pytest.raises(ActionRefused, match="too similar"):
        do_set_password(user, "amara.okafor.home1", actor=ACTOR)


def test_new_passwords_are_hashed_with_argon2(settings: Any) -> None:
    from django.contrib.auth.hashers import make_password

    from tocsin.server import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    assert make_password("a long enough password 1").startswith("argon2$argon2id$")


# --- Behind a TLS-terminating proxy ----------------------------------------------------------


def test_cookies_are_secure_and_hsts_is_sent_by_default() -> None:
    from tocsin.config import load_config
    from tocsin.server import settings as production

    assert load_config({}).https is True
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.CSRF_TRUSTED_ORIGINS == ["http://127.0.0.1:8000"]
    make_partnership()
    client = Client()
    response = client.get("/sign-in/", HTTP_X_FORWARDED_PROTO="https")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    signed = client.post(
        "/sign-in/", {"username": "admin", "password": PASSWORD}, HTTP_X_FORWARDED_PROTO="https"
    )
    assert signed.cookies["sessionid"]["secure"]
    assert signed.cookies["sessionid"]["httponly"]


def test_https_can_be_turned_off_for_the_loopback() -> None:
    from tocsin.config import load_config

    assert load_config({"TOCSIN_HTTPS": "false"}).https is False


# --- Pages allauth would offer that Tocsin does not ------------------------------------------


@pytest.mark.parametrize(
    "path", ["/accounts/signup/", "/accounts/password/reset/", "/accounts/email/"]
)
def test_accounts_and_passwords_are_not_made_outside_the_ledger(path: str) -> None:
    client = Client()
    response = client.get(path)
    assert response.status_code == 404
    assert b"administrator" in response.content
    assert client.post(path, {"username": "new", "password1": PASSWORD}).status_code == 404


def test_an_administrator_can_lift_a_lockout_with_a_reason(settings: Any) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    make_partnership()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "admin", f"guess number {n}", address=f"198.51.100.{n + 1}")
    assert attempt(Client(), "admin", PASSWORD, address="203.0.113.7").status_code == 429
    with pytest.raises(CommandError):
        call_command("unlock", "admin", "--reason", " ")
    call_command("unlock", "admin", "--reason", "she called the service desk")
    client = Client()
    assert attempt(client, "admin", PASSWORD, address="203.0.113.7").status_code == 302
    kind, actor, payload = sign_in_events()[-1]
    assert (kind, actor, payload["reason"]) == (
        "sign_in.unlocked",
        "system:cli",
        "she called the service desk",
    )


@pytest.mark.parametrize(("required", "says"), [(True, "The first time"), (False, "A real Tocsin")])
def test_the_sign_in_page_says_how_the_second_factor_works(
    required: bool, says: str, settings: Any
) -> None:
    settings.TOCSIN_MFA_REQUIRED = required
    page = BeautifulSoup(Client().get("/sign-in/").content, "html.parser")
    assert says in page.select_one("#mfa-note").get_text()


def test_the_ledger_with_sign_in_events_verifies(
    settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    from tocsin.cli import main

    make_partnership()
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt(Client(), "admin", f"guess number {n}")
    call_command("unlock", "--all", "--reason", "a test of replay")
    assert {kind for kind, _, _ in sign_in_events()} == {
        "sign_in.failed",
        "sign_in.locked_out",
        "sign_in.unlocked",
    }
    capsys.readouterr()
    # Last: on PostgreSQL, verify reads in a snapshot of its own and closes the connection.
    assert main(["verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_a_closed_account_is_refused_like_a_wrong_password() -> None:
    from tocsin.server.directory.actions import do_deactivate_user

    partnership = make_partnership()
    do_deactivate_user(partnership.admin, "left the council", actor=ACTOR)
    refused = attempt(Client(), "admin", PASSWORD)
    assert refused.status_code == 200
    assert BeautifulSoup(refused.content, "html.parser").select_one(".govuk-error-summary")
    assert [kind for kind, _, _ in sign_in_events()] == ["sign_in.failed"]


def test_an_expired_session_on_the_api_is_told_in_the_api_error_shape() -> None:
    make_partnership()
    client = Client()
    attempt(client, "admin", PASSWORD)
    _age_session(client, LAST_SEEN_AT, 31 * 60)
    response = client.get("/api/v1/concerns/")
    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"field": "", "message": "Your session has ended; sign in again."}]
    }
