"""Test data, made in one place and only through actions (so the ledger always explains it)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.test import override_settings

from tocsin.domain.concerns import ChildDraft, ConcernDraft, VehicleDraft
from tocsin.server.actors import SystemActor
from tocsin.server.directory.actions import (
    do_enrol_user,
    do_form_team,
    do_register_agency,
    do_set_password,
)
from tocsin.server.directory.models import Agency, Team, User

__all__ = [
    "Partnership",
    "built_once_for_module",
    "make_agency",
    "make_draft",
    "make_partnership",
    "make_team",
    "make_user",
]

ACTOR = SystemActor("factory")
_counter = itertools.count(1)


def make_agency(name: str | None = None, sector: str = "council") -> Agency:
    return do_register_agency(name or f"Agency {next(_counter)}", sector, actor=ACTOR)


def make_team(agency: Agency, name: str | None = None) -> Team:
    return do_form_team(agency, name or f"Team {next(_counter)}", actor=ACTOR)


def make_user(
    agency: Agency,
    *,
    role: str = "practitioner",
    team: Team | None = None,
    username: str | None = None,
    name: str | None = None,
    password: str | None = None,
) -> User:
    number = next(_counter)
    user = do_enrol_user(
        username or f"user{number}",
        name or f"Test Person {number}",
        agency,
        role,
        team=team,
        actor=ACTOR,
    )
    if password:
        do_set_password(user, password, actor=ACTOR)
        user.refresh_from_db()
    return user


@dataclass
class Partnership:
    council: Agency
    police: Agency
    team: Team
    admin: User
    practitioner: User


def make_partnership() -> Partnership:
    """Two agencies (one with a team and two users, one with nothing), every kind of row."""
    council = make_agency("Northgate Council", "council")
    police = make_agency("Northgate Police", "police")
    team = make_team(council, "Exploitation team")
    admin = make_user(
        council,
        role="administrator",
        team=team,
        username="admin",
        password="a long enough password 1",
    )
    practitioner = make_user(council, team=team, username="practitioner")
    return Partnership(council, police, team, admin, practitioner)


def make_draft(**overrides: object) -> ConcernDraft:
    """A valid concern about one child, in appropriate language (synthetic)."""
    number = next(_counter)
    draft = ConcernDraft(
        children=[
            ChildDraft(
                given_name="Amara",
                family_name=f"Okafor-{number}",
                date_of_birth=date(2011, 3, 4),
                sex="F",
                postcode="ZZ1 4QX",
            )
        ],
        narrative="Adults have been contacting the child through social media and a car has "
        "been seen collecting her from school.",
        occurred_on=date(2026, 11, 1),
        vehicles=[VehicleDraft(registration="ZX12 ABC", make="Ford", colour="silver")],
        phones=["07700 900123"],
    )
    for name, value in overrides.items():
        setattr(draft, name, value)
    return draft


@contextmanager
def built_once_for_module(django_db_blocker: Any) -> Iterator[None]:
    """For a module-scoped fixture that builds its records once: the database open to it, the
    suite-wide settings that building needs (those fixtures are per test), and a transaction
    rolled back when the module ends. Each test of the module runs in a savepoint within it,
    so it sees the records as built whatever the tests before it wrote."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TOCSIN_MFA_REQUIRED=False,
            TOCSIN_REAUTHENTICATE=False,
        ),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)
