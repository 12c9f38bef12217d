"""Directory actions: register agencies, form teams, enrol users, set passwords, close and
reopen accounts, change roles.

Each validates its input and the actor's role, then appends its events through
:func:`record_event`; nothing is written when it refuses. An administrator manages only the
accounts of their own agency (anyone else's answers as if there were no such account); the
command line (a system actor) manages every account.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tocsin.domain.concerns import FieldProblem
from tocsin.domain.directory import (
    ROLES,
    SECTORS,
    AgencyRegistered,
    ApiTokenRevoked,
    TeamFormed,
    UserDeactivated,
    UserEmailSet,
    UserEnrolled,
    UserPasswordSet,
    UserReactivated,
    UserRoleChanged,
)
from tocsin.domain.events import Event
from tocsin.server.actors import (
    ActionRefused,
    Actor,
    Invalid,
    NotVisible,
    SystemActor,
    actor_id,
    require_role,
)
from tocsin.server.directory.models import Agency, ApiToken, Team, User
from tocsin.server.ledger.recording import record_event, record_events
from tocsin.server.projections import LiveSession, row_exists

__all__ = [
    "access_account",
    "do_change_role",
    "do_deactivate_user",
    "do_enrol_user",
    "do_form_team",
    "do_reactivate_user",
    "do_register_agency",
    "do_set_email",
    "do_set_password",
    "manageable_accounts",
]

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,149}$")


def _name(value: str, what: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ActionRefused(f"enter the {what}")
    if len(cleaned) > 200:
        raise ActionRefused(f"the {what} must be 200 characters or fewer")
    return cleaned


def do_register_agency(name: str, sector: str, *, actor: Actor, using: str = "default") -> Agency:
    """Register an agency in the partnership."""
    require_role(actor, "administrator")
    cleaned = _name(name, "agency's name")
    if sector not in SECTORS:
        raise ActionRefused(f"sector must be one of {', '.join(sorted(SECTORS))}")
    taken = f"an agency called {cleaned!r} is already registered"
    if row_exists(Agency, using, name_key=cleaned.casefold()):
        raise ActionRefused(taken)
    event = AgencyRegistered(agency_id=str(uuid.uuid4()), name=cleaned, sector=sector)
    session = LiveSession(using)
    _record_unless_taken(
        event, actor, session, taken, lambda: row_exists(Agency, using, name_key=cleaned.casefold())
    )
    return session.row(Agency, event.agency_id)


def _record_unless_taken(
    event: Event, actor: Actor, session: LiveSession, refusal: str, taken: Callable[[], bool]
) -> None:
    """Record ``event``. The action checked its unique name before the transaction; if another
    process took the name in between, the database's unique constraint refuses the row and
    nothing is written: refuse as the check would have (any other integrity error is a fault
    and is raised as it is)."""
    try:
        record_event(event, actor_id=actor_id(actor), using=session.using, session=session)
    except IntegrityError:
        if taken():
            raise ActionRefused(refusal) from None
        raise


def do_form_team(agency: Agency, name: str, *, actor: Actor) -> Team:
    """Form a team within ``agency``."""
    require_role(actor, "administrator")
    cleaned = _name(name, "team's name")
    if Team.objects.filter(agency=agency, name__iexact=cleaned).exists():
        raise ActionRefused(f"{agency.name} already has a team called {cleaned!r}")
    event = TeamFormed(team_id=str(uuid.uuid4()), agency_id=str(agency.pk), name=cleaned)
    session = LiveSession("default")
    record_event(event, actor_id=actor_id(actor), session=session)
    return session.row(Team, event.team_id)


def do_enrol_user(
    username: str,
    display_name: str,
    agency: Agency,
    role: str,
    *,
    team: Team | None = None,
    actor: Actor,
) -> User:
    """Give a person an account in ``agency`` with ``role``; they cannot sign in until a
    password is set."""
    require_role(actor, "administrator")
    if not _USERNAME.match(username):
        raise ActionRefused(
            "a username is 2 to 150 lower-case letters, digits, dots, hyphens or underscores"
        )
    if role not in ROLES:
        raise ActionRefused(f"role must be one of {', '.join(sorted(ROLES))}")
    if team is not None and team.agency_id != agency.pk:
        raise ActionRefused(f"team {team.name!r} is not part of {agency.name}")
    taken = f"the username {username!r} is taken"
    if row_exists(User, username=username):
        raise ActionRefused(taken)
    event = UserEnrolled(
        user_id=str(uuid.uuid4()),
        username=username,
        display_name=_name(display_name, "person's name"),
        agency_id=str(agency.pk),
        team_id=str(team.pk) if team else None,
        role=role,
    )
    session = LiveSession("default")
    _record_unless_taken(event, actor, session, taken, lambda: row_exists(User, username=username))
    return session.row(User, event.user_id)


def access_account(actor: Actor, user_id: str) -> User:
    """The account ``user_id`` for an administrator to manage: one of their own agency's (any
    account for the command line). Anyone else's, or one that does not exist, is NotVisible."""
    require_role(actor, "administrator")
    try:
        user: User = User.objects.select_related("agency", "team").get(pk=uuid.UUID(str(user_id)))
    except (ValueError, User.DoesNotExist):
        raise NotVisible("there is no such account") from None
    _require_same_agency(actor, user)
    return user


