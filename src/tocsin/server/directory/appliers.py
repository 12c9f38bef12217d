"""Appliers for directory events: the only code that writes agencies, teams and users."""

from __future__ import annotations

from tocsin.domain.directory import (
    AgencyRegistered,
    TeamFormed,
    UserDeactivated,
    UserEmailSet,
    UserEnrolled,
    UserPasswordSet,
)
from tocsin.ledger import Envelope
from tocsin.server.directory.models import Agency, Team, User
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
        password="!",  # noqa: S106 - Django's unusable-password marker until user.password_set
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
