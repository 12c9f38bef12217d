"""Re-authentication before sensitive actions (issue 14 §1), web and API alike: signing off
through the API with a session that last proved who it is over five minutes ago is refused and
writes nothing, a recent one (or one that confirmed it is them) signs off, and an API token is
held to its scope instead; the account pages and issuing a token send such a session to
"Confirm it is you" and, once it has, carry on with the form it sent."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import Partnership, make_draft, make_partnership, make_user
from tocsin.server.casework.actions import do_decide
from tocsin.server.casework.models import Case
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import RecordView
from tocsin.server.directory.models import ApiToken, User
from tocsin.server.directory.tokens import do_issue_api_token
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 1"
PROOFS = "account_authentication_methods"  # where allauth lists each proof in the session


@pytest.fixture(autouse=True)
def _reauthenticate(settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()  # axes counts wrong passwords in the cache
    settings.TOCSIN_REAUTHENTICATE = True


@pytest.fixture
def p() -> Partnership:
    return make_partnership()


def _signed_in(username: str, password: str = PASSWORD) -> Client:
    """A browser that has just signed in with a password (a proof on record, unlike
    ``force_login``)."""
    client = Client()
    answer = client.post("/sign-in/", {"username": username, "password": password})
    assert answer.status_code == 302, "signed in"
    return client


def _age_proofs(client: Client, seconds: float = 301) -> None:
    """Move every proof of who the person is ``seconds`` into the past."""
    session = client.session
    session[PROOFS] = [{**proof, "at": proof["at"] - seconds} for proof in session[PROOFS]]
    session.save()


def _kinds_since(size: int) -> list[str]:
    return list(
        LedgerLeaf.objects.filter(seq__gte=size).order_by("seq").values_list("kind", flat=True)
    )


def _confirm(client: Client, asked: Any) -> Any:
    """Follow a 302 to "Confirm it is you" and give the password there."""
    assert asked.status_code == 302
    assert asked["Location"].startswith("/accounts/reauthenticate/?next=")
    return client.post(asked["Location"], {"password": PASSWORD})


# --- The API's sign-off ----------------------------------------------------------------------


@pytest.fixture
def proposal(p: Partnership) -> str:
    """A no-further-action proposal by the practitioner, for their team manager to sign off."""
    make_user(p.council, role="team_manager", team=p.team, username="manager", password=PASSWORD)
    concern = do_record_concern(make_draft(), actor=p.practitioner).concern
    outcome = do_decide(
        concern.pk, "no_further_action", "Seen at home with a parent; no concerns now",
        actor=p.practitioner,
    )  # fmt: skip
    assert outcome.awaiting_sign_off
    return str(outcome.decision_id)


def _sign_off(client: Client, decision: str) -> Any:
    url = f"/api/v1/decisions/{decision}/sign-off/"
    return client.post(url, {"approve": True}, content_type="application/json")


def _status(decision: str) -> str:
    return str(Case.objects.get(concern__decisions__pk=decision).status)


def test_an_api_sign_off_by_a_session_not_recently_proved_is_refused(proposal: str) -> None:
    client = _signed_in("manager")
    _age_proofs(client)
    size = reading_ledger().size()
    refused = _sign_off(client, proposal)
    assert refused.status_code == 403
    [problem] = refused.json()["errors"]
    assert problem["field"] == ""
    assert problem["message"].startswith("Confirm who you are first")
    assert "Sign in again" in problem["message"]
    assert reading_ledger().size() == size, "nothing written, not even a read"
    assert _status(proposal) == "awaiting_sign_off"


def test_an_api_sign_off_by_a_session_just_signed_in_is_done(proposal: str) -> None:
    client = _signed_in("manager")
    signed = _sign_off(client, proposal)
    assert signed.status_code == 200, signed.content
    assert _status(proposal) == "closed"


def test_an_api_sign_off_after_confirming_it_is_you_is_done(proposal: str) -> None:
    client = _signed_in("manager")
    _age_proofs(client)
    assert _sign_off(client, proposal).status_code == 403
    confirmed = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert _sign_off(client, proposal).status_code == 200
    assert _status(proposal) == "closed"


def test_a_session_signed_in_without_a_proof_is_refused(proposal: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="manager"))  # no proof on record at all
    assert _sign_off(client, proposal).status_code == 403
    assert _status(proposal) == "awaiting_sign_off"


@pytest.mark.parametrize(("scope", "answer"), [("write", 200), ("read", 403)])
def test_an_api_token_signs_off_as_its_scope_says(proposal: str, scope: str, answer: int) -> None:
    manager = User.objects.get(username="manager")
    token = do_issue_api_token(manager, "Sign-off tool", scope, 7, actor=manager).token
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    result = api.post(f"/api/v1/decisions/{proposal}/sign-off/", {"approve": True}, format="json")
    assert result.status_code == answer, result.content
    if answer == 403:
        assert "only read" in result.json()["errors"][0]["message"]
        assert _status(proposal) == "awaiting_sign_off"
    else:
        assert _status(proposal) == "closed"


def test_the_check_can_be_turned_off_for_tests(proposal: str, settings: Any) -> None:
    settings.TOCSIN_REAUTHENTICATE = False
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    assert _sign_off(client, proposal).status_code == 200


# --- The account pages and issuing a token ---------------------------------------------------


@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("role", {"role": "team_manager"}),
        ("password", {}),
        ("close", {"reason": "Left the council"}),
    ],
)
def test_an_account_action_asks_to_confirm_it_is_you_then_carries_on(
    p: Partnership, action: str, form: dict[str, str]
) -> None:
    path = f"/accounts/{p.practitioner.pk}/{action}/"
    client = _signed_in("admin")
    _age_proofs(client)
    size = reading_ledger().size()
    asked = client.post(path, form)
    assert asked.status_code == 302
    assert asked["Location"] == f"/accounts/reauthenticate/?next={path.replace('/', '%2F')}"
    assert reading_ledger().size() == size, "nothing done yet"

    wrong = client.post(asked["Location"], {"password": "not the password"})
    assert wrong.status_code == 200  # "Confirm it is you" again, with the error
    assert _kinds_since(size) == ["sign_in.failed"]  # counted and recorded as at sign-in

    done = _confirm(client, asked)  # the form sent before is carried on with
    person = User.objects.get(pk=p.practitioner.pk)
    if action == "password":
        assert done.status_code == 200
        assert done["Cache-Control"] == "no-store"
        assert b"new-password" in done.content
        # The page it showed is read for its own purpose, not the confirmation's.
        assert RecordView.objects.filter(
            viewer=f"user:{p.admin.pk}", purpose="reset password", subject=f"user:{person.pk}"
        ).exists()
    else:
        assert done.status_code == 302
        assert done["Location"].startswith(f"/accounts/{person.pk}/?done=")
        assert (person.role, person.is_active) == (
            ("team_manager", True) if action == "role" else ("practitioner", False)
        )


def test_wrong_passwords_when_confirming_lock_out_as_at_sign_in(
    p: Partnership, settings: Any
) -> None:
    client = _signed_in("admin")
    _age_proofs(client)
    asked = client.post(f"/accounts/{p.practitioner.pk}/role/", {"role": "team_manager"})
    size = reading_ledger().size()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(asked["Location"], {"password": "not it"}).status_code == 200
    assert client.post(asked["Location"], {"password": "not it"}).status_code == 429
    assert client.post(asked["Location"], {"password": PASSWORD}).status_code == 429
    assert User.objects.get(pk=p.practitioner.pk).role == "practitioner"
    assert "sign_in.locked_out" in _kinds_since(size)


def test_reopening_an_account_asks_to_confirm_it_is_you(p: Partnership) -> None:
    client = _signed_in("admin")
    client.post(f"/accounts/{p.practitioner.pk}/close/", {"reason": "Left the council"})
    _age_proofs(client)
    path = f"/accounts/{p.practitioner.pk}/reopen/"
    asked = client.post(path, {"reason": "Came back"})
    assert not User.objects.get(pk=p.practitioner.pk).is_active
    assert _confirm(client, asked).status_code == 302
    assert User.objects.get(pk=p.practitioner.pk).is_active


def test_an_account_action_just_after_signing_in_is_not_asked(p: Partnership) -> None:
    client = _signed_in("admin")
    changed = client.post(f"/accounts/{p.practitioner.pk}/role/", {"role": "team_manager"})
    assert changed.status_code == 302
    assert changed["Location"].startswith(f"/accounts/{p.practitioner.pk}/")
    assert User.objects.get(pk=p.practitioner.pk).role == "team_manager"


def test_the_account_page_itself_is_not_asked(p: Partnership) -> None:
    client = _signed_in("admin")
    _age_proofs(client)
    assert client.get(f"/accounts/{p.practitioner.pk}/").status_code == 200
    assert client.get("/accounts/").status_code == 200


def test_issuing_a_token_asks_to_confirm_it_is_you_but_the_list_does_not(
    p: Partnership,
) -> None:
    client = _signed_in("admin")
    _age_proofs(client)
    assert client.get("/tokens/").status_code == 200
    asked = client.post("/tokens/", {"name": "Dashboard", "scope": "write", "days": "30"})
    assert not ApiToken.objects.filter(user=p.admin).exists()
    issued = _confirm(client, asked)
    assert issued.status_code == 200
    assert ApiToken.objects.get(user=p.admin).name == "Dashboard"


def test_revoking_a_token_is_not_asked(p: Partnership) -> None:
    token = do_issue_api_token(p.admin, "Old feed", "read", 7, actor=p.admin).row
    client = _signed_in("admin")
    _age_proofs(client)
    assert client.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_seq is not None
