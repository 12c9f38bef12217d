"""Every page and API endpoint records what it shows: each URL pattern Tocsin serves (those
added later included) is rendered by every kind of user, and whatever protected record appears
in the response must be listed by that request's ``record.viewed``.

A record "appears" when its id, its reference (a concern) or its name (a child) is in the
body. A new route whose URL takes a parameter this file does not know fails until a value is
added to ``parameter_values``; one that no user can open must say why in ``NEEDS_STATE``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_user
from tests.factories.estimates import FROM, TODAY, make_lists_world
from tests.factories.register import make_report
from tocsin.domain.casework import Attendee, MeetingAction
from tocsin.domain.concerns import ChildDraft, IndicatorSeen
from tocsin.domain.concerns import steps as _steps
from tocsin.domain.people import PeopleMatched
from tocsin.domain.screening import scheme
from tocsin.server.actors import SystemActor
from tocsin.server.casework.actions import do_allocate, do_decide
from tocsin.server.casework.models import Decision
from tocsin.server.casework.read_models import TRAYS
from tocsin.server.challenges.actions import do_raise_challenge
from tocsin.server.challenges.models import Challenge
from tocsin.server.clocks.models import Escalation
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import (
    PUBLIC,
    do_add_information,
    do_record_concern,
    do_regrade_risk,
)
from tocsin.server.concerns.models import Child, Concern, RecordView, Screening
from tocsin.server.directory.models import ApiToken, User
from tocsin.server.directory.tokens import do_issue_api_token
from tocsin.server.intel.actions import do_produce_estimate
from tocsin.server.intel.models import EstimateRun
from tocsin.server.ledger.checkpoints import sign_checkpoint_now
from tocsin.server.ledger.recording import record_events
from tocsin.server.meetings.actions import do_record_meeting
from tocsin.server.meetings.models import MeetingAction as ActionRow
from tocsin.server.people.models import ChildMerge, PersonMatch
from tocsin.server.people.review import do_merge_children
from tocsin.server.reads import ReadScope
from tocsin.server.register.models import ProblemProfile, Recommendation, Report
from tocsin.server.register.profiles import do_generate_profile

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: Routes that no user can open from a fresh session, and why (they are still requested, and
#: still checked: whatever they show must be recorded).
NEEDS_STATE = {
    "web:sign-out": "signing out is a POST",
    "web:report-sent": "shows the report this visitor's session just sent",
    "web:report-receipt": "the receipt of the report this visitor's session just sent",
    "web:tlog-tile": "tiles exist only once checkpoints cover them",
    "web:estimate-receipt": "signs a checkpoint first; covered by test_web_estimates",
    "web:statistics-export": "POST only (each export is an event); covered by test_statistics",
    "api:decisions": "POST only; covered by test_casework and test_access_matrix",
    "api:allocation": "POST only; covered by test_casework and test_access_matrix",
    "api:regrade": "POST only; covered by test_casework and test_access_matrix",
    "api:sign-off": "POST only; covered by test_casework and test_access_matrix",
    "api:notes": "POST only; covered by test_casework_records and test_access_matrix",
    "api:contacts": "POST only; covered by test_casework_records and test_access_matrix",
    "api:outcomes": "POST only; covered by test_casework_records and test_access_matrix",
    "api:meetings": "POST only; covered by test_meetings and test_access_matrix",
    "api:action-done": "POST only; covered by test_meetings",
    "api:screenings": "POST only; covered by test_api_screening and test_access_matrix",
    "api:challenges": "POST only; covered by test_challenges and test_access_matrix",
    "api:challenge-answer": "POST only; covered by test_challenges and test_access_matrix",
    "api:close-escalation": "POST only; covered by test_oversight and test_access_matrix",
    "web:account-close": "POST only; covered by test_web_accounts",
    "web:account-reopen": "POST only; covered by test_web_accounts",
    "web:account-role": "POST only; covered by test_web_accounts",
    "web:account-password": "POST only; covered by test_web_accounts",
    "web:token-revoke": "POST only; covered by test_web_accounts",
    "api:register-withdrawal": "POST only; covered by test_access_matrix",
    "api:search": "needs a query and a purpose; covered by test_people_pages",
    "api:recommendation-response": "POST only; covered by test_access_matrix",
    "api:scrutiny-exports": "POST only; covered by test_transparency_and_scrutiny and "
    "test_access_matrix",
    "api:match-review": "POST only; covered by test_clerical_review and test_access_matrix",
    "api:child-merges": "POST only; covered by test_clerical_review",
    "api:merge-split": "POST only; covered by test_clerical_review",
}

#: allauth's sign-in pages (second factor, re-authentication, single sign-on) show no
#: records; tests/functional/test_sign_in.py covers them.
SIGN_IN_ROUTES = ("account_", "mfa_", "socialaccount_", "openid_connect_")


def _routes(
    patterns: list[Any] | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, list[str]]]:
    """Every named route, with the names of the parameters in its URL."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", list(entry.pattern.converters)


