"""The account pages and API tokens, end to end: an administrator manages only their own
agency's accounts; closing an account ends its sessions and tokens; a role change is refused
when it changes nothing; a token is shown once, signs its holder in to the API as
``Authorization: Bearer``, is limited by its scope, and stops working when revoked or
expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import ACTOR, Partnership, make_draft, make_partnership, make_user
from tocsin.domain.directory import token_digest
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import RecordView
from tocsin.server.directory.actions import do_deactivate_user
from tocsin.server.directory.models import ApiToken, User
from tocsin.server.directory.tokens import do_issue_api_token
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 1"
BODY = {
    "children": [{"given_name": "Nia", "family_name": "Token"}],
    "narrative": "Seen with adults.",
}


def _page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.content, "html.parser")


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _kinds_since(size: int) -> list[str]:
    return list(
        LedgerLeaf.objects.filter(seq__gte=size).order_by("seq").values_list("kind", flat=True)
    )


@pytest.fixture
def p() -> Partnership:
    return make_partnership()


@pytest.mark.parametrize(
    ("name", "path", "kwargs"),
    [
        ("web:accounts", "/accounts/", {}),
        ("web:account", "/accounts/{id}/", {"user_id": "{id}"}),
        ("web:account-close", "/accounts/{id}/close/", {"user_id": "{id}"}),
        ("web:account-reopen", "/accounts/{id}/reopen/", {"user_id": "{id}"}),
        ("web:account-role", "/accounts/{id}/role/", {"user_id": "{id}"}),
        ("web:account-password", "/accounts/{id}/password/", {"user_id": "{id}"}),
        ("web:tokens", "/tokens/", {}),
        ("web:token-revoke", "/tokens/{id}/revoke/", {"token_id": "{id}"}),
    ],
)
def test_routes_exist(name: str, path: str, kwargs: dict[str, str]) -> None:
    ident = "00000000-0000-4000-8000-000000000000"
    filled = {k: v.format(id=ident) for k, v in kwargs.items()}
    assert reverse(name, kwargs=filled) == path.format(id=ident)


def test_an_administrator_sees_their_own_agencys_accounts_and_the_read_is_recorded(
    p: Partnership,
) -> None:
    officer = make_user(p.police, role="police_officer")
    response = _signed_in(p.admin).get("/accounts/")
    assert response.status_code == 200
    names = [a.get_text() for a in _page(response).select("#accounts tbody a")]
    assert sorted(names) == sorted([p.admin.display_name, p.practitioner.display_name])
    shown = set(
        RecordView.objects.filter(viewer=f"user:{p.admin.pk}", purpose="accounts").values_list(
            "subject", flat=True
        )
    )
    assert shown == {f"user:{p.admin.pk}", f"user:{p.practitioner.pk}"}
    # Another agency's account is not there at all; a non-administrator may not ask.
    assert _signed_in(p.admin).get(f"/accounts/{officer.pk}/").status_code == 404
    assert _signed_in(p.practitioner).get("/accounts/").status_code == 403
    assert _signed_in(p.practitioner).get(f"/accounts/{p.admin.pk}/").status_code == 403
    nav = _page(_signed_in(p.admin).get("/tokens/")).select(".govuk-service-navigation__link")
    assert "/accounts/" in [a["href"] for a in nav]


def test_closing_an_account_ends_its_sessions_and_tokens_and_sign_in(p: Partnership) -> None:
    worker = make_user(p.council, team=p.team, password=PASSWORD)
    session = Client()
    assert (
        session.post("/sign-in/", {"username": worker.username, "password": PASSWORD}).status_code
        == 302
    )
    assert session.get("/concerns/mine/").status_code == 200
    token = do_issue_api_token(worker, "Feed", "read", 30, actor=worker).token
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/concerns/").status_code == 200

    admin = _signed_in(p.admin)
    size = reading_ledger().size()
    empty = admin.post(f"/accounts/{worker.pk}/close/", {"reason": "  "})
    assert empty.status_code == 400
    assert _page(empty).select_one("#reason-error") is not None
    assert _kinds_since(size) == ["record.viewed"]  # the page it showed again, nothing else
    size = reading_ledger().size()

    closed = admin.post(f"/accounts/{worker.pk}/close/", {"reason": "Left the council"})
    assert closed.status_code == 302
    assert _kinds_since(size) == ["user.deactivated", "api_token.revoked"]
    assert "no longer work" in _page(admin.get(closed["Location"])).select_one("#done").get_text()

    assert session.get("/concerns/mine/").status_code == 302  # signed out: to the sign-in page
    assert api.get("/api/v1/concerns/").status_code == 403
    again = Client().post("/sign-in/", {"username": worker.username, "password": PASSWORD})
    assert again.status_code == 200  # the sign-in form again, refused

    reopened = admin.post(f"/accounts/{worker.pk}/reopen/", {"reason": "Came back"})
    assert reopened.status_code == 302
    assert User.objects.get(pk=worker.pk).is_active
    assert api.get("/api/v1/concerns/").status_code == 403  # its tokens stay revoked
    assert (
        Client().post("/sign-in/", {"username": worker.username, "password": PASSWORD}).status_code
        == 302
    )


def test_an_administrator_cannot_close_or_change_their_own_account(p: Partnership) -> None:
    admin = _signed_in(p.admin)
    page = _page(admin.get(f"/accounts/{p.admin.pk}/"))
    assert page.select_one("#own-account") is not None
    assert page.select_one("#close-form") is None
    size = reading_ledger().size()
    assert admin.post(f"/accounts/{p.admin.pk}/close/", {"reason": "x"}).status_code == 403
    assert admin.post(f"/accounts/{p.admin.pk}/role/", {"role": "analyst"}).status_code == 403
    assert reading_ledger().size() == size


def test_another_agencys_administrator_can_do_nothing_to_an_account(p: Partnership) -> None:
    police_admin = make_user(p.police, role="administrator")
    client = _signed_in(police_admin)
    size = reading_ledger().size()
    target = p.practitioner.pk
    assert client.post(f"/accounts/{target}/close/", {"reason": "x"}).status_code == 404
    assert client.post(f"/accounts/{target}/password/").status_code == 404
    assert client.post(f"/accounts/{target}/role/", {"role": "analyst"}).status_code == 404
    assert reading_ledger().size() == size


def test_a_role_change_is_refused_when_it_changes_nothing(p: Partnership) -> None:
    # Confirming who the administrator is comes first (tests/functional/test_reauthentication.py);
    # the form has no password of its own.
    admin = _signed_in(p.admin)
    url = f"/accounts/{p.practitioner.pk}/role/"
    form = _page(admin.get(f"/accounts/{p.practitioner.pk}/")).select_one("#role-form")
    assert form is not None
    assert form.select_one("input[type=password]") is None
    size = reading_ledger().size()
    same = admin.post(url, {"role": "practitioner"})
    assert same.status_code == 400
    assert "already has that role" in _page(same).select_one("#role-error").get_text()
    assert set(_kinds_since(size)) <= {"record.viewed"}

    right = admin.post(url, {"role": "team_manager"})
    assert right.status_code == 302
    assert User.objects.get(pk=p.practitioner.pk).role == "team_manager"
    assert "user.role_changed" in _kinds_since(size)


def test_a_reset_password_is_shown_once_and_ends_the_persons_sessions(p: Partnership) -> None:
    worker = make_user(p.council, team=p.team, password=PASSWORD)
    session = Client()
    session.post("/sign-in/", {"username": worker.username, "password": PASSWORD})
    assert session.get("/concerns/mine/").status_code == 200

    response = _signed_in(p.admin).post(f"/accounts/{worker.pk}/password/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = _page(response).select_one("#new-password").get_text(strip=True)
    assert session.get("/concerns/mine/").status_code == 302
    fresh = Client()
    assert (
        fresh.post("/sign-in/", {"username": worker.username, "password": PASSWORD}).status_code
        == 200
    )
    assert (
        fresh.post("/sign-in/", {"username": worker.username, "password": password}).status_code
        == 302
    )


def test_issuing_a_token_shows_it_once_and_keeps_only_its_digest(p: Partnership) -> None:
    client = _signed_in(p.practitioner)
    bad = client.post("/tokens/", {"name": "", "scope": "admin", "days": "0"})
    assert bad.status_code == 400
    page = _page(bad)
    for field in ("name", "scope", "days"):
        assert page.select_one(f"#{field}-error") is not None, field
    # Days in the digits 0-9 only: "²" (which int() refuses), "٣٠" (which it reads as 30).
    for days in ("²", "٣٠", "9" * 40):
        odd = client.post("/tokens/", {"name": "School feed", "scope": "read", "days": days})
        assert odd.status_code == 400 and _page(odd).select_one("#days-error"), days

    issued = client.post("/tokens/", {"name": "School feed", "scope": "write", "days": "30"})
    assert issued.status_code == 200
    assert issued["Cache-Control"] == "no-store"
    token = _page(issued).select_one("#token")["value"]
    row = ApiToken.objects.get(user=p.practitioner)
    assert row.digest == token_digest(token)
    assert token not in str(list(ApiToken.objects.values()))
    listing = client.get("/tokens/")
    assert token not in listing.content.decode()
    assert row.hint in listing.content.decode()

    # The token signs the practitioner in to the API, writes without CSRF, and is recorded
    # as them.
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post("/api/v1/concerns/", BODY, format="json").status_code == 201
    assert api.get("/api/v1/concerns/").status_code == 200
    assert RecordView.objects.filter(viewer=f"user:{p.practitioner.pk}").exists()

    revoked = client.post(f"/tokens/{row.pk}/revoke/")
    assert revoked.status_code == 302
    assert api.get("/api/v1/concerns/").status_code == 403


def test_a_read_token_only_reads(p: Partnership) -> None:
    token = do_issue_api_token(p.practitioner, "Dashboard", "read", 7, actor=ACTOR).token
    do_record_concern(make_draft(), actor=p.practitioner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/concerns/").json()["count"] == 1
    size = reading_ledger().size()
    refused = api.post("/api/v1/concerns/", BODY, format="json")
    assert refused.status_code == 403
    assert "only read" in refused.content.decode()
    assert reading_ledger().size() == size


@pytest.mark.parametrize(
    "header",
    ["Bearer tocsin_wrong", "Bearer", "Bearer a b", "Bearer not-ours", "Token tocsin_x"],
)
def test_a_wrong_token_signs_nobody_in(p: Partnership, header: str) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    assert api.get("/api/v1/concerns/").status_code == 403


def test_an_expired_token_signs_nobody_in(p: Partnership) -> None:
    long_ago = timezone.now() - timedelta(days=31)
    token = do_issue_api_token(p.practitioner, "Old", "read", 30, actor=ACTOR, now=long_ago).token
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/concerns/").status_code == 403
    page = _page(_signed_in(p.practitioner).get("/tokens/"))
    assert "Expired" in page.select_one("#tokens").get_text()


def test_tokens_are_revoked_by_their_holder_or_their_agencys_administrator(
    p: Partnership,
) -> None:
    officer = make_user(p.police, role="police_officer")
    police_admin = make_user(p.police, role="administrator")
    mine = do_issue_api_token(p.practitioner, "Feed", "read", 7, actor=ACTOR).row
    size = reading_ledger().size()
    assert _signed_in(officer).post(f"/tokens/{mine.pk}/revoke/").status_code == 404
    assert _signed_in(police_admin).post(f"/tokens/{mine.pk}/revoke/").status_code == 404
    assert reading_ledger().size() == size
    by_admin = _signed_in(p.admin).post(f"/tokens/{mine.pk}/revoke/")
    assert by_admin.status_code == 302
    assert by_admin["Location"] == f"/accounts/{p.practitioner.pk}/?done=token-revoked"
    assert ApiToken.objects.get(pk=mine.pk).revoked_seq is not None
    assert _signed_in(p.admin).post(f"/tokens/{mine.pk}/revoke/").status_code == 403


def test_a_person_issues_only_their_own_tokens(p: Partnership) -> None:
    from tocsin.server.actors import ActionRefused

    with pytest.raises(ActionRefused, match="own API tokens"):
        do_issue_api_token(p.practitioner, "x", "read", 7, actor=p.admin)
    do_deactivate_user(p.practitioner, "left", actor=ACTOR)
    closed = User.objects.get(pk=p.practitioner.pk)
    with pytest.raises(ActionRefused, match="closed"):
        do_issue_api_token(closed, "x", "read", 7, actor=closed)
