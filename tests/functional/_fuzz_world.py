"""The world the fuzz tests (``test_fuzz_input.py``) post into, built once per module: one
council with someone in every role a form needs, and a record behind every form that edits
one (a concern at each stage, a decision, a challenge, an escalation, a meeting action, a
report and its recommendation, a proposed match, a merge, an API token, two accounts).

Also where the forms are found (each page fetched as someone who may use it, its form read
for the names it posts) and the valid body of each API write, which the fuzzing mutates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tests.factories.people import propose_match
from tests.factories.register import make_report
from tocsin.domain.concerns import ChildDraft, IndicatorSeen
from tocsin.domain.concerns.steps import STEPS, steps_for
from tocsin.domain.screening import scheme
from tocsin.server.casework.actions import do_decide
from tocsin.server.challenges.actions import do_raise_challenge
from tocsin.server.clocks.models import Escalation
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.actions import do_deactivate_user
from tocsin.server.directory.models import User
from tocsin.server.directory.tokens import do_issue_api_token
from tocsin.server.ledger.checkpoints import sign_checkpoint_now
from tocsin.server.meetings.models import MeetingAction
from tocsin.server.people.models import ChildMerge
from tocsin.server.people.review import do_merge_children

__all__ = ["PASSWORD", "Form", "World", "api_writes", "build_world", "client_for", "find_forms"]

#: The administrator's password, which changing a role asks for again.
PASSWORD = "a long enough fuzzing password 7"


@dataclass
class World:
    users: dict[str, User]
    concerns: list[Concern]
    screening: str
    decision: str
    proposal: str
    challenge: str
    escalation: str
    meeting_action: str
    child: str
    report: str
    recommendation: str
    match: str
    merge: str
    merge_survivor: str
    unmerged: tuple[str, str]
    token: str


def _child_of(concern: Concern) -> str:
    return str(concern.child_links.get().child_id)


def _concern(author: User, given: str, family: str, born: date) -> Concern:
    child = ChildDraft(given_name=given, family_name=family, sex="F", date_of_birth=born)
    return do_record_concern(make_draft(children=[child]), actor=author).concern


def build_world() -> World:
    council = make_agency("Fuzz Council", "council")
    team = make_team(council, "Fuzz team")
    mash = make_team(council, "Fuzz MASH")
    roles = [
        "head_of_service",
        "mash_officer",
        "partnership_scrutineer",
        "analyst",
        "police_officer",
    ]
    users = {
        role: make_user(council, role=role, team=mash if role.startswith("mash") else team)
        for role in roles
    }
    author = make_user(council, team=team)
    users["practitioner"] = author
    users["administrator"] = make_user(council, role="administrator", password=PASSWORD)
    users["open_account"] = make_user(council, team=team)
    users["closed_account"] = make_user(council, team=team)
    do_deactivate_user(users["closed_account"], "Left the council", actor=users["administrator"])
    mild = [i.id for i in scheme().indicators if i.group != "significant"][:1]
    seen = [IndicatorSeen(i, date(2026, 11, 1)) for i in mild]
    concerns = [
        do_record_concern(make_draft(indicators=seen), actor=author).concern for _ in range(4)
    ]
    decider = make_user(council, team=team)
    decision = do_decide(concerns[0].pk, "early_help", "Family asked for support", actor=decider)
    challenge = do_raise_challenge(
        concerns[0].pk,
        decision.decision_id,
        "Three agencies saw the same car; this needs a strategy discussion",
        actor=users["mash_officer"],
    )
    proposal = do_decide(
        concerns[1].pk, "no_further_action", "No risk found after checks", actor=author
    )
    sweep(timezone.now() + timedelta(days=21))
    escalation = Escalation.objects.filter(concern=concerns[3], obligation="decision", level=3)
    head = client_for(users["head_of_service"])
    meeting = {
        "kind": "strategy_discussion",
        "held_on-day": "2",
        "held_on-month": "11",
        "held_on-year": "2026",
        "attendees": f"Sam Carter, manager, {council.name}\nJo Reid, detective, {council.name}",
        "decisions": ["section_47_enquiry"],
        "summary": "Reasonable cause to suspect significant harm from exploitation.",
        "action-0-text": "Visit the school",
        "action-0-owner": str(author.pk),
        "action-0-due-day": "20",
        "action-0-due-month": "11",
        "action-0-due-year": "2026",
    }
    assert head.post(f"/concerns/{concerns[2].pk}/meetings/new/", meeting).status_code == 302
    report = make_report(
        actor=users["head_of_service"], owners=[(users["head_of_service"], date(2027, 1, 15))]
    )
    # The front door's review: a proposed match, a merge in force, and two records unmerged.
    officer = users["mash_officer"]
    # Children unlike each other, so that the engine links none of them on its own.
    matched = [
        _concern(author, "Zuleika", "Brightwater", date(2012, 5, 6)),
        _concern(author, "Priya", "Shah", date(2010, 2, 3)),
    ]
    match = propose_match(*matched)
    merged = [
        _concern(author, "Roksana", "Wójcik", date(2013, 7, 8)),
        _concern(author, "Mia", "Clarke", date(2009, 9, 9)),
    ]
    survivor, other = _child_of(merged[0]), _child_of(merged[1])
    do_merge_children(survivor, other, "Same school and date of birth", actor=officer)
    token = do_issue_api_token(
        users["analyst"], "Fuzz dashboard", "read", 30, actor=users["analyst"]
    )
    sign_checkpoint_now()  # the statistics and their exports are read at a checkpoint
    return World(
        users=users,
        concerns=concerns,
        screening=str(concerns[2].screenings.get().pk),
        decision=str(decision.decision_id),
        proposal=str(proposal.decision_id),
        challenge=str(challenge.challenge_id),
        escalation=str(escalation.get().pk),
        meeting_action=str(MeetingAction.objects.get().pk),
        child=_child_of(concerns[2]),
        report=str(report.pk),
        recommendation=str(report.recommendations.get().pk),
        match=str(match.pk),
        merge=str(ChildMerge.objects.get(survivor_id=survivor).pk),
        merge_survivor=survivor,
        unmerged=(_child_of(matched[0]), _child_of(matched[1])),
        token=str(token.row.pk),
    )


def client_for(user: User | None) -> Client:
    """A client signed in as ``user`` (None: the public)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@dataclass(frozen=True)
