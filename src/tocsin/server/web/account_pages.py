"""Accounts and API tokens.

An agency's administrator manages its people's accounts: closes and reopens them, resets a
password (a generated one, shown once to pass on), changes a role. Anyone else's account
answers 404, as if it did not exist. Every person issues and revokes their own API tokens; a
token is shown once, when it is issued.

Each of these writes but revoking a token is a sensitive action: someone who last proved who
they are more than five minutes ago is asked to again ("Confirm it is you": their password,
or a code from their authenticator app; axes counts wrong passwords), and the form they sent
then carries on (:func:`reauthentication_required`). A session left open is not enough to
change what someone may see, or to mint a token that would act without the session.

Writes go through the directory actions, whose refusals map as on every page (``Invalid`` to
the form's errors, ``NotVisible`` to 404, any other refusal to 403). The accounts a page shows
are listed in the request's ``record.viewed``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tocsin.domain.bounds import whole_number
from tocsin.domain.directory import MAX_TOKEN_DAYS, ROLES, TOKEN_SCOPES, new_password
from tocsin.ledger import format_event_time
from tocsin.server.directory.actions import (
    access_account,
    do_change_role,
    do_deactivate_user,
    do_reactivate_user,
    do_set_password,
    manageable_accounts,
)
from tocsin.server.directory.models import User
from tocsin.server.directory.tokens import (
    DEFAULT_TOKEN_DAYS,
    access_token,
    do_issue_api_token,
    do_revoke_api_token,
    tokens_of,
)
from tocsin.server.reads import current_scope, shows
from tocsin.server.signin.reauth import reauthentication_required
from tocsin.server.web._presenting import attempt, signed_in_user

__all__ = [
    "account",
    "accounts",
    "change_role",
    "close_account",
    "reopen_account",
    "reset_password",
    "revoke_token",
    "tokens",
]

_DONE = {
    "closed": "The account is closed. Its sessions and API tokens no longer work.",
    "reopened": "The account is open again. Its old API tokens stay revoked.",
    "role": "The role is changed. It applies from the person's next page.",
    "token-revoked": "The API token is revoked.",
}


def _shown(people: Iterable[User]) -> None:
    """List the accounts a page shows in its ``record.viewed``: who looked at whose account
    is on the ledger, as it is for a concern."""
    scope = current_scope()
    if scope is not None:
        scope.add(f"user:{person.pk}" for person in people)


def _no_store(response: HttpResponse) -> HttpResponse:
    """A page that shows a secret once is kept by no cache, the browser's included."""
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@login_required
@shows("accounts")
def accounts(request: HttpRequest) -> HttpResponse:
    """The accounts of the administrator's agency (403 for anyone else)."""
    admin = signed_in_user(request)
    people, _ = attempt(lambda: manageable_accounts(admin))
    _shown(people or [])
    return render(request, "web/accounts.html", {"people": people, "roles": ROLES})


def _account_page(
    request: HttpRequest,
    admin: User,
    person: User,
    *,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
) -> HttpResponse:
    _shown([person])
    errors = errors or []
    return render(
        request,
        "web/account.html",
        {
            "person": person,
            "is_self": person.pk == admin.pk,
            "tokens": tokens_of(person),
            "now_text": format_event_time(timezone.now()),
            "roles": sorted(ROLES.items()),
            "values": {"role": person.role, **(values or {})},
            "errors": errors,
            "error_for": dict(reversed(errors)),
            "done": _DONE.get(request.GET.get("done", ""), ""),
        },
        status=400 if errors else 200,
    )


def _person(request: HttpRequest, user_id: Any) -> tuple[User, User]:
    admin = signed_in_user(request)
    person, _ = attempt(lambda: access_account(admin, str(user_id)))
    if person is None:  # access_account refuses with NotVisible (404) or 403, never Invalid
        raise Http404("there is no such account")
    return admin, person


def _to_account(person: User, done: str) -> HttpResponse:
    return redirect(reverse("web:account", args=[person.pk]) + f"?done={done}")


@require_safe
@login_required
@shows("account")
def account(request: HttpRequest, user_id: Any) -> HttpResponse:
    """One account: who it is, its state, its API tokens, and what the administrator may do."""
    admin, person = _person(request, user_id)
    return _account_page(request, admin, person)


