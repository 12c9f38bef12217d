"""Who may do what: the role × action table. docs/access.md shows it, and the tests generated
from that page go through both the pages and the API."""

from __future__ import annotations

from tocsin.domain.directory import ROLES

__all__ = ["ACCESS", "ACTIONS", "allowed", "roles_for"]

_WORKERS = (
    "practitioner",
    "team_manager",
    "head_of_service",
    "mash_officer",
    "mash_manager",
    "police_officer",
)
_MANAGERS = ("team_manager", "head_of_service", "mash_officer", "mash_manager")
_READERS = (*_WORKERS, "analyst", "partnership_scrutineer")

#: action: (what it is, the roles that may do it). Scrutineers and analysts read; they never
#: record, decide or regrade. Administrators manage accounts, not cases.
ACCESS: dict[str, tuple[str, tuple[str, ...]]] = {
    "view_concern": ("See a concern (within need-to-know)", _READERS),
    "view_tray": ("See work trays", _WORKERS),
    "record_concern": ("Record a concern", _WORKERS),
    "add_information": ("Add a case note or information to a concern", _WORKERS),
    "record_contact": ("Record contact with the child or family", _WORKERS),
    "record_outcome": ("Record a concern's outcome", _WORKERS),
    "record_meeting": (
        "Record a strategy discussion, conference or MACE panel, with its actions",
        _WORKERS,
    ),
    "allocate": ("Allocate or reallocate a concern", _MANAGERS),
    "decide": ("Record a decision, or propose one that needs sign-off", _WORKERS),
    "regrade": ("Change a risk band (lowering from moderate needs sign-off)", _WORKERS),
    "screen": ("Screen a child of a concern already recorded (a public report, say)", _WORKERS),
    "sign_off": (
        "Sign off another person's proposal",
        ("team_manager", "head_of_service", "mash_manager"),
    ),
    "challenge": ("Challenge a decision, another agency's included", _WORKERS),
    "answer_challenge": (
        "Answer a challenge (it goes outside the decider's line management)",
        ("partnership_scrutineer",),
    ),
    "view_caseloads": (
        "See the manager's view: caseloads, overdue work by worker, proposals to sign off",
        ("team_manager", "head_of_service"),
    ),
    "view_oversight": (
        "See the oversight view (a head of service sees their own agency's figures)",
        ("head_of_service", "partnership_scrutineer"),
    ),
    "close_escalation": (
        "Close a level-3 escalation, with the reason (only the partnership)",
        ("partnership_scrutineer",),
    ),
    "search": (
        "Search the partnership for a person, vehicle, phone or place, for a stated purpose "
        "(records outside need-to-know are named only by who holds them)",
        _READERS,
    ),
    "view_register": ("See the register of reports and recommendations", _READERS),
    "register_report": (
        "Register a report with its recommendations, or withdraw one with the reason",
        ("head_of_service", "analyst", "partnership_scrutineer"),
    ),
    "respond_recommendation": (
        "Respond to a recommendation (only the person who owns it)",
        _READERS,
    ),
    "review_match": (
        "Review a proposed match between two people's records; merge or split child records",
        ("mash_officer", "mash_manager"),
    ),
    "view_networks": (
        "See the partnership's network of people, vehicles, phones and places across agencies, "
        "and export it (every view is recorded)",
        ("analyst", "mash_officer", "mash_manager", "partnership_scrutineer"),
    ),
    "export_scrutiny": (
        "Export downgrades, no-further-action decisions and overdue obligations in a period",
        ("partnership_scrutineer",),
    ),
}

ACTIONS = tuple(ACCESS)


def roles_for(action: str) -> tuple[str, ...]:
    return ACCESS[action][1]


def allowed(role: str, action: str) -> bool:
    return role in ROLES and role in ACCESS[action][1]
