"""Fuzzing every form and every API write body (issue 14 §5): whatever anyone sends, Tocsin
answers with a page or an error naming the problem, never a server error.

The forms are found on the pages themselves: each page is fetched as someone who may use it,
its ``<form method="post">`` read for the names it posts (inputs, selects, textareas), and
hypothesis then posts those names with a mix of sensible values (what the page offers) and
nasty ones (huge numbers, other scripts' digits, control characters, NUL, very long text,
impossible dates). A form that gains a field is fuzzed on that field without this test
changing. The API bodies start from a valid body for each write and have fields replaced by
arbitrary JSON, or the whole body replaced by junk (deep nesting, wrong types, broken JSON).

The Django test client re-raises any exception a view raises, so a crash fails the test
with its traceback, and a 5xx answer fails the assertion. Examples are derandomised (the
same every run, for CI); ``TOCSIN_FUZZ_EXAMPLES`` asks for more, locally.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.concerns import IndicatorSeen
from tocsin.domain.concerns.steps import STEPS, steps_for
from tocsin.domain.screening import scheme
from tocsin.server.casework.actions import do_decide
from tocsin.server.challenges.actions import do_raise_challenge
from tocsin.server.clocks.models import Escalation
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.meetings.models import MeetingAction
from tocsin.server.web import _ratelimit

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("TOCSIN_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Values that have broken form handling somewhere, or could: numbers too large for C or for
#: SQLite, digits that are digits only to str.isdigit, dates that do not exist or overflow.
NASTY_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "99999999999",
    "9" * 40,
    "1e309",
    "NaN",
    "²",
    "١٢",
    "٣",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
    "\u202e",
    "\ufeff",
    "line\nbreak",
    "9999",
    "1899",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "31/31/2020",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "x" * 30_000,
    "Ł" * 5_000,
]
texts = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


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


def _world() -> World:
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
    head = Client()
    head.force_login(users["head_of_service"])
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
    return World(
        users=users,
        concerns=concerns,
        screening=str(concerns[2].screenings.get().pk),
        decision=str(decision.decision_id),
        proposal=str(proposal.decision_id),
        challenge=str(challenge.challenge_id),
        escalation=str(escalation.get().pk),
        meeting_action=str(MeetingAction.objects.get().pk),
        child=str(concerns[2].child_links.get().child_id),
    )


@dataclass(frozen=True)
class Form:
    """One form as its page shows it: where it posts, and each name with the values the page
    offers for it (an empty list: free text)."""

    role: str
    url: str
    fields: dict[str, list[str]]


def _form_on(client: Client, url: str, role: str) -> Form:
    response = client.get(url)
    assert response.status_code == 200, f"{role} GET {url}: {response.status_code}"
    page = BeautifulSoup(response.content, "html.parser")
    path = url.split("?")[0]
    own = [
        f
        for f in page.find_all("form")
        if str(f.get("method", "")).lower() == "post"
        and str(f.get("action") or path).split("?")[0] == path
    ]
    assert own, f"no form on {url} posts back to it"
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
    return Form(role, url, fields)


def _forms(world: World) -> list[Form]:
    c = world.concerns
    heads = {step.slug for step in steps_for("head_of_service")}
    wanted: list[tuple[str, str]] = [
        (
            "head_of_service" if step.slug in heads else "police_officer",
            f"/concerns/new/{step.slug}/",
        )
        for step in STEPS
    ]
    wanted += [
        ("head_of_service", f"/concerns/{c[3].pk}/allocate/"),
        ("head_of_service", f"/concerns/{c[3].pk}/decide/"),
        ("head_of_service", f"/decisions/{world.proposal}/"),
        ("head_of_service", f"/concerns/{c[2].pk}/notes/new/"),
        ("head_of_service", f"/concerns/{c[2].pk}/contacts/new/"),
        ("head_of_service", f"/concerns/{c[2].pk}/outcome/"),
        ("head_of_service", f"/concerns/{c[2].pk}/meetings/new/"),
        ("head_of_service", f"/meetings/actions/{world.meeting_action}/"),
        ("head_of_service", f"/concerns/{c[2].pk}/screen/?child={world.child}"),
        ("head_of_service", f"/concerns/{c[2].pk}/screenings/{world.screening}/regrade/"),
        ("head_of_service", f"/decisions/{world.decision}/challenge/"),
        ("partnership_scrutineer", f"/challenges/{world.challenge}/"),
        ("partnership_scrutineer", f"/escalations/{world.escalation}/close/"),
        ("analyst", "/estimates/new/"),
        ("", "/report/en/"),
        ("", "/report/ur/follow-up/"),
        ("", "/report/pl/progress/"),
        ("", "/sign-in/"),
    ]
    forms = []
    for role, url in wanted:
        client = _client(world, role)
        if url.startswith("/concerns/new/") and url != "/concerns/new/children/":
            client.get("/concerns/new/")  # the form's later pages need its session
        forms.append(_form_on(client, url, role))
    return forms


def _client(world: World, role: str) -> Client:
    client = Client()
    if role:
        client.force_login(world.users[role])
    return client


def _sensible(name: str, offered: list[str]) -> str:
    """A value a person might give: the first the page offers, or one that fits the name,
    so that a nasty value elsewhere in the form gets past the checks before it."""
    if offered:
        return next((value for value in offered if value), offered[0])
    for ending, value in (("-day", "2"), ("-month", "11"), ("-year", "2026"), ("age", "14")):
        if name.endswith(ending):
            return value
    return "Seen with older adults after school, twice this week."


def _baseline(form: Form) -> dict[str, str]:
    return {name: _sensible(name, offered) for name, offered in form.fields.items()}


@st.composite
def form_posts(draw: st.DrawFn, form: Form) -> dict[str, Any]:
    """The form's names, each with a sensible value, another value the page offers, nasty
    text (one or several), or nothing."""
    body: dict[str, Any] = {}
    for name, offered in form.fields.items():
        choice = draw(st.integers(0, 5))
        if choice == 0 and offered:
            body[name] = draw(st.sampled_from(offered))
        elif choice == 1:
            body[name] = draw(st.lists(texts, min_size=1, max_size=3))
        elif choice == 2:
            body[name] = draw(texts)
        elif choice != 3:
            body[name] = _sensible(name, offered)
    if draw(st.booleans()):
        body[draw(texts) or "extra"] = draw(texts)
    return body


def _api_writes(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    c = world.concerns
    api = "/api/v1"
    agency = str(world.users["practitioner"].agency_id)
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
                "indicators": [
                    {"indicator_id": scheme().indicators[0].id, "seen_on": "2026-11-01"}
                ],
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
            {
                "child_id": world.child,
                "indicators": [
                    {"indicator_id": scheme().indicators[0].id, "seen_on": "2026-11-01"}
                ],
            },
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
    ]


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with, here and there, a part replaced by arbitrary JSON."""
    if draw(st.integers(0, 4)) == 0:
        return draw(json_values)
    if isinstance(value, dict):
        return {key: _mutate(draw, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mutate(draw, item) for item in value]
    return value


@st.composite
def api_bodies(draw: st.DrawFn, valid: dict[str, Any]) -> str:
    """A body as sent: the valid one mutated, or junk."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        depth = draw(st.sampled_from([25, 1_000, 100_000]))
        return "[" * depth + "]" * depth
    if kind == 1:
        return '{"children": ' + "[" * 50_000
    if kind == 2:
        return draw(texts)
    if kind == 3:
        return json.dumps(draw(json_values))
    return json.dumps(_mutate(draw, valid))


def _no_server_error(status: int, what: str) -> None:
    assert status < 500, f"{what} answered {status}"


def test_no_form_answers_with_a_server_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The public pages' rate limit is tested on its own; here it would answer 429 to all.
    monkeypatch.setattr(_ratelimit, "allow", lambda request, limit: True)
    world = _world()
    forms = _forms(world)
    clients = {role: _client(world, role) for role in {form.role for form in forms}}

    @FUZZ
    @given(st.data())
    def post_a_form(data: st.DataObject) -> None:
        form = data.draw(st.sampled_from(forms))
        body = data.draw(form_posts(form))
        response = clients[form.role].post(form.url, body)
        _no_server_error(response.status_code, f"POST {form.url} as {form.role or 'the public'}")

    post_a_form()


#: Each of these is tried in every field of every form, the rest of the form sensible.
SWEPT = ["²", "99999999999", "9" * 40, "-1", "١٢", "\x00", "\x1b", "x" * 30_000]


def _one_of_each_shape(names: Iterable[str]) -> list[str]:
    """The names, less repeats of one shape: of ``seen-<indicator>-day`` for thirty
    indicators, or of ``action-<row>-text`` for four rows, the first is swept."""
    shapes: set[str] = set()
    kept = []
    for name in names:
        shape = re.sub(r"-\d+-", "-N-", re.sub(r"^seen-[a-z0-9_]+-", "seen-I-", name))
        if shape not in shapes:
            shapes.add(shape)
            kept.append(name)
    return kept


def test_every_field_of_every_form_takes_each_nasty_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sweep behind the fuzzing: one nasty value at a time, in one field at a time,
    with the rest of the form filled in sensibly, so that the value reaches as far as it
    can. The random mixing above explores; this makes sure nothing is left to chance."""
    monkeypatch.setattr(_ratelimit, "allow", lambda request, limit: True)
    world = _world()
    forms = _forms(world)
    clients = {role: _client(world, role) for role in {form.role for form in forms}}
    posted = 0
    for form in forms:
        baseline = _baseline(form)
        for name in _one_of_each_shape(form.fields):
            for value in SWEPT:
                response = clients[form.role].post(form.url, {**baseline, name: value})
                _no_server_error(
                    response.status_code, f"POST {form.url} with {name}={value[:20]!r}"
                )
                posted += 1
    assert posted > 500, f"only {posted} posts: the forms were not found"


def test_no_api_body_answers_with_a_server_error() -> None:
    world = _world()
    writes = _api_writes(world)
    clients = {role: _client(world, role) for role, _, _ in writes}

    @FUZZ
    @given(st.data())
    def post_a_body(data: st.DataObject) -> None:
        role, url, valid = data.draw(st.sampled_from(writes))
        body = data.draw(api_bodies(valid))
        response = clients[role].post(url, body, content_type="application/json")
        _no_server_error(response.status_code, f"POST {url}")

    post_a_body()


def test_the_nasty_values_reach_the_checks_and_are_refused_there() -> None:
    """The fuzzing above can pass only by refusing: this pins the refusals it relies on,
    each as a field problem naming the field, on a form, the public page and the API."""
    world = _world()
    head = _client(world, "head_of_service")
    api = "/api/v1/concerns/"
    base: dict[str, Any] = {
        "children": [{"given_name": "Nia"}],
        "narrative": "Seen getting into a car with older adults after school.",
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({**base, "narrative": "Seen in a car\x1b[31m after school"}, "narrative"),
        ({**base, "children": [{"given_name": "Ni\x07a"}]}, "children[0].given_name"),
        ({**base, "occurred_on": "1850-01-01"}, "occurred_on"),
        ({**base, "children": [{"given_name": "Nia"}] * 21}, "children"),
    ]
    for body, field in cases:
        response = head.post(api, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (body, response.content)
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    ancient = [{"indicator_id": scheme().indicators[0].id, "seen_on": "0001-01-01"}]
    screening = {"child_id": world.child, "indicators": ancient}
    url = f"/api/v1/concerns/{world.concerns[2].pk}/screenings/"
    screened = head.post(url, json.dumps(screening), content_type="application/json")
    assert screened.status_code == 400
    assert "indicators[0]" in {e["field"] for e in screened.json()["errors"]}
    deep = "[" * 100_000 + "]" * 100_000
    assert head.post(api, deep, content_type="application/json").status_code == 400
    huge = json.dumps(
        {**base, "narrative": "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert head.post(api, huge, content_type="application/json").status_code == 400

    public = Client()
    report = {"child_name": "Kasia", "narrative": "Seen in a car\x00 after school"}
    page = BeautifulSoup(public.post("/report/en/", report).content, "html.parser")
    assert page.select_one(".govuk-error-summary"), "the public page shows the problem"
    day = {"occurred_on-day": "99999999999", "occurred_on-month": "1", "occurred_on-year": "2020"}
    response = public.post("/report/en/", {"child_name": "Kasia", "narrative": "Car", **day})
    assert response.status_code == 400
    assert BeautifulSoup(response.content, "html.parser").select_one("#occurred_on-day-error")
    note = head.post(f"/concerns/{world.concerns[2].pk}/notes/new/", {"text": "Called\x00"})
    assert note.status_code == 400
    assert "control characters" in note.content.decode()
    # A reason has no check of its own: the ledger's last line refuses it, at its field.
    worker = str(world.users["practitioner"].pk)
    allocation = {"worker": worker, "reason": "Capacity\x00"}
    allocated = head.post(f"/concerns/{world.concerns[3].pk}/allocate/", allocation)
    assert allocated.status_code == 400
    assert BeautifulSoup(allocated.content, "html.parser").select_one("#reason-error")
    narratives = Concern.objects.values_list("narrative", flat=True)
    assert not any("\x00" in narrative for narrative in narratives)