class Form:
    """One form as its page shows it: who uses it, where it posts, and each name with the
    values the page offers for it (an empty list: free text)."""

    role: str
    url: str
    fields: dict[str, list[str]]


def _form_on(client: Client, page: str, role: str, posts_to: str | None = None) -> Form:
    """The form on ``page`` that posts to ``posts_to`` (by default, back to the page; of
    several, the one with the most fields)."""
    response = client.get(page)
    assert response.status_code == 200, f"{role} GET {page}: {response.status_code}"
    soup = BeautifulSoup(response.content, "html.parser")
    path = page.split("?")[0]
    target = posts_to or path
    own = [
        f
        for f in soup.find_all("form")
        if str(f.get("method", "")).lower() == "post"
        and str(f.get("action") or path).split("?")[0] == target
    ]
    assert own, f"no form on {page} posts to {target}"
    form = max(own, key=lambda f: len(f.find_all(["input", "select", "textarea"])))
    fields: dict[str, list[str]] = {}
    for element in form.find_all(["input", "select", "textarea"]):
        name = str(element.get("name") or "")
        if not name or name == "csrfmiddlewaretoken":
            continue
        offered = fields.setdefault(name, [])
        if element.name == "select":
            offered += [str(o.get("value", o.text)) for o in element.find_all("option")]
        elif element.get("type") in ("radio", "checkbox", "hidden", "submit"):
            offered.append(str(element.get("value", "")))
        elif element.get("value"):
            offered.append(str(element.get("value")))
    url = page if posts_to is None else posts_to
    return Form(role, url, fields)


