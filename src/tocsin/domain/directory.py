"""The partnership's directory: agencies, their teams and the people who use Tocsin."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.domain.events import Event

__all__ = [
    "ROLES",
    "SECTORS",
    "AgencyRegistered",
    "TeamFormed",
    "UserDeactivated",
    "UserEmailSet",
    "UserEnrolled",
    "UserPasswordSet",
]

#: The kinds of agency in a safeguarding partnership.
SECTORS: dict[str, str] = {
    "council": "Local authority children's services",
    "police": "Police force",
    "health": "Health trust or board",
    "education": "School, college or education service",
    "youth": "Youth service",
    "voluntary": "Voluntary or community organisation",
    "partnership": "The safeguarding partnership itself (independent scrutiny)",
}

#: What a person does in Tocsin; each role's powers are enforced by the actions.
ROLES: dict[str, str] = {
    "practitioner": "Records and works on concerns",
    "team_manager": "Manages a team's practitioners and decisions",
    "head_of_service": "Leads a service; second-level escalation",
    "mash_officer": "Screens concerns at the multi-agency front door",
    "mash_manager": "Manages the front door: allocates, and signs off its proposals",
    "police_officer": "Police investigation and crime recording",
    "analyst": "Intelligence and statistics",
    "partnership_scrutineer": "Independent scrutiny for the safeguarding partnership",
    "administrator": "Manages agencies, teams, users and retention",
}


@dataclass(frozen=True)
class AgencyRegistered(Event):
    kind = "agency.registered"
    meaning = "An agency joined the partnership."
    agency_id: str
    name: str
    sector: str

    def subjects(self) -> tuple[str, ...]:
        return (f"agency:{self.agency_id}",)


@dataclass(frozen=True)
class TeamFormed(Event):
    kind = "team.formed"
    meaning = "A team was formed within an agency."
    team_id: str
    agency_id: str
    name: str

    def subjects(self) -> tuple[str, ...]:
        return (f"team:{self.team_id}", f"agency:{self.agency_id}")


@dataclass(frozen=True)
class UserEnrolled(Event):
    kind = "user.enrolled"
    meaning = "A person was given an account in an agency, with a role."
    user_id: str
    username: str
    display_name: str
    agency_id: str
    team_id: str | None
    role: str

    def subjects(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}", f"agency:{self.agency_id}")


@dataclass(frozen=True)
class UserPasswordSet(Event):
    kind = "user.password_set"
    meaning = "A user's password was set; the payload holds only its salted slow hash."
    secret_fields = frozenset({"password_hash"})
    user_id: str
    password_hash: str

    def subjects(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}",)


@dataclass(frozen=True)
class UserEmailSet(Event):
    kind = "user.email_set"
    meaning = (
        "A user's work e-mail address was set (or cleared); escalations and challenges are "
        "sent to it."
    )
    user_id: str
    email: str

    def subjects(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}",)


@dataclass(frozen=True)
class UserDeactivated(Event):
    kind = "user.deactivated"
    meaning = "A user's account was closed; they can no longer sign in."
    user_id: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}",)
