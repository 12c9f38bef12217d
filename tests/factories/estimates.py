"""Agencies' lists for estimates: children shared between agencies through their NHS numbers
(synthetic, from the range the NHS never issues), and a small partnership whose lists and
overlaps are known exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from tests.factories import make_agency, make_draft, make_partnership, make_user
from tocsin.domain.concerns import ChildDraft
from tocsin.server.concerns.actions import PUBLIC, RecordedConcern, do_record_concern
from tocsin.server.directory.models import Agency, User

__all__ = [
    "BEFORE",
    "FROM",
    "IN_PERIOD",
    "TODAY",
    "ListsWorld",
    "child",
    "concern",
    "make_lists_world",
    "nhs_number",
]

TODAY = timezone.localdate()
FROM = TODAY - timedelta(days=365)
IN_PERIOD = TODAY - timedelta(days=30)
BEFORE = FROM - timedelta(days=1)


def nhs_number(n: int) -> str:
    """The n-th valid NHS number of the never-issued 999 range (synthetic)."""
    for stem in range(999_100_000 + 11 * n, 999_100_000 + 11 * n + 11):
        digits = str(stem)
        check = (11 - sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11) % 11
        if check != 10:
            return digits + str(check)
    raise AssertionError("eleven stems in a row cannot all lack a check digit")


def child(n: int) -> ChildDraft:
    """Child n: the same child record whichever agency records a concern about them."""
    return ChildDraft(given_name="Amara", family_name=f"Test-{n}", nhs_number=nhs_number(n))


def concern(
    user: User, n: int, factors: list[str], occurred: date | None = IN_PERIOD
) -> RecordedConcern:
    """A concern by ``user``'s agency about child ``n`` carrying ``factors``."""
    return do_record_concern(
        make_draft(children=[child(n)], cin_factors=factors, occurred_on=occurred),
        actor=user,
        today=TODAY,
    )


@dataclass
class ListsWorld:
    council: Agency
    police: Agency
    youth: Agency
    admin: User
    practitioner: User
    officer: User
    youth_worker: User
    analyst: User


def make_lists_world() -> ListsWorld:
    """Three agencies' concerns in the period (FROM to TODAY), and others the rule leaves out.

    Council: children 1 (11A), 2 (24A), 3 (11A, twice), 4 (only 10A: not exploitation),
    5 (11A but before the period). Police: 1, 3 and 6 (24A). Youth service: 2 and 7 (11A).
    A public report about child 8 with no day, so it counts by today.

    So the lists are Council {1, 2, 3}, Police {1, 3, 6} and Youth {2, 7}: children 1 and 3
    on Council and Police, 2 on Council and Youth, 6 on Police only, 7 on Youth only.
    """
    p = make_partnership()
    youth = make_agency("Northgate Youth Service", "youth")
    officer = make_user(p.police, role="police_officer")
    youth_worker = make_user(youth)
    analyst = make_user(p.council, role="analyst", password="a long enough password 1")
    concern(p.practitioner, 1, ["11A"])
    concern(p.practitioner, 2, ["24A", "13A"])
    concern(p.practitioner, 3, ["11A"])
    concern(p.practitioner, 3, ["11A", "10A"])
    concern(p.practitioner, 4, ["10A"])
    concern(p.practitioner, 5, ["11A"], occurred=BEFORE)
    concern(officer, 1, ["11A"])
    concern(officer, 3, ["24A"])
    concern(officer, 6, ["24A"])
    concern(youth_worker, 2, ["11A"])
    concern(youth_worker, 7, ["11A"])
    do_record_concern(
        make_draft(children=[child(8)], channel="public", occurred_on=None), actor=PUBLIC
    )
    return ListsWorld(
        p.council, p.police, youth, p.admin, p.practitioner, officer, youth_worker, analyst
    )