@dataclass
class World:
    users: list[User]
    concerns: list[Concern]
    children: list[Child]
    screenings: list[Screening]
    estimate: EstimateRun
    decisions: list[Decision]
    challenges: list[Challenge]
    actions: list[ActionRow]
    escalations: list[Escalation]


def _world() -> World:
    lists = make_lists_world()
    schools = make_agency("Northgate Academy", "education")
    indicator = scheme().indicators[0].id
    council = do_record_concern(
        make_draft(
            children=[ChildDraft(given_name="Ilona", family_name="Zawadzka-Reads")],
            indicators=[IndicatorSeen(indicator, date(2026, 10, 2))],
        ),
        actor=lists.practitioner,
    ).concern
    screening = council.screenings.get()
    other_band = next(b for b in ("significant", "moderate") if b != screening.current_band)
    do_regrade_risk(
        council.pk,
        screening.pk,
        other_band,
        "Seen with older adults again",
        actor=lists.practitioner,
    )
    do_add_information(council.pk, "The school saw the car again.", actor=lists.practitioner)
    do_record_concern(
        make_draft(
            children=[ChildDraft(given_name="Farhan", family_name="Qureshi-Reads")],
            channel="public",
        ),
        actor=PUBLIC,
    )
    teacher = make_user(schools)
    do_record_concern(
        make_draft(children=[ChildDraft(given_name="Tamsin", family_name="Ellery-Reads")]),
        actor=teacher,
    )
    estimate = do_produce_estimate(FROM, TODAY, bootstrap=0, actor=lists.analyst)
    # Case work: the council's concern allocated, and a proposal to close it awaiting sign-off.
    do_allocate(council.pk, worker_id=str(lists.practitioner.pk), actor=SystemActor("test"))
    closing = do_decide(
        council.pk, "close", "Family engaged with early help", actor=lists.practitioner
    )
    # The front door challenges closing it: the challenge goes to the scrutineer.
    do_raise_challenge(
        council.pk,
        closing.decision_id,
        "The car was seen again last week; closing leaves her without a plan.",
        actor=make_user(lists.council, role="mash_officer"),
    )
    do_record_meeting(
        council.pk,
        kind="strategy_discussion",
        held_at=timezone.now(),
        attendees=[
            Attendee("Sam Carter", "team manager", str(lists.council.pk)),
            Attendee("Jo Reid", "detective", str(lists.council.pk)),
        ],
        decisions=["section_47_enquiry"],
        summary="Reasonable cause to suspect significant harm.",
        actions=[MeetingAction("Visit the child", str(lists.practitioner.pk), TODAY)],
        actor=lists.practitioner,
    )
    # Three weeks on, nobody decided the rest: escalations up to the partnership.
    sweep(timezone.now() + timedelta(days=21))
    do_issue_api_token(lists.practitioner, "Case system link", "read", 30, actor=lists.practitioner)
    # The register: a report whose recommendation the practitioner owns.
    make_report(actor=SystemActor("test"), owners=[(lists.practitioner, TODAY)])
    # Clerical review: a match proposed between the school's child and the council's, waiting;
    # and the public report's child merged into the council's.
    _matched_and_merged(council)
    sign_checkpoint_now()
    # A problem profile at that checkpoint.
    do_generate_profile(label="2026-Q3", actor=SystemActor("test"))
    users = [
        lists.practitioner,
        teacher,
        lists.officer,
        lists.analyst,
        make_user(lists.council, role="mash_officer"),
        make_user(lists.council, role="mash_manager"),
        make_user(lists.council, role="team_manager"),
        make_user(lists.council, role="head_of_service"),
        make_user(lists.council, role="partnership_scrutineer"),
        lists.admin,
    ]
    return World(
        users=users,
        concerns=list(Concern.objects.all()),
        children=list(Child.objects.all()),
        screenings=list(Screening.objects.all()),
        estimate=estimate,
        decisions=list(Decision.objects.all()),
        challenges=list(Challenge.objects.all()),
        actions=list(ActionRow.objects.all()),
        escalations=list(Escalation.objects.filter(level=3).order_by("id")[:3]),
    )