def manageable_accounts(actor: Actor) -> list[User]:
    """The accounts ``actor`` may manage, by name: an administrator's own agency's."""
    require_role(actor, "administrator")
    accounts = User.objects.select_related("agency", "team").filter(agency__isnull=False)
    if isinstance(actor, User):
        accounts = accounts.filter(agency_id=actor.agency_id)
    return list(accounts.order_by("display_name", "username"))


def _require_same_agency(actor: Actor, user: User) -> None:
    """Need-to-know for accounts: an administrator manages their own agency's people only."""
    if isinstance(actor, SystemActor):
        return
    if user.agency_id is None or user.agency_id != actor.agency_id:
        raise NotVisible("there is no such account")


def _require_someone_else(actor: Actor, user: User, doing: str) -> None:
    """An administrator does not close, reopen or change the role of their own account, so
    that no agency locks out its last administrator by a slip."""
    if isinstance(actor, User) and actor.pk == user.pk:
        raise ActionRefused(
            f"you cannot {doing} your own account; ask another administrator, or use "
            "'tocsin users' on the server"
        )


def do_set_password(user: User, password: str, *, actor: Actor) -> None:
    """Set ``user``'s password (by the user themself or an administrator of their agency).
    Their existing sessions end: a session is bound to the password it signed in with."""
    if not (isinstance(actor, User) and actor.pk == user.pk):
        require_role(actor, "administrator")
        _require_same_agency(actor, user)
    if not user.is_active:
        raise ActionRefused("this account is closed")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid([FieldProblem("password", " ".join(exc.messages))]) from None
    event = UserPasswordSet(user_id=str(user.pk), password_hash=make_password(password))
    record_event(event, actor_id=actor_id(actor))


def do_deactivate_user(user: User, reason: str, *, actor: Actor) -> None:
    """Close ``user``'s account: they can no longer sign in, their sessions stop working at
    their next request, and every API token they hold is revoked (one event each, in the
    same transaction)."""
    require_role(actor, "administrator")
    _require_same_agency(actor, user)
    _require_someone_else(actor, user, "close")
    if not user.is_active:
        raise ActionRefused("this account is already closed")
    cleaned = _reason(reason)
    live = ApiToken.objects.filter(user_id=user.pk, revoked_seq__isnull=True).values_list(
        "pk", flat=True
    )
    events: list[Event] = [UserDeactivated(user_id=str(user.pk), reason=cleaned)]
    events += [
        ApiTokenRevoked(token_id=str(pk), user_id=str(user.pk), reason="the account was closed")
        for pk in live
    ]
    record_events(events, actor_id=actor_id(actor))


def do_reactivate_user(user: User, reason: str, *, actor: Actor) -> None:
    """Open a closed account again. Its API tokens stay revoked and its password is unchanged
    (reset it too if the person should not use the old one)."""
    require_role(actor, "administrator")
    _require_same_agency(actor, user)
    _require_someone_else(actor, user, "reopen")
    if user.is_active:
        raise ActionRefused("this account is open already")
    record_event(
        UserReactivated(user_id=str(user.pk), reason=_reason(reason)), actor_id=actor_id(actor)
    )


def do_change_role(user: User, role: str, *, actor: Actor) -> None:
    """Give ``user`` another role; what they may do changes from their next request."""
    require_role(actor, "administrator")
    _require_same_agency(actor, user)
    _require_someone_else(actor, user, "change the role of")
    if not user.is_active:
        raise ActionRefused("this account is closed; open it again first")
    if role not in ROLES:
        raise Invalid([FieldProblem("role", f"Choose one of {', '.join(sorted(ROLES))}")])
    if role == user.role:
        raise Invalid([FieldProblem("role", f"{user.display_name} already has that role")])
    event = UserRoleChanged(user_id=str(user.pk), previous_role=user.role, role=role)
    record_event(event, actor_id=actor_id(actor))


def _reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise Invalid([FieldProblem("reason", "Give a reason; it is kept on the ledger")])
    if len(cleaned) > 200:
        raise Invalid([FieldProblem("reason", "The reason must be 200 characters or fewer")])
    return cleaned


def do_set_email(user: User, email: str, *, actor: Actor) -> None:
    """Set (or, with "", clear) ``user``'s work e-mail address, by the user themself or an
    administrator. Escalations and challenges are sent there."""
    from django.core.validators import validate_email

    if not (isinstance(actor, User) and actor.pk == user.pk):
        require_role(actor, "administrator")
    cleaned = email.strip()
    if cleaned:
        try:
            validate_email(cleaned)
        except ValidationError:
            raise ActionRefused(f"{cleaned!r} is not an e-mail address") from None
    current = User.objects.filter(pk=user.pk).values_list("email", flat=True).first()
    if cleaned == current:
        raise ActionRefused("that is already the address")
    record_event(UserEmailSet(user_id=str(user.pk), email=cleaned), actor_id=actor_id(actor))
