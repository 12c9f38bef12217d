"""The list builder: which children each agency identified with sexual or criminal
exploitation in a period, read from the concern projections in a few queries.

The rule (``docs/estimation.md``, "In the server"):

* A child is on agency X's list when a concern **recorded by agency X** about the child carries
  the Children in Need factor 11A (child sexual exploitation) or 24A (child criminal
  exploitation), and the concern falls in the period.
* A concern falls in the period when the day it happened (``occurred_on``) is in it; a concern
  with no such day counts by the day it was recorded (in the partnership's time zone).
* Screening results do not count: a screening band measures **risk** of exploitation, and the
  lists must hold children **identified** as exploited, the same thing on every list.
* Public reports have no agency, so they are on no list; how many fell in the period is kept.
* Only concerns recorded within the first ``ledger_size`` events count, so the lists are a
  function of a prefix of the ledger that anyone can rebuild.
* A child is whatever the resolver says (by default the child record the concerns share).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from tocsin.domain.estimates import EXPLOITATION_CIN_FACTORS
from tocsin.intel.estimate import CaptureTable, EstimationInputError
from tocsin.intel.lists import (
    SAME_CHILD_RECORD,
    CaptureLists,
    PersonResolver,
    build_capture_lists,
)
from tocsin.ledger import format_event_time
from tocsin.server.concerns.models import Concern, ConcernChild
from tocsin.server.directory.models import Agency
from tocsin.server.ledger.recording import reading_ledger

__all__ = [
    "GROUPINGS",
    "RULE_NAME",
    "SECTOR_LISTS",
    "AgencyLists",
    "build_agency_lists",
    "concern_date_range",
]

RULE_NAME = "cin-exploitation-factors"
RULE_VERSION = 1

#: How the lists are drawn up.
GROUPINGS: dict[str, str] = {
    "agency": "One list per agency",
    "sector": "One list per sector (every school together, every health trust together, …)",
}

#: Short names for the lists when they are drawn up by sector.
SECTOR_LISTS: dict[str, str] = {
    "council": "Children's services",
    "police": "Police",
    "health": "Health",
    "education": "Education",
    "youth": "Youth services",
    "voluntary": "Voluntary sector",
    "partnership": "Partnership",
}


@dataclass(frozen=True)
class AgencyLists:
    """The lists for one period, and everything needed to say how they were made."""

    period_from: date
    period_to: date
    grouping: str
    ledger_size: int
    #: each list: {"name", "agencies": [{"agency_id", "name"}], "children"}.
    lists: list[dict[str, Any]]
    capture: CaptureLists
    public_reports: int
    resolver: str

    def rule(self) -> dict[str, Any]:
        """The rule as kept with the estimate on the ledger."""
        return {
            "name": RULE_NAME,
            "version": RULE_VERSION,
            "cin_factors": list(EXPLOITATION_CIN_FACTORS),
            "concerns": "recorded by an agency, about the child",
            "date": f"occurred_on, else the day recorded ({settings.TIME_ZONE})",
            "lists": self.grouping,
            "person": self.resolver,
            "screening": "not counted (a screening measures risk, not identification)",
            "public_reports": "left out (no agency)",
        }

    def left_out(self) -> dict[str, int]:
        return {"public_reports": self.public_reports}

    def table(self) -> CaptureTable:
        """The capture table; :class:`EstimationInputError`, with a message for people, when
        there are fewer than two lists or more than the engine takes."""
        factors = " or ".join(EXPLOITATION_CIN_FACTORS)
        if not self.lists:
            raise EstimationInputError(
                f"no agency recorded a concern with Children in Need factor {factors} in this "
                "period, so there are no lists to estimate from"
            )
        if len(self.lists) == 1:
            raise EstimationInputError(
                f"only one list ({self.lists[0]['name']}) has children in this period; at "
                "least two are needed, because the estimate comes from how the lists overlap"
            )
        try:
            return self.capture.table()
        except EstimationInputError as exc:
            if self.grouping != "agency":
                raise
            raise EstimationInputError(
                f"{exc}: {len(self.lists)} agencies have children on their lists in this "
                "period; choose one list per sector"
            ) from None

    def capture_table_json(self) -> dict[str, Any]:
        """The counts per capture history, with list names: aggregate counts only."""
        return {
            "lists": list(self.capture.names),
            "histories": [
                {"history": list(history), "count": count}
                for history, count in self.capture.histories()
            ],
        }


def _in_period(period_from: date, period_to: date, prefix: str = "") -> Q:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = format_event_time(datetime.combine(period_from, time.min, tzinfo=zone))
    end = format_event_time(datetime.combine(period_to + timedelta(days=1), time.min, tzinfo=zone))
    return Q(
        **{f"{prefix}occurred_on__gte": period_from, f"{prefix}occurred_on__lte": period_to}
    ) | Q(
        **{
            f"{prefix}occurred_on__isnull": True,
            f"{prefix}recorded_at__gte": start,
            f"{prefix}recorded_at__lt": end,
        }
    )


def _list_name(text: str, taken: set[str]) -> str:
    """A name the estimate engine accepts (no ':' or '+', which write its model terms), unique
    among the lists, and never ``count`` (the CSV's count column)."""
    name = re.sub(r"\s+", " ", text.replace(":", " ").replace("+", " and ")).strip() or "Agency"
    if name.lower() == "count":
        name = f"{name} (list)"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate)
    return candidate


