"""Appliers for directory events: the only code that writes agencies, teams, users and API
tokens."""

from __future__ import annotations

from tocsin.domain.directory import (
    AgencyRegistered,
    ApiTokenIssued,
    ApiTokenRevoked,
    TeamFormed,
    UserDeactivated,
    UserEmailSet,
    UserEnrolled,
    UserPasswordSet,
    UserReactivated,
    UserRoleChanged,
)
from tocsin.ledger import Envelope
from tocsin.server.directory.models import Agency, ApiToken, Team, User
from tocsin.server.projections import ProjectionSession, applies


@applies(AgencyRegistered)
def apply_agency_registered(
    event: AgencyRegistered, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Agency,
        id=event.agency_id,
        name=event.name,
        name_key=event.name.casefold(),
        sector=event.sector,
        registered_seq=envelope.seq,
    )


@applies(TeamFormed)
def apply_team_formed(event: TeamFormed, envelope: Envelope, session: ProjectionSession) -> None:
    session.insert(
        Team,
        id=event.team_id,
        agency_id=event.agency_id,
        name=event.name,
        formed_seq=envelope.seq,
    )


@applies(UserEnrolled)
def apply_user_enrolled(
    event: UserEnrolled, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        User,
        id=event.user_id,
        username=event.username,
        display_name=event.display_name,
        agency_id=event.agency_id,
        team_id=event.team_id,
        role=event.role,
        is_active=True,
        enrolled_seq=envelope.seq,
        password="!",  # noqa: S106 - Django's unusable-password marker until user.password_set  # nosec B106
    )


@applies(UserPasswordSet)
def apply_user_password_set(
    event: UserPasswordSet, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(User, event.user_id, password=event.password_hash)


@applies(UserDeactivated)
def apply_user_deactivated(
    event: UserDeactivated, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(User, event.user_id, is_active=False)


@applies(UserEmailSet)
def apply_user_email_set(
    event: UserEmailSet, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(User, event.user_id, email=event.email)


@applies(UserReactivated)
def apply_user_reactivated(
    event: UserReactivated, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(User, event.user_id, is_active=True)


@applies(UserRoleChanged)
def apply_user_role_changed(
    event: UserRoleChanged, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(User, event.user_id, role=event.role)


@applies(ApiTokenIssued)
def apply_api_token_issued(
    event: ApiTokenIssued, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        ApiToken,
        id=event.token_id,
        user_id=event.user_id,
        name=event.name,
        scope=event.scope,
        hint=event.hint,
        digest=event.digest,
        issued_seq=envelope.seq,
        issued_at=envelope.time,
        expires_at=event.expires_at,
        revoked_seq=None,
        revoked_at="",
        revoked_reason="",
    )


@applies(ApiTokenRevoked)
def apply_api_token_revoked(
    event: ApiTokenRevoked, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(
        ApiToken,
        event.token_id,
        revoked_seq=envelope.seq,
        revoked_at=envelope.time,
        revoked_reason=event.reason,
    )
