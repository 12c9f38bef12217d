"""Fuzzing every form and every API write body (issue 14 §5): whatever anyone sends, Tocsin
answers with a page or an error naming the problem, never a server error.

The forms are found on the pages themselves: each page is fetched as someone who may use it,
its ``<form method="post">`` read for the names it posts (inputs, selects, textareas), and
hypothesis then posts those names with a mix of sensible values (what the page offers) and
nasty ones (huge numbers, other scripts' digits, control characters, NUL, very long text,
impossible dates). A form that gains a field is fuzzed on that field without this test
changing. The API bodies start from a valid body for each write and have fields replaced by
arbitrary JSON, or the whole body replaced by junk (deep nesting, wrong types, broken JSON).

Every route that takes a POST is fuzzed, or is on a short list saying why not
(``NOT_FUZZED``): a test walks the web's and the API's routes and fails on any other, so a new
form or endpoint is added to ``_fuzz_world.py`` with the record it needs. The world is built
once for the module (a transaction rolled back at its end) and each test starts from it.

The Django test client re-raises any exception a view raises, so a crash fails the test
with its traceback, and a 5xx answer fails the assertion. Examples are derandomised (the
same every run, for CI); ``TOCSIN_FUZZ_EXAMPLES`` asks for more, locally.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, resolve
from django.views.decorators.http import require_POST, require_safe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import built_once_for_module
from tests.functional._fuzz_world import (
    PASSWORD,
    Form,
    World,
    api_writes,
    build_world,
    client_for,
    find_forms,
)
from tocsin.domain.screening import scheme
from tocsin.server.api import urls as api_urls
from tocsin.server.concerns.models import Concern
from tocsin.server.web import _ratelimit
from tocsin.server.web import urls as web_urls

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


@dataclass(frozen=True)
class Fuzzed:
    """The module's world, its forms as their pages show them, and its API writes."""

    world: World
    forms: list[Form]
    writes: list[tuple[str, str, dict[str, Any]]]

    def clients(self, roles: Iterable[str]) -> dict[str, Client]:
        """A client for each role, signed in as the world's person in it ("" the public)."""
        return {role: client_for(self.world.users[role] if role else None) for role in roles}


@pytest.fixture(scope="module")
def fuzzed(django_db_setup: None, django_db_blocker: Any) -> Iterator[Fuzzed]:
    """Built once for the module: each test sees the world as built, whatever the tests
    before it posted."""
    with built_once_for_module(django_db_blocker):
        world = build_world()
        yield Fuzzed(world, find_forms(world), api_writes(world))


#: A value that passes each kind of field, by how its name ends (the first that fits), so
#: that the sweep's nasty value in another field is the only thing wrong with the form.
_FITTING = {
    "-day": "2",
    "-month": "11",
    "-year": "2026",
    "age": "14",
    "password": PASSWORD,
    "postcode": "ZZ1 2AB",
    "nhs_number": "9434765919",
    "-number": "07700 900123",
    "threshold": "4",
    "held_time": "14:30",
    "attendees": "Sam Carter, manager, Fuzz Council\nJo Reid, detective, Fuzz Council",
}
#: Boxes that, ticked, contradict the rest of the form.
_UNTICKED = {"no_child"}


def _sensible(name: str, offered: list[str]) -> str:
    """A value a person might give: one that fits the name, or the first the page offers,
    so that a nasty value elsewhere in the form gets past the checks before it."""
    if name in _UNTICKED:
        return ""
    fitting = next((value for end, value in _FITTING.items() if name.endswith(end)), None)
    if fitting is not None:
        return fitting
    if offered:
        return next((value for value in offered if value), offered[0])
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