def find_forms(world: World) -> list[Form]:
    """Every form, each found on its page as its user sees it."""
    c = world.concerns
    heads = {step.slug for step in steps_for("head_of_service")}
    account, closed = world.users["open_account"].pk, world.users["closed_account"].pk
    wanted: list[tuple[str, str, str | None]] = [
        (
            "head_of_service" if step.slug in heads else "police_officer",
            f"/concerns/new/{step.slug}/",
            None,
        )
        for step in STEPS
    ]
    wanted += [
        ("police_officer", "/concerns/new/check/", None),
        ("head_of_service", f"/concerns/{c[3].pk}/allocate/", None),
        ("head_of_service", f"/concerns/{c[3].pk}/decide/", None),
        ("head_of_service", f"/decisions/{world.proposal}/", None),
        ("head_of_service", f"/concerns/{c[2].pk}/notes/new/", None),
        ("head_of_service", f"/concerns/{c[2].pk}/contacts/new/", None),
        ("head_of_service", f"/concerns/{c[2].pk}/outcome/", None),
        ("head_of_service", f"/concerns/{c[2].pk}/meetings/new/", None),
        ("head_of_service", f"/meetings/actions/{world.meeting_action}/", None),
        ("head_of_service", f"/concerns/{c[2].pk}/screen/?child={world.child}", None),
        ("head_of_service", f"/concerns/{c[2].pk}/screenings/{world.screening}/regrade/", None),
        ("head_of_service", f"/decisions/{world.decision}/challenge/", None),
        ("partnership_scrutineer", f"/challenges/{world.challenge}/", None),
        ("partnership_scrutineer", f"/escalations/{world.escalation}/close/", None),
        ("analyst", "/estimates/new/", None),
        ("head_of_service", "/capacity/set/", None),
        ("head_of_service", "/statistics/", "/statistics/export.csv"),
        ("head_of_service", "/register/new/", None),
        ("head_of_service", f"/register/reports/{world.report}/withdraw/", None),
        ("head_of_service", f"/register/recommendations/{world.recommendation}/", None),
        ("partnership_scrutineer", "/scrutiny/", None),
        ("mash_officer", f"/people/review/{world.match}/", None),
        (
            "mash_officer",
            f"/children/{world.merge_survivor}/merges/{world.merge}/split/",
            None,
        ),
        ("administrator", f"/accounts/{account}/", f"/accounts/{account}/role/"),
        ("administrator", f"/accounts/{account}/", f"/accounts/{account}/password/"),
        ("administrator", f"/accounts/{account}/", f"/accounts/{account}/close/"),
        ("administrator", f"/accounts/{closed}/", f"/accounts/{closed}/reopen/"),
        ("analyst", "/tokens/", None),
        ("analyst", "/tokens/", f"/tokens/{world.token}/revoke/"),
        ("", "/report/en/", None),
        ("", "/report/ur/follow-up/", None),
        ("", "/report/pl/progress/", None),
        ("", "/sign-in/", None),
    ]
    found = []
    for role, page, posts_to in wanted:
        client = client_for(world.users[role] if role else None)
        if page.startswith("/concerns/new/") and page != "/concerns/new/children/":
            client.get("/concerns/new/")  # the form's later pages need its session
        found.append(_form_on(client, page, role, posts_to))
    return found