def _matched_and_merged(council: Concern) -> None:
    school = Concern.objects.get(child_links__child__family_name="Ellery-Reads")
    left, right = f"{council.reference}/child/0", f"{school.reference}/child/0"
    proposed = {
        "left": left,
        "right": right,
        "probability": 0.8,
        "match_weight": 2.0,
        "weights": {"surname": 2.0},
        "status": "proposed",
    }
    event = PeopleMatched(str(school.pk), "test", 0.99, 0.5, [proposed])
    record_events([event], actor_id="system:test")
    public = Concern.objects.get(child_links__child__family_name="Qureshi-Reads")
    do_merge_children(
        council.child_links.get().child_id,
        public.child_links.get().child_id,
        "The same girl: the public report names her school and street",
        actor=SystemActor("test"),
    )


def parameter_values(world: World, name: str) -> list[dict[str, Any]]:
    """Values to try for one URL parameter (each may be visible to some users only)."""
    if name == "concern_id":
        return [{"concern_id": c.pk} for c in world.concerns]
    if name == "child_id":
        return [{"child_id": c.pk} for c in world.children]
    if name == "screening_id":  # always with its concern
        return [{"screening_id": s.pk, "concern_id": s.concern_id} for s in world.screenings]
    if name == "estimate_id":
        return [{"estimate_id": world.estimate.pk}]
    if name == "decision_id":
        return [{"decision_id": d.pk} for d in world.decisions]
    if name == "challenge_id":
        return [{"challenge_id": c.pk} for c in world.challenges]
    if name == "action_id":
        return [{"action_id": a.pk} for a in world.actions]
    if name == "escalation_id":
        return [{"escalation_id": e.pk} for e in world.escalations]
    if name == "report_id":
        return [{"report_id": r.pk} for r in Report.objects.all()]
    if name == "profile_id":
        return [{"profile_id": p.pk} for p in ProblemProfile.objects.all()]
    if name == "recommendation_id":
        return [{"recommendation_id": r.pk} for r in Recommendation.objects.all()]
    if name == "user_id":
        return [{"user_id": u.pk} for u in world.users]
    if name == "token_id":
        return [{"token_id": t.pk} for t in ApiToken.objects.all()]
    if name == "name":  # the work trays
        return [{"name": tray} for tray in TRAYS]
    if name == "slug":
        return [{"slug": step.slug} for step in _steps.STEPS]
    if name == "lang":
        return [{"lang": "en"}]
    if name == "path":
        return [{"path": "0/x/000"}]
    if name == "match_id":
        return [{"match_id": m.pk} for m in PersonMatch.objects.all()]
    if name == "merge_id":  # always with its child
        return [{"merge_id": m.pk, "child_id": m.survivor_id} for m in ChildMerge.objects.all()]
    if name == "file_format":  # the statistics' exports
        return [{"file_format": "csv"}, {"file_format": "xlsx"}]
    raise AssertionError(
        f"a route takes the parameter {name!r}: add values for it to parameter_values, so "
        "that the test can check what the new page shows is recorded"
    )