def test_no_form_answers_with_a_server_error(
    fuzzed: Fuzzed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The public pages' rate limit is tested on its own; here it would answer 429 to all.
    monkeypatch.setattr(_ratelimit, "allow", lambda request, limit: True)
    forms = fuzzed.forms
    clients = fuzzed.clients({form.role for form in forms})

    @FUZZ
    @given(st.data())
    def post_a_form(data: st.DataObject) -> None:
        form = data.draw(st.sampled_from(forms))
        body = data.draw(form_posts(form))
        response = clients[form.role].post(form.url, body)
        _no_server_error(response.status_code, f"POST {form.url} as {form.role or 'the public'}")

    post_a_form()


#: Each of these is tried in every field of every form, the rest of the form sensible: a
#: digit only to str.isdigit, numbers too large for a C int and for a 64-bit column, a
#: negative, NUL, and text longer than any field. (Other scripts' digits and the other
#: control characters are among the fuzzing's values.)
SWEPT = ["²", "99999999999", "9" * 40, "-1", "\x00", "x" * 30_000]


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
    fuzzed: Fuzzed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep behind the fuzzing: one nasty value at a time, in one field at a time,
    with the rest of the form filled in sensibly, so that the value reaches as far as it
    can. The random mixing above explores; this makes sure nothing is left to chance."""
    monkeypatch.setattr(_ratelimit, "allow", lambda request, limit: True)
    clients = fuzzed.clients({form.role for form in fuzzed.forms})
    posted = 0
    for form in fuzzed.forms:
        baseline = _baseline(form)
        for name in _one_of_each_shape(form.fields):
            for value in SWEPT:
                response = clients[form.role].post(form.url, {**baseline, name: value})
                _no_server_error(
                    response.status_code, f"POST {form.url} with {name}={value[:20]!r}"
                )
                posted += 1
    assert posted > 500, f"only {posted} posts: the forms were not found"


def test_no_api_body_answers_with_a_server_error(fuzzed: Fuzzed) -> None:
    writes = fuzzed.writes
    clients = fuzzed.clients({role for role, _, _ in writes})

    @FUZZ
    @given(st.data())
    def post_a_body(data: st.DataObject) -> None:
        role, url, valid = data.draw(st.sampled_from(writes))
        body = data.draw(api_bodies(valid))
        response = clients[role].post(url, body, content_type="application/json")
        _no_server_error(response.status_code, f"POST {url}")

    post_a_body()


def test_the_nasty_values_reach_the_checks_and_are_refused_there(fuzzed: Fuzzed) -> None:
    """The fuzzing above can pass only by refusing: this pins the refusals it relies on,
    each as a field problem naming the field, on a form, the public page and the API."""
    world = fuzzed.world
    head = fuzzed.clients(["head_of_service"])["head_of_service"]
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


# --- every route that takes a POST is fuzzed -------------------------------------------------

#: Routes that take a POST and are not fuzzed, each with the reason.
NOT_FUZZED = {
    "web:sign-out": "reads nothing from the body: it ends the session (Django's LogoutView)",
}


def _declared_methods(view: Callable[..., Any]) -> list[str] | None:
    """The methods a function view lets through, as its ``require_http_methods`` (or
    ``require_POST``, ``require_safe``...) declares them; None if it declares none (so it
    answers every method, POST included). The decorator keeps the list in its closure."""
    wrapped: Any = view
    while wrapped is not None:
        for cell in wrapped.__closure__ or ():
            try:
                held = cell.cell_contents
            except ValueError:  # a cell not yet filled
                continue
            methods = isinstance(held, list) and held
            if methods and all(isinstance(m, str) and m.isupper() for m in held):
                return held
        wrapped = getattr(wrapped, "__wrapped__", None)
    return None


def _takes_post(view: Callable[..., Any]) -> bool:
    """Whether the route's view answers a POST (rather than 405)."""
    view_class = getattr(view, "view_class", None)  # Django's and DRF's class-based views
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    methods = _declared_methods(view)
    return methods is None or "POST" in methods


def _routes_taking_post() -> dict[str, str]:
    """Each web and API route that takes a POST: its name (``web:...``, ``api:...``) and
    pattern."""
    found = {}
    for module in (web_urls, api_urls):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), f"{module.__name__} includes {pattern}"
            if _takes_post(pattern.callback):
                name = f"{module.app_name}:{pattern.name}" if pattern.name else str(pattern)
                found[name] = str(pattern.pattern)
    return found


def test_the_routes_are_read_as_declared() -> None:
    """What the inventory below relies on: a view's declared methods are read as declared,
    and a view declaring none is taken to answer a POST."""

    def page(request: Any) -> None:
        return None

    assert not _takes_post(require_safe(page))
    assert _takes_post(require_POST(page))
    assert _takes_post(page)
    routes = _routes_taking_post()
    assert "web:capacity-set" in routes and "api:register" in routes
    assert "web:capacity" not in routes and "api:networks" not in routes, "GET only"


def test_every_route_that_takes_a_post_is_fuzzed(fuzzed: Fuzzed) -> None:
    """A new form or endpoint fails this until it is fuzzed (a form in ``forms``, a body in
    ``api_writes``, with the record it needs in ``build_world``) or listed in NOT_FUZZED
    with the reason. A read-only page declares its methods (``require_safe``), so that a
    POST to it is a 405, not the page."""
    urls = [form.url for form in fuzzed.forms] + [url for _, url, _ in fuzzed.writes]
    covered = {resolve(url.split("?")[0]).view_name for url in urls}
    routes = _routes_taking_post()
    missing = sorted(f"{name} ({routes[name]})" for name in set(routes) - covered - set(NOT_FUZZED))
    assert not missing, f"routes that take a POST and are not fuzzed: {missing}"
    stale = sorted(set(NOT_FUZZED) - (set(routes) - covered))
    assert not stale, f"NOT_FUZZED names routes that are fuzzed or take no POST: {stale}"