def api_writes(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    """Each API write: who sends it, where, and a valid body."""
    c = world.concerns
    api = "/api/v1"
    agency = str(world.users["practitioner"].agency_id)
    head = str(world.users["head_of_service"].pk)
    indicators = [{"indicator_id": scheme().indicators[0].id, "seen_on": "2026-11-01"}]
    return [
        (
            "head_of_service",
            f"{api}/concerns/",
            {
                "children": [{"given_name": "Nia", "family_name": "Fuzz", "sex": "F"}],
                "narrative": "Seen getting into a car with older adults after school.",
                "occurred_on": "2026-11-01",
                "persons": [{"names": ["Dean"], "approximate_age": 25}],
                "vehicles": [{"registration": "ZX12 ABC"}],
                "phones": ["07700 900123"],
                "places": [{"name": "Park", "postcode": "ZZ1 2AB"}],
                "indicators": indicators,
                "cin_factors": ["11A"],
                "grading": {"source": "1", "intelligence": "A", "handling": "P"},
            },
        ),
        (
            "head_of_service",
            f"{api}/concerns/{c[3].pk}/allocation/",
            {"worker": str(world.users["practitioner"].pk), "reason": "Capacity"},
        ),
        (
            "head_of_service",
            f"{api}/concerns/{c[3].pk}/decisions/",
            {"decision": "early_help", "rationale": "Family asked for support"},
        ),
        (
            "head_of_service",
            f"{api}/decisions/{world.proposal}/sign-off/",
            {"approve": True, "reason": "Agreed with the checks"},
        ),
        ("head_of_service", f"{api}/concerns/{c[2].pk}/notes/", {"text": "Called the school."}),
        (
            "head_of_service",
            f"{api}/concerns/{c[2].pk}/contacts/",
            {
                "with_whom": "parent_carer",
                "method": "phone",
                "happened_on": "2026-11-02",
                "made": True,
                "summary": "Spoke to her mother.",
            },
        ),
        (
            "head_of_service",
            f"{api}/concerns/{c[2].pk}/outcomes/",
            {"outcome": "early_help", "summary": "Family accepted early help"},
        ),
        (
            "head_of_service",
            f"{api}/concerns/{c[2].pk}/meetings/",
            {
                "kind": "strategy_discussion",
                "held_at": "2026-11-02T10:00:00Z",
                "attendees": [
                    {"name": "Sam Carter", "role": "team manager", "agency": agency},
                    {"name": "Jo Reid", "role": "detective", "agency": agency},
                ],
                "decisions": ["section_47_enquiry"],
                "summary": "Reasonable cause to suspect significant harm.",
                "actions": [
                    {
                        "text": "Visit",
                        "owner": str(world.users["practitioner"].pk),
                        "due": "2026-11-20",
                    }
                ],
            },
        ),
        (
            "head_of_service",
            f"{api}/meeting-actions/{world.meeting_action}/done/",
            {"summary": "Visited the school."},
        ),
        (
            "head_of_service",
            f"{api}/concerns/{c[2].pk}/screenings/",
            {"child_id": world.child, "indicators": indicators},
        ),
        (
            "head_of_service",
            f"{api}/concerns/{c[2].pk}/screenings/{world.screening}/regrade/",
            {"band": "significant", "reason": "Seen with older adults again"},
        ),
        (
            "head_of_service",
            f"{api}/concerns/{c[0].pk}/challenges/",
            {"decision": world.decision, "grounds": "The car was seen three more times."},
        ),
        (
            "partnership_scrutineer",
            f"{api}/challenges/{world.challenge}/answer/",
            {"outcome": "upheld", "answer": "Upheld: a strategy discussion is to be held."},
        ),
        (
            "partnership_scrutineer",
            f"{api}/escalations/{world.escalation}/close/",
            {"reason": "Decided at the MACE panel"},
        ),
        (
            "head_of_service",
            f"{api}/register/",
            {
                "kind": "audit",
                "title": "Multi-agency audit of missing episodes, autumn 2026",
                "author": "Northgate Safeguarding Partnership",
                "published_on": "2026-11-02",
                "summary": "Return interviews were offered late in half the episodes.",
                "recommendations": [
                    {
                        "text": "Offer every return interview within 72 hours.",
                        "owner": head,
                        "due": "2027-01-15",
                    },
                ],
            },
        ),
        (
            "head_of_service",
            f"{api}/register/{world.report}/withdrawal/",
            {"reason": "Superseded by the 2027 profile"},
        ),
        (
            "head_of_service",
            f"{api}/recommendations/{world.recommendation}/response/",
            {"response": "accepted", "text": "Licensing checks now include night-time visits."},
        ),
        (
            "partnership_scrutineer",
            f"{api}/scrutiny/exports/",
            {"kind": "downgrades", "period_from": "2026-01-01", "period_to": "2026-12-31"},
        ),
        (
            "mash_officer",
            f"{api}/matches/{world.match}/review/",
            {"decision": "confirmed", "reason": "Same date of birth and school", "merge": True},
        ),
        (
            "mash_officer",
            f"{api}/children/{world.unmerged[0]}/merges/",
            {"merged": world.unmerged[1], "reason": "Same date of birth and school"},
        ),
        (
            "mash_officer",
            f"{api}/merges/{world.merge}/split/",
            {"reason": "Two girls: different schools and NHS numbers"},
        ),
    ]
