"""API tokens: issuing and revoking them (actions, with events), and finding whose a presented
token is (for the API's ``Authorization: Bearer`` sign-in).

A token is shown once, when it is issued; only its SHA-256 digest is kept, in the
``api_token.issued`` event (a secret field) and its projection. A token signs its holder in
until it expires, is revoked, or their account is closed (closing revokes every token).
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from tocsin.domain.concerns import FieldProblem
from tocsin.domain.directory import (
    MAX_TOKEN_DAYS,
    TOKEN_PREFIX,
    TOKEN_SCOPES,
    ApiTokenIssued,
    ApiTokenRevoked,
    new_token,
    token_digest,
)
from tocsin.ledger import format_event_time
from tocsin.server.actors import ActionRefused, Actor, Invalid, NotVisible, SystemActor, actor_id
from tocsin.server.directory.models import ApiToken, User
from tocsin.server.ledger.recording import record_event
from tocsin.server.projections import LiveSession

__all__ = [
    "IssuedToken",
    "access_token",
    "do_issue_api_token",
    "do_revoke_api_token",
    "token_holder",
    "tokens_of",
]

#: How long a token lives when nobody says otherwise.
DEFAULT_TOKEN_DAYS = 90


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: its row, and the token itself, to show once and never again."""

    row: ApiToken
    token: str


def do_issue_api_token(
    user: User,
    name: str,
    scope: str,
    days: int,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue ``user`` a token for ``scope`` that expires ``days`` from now. A person issues
    their own tokens; the command line may issue anyone's."""
    if not isinstance(actor, SystemActor) and actor.pk != user.pk:
        raise ActionRefused("a person issues their own API tokens")
    if not user.is_active:
        raise ActionRefused("this account is closed")
    problems = []
    cleaned = " ".join(name.split())
    if not cleaned:
        problems.append(FieldProblem("name", "Say what the token is for"))
    elif len(cleaned) > 200:
        problems.append(FieldProblem("name", "The name must be 200 characters or fewer"))
    if scope not in TOKEN_SCOPES:
        problems.append(FieldProblem("scope", f"Choose one of {', '.join(TOKEN_SCOPES)}"))
    if not 1 <= days <= MAX_TOKEN_DAYS:
        problems.append(FieldProblem("days", f"A token lasts from 1 to {MAX_TOKEN_DAYS} days"))
    if problems:
        raise Invalid(problems)
    token = new_token()
    moment = now or timezone.now()
    event = ApiTokenIssued(
        token_id=str(uuid.uuid4()),
        user_id=str(user.pk),
        name=cleaned,
        scope=scope,
        hint=token[: len(TOKEN_PREFIX) + 4],
        digest=token_digest(token),
        expires_at=format_event_time(moment + timedelta(days=days)),
    )
    session = LiveSession("default")
    record_event(event, actor_id=actor_id(actor), now=moment, session=session)
    return IssuedToken(session.row(ApiToken, event.token_id), token)


def access_token(actor: Actor, token_id: str) -> ApiToken:
    """The token ``token_id`` if ``actor`` may revoke it: their own, one held by someone in
    their agency if they are its administrator, or any from the command line. Otherwise (or
    if there is none) NotVisible."""
    try:
        token: ApiToken = ApiToken.objects.select_related("user").get(pk=uuid.UUID(str(token_id)))
    except (ValueError, ApiToken.DoesNotExist):
        raise NotVisible("there is no such token") from None
    if isinstance(actor, SystemActor):
        return token
    if token.user_id == actor.pk:
        return token
    if not actor.is_active:
        raise NotVisible("there is no such token")
    if actor.role != "administrator":
        raise NotVisible("there is no such token")
    if token.user.agency_id != actor.agency_id:
        raise NotVisible("there is no such token")
    return token


def do_revoke_api_token(token: ApiToken, reason: str, *, actor: Actor) -> None:
    """Revoke ``token`` (found through :func:`access_token`): it signs nobody in from now."""
    access_token(actor, str(token.pk))
    if token.revoked_seq is not None:
        raise ActionRefused("this token is revoked already")
    cleaned = " ".join(reason.split())[:200] or "revoked by its holder"
    event = ApiTokenRevoked(token_id=str(token.pk), user_id=str(token.user_id), reason=cleaned)
    record_event(event, actor_id=actor_id(actor))


def tokens_of(user: User) -> list[ApiToken]:
    """Every token ``user`` holds or held, newest first."""
    return list(ApiToken.objects.filter(user_id=user.pk).order_by("-issued_seq"))


def token_holder(presented: str, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """Whose ``presented`` token is, if it signs anyone in now: issued, not revoked, not
    expired, its holder's account open. None otherwise (the caller says nothing more, so a
    wrong token and a revoked one look the same)."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        return None
    digest = token_digest(presented)
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    if not token.is_live(format_event_time(now or timezone.now())):
        return None
    if not token.user.is_active:
        return None
    return token.user, token
