"""The partnership's directory: agencies, their teams, the people who use Tocsin and the API
tokens they hold."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from tocsin.domain.events import Event

__all__ = [
    "MAX_TOKEN_DAYS",
    "ROLES",
    "SECTORS",
    "TOKEN_PREFIX",
    "TOKEN_SCOPES",
    "AgencyRegistered",
    "ApiTokenIssued",
    "ApiTokenRevoked",
    "TeamFormed",
    "UserDeactivated",
    "UserEmailSet",
    "UserEnrolled",
    "UserPasswordSet",
    "UserReactivated",
    "UserRoleChanged",
    "new_password",
    "new_token",
    "role_name",
    "token_digest",
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


def role_name(role: str) -> str:
    """A role as people say it: "MASH officer", "Head of service"."""
    words = role.replace("_", " ")
    return words.replace("mash", "MASH") if words.startswith("mash") else words.capitalize()


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


@dataclass(frozen=True)
class UserReactivated(Event):
    kind = "user.reactivated"
    meaning = "A closed account was opened again; its API tokens stay revoked."
    user_id: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}",)


@dataclass(frozen=True)
class UserRoleChanged(Event):
    kind = "user.role_changed"
    meaning = "A user's role changed; what they may do changes with it."
    user_id: str
    previous_role: str
    role: str

    def subjects(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}",)


#: What an API token lets its holder do, as the person it belongs to.
TOKEN_SCOPES: dict[str, str] = {
    "read": "Read only (GET): the concerns and figures the person may see",
    "write": "Read and write: everything the person may do through the API",
}

#: The longest a token may live; a token that never expires is not offered.
MAX_TOKEN_DAYS = 366

#: Every token starts with this, so that a leaked one is easy to recognise (and to scan for).
TOKEN_PREFIX = "tocsin_"  # noqa: S105 - a public marker that starts every token, not a secret


def new_password() -> str:
    """A random password of five groups of five letters and digits (about 119 bits), for an
    account whose password is set or reset for someone else (and shown once)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(5))


def new_token() -> str:
    """A fresh API token: the prefix and 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, hex. The token is 256 random bits, so a fast
    hash is enough (a slow one only protects guessable secrets such as passwords)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiTokenIssued(Event):
    kind = "api_token.issued"
    meaning = (
        "An API token was issued to a user, with a scope and an expiry; the payload holds only "
        "the token's SHA-256 digest."
    )
    secret_fields = frozenset({"digest"})
    token_id: str
    user_id: str
    name: str
    scope: str
    #: the token's first characters, shown to tell tokens apart (never enough to use one).
    hint: str
    digest: str
    expires_at: str

    def subjects(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}", f"api_token:{self.token_id}")


@dataclass(frozen=True)
class ApiTokenRevoked(Event):
    kind = "api_token.revoked"
    meaning = "An API token was revoked; it no longer signs anyone in."
    token_id: str
    user_id: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"user:{self.user_id}", f"api_token:{self.token_id}")