def build_agency_lists(
    period_from: date,
    period_to: date,
    *,
    grouping: str = "agency",
    resolver: PersonResolver = SAME_CHILD_RECORD,
    ledger_size: int | None = None,
) -> AgencyLists:
    """Each agency's (or sector's) list of children identified with sexual or criminal
    exploitation between ``period_from`` and ``period_to`` (both included), from the first
    ``ledger_size`` events (default: the whole ledger now).

    Three queries whatever the number of concerns: the qualifying links between concerns and
    children, the agencies, and the count of public reports left out. Raises
    :class:`EstimationInputError` when the period is backwards or the grouping unknown.
    """
    if period_from > period_to:
        raise EstimationInputError("the period ends before it starts")
    if grouping not in GROUPINGS:
        raise EstimationInputError(f"unknown grouping {grouping!r}; choose agency or sector")
    size = reading_ledger().store.head()[0] if ledger_size is None else ledger_size
    in_ledger = Q(concern__recorded_seq__gte=0, concern__recorded_seq__lt=size)
    # The factors are a JSON list; matching its text keeps the filtering in the database on
    # SQLite and PostgreSQL alike, and the exact check below makes a false match impossible.
    carries = Q()
    for factor in EXPLOITATION_CIN_FACTORS:
        carries |= Q(factors_text__contains=f'"{factor}"')
    links = (
        ConcernChild.objects.filter(in_ledger, concern__agency__isnull=False)
        .filter(_in_period(period_from, period_to, "concern__"))
        .annotate(factors_text=Cast("concern__cin_factors", TextField()))
        .filter(carries)
        .values_list("concern__agency_id", "child_id", "concern__cin_factors")
    )
    wanted = set(EXPLOITATION_CIN_FACTORS)
    by_agency: dict[str, set[str]] = {}
    for agency_id, child_id, factors in links.iterator(chunk_size=5000):
        if wanted.intersection(factors or ()):
            by_agency.setdefault(str(agency_id), set()).add(str(child_id))
    agencies = {
        str(pk): (name, sector)
        for pk, name, sector in Agency.objects.filter(pk__in=list(by_agency)).values_list(
            "pk", "name", "sector"
        )
    }
    public_reports = (
        Concern.objects.filter(agency__isnull=True, recorded_seq__gte=0, recorded_seq__lt=size)
        .filter(_in_period(period_from, period_to))
        .count()
    )
    groups: dict[str, list[str]] = {}
    for agency_id in sorted(by_agency, key=lambda a: (agencies[a][0].casefold(), a)):
        key = agency_id if grouping == "agency" else agencies[agency_id][1]
        groups.setdefault(key, []).append(agency_id)
    taken: set[str] = set()
    named: list[tuple[str, list[str]]] = []
    ordered = groups.items() if grouping == "agency" else sorted(groups.items())
    for key, members in ordered:
        label = agencies[members[0]][0] if grouping == "agency" else SECTOR_LISTS.get(key, key)
        named.append((_list_name(label, taken), members))
    memberships: Iterable[tuple[str, str]] = (
        (name, child) for name, members in named for a in members for child in by_agency[a]
    )
    capture = build_capture_lists(memberships, names=[name for name, _ in named], resolver=resolver)
    sizes = capture.sizes()
    return AgencyLists(
        period_from=period_from,
        period_to=period_to,
        grouping=grouping,
        ledger_size=size,
        lists=[
            {
                "name": name,
                "agencies": [{"agency_id": a, "name": agencies[a][0]} for a in members],
                "children": sizes[name],
            }
            for name, members in named
        ],
        capture=capture,
        public_reports=public_reports,
        resolver=resolver.name,
    )


def concern_date_range() -> tuple[date, date] | None:
    """The first and last day an agency's concern happened on (for the form's defaults)."""
    from django.db.models import Max, Min

    span = Concern.objects.filter(agency__isnull=False).aggregate(
        first=Min("occurred_on"), last=Max("occurred_on")
    )
    if span["first"] is None or span["last"] is None:
        return None
    return span["first"], span["last"]