@require_POST
@login_required
@shows("close account")
@reauthentication_required
def close_account(request: HttpRequest, user_id: Any) -> HttpResponse:
    """Close an account, with the reason."""
    return _with_reason(request, user_id, do_deactivate_user, "closed")


@require_POST
@login_required
@shows("reopen account")
@reauthentication_required
def reopen_account(request: HttpRequest, user_id: Any) -> HttpResponse:
    """Open a closed account again, with the reason."""
    return _with_reason(request, user_id, do_reactivate_user, "reopened")


def _with_reason(
    request: HttpRequest, user_id: Any, act: Callable[..., Any], done: str
) -> HttpResponse:
    """Do ``act`` to the account with the reason the form gave; the page again with its
    errors if refused, otherwise back to the account saying ``done``."""
    admin, person = _person(request, user_id)
    reason = request.POST.get("reason", "")
    _, errors = attempt(lambda: act(person, reason, actor=admin))
    if errors:
        return _account_page(request, admin, person, errors=errors, values={"reason": reason})
    return _to_account(person, done)


@require_POST
@login_required
@shows("change role")
@reauthentication_required
def change_role(request: HttpRequest, user_id: Any) -> HttpResponse:
    """Change a role: what decides what a person may see, so the administrator has proved who
    they are within the last five minutes."""
    admin, person = _person(request, user_id)
    role = request.POST.get("role", "")
    _, errors = attempt(lambda: do_change_role(person, role, actor=admin))
    if errors:
        return _account_page(request, admin, person, errors=errors, values={"role": role})
    return _to_account(person, "role")


@require_POST
@login_required
@shows("reset password")
@reauthentication_required
def reset_password(request: HttpRequest, user_id: Any) -> HttpResponse:
    """Give the account a new generated password, shown once for the administrator to pass
    on; the person's sessions end."""
    admin, person = _person(request, user_id)
    password = new_password()
    _, errors = attempt(lambda: do_set_password(person, password, actor=admin))
    if errors:  # the password validators refused even a generated one: say so, show nothing
        return _account_page(request, admin, person, errors=errors)
    _shown([person])
    return _no_store(
        render(request, "web/account_password.html", {"person": person, "password": password})
    )


@require_http_methods(["GET", "POST"])
@login_required
@shows("API tokens")
@reauthentication_required(allow_get=True)
def tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in person's API tokens, and a form to issue one (shown once)."""
    user = signed_in_user(request)
    values = {"name": "", "scope": "read", "days": str(DEFAULT_TOKEN_DAYS)}
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in values}
        days = whole_number(values["days"]) or 0  # 0 days: the action says what to enter
        issued, errors = attempt(
            lambda: do_issue_api_token(user, values["name"], values["scope"], days, actor=user)
        )
        if issued is not None:
            return _no_store(render(request, "web/token_issued.html", {"issued": issued}))
    return render(
        request,
        "web/tokens.html",
        {
            "tokens": tokens_of(user),
            "now_text": format_event_time(timezone.now()),
            "scopes": [(code, code.capitalize(), text) for code, text in TOKEN_SCOPES.items()],
            "max_days": MAX_TOKEN_DAYS,
            "values": values,
            "errors": errors,
            "error_for": dict(reversed(errors)),
            "done": _DONE.get(request.GET.get("done", ""), ""),
        },
        status=400 if errors else 200,
    )


@require_POST
@login_required
@shows("revoke API token")
def revoke_token(request: HttpRequest, token_id: Any) -> HttpResponse:
    """Revoke a token: one's own, or (for an administrator) one of their agency's people's."""
    user = signed_in_user(request)
    token, _ = attempt(lambda: access_token(user, str(token_id)))
    if token is None:  # access_token refuses with NotVisible (404), never Invalid
        raise Http404("there is no such token")
    attempt(lambda: do_revoke_api_token(token, request.POST.get("reason", ""), actor=user))
    if token.user_id == user.pk:
        return redirect(reverse("web:tokens") + "?done=token-revoked")
    return _to_account(token.user, "token-revoked")
