"""The role × action table in docs/access.md, tried cell by cell through the pages and the API.

The table is read from the page itself, so the documentation cannot drift from what Tocsin
does: a "yes" must succeed and write to the ledger; a "no" must be refused (403, or 404 where
need-to-know hides the record) and write nothing. (docs/access.md is generated from
``tocsin.domain.casework.ACCESS``; test_inventory checks it is current.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tests.factories.register import make_report
from tocsin.domain.concerns import ChildDraft, IndicatorSeen
from tocsin.domain.people import PeopleMatched
from tocsin.domain.screening import scheme
from tocsin.server.actors import SystemActor
from tocsin.server.casework.actions import do_decide
from tocsin.server.challenges.actions import do_raise_challenge
from tocsin.server.clocks.models import Escalation
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import reading_ledger, record_events
from tocsin.server.people.models import PersonMatch

pytestmark = pytest.mark.django_db

ACCESS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "access.md"


def _table() -> dict[tuple[str, str], bool]:
    rows = [line for line in ACCESS_PAGE.read_text(encoding="utf-8").splitlines() if "|" in line]
    roles = re.findall(r"`([a-z_]+)`", rows[0])
    cells: dict[tuple[str, str], bool] = {}
    for row in rows[2:]:
        parts = [p.strip() for p in row.strip("|").split("|")]
        action = re.match(r"`([a-z_]+)`", parts[0])
        assert action, row
        for role, answer in zip(roles, parts[1:], strict=True):
            cells[(action.group(1), role)] = answer == "yes"
    return cells


TABLE = _table()


@dataclass
class World:
    users: dict[str, User]
    concerns: list[Concern]
    screenings: list[str]
    proposals: list[str]
    decisions: list[str] = field(default_factory=list)
    challenges: list[str] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)


def _world() -> World:
    council = make_agency("Access Council", "council")
    team = make_team(council, "Access team")
    mash = make_team(council, "Access MASH")
    roles = sorted({role for _, role in TABLE})
    users = {
        role: make_user(council, role=role, team=mash if role.startswith("mash") else team)
        for role in roles
    }
    author = make_user(council, team=team)
    mild = [i.id for i in scheme().indicators if i.group != "significant"][:1]
    concerns = [
        do_record_concern(
            make_draft(indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in mild]),
            actor=author,
        ).concern
        for _ in range(2)
    ]
    return World(users, concerns, [str(c.screenings.get().pk) for c in concerns], [])


def _propose(world: World, signer_role: str) -> None:
    """On each concern, a proposal (no further action) the signer's role could be asked to
    sign: a front-door one for a MASH manager, an agency one for anyone else."""
    agency = world.users["practitioner"].agency
    assert agency is not None
    role = "mash_officer" if signer_role == "mash_manager" else "practitioner"
    proposer = make_user(agency, role=role)
    world.proposals = [
        do_decide(
            c.pk, "no_further_action", "No risk found after checks", actor=proposer
        ).decision_id
        for c in world.concerns
    ]


def _challenged(world: World, *, raise_challenges: bool) -> None:
    """On each concern, a decision by someone outside the table's users (so that nobody
    tried challenges their own decision), and, to answer, a challenge to it by another."""
    agency = world.users["practitioner"].agency
    assert agency is not None
    decider = make_user(agency, role="practitioner")
    world.decisions = [
        do_decide(c.pk, "early_help", "Family asked for support", actor=decider).decision_id
        for c in world.concerns
    ]
    if raise_challenges:
        world.challenges = [
            do_raise_challenge(
                c.pk,
                d,
                "Three agencies saw the same car; this needs a strategy discussion",
                actor=make_user(agency, role="mash_officer"),
            ).challenge_id
            for c, d in zip(world.concerns, world.decisions, strict=True)
        ]


def _escalate(world: World) -> None:
    """Nobody decides either concern: three weeks on, each has reached the partnership."""
    sweep(timezone.now() + timedelta(days=21))
    world.escalations = [
        Escalation.objects.get(concern=c, obligation="decision", level=3).pk for c in world.concerns
    ]


Attempt = Callable[[Client, World, int, str], int]


def _registered(world: World, role: str) -> None:
    """A report with two recommendations (one per route), owned by ``role``'s user where that
    role may own one, else by the practitioner."""
    owner = (
        world.users[role]
        if TABLE[("respond_recommendation", role)]
        else world.users["practitioner"]
    )
    due = timezone.localdate() + timedelta(days=5)
    report = make_report(actor=SystemActor("test"), owners=[(owner, due), (owner, due)])
    world.recommendations = [
        str(pk) for pk in report.recommendations.order_by("number").values_list("pk", flat=True)
    ]


def _matched(world: World) -> None:
    """Two proposed matches (one per route) between the children of two concerns too unlike
    for the already-known check to have matched them itself, appended as that check would."""
    author = world.users["practitioner"]
    concerns = [
        do_record_concern(
            make_draft(children=[ChildDraft(given_name=given, family_name=family, sex="U")]),
            actor=author,
        ).concern
        for given, family in [("Zephyrine", "Quillfeather"), ("Baltazar", "Oyelaran")]
    ]
    first, second = (c.reference for c in concerns)
    pairs = [(f"{first}/child/0", f"{second}/child/0"), (f"{second}/child/0", f"{first}/child/0")]
    for (left, right), concern in zip(pairs, reversed(concerns), strict=True):
        event = PeopleMatched(
            concern_id=str(concern.pk),
            model="test",
            link_threshold=0.99,
            review_threshold=0.5,
            pairs=[
                {
                    "left": left,
                    "right": right,
                    "probability": 0.8,
                    "match_weight": 2.0,
                    "weights": {"surname": 2.0},
                    "status": "proposed",
                }
            ],
        )
        record_events([event], actor_id="system:test")
        world.matches.append(str(PersonMatch.objects.get(left_id=left, right_id=right).pk))


_REVIEW = {"decision": "rejected", "reason": "Different dates of birth and schools"}


_REPORT_PAGE = {
    "kind": "audit",
    "title": "Audit of return home interviews",
    "author": "Partnership audit team",
    "published_on-day": "2",
    "published_on-month": "11",
    "published_on-year": "2026",
    "summary": "Interviews were offered late in half of the cases.",
}
_RESPONSE = {"response": "accepted", "text": "Interviews within 72 hours from January."}
_EXPORT_API = {"kind": "downgrades", "period_from": "2026-01-01", "period_to": "2026-12-31"}
_EXPORT_PAGE = {
    "kind": "downgrades",
    "period_from-day": "1",
    "period_from-month": "1",
    "period_from-year": "2026",
    "period_to-day": "31",
    "period_to-month": "12",
    "period_to-year": "2026",
}


def _meeting_page(world: World) -> dict[str, Any]:
    agency = world.users["practitioner"].agency
    assert agency is not None
    return {
        "kind": "strategy_discussion",
        "held_on-day": "2",
        "held_on-month": "11",
        "held_on-year": "2026",
        "attendees": f"Sam Carter, team manager, {agency.name}\nJo Reid, detective, {agency.name}",
        "decisions": ["section_47_enquiry"],
        "summary": "Reasonable cause to suspect significant harm from exploitation.",
    }


def _meeting_api(world: World) -> dict[str, Any]:
    agency = world.users["practitioner"].agency
    assert agency is not None
    return {
        "kind": "strategy_discussion",
        "held_at": "2026-11-02T10:00:00Z",
        "attendees": [
            {"name": "Sam Carter", "role": "team manager", "agency": str(agency.pk)},
            {"name": "Jo Reid", "role": "detective", "agency": str(agency.pk)},
        ],
        "decisions": ["section_47_enquiry"],
        "summary": "Reasonable cause to suspect significant harm from exploitation.",
    }


_GROUNDS = "She was seen in the same car twice more since; early help is not enough."
_ANSWER = "Upheld: a strategy discussion is to be held within one working day."
_CONTACT_API = {
    "with_whom": "parent_carer",
    "method": "phone",
    "happened_on": "2026-11-02",
    "made": True,
    "summary": "Spoke to her mother about the car seen at school.",
}
_CONTACT_PAGE = {
    "with_whom": "parent_carer",
    "method": "phone",
    "happened_on-day": "2",
    "happened_on-month": "11",
    "happened_on-year": "2026",
    "made": "yes",
    "summary": "Spoke to her mother about the car seen at school.",
}
_INDICATOR = scheme().indicators[0].id
#: The screening page's answers: one indicator, last seen on 1 November 2026.
_SEEN = {
    "indicator": _INDICATOR,
    f"seen-{_INDICATOR}-day": "1",
    f"seen-{_INDICATOR}-month": "11",
    f"seen-{_INDICATOR}-year": "2026",
}


#: A search (each one is a search.made on the ledger).
_SEARCH = {
    "search": "1",
    "looked_for": "person",
    "first_name": "Amara",
    "surname": "Okafor",
    "purpose": "Checking who else knows her before the strategy discussion",
}


def _child_of(concern: Concern) -> str:
    return str(concern.child_links.get().child_id)


def _page(action: str) -> Attempt:
    def attempt(client: Client, world: World, i: int, role: str) -> int:
        c = world.concerns[i]
        if action == "view_concern":
            return client.get(f"/concerns/{c.pk}/").status_code
        if action == "view_tray":
            return client.get("/work/").status_code
        if action == "record_concern":
            return client.get("/concerns/new/").status_code
        if action == "allocate":
            worker = world.users["practitioner"].pk
            return client.post(f"/concerns/{c.pk}/allocate/", {"worker": worker}).status_code
        if action == "decide":
            data = {"decision": "early_help", "rationale": "Family asked for support"}
            return client.post(f"/concerns/{c.pk}/decide/", data).status_code
        if action == "regrade":
            data = {"band": "significant", "reason": "Seen with older adults again"}
            url = f"/concerns/{c.pk}/screenings/{world.screenings[i]}/regrade/"
            return client.post(url, data).status_code
        if action == "sign_off":
            return client.post(f"/decisions/{world.proposals[i]}/", {"approve": "yes"}).status_code
        if action == "add_information":
            data = {"text": "Called the school: she was absent again today."}
            return client.post(f"/concerns/{c.pk}/notes/new/", data).status_code
        if action == "record_contact":
            return client.post(f"/concerns/{c.pk}/contacts/new/", _CONTACT_PAGE).status_code
        if action == "record_outcome":
            data = {"outcome": "early_help", "summary": "Family accepted early help"}
            return client.post(f"/concerns/{c.pk}/outcome/", data).status_code
        if action == "record_meeting":
            return client.post(f"/concerns/{c.pk}/meetings/new/", _meeting_page(world)).status_code
        if action == "screen":
            data = {"child": _child_of(c), "action": "record", **_SEEN}
            return client.post(f"/concerns/{c.pk}/screen/", data).status_code
        if action == "challenge":
            url = f"/decisions/{world.decisions[i]}/challenge/"
            return client.post(url, {"grounds": _GROUNDS}).status_code
        if action == "answer_challenge":
            data = {"outcome": "upheld", "answer": _ANSWER}
            return client.post(f"/challenges/{world.challenges[i]}/", data).status_code
        if action == "view_caseloads":
            return client.get("/manage/").status_code
        if action == "view_oversight":
            return client.get("/oversight/").status_code
        if action == "close_escalation":
            data = {"reason": "Decided at the MACE panel, recorded there"}
            return client.post(f"/escalations/{world.escalations[i]}/close/", data).status_code
        if action == "view_register":
            return client.get("/register/").status_code
        if action == "search":
            return client.get("/search/", _SEARCH).status_code
        if action == "register_report":
            return client.post("/register/new/", _REPORT_PAGE).status_code
        if action == "respond_recommendation":
            url = f"/register/recommendations/{world.recommendations[i]}/"
            return client.post(url, _RESPONSE).status_code
        if action == "export_scrutiny":
            return client.post("/scrutiny/", _EXPORT_PAGE).status_code
        if action == "review_match":
            return client.post(f"/people/review/{world.matches[i]}/", _REVIEW).status_code
        if action == "view_networks":
            return client.get("/networks/table/").status_code
        raise AssertionError(action)

    return attempt


def _api(action: str) -> Attempt:
    def attempt(client: Client, world: World, i: int, role: str) -> int:
        c = world.concerns[i]
        api = "/api/v1"
        post: Callable[[str, dict[str, Any]], Any] = lambda url, data: client.post(  # noqa: E731
            url, data, content_type="application/json"
        )
        if action == "view_concern":
            return client.get(f"{api}/concerns/{c.pk}/").status_code
        if action == "view_tray":
            return client.get(f"{api}/queue/").status_code
        if action == "record_concern":
            draft = {
                "children": [{"given_name": "Nia", "family_name": "Access", "sex": "F"}],
                "narrative": "Seen getting into a car with older adults after school.",
            }
            return post(f"{api}/concerns/", draft).status_code
        if action == "allocate":
            worker = str(world.users["practitioner"].pk)
            return post(f"{api}/concerns/{c.pk}/allocation/", {"worker": worker}).status_code
        if action == "decide":
            data = {"decision": "early_help", "rationale": "Family asked for support"}
            return post(f"{api}/concerns/{c.pk}/decisions/", data).status_code
        if action == "regrade":
            data = {"band": "significant", "reason": "Seen with older adults again"}
            url = f"{api}/concerns/{c.pk}/screenings/{world.screenings[i]}/regrade/"
            return post(url, data).status_code
        if action == "sign_off":
            url = f"{api}/decisions/{world.proposals[i]}/sign-off/"
            return post(url, {"approve": True}).status_code
        if action == "add_information":
            data = {"text": "Called the school: she was absent again today."}
            return post(f"{api}/concerns/{c.pk}/notes/", data).status_code
        if action == "record_contact":
            return post(f"{api}/concerns/{c.pk}/contacts/", _CONTACT_API).status_code
        if action == "record_outcome":
            data = {"outcome": "early_help", "summary": "Family accepted early help"}
            return post(f"{api}/concerns/{c.pk}/outcomes/", data).status_code
        if action == "record_meeting":
            return post(f"{api}/concerns/{c.pk}/meetings/", _meeting_api(world)).status_code
        if action == "screen":
            seen = [{"indicator_id": _INDICATOR, "seen_on": "2026-11-01"}]
            data = {"child_id": _child_of(c), "indicators": seen}
            return post(f"{api}/concerns/{c.pk}/screenings/", data).status_code
        if action == "challenge":
            data = {"decision": world.decisions[i], "grounds": _GROUNDS}
            return post(f"{api}/concerns/{c.pk}/challenges/", data).status_code
        if action == "answer_challenge":
            data = {"outcome": "upheld", "answer": _ANSWER}
            return post(f"{api}/challenges/{world.challenges[i]}/answer/", data).status_code
        if action == "view_caseloads":
            return client.get(f"{api}/caseloads/").status_code
        if action == "view_oversight":
            return client.get(f"{api}/oversight/").status_code
        if action == "close_escalation":
            data = {"reason": "Decided at the MACE panel, recorded there"}
            url = f"{api}/escalations/{world.escalations[i]}/close/"
            return post(url, data).status_code
        if action == "view_register":
            return client.get(f"{api}/register/").status_code
        if action == "search":
            return client.get(f"{api}/search/", _SEARCH).status_code
        if action == "register_report":
            report = {
                "kind": "audit",
                "title": "Audit of return home interviews",
                "author": "Partnership audit team",
                "published_on": "2026-11-02",
                "summary": "Interviews were offered late in half of the cases.",
                "recommendations": [],
            }
            return post(f"{api}/register/", report).status_code
        if action == "respond_recommendation":
            url = f"{api}/recommendations/{world.recommendations[i]}/response/"
            return post(url, _RESPONSE).status_code
        if action == "export_scrutiny":
            return post(f"{api}/scrutiny/exports/", _EXPORT_API).status_code
        if action == "review_match":
            return post(f"{api}/matches/{world.matches[i]}/review/", _REVIEW).status_code
        if action == "view_networks":
            return client.get(f"{api}/networks/").status_code
        raise AssertionError(action)

    return attempt


WRITES = {
    "search",
    "record_concern",
    "allocate",
    "decide",
    "regrade",
    "sign_off",
    "add_information",
    "record_contact",
    "record_outcome",
    "screen",
    "challenge",
    "answer_challenge",
    "close_escalation",
    "register_report",
    "respond_recommendation",
    "export_scrutiny",
    "review_match",
}


@pytest.mark.parametrize(("action", "role"), sorted(TABLE))
def test_every_cell_of_the_access_table_holds_through_the_pages_and_the_api(
    action: str, role: str
) -> None:
    world = _world()
    if action == "sign_off":
        _propose(world, role)
    if action in ("challenge", "answer_challenge"):
        _challenged(world, raise_challenges=action == "answer_challenge")
    if action == "close_escalation":
        _escalate(world)
    if action == "respond_recommendation":
        _registered(world, role)
    if action == "review_match":
        _matched(world)
    user = world.users[role]
    client = Client()
    client.force_login(user)
    for index, attempt in enumerate([_page(action), _api(action)]):
        store = reading_ledger().store
        before = store.head()[0]
        answer = attempt(client, world, index, role)
        after = store.head()[0]
        route = "page" if index == 0 else "API"
        # The form's first page is a GET: recording through the pages is the form's own test.
        writes = action in WRITES and not (action == "record_concern" and route == "page")
        if TABLE[(action, role)]:
            assert answer in (200, 201, 202, 302), f"{role} {action} by {route}: {answer}"
            if writes:
                assert after > before, f"{role} {action} by {route} wrote nothing"
        else:
            assert answer in (403, 404), f"{role} may not {action}, but {route} said {answer}"
            if writes:
                assert after == before, f"{role} {action} by {route} wrote to the ledger"
