"""Meetings: strategy discussions, initial child protection conferences and MACE panels, with
who attended, what they decided and the actions they agreed, each with an owner and a due
date (the clocks run each action on its own clock). Plain Python: the same rules for the pages
and the API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tocsin.domain.bounds import CONTROL_CHARACTERS, control_characters_problem, day_problem
from tocsin.domain.casework._contact import MAX_NOTE
from tocsin.domain.clocks import MEETING_DECISIONS, MEETING_KINDS

__all__ = ["MAX_ACTIONS", "Attendee", "MeetingAction", "meeting_problems", "read_attendees"]

#: The most actions one meeting records (a longer list belongs in a plan of its own).
MAX_ACTIONS = 20


@dataclass(frozen=True)
class Attendee:
    name: str
    role: str
    agency_id: str | None

    def as_payload(self) -> dict[str, str | None]:
        return {"name": self.name, "role": self.role, "agency_id": self.agency_id}


@dataclass(frozen=True)
class MeetingAction:
    text: str
    owner_id: str
    due: date


def read_attendees(
    text: str, agencies: Mapping[str, str]
) -> tuple[list[Attendee], list[tuple[str, str]]]:
    """Attendees written one per line as "Name, role, agency", the agency by its registered
    name (``agencies``: lower-cased name → id); and each line's problem."""
    found: list[Attendee] = []
    problems: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 3 or not all(parts):
            problems.append(
                ("attendees", f"Line {number}: write the name, role and agency, with commas")
            )
            continue
        name, role, agency = parts
        agency_id = agencies.get(agency.casefold())
        if agency_id is None:
            problems.append(("attendees", f"Line {number}: no agency is registered as “{agency}”"))
            continue
        found.append(Attendee(name, role, agency_id))
    return found, problems


def meeting_problems(
    *,
    kind: str,
    held_at: datetime | None,
    attendees: Sequence[Attendee],
    decisions: Sequence[str],
    summary: str,
    actions: Sequence[MeetingAction],
    owners: set[str],
    now: datetime,
) -> list[tuple[str, str]]:
    """Why a meeting cannot be recorded as given, in form order (empty when it can).
    ``owners`` are the ids of the people who may own an action."""
    problems: list[tuple[str, str]] = []
    if kind not in MEETING_KINDS:
        problems.append(("kind", "Choose the kind of meeting"))
    if held_at is None:
        problems.append(("held_at", "Enter when the meeting was held"))
    elif day_problem(held_at.date()) is not None:
        problems.append(("held_at", day_problem(held_at.date()) or ""))
        held_at = None
    elif held_at > now:
        problems.append(("held_at", "A meeting is recorded once it has been held"))
    if len(attendees) < 2:
        problems.append(("attendees", "List everyone who attended: at least two people"))
    if any(control_characters_problem(f"{a.name}{a.role}") for a in attendees):
        problems.append(("attendees", CONTROL_CHARACTERS))
    if not decisions:
        problems.append(("decisions", "Choose what the meeting decided"))
    elif any(code not in MEETING_DECISIONS for code in decisions):
        problems.append(("decisions", "Choose the decisions from the list"))
    if not summary.strip():
        problems.append(("summary", "Summarise the discussion and the reasons for its decisions"))
    elif control_characters_problem(summary, free_text=True) is not None:
        problems.append(("summary", control_characters_problem(summary, free_text=True) or ""))
    elif len(summary) > MAX_NOTE:
        problems.append(("summary", f"Keep the summary under {MAX_NOTE:,} characters"))
    if len(actions) > MAX_ACTIONS:
        problems.append(("actions", f"Record at most {MAX_ACTIONS} actions"))
    for i, action in enumerate(actions):
        where = f"actions[{i}]"
        if not action.text.strip():
            problems.append((where, f"Action {i + 1}: say what is to be done"))
        elif control_characters_problem(action.text) is not None:
            problems.append((where, f"Action {i + 1}: {control_characters_problem(action.text)}"))
        if day_problem(action.due) is not None:
            problems.append((where, f"Action {i + 1}: {day_problem(action.due)}"))
        if action.owner_id not in owners:
            problems.append((where, f"Action {i + 1}: choose who owns it"))
        if held_at is not None and action.due < held_at.date():
            problems.append((where, f"Action {i + 1}: the due date is before the meeting"))
    return problems