def _urls(world: World, name: str, parameters: list[str]) -> list[str]:
    if not parameters:
        return [reverse(name)]
    per_parameter = [
        parameter_values(world, p)
        for p in parameters
        if not (p == "concern_id" and "screening_id" in parameters)
        and not (p == "child_id" and "merge_id" in parameters)
    ]
    urls = []
    for combination in itertools.product(*per_parameter):
        kwargs: dict[str, Any] = {}
        for values in combination:
            kwargs.update(values)
        # A value that brings its parent's (a merge its child) where the route takes no parent.
        urls.append(reverse(name, kwargs={k: v for k, v in kwargs.items() if k in parameters}))
    return urls


def _appears(body: str, world: World) -> set[str]:
    """The protected records whose id, reference or name is in ``body``."""
    found = set()
    for concern in world.concerns:
        if str(concern.pk) in body or concern.reference in body:
            found.add(f"concern:{concern.pk}")
    for child in world.children:
        name = f"{child.given_name} {child.family_name}".strip()
        if str(child.pk) in body or (child.family_name and name in body):
            found.add(f"child:{child.pk}")
    return found


def test_every_route_records_every_record_it_shows() -> None:
    world = _world()
    opened: dict[str, int] = {}
    checked = 0
    # One signed-in client for each person (and one for the public), kept for every page.
    clients = {user: Client() for user in [None, *world.users]}
    for user, client in clients.items():
        if user is not None:
            client.force_login(user)
    for name, parameters in _routes():
        if name.startswith(SIGN_IN_ROUTES):
            continue
        opened.setdefault(name, 0)
        for url in _urls(world, name, parameters):
            for user, client in clients.items():
                before = RecordView.objects.aggregate(last=Max("viewed_seq"))["last"] or -1
                response = client.get(url)
                body = (
                    b"".join(response).decode("utf-8", "replace")
                    if response.streaming
                    else response.content.decode("utf-8", "replace")
                )
                if response.status_code < 400:  # shown, or sent on (a redirect)
                    opened[name] += 1
                viewer = f"user:{user.pk}" if user else "system:public-reporting"
                recorded = set(
                    RecordView.objects.filter(viewed_seq__gt=before, viewer=viewer).values_list(
                        "subject", flat=True
                    )
                )
                shown = _appears(body, world)
                assert shown <= recorded, (
                    f"GET {url} as {user.role if user else 'the public'} "
                    f"({response.status_code}) shows {sorted(shown - recorded)} but its "
                    f"record.viewed lists only {sorted(recorded)}"
                )
                checked += 1
    never = {n for n, count in opened.items() if count == 0 and n not in NEEDS_STATE}
    assert not never, f"no user could open {sorted(never)}: give them values or a reason"
    assert checked > 100


def test_a_page_that_forgot_to_record_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: with loaded records no longer added to the read scope, the
    child page shows a name and a concern its record.viewed does not list."""
    world = _world()
    monkeypatch.setattr(ReadScope, "add", lambda self, subjects: None)
    user = next(u for u in world.users if u.role == "partnership_scrutineer")
    client = Client()
    client.force_login(user)
    child = next(c for c in world.children if c.family_name == "Zawadzka-Reads")
    body = client.get(f"/children/{child.pk}/").content.decode()
    recorded = set(
        RecordView.objects.filter(viewer=f"user:{user.pk}").values_list("subject", flat=True)
    )
    assert f"child:{child.pk}" in _appears(body, world) - recorded
