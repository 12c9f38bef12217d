"""Recording a concern: the question pages, check your answers, the confirmation panel and the
receipt. Thin views: the draft lives in the session; only ``do_record_concern`` writes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from tocsin.domain import screening as screening_policy
from tocsin.domain.concerns import (
    CIN_FACTORS,
    ETHNICITY,
    GRADING_HANDLING,
    GRADING_INTELLIGENCE,
    GRADING_SOURCE,
    SEXES,
    child_label,
    describe_person,
    describe_place,
    describe_vehicle,
    validate_draft,
)
from tocsin.domain.concerns import steps as _steps
from tocsin.server.actors import ActionRefused
from tocsin.server.concerns.actions import RECORDING_ROLES, ConcernInvalid, do_record_concern
from tocsin.server.concerns.gates import NotVisible, access_concern
from tocsin.server.people.already_known import already_known_for_draft
from tocsin.server.people.known import LINK_THRESHOLD, draft_records, score_records
from tocsin.server.reads import shows
from tocsin.server.web._dates import for_people
from tocsin.server.web._presenting import (
    band_label,
    indicators_of,
    receipt_response,
    signed_in_user,
    warnings_in,
)

__all__ = ["check_answers", "receipt", "recorded", "start_concern", "step_page"]

#: Where the draft is kept between the question pages.
SESSION_KEY = "tocsin-concern-draft"


def _stored(request: HttpRequest) -> dict[str, Any]:
    stored: dict[str, Any] = request.session.get(SESSION_KEY) or _steps.empty_session_draft()
    return stored


def _may_record(request: HttpRequest) -> str:
    role = signed_in_user(request).role
    if role not in RECORDING_ROLES:
        raise PermissionDenied("your role does not record concerns")
    return role


def _indicator_groups() -> list[dict[str, Any]]:
    scheme = screening_policy.scheme()
    return [
        {
            "group": group,
            "indicators": [i for i in scheme.indicators if i.group == group.id],
        }
        for group in scheme.groups
    ]


def _indicator_ids() -> list[str]:
    return [indicator.id for indicator in screening_policy.scheme().indicators]


@login_required
@require_safe
def start_concern(request: HttpRequest) -> HttpResponse:
    """Start a new concern: a fresh draft in the session, then the first question."""
    _may_record(request)
    request.session[SESSION_KEY] = _steps.empty_session_draft()
    return redirect("web:concern-step", slug=_steps.STEPS[0].slug)


@login_required
@require_http_methods(["GET", "POST"])
def step_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One question page; on a valid answer, the next page (or back to check your answers)."""
    role = _may_record(request)
    every_step = _steps.steps_for(role)
    step = next((s for s in every_step if s.slug == slug), None)
    if step is None:
        raise Http404("no such question")
    stored = _stored(request)
    changing = request.GET.get("change") == "1"
    errors: list[tuple[str, str]] = []
    values = step.values(stored)
    if request.method == "POST":
        answers = step.read(request.POST, stored)
        request.session[SESSION_KEY] = answers.draft
        problems = answers.problems + validate_draft(
            _steps.draft_from_session(answers.draft),
            today=timezone.localdate(),
            indicator_ids=set(_indicator_ids()),
            max_children=settings.TOCSIN_MAX_CHILDREN_PER_CONCERN,
        )
        errors = _dedupe(_steps.problems_for_step(step, problems, answers.draft))
        values = _steps.form_values(request.POST)
        if step.list_key and request.POST.get("action") == "add":
            values[f"{step.list_key}-count"] = str(
                _steps.slot_count(request.POST, step.list_key) + 1
            )
        elif not errors:
            # The next page that applies to the draft as answered so far (no screening when
            # no child is known yet).
            following = [
                s for s in every_step[every_step.index(step) + 1 :] if s.applies(answers.draft)
            ]
            if following and not changing:
                return redirect("web:concern-step", slug=following[0].slug)
            return redirect("web:concern-check")
        stored = answers.draft
    steps = _steps.steps_for(role, stored)
    if step not in steps:
        steps = every_step
    slots = 1
    if step.list_key:
        slots = max(_steps.slot_count(values, step.list_key), 1)
    context = {
        "step": step,
        "steps": steps,
        "position": steps.index(step) + 1,
        "values": values,
        "errors": errors,
        "error_for": dict(reversed(errors)),
        "slots": range(slots),
        "changing": changing,
        "warnings": step.warnings(stored, warnings_in),
        "indicator_groups": _indicator_groups() if step.slug == "indicators" else [],
        "cin_choices": _steps.CIN_CHOICES,
        "prompts": step.prompts(stored),
        "grading_choices": _steps.GRADING_CHOICES,
    }
    return render(request, step.template, context, status=400 if errors else 200)


def _label(child: dict[str, Any]) -> str:
    return child_label(
        given_name=child.get("given_name", ""),
        family_name=child.get("family_name", ""),
        aliases=child.get("aliases", []),
        description=child.get("description", ""),
        school=child.get("school", ""),
        approximate_age=child.get("approximate_age"),
        date_of_birth=child.get("date_of_birth"),
    )


def _dedupe(errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(errors))


@login_required
@require_http_methods(["GET", "POST"])
def check_answers(request: HttpRequest) -> HttpResponse:
    """Check your answers; submitting records the concern (the only write)."""
    role = _may_record(request)
    stored = _stored(request)
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        draft = _steps.draft_from_session(stored)
        try:
            result = do_record_concern(draft, actor=signed_in_user(request))
        except ConcernInvalid as exc:
            problems = [
                (
                    reverse("web:concern-step", args=[_steps.step_for_field(p.field)])
                    + "?change=1#"
                    + _steps.html_id(p.field, stored),
                    p.message,
                )
                for p in exc.problems
            ]
        except ActionRefused as exc:
            raise PermissionDenied(str(exc)) from None
        else:
            request.session.pop(SESSION_KEY, None)
            return redirect("web:concern-recorded", concern_id=result.concern.pk)
    scheme = screening_policy.scheme()
    labels = {i.id: i.label for i in scheme.indicators}
    cin_step = next(s for s in _steps.STEPS if isinstance(s, _steps.CinFactorsStep))
    preview = _screening_preview(stored)
    context = {
        "preview": preview,
        "draft": stored,
        "steps": _steps.steps_for(role, stored),
        "child_labels": [_label(child) for child in stored["children"]],
        "persons": [describe_person(p) for p in stored["persons"]],
        "vehicles": [describe_vehicle(v) for v in stored["vehicles"]],
        "places": [describe_place(p) for p in stored["places"]],
        "prompts": cin_step.prompts(stored) if stored["children"] else [],
        "problems": problems,
        "sexes": SEXES,
        "ethnicity": ETHNICITY,
        "cin_factors": CIN_FACTORS,
        "indicator_summary": "; ".join(
            f"{labels.get(s['indicator_id'], s['indicator_id'])} ({_last_seen(s['seen_on'])})"
            for s in stored["indicators"]
        ),
        "cin_summary": "; ".join(f"{CIN_FACTORS.get(c, c)} ({c})" for c in stored["cin_factors"]),
        "grading_labels": {
            "source": GRADING_SOURCE,
            "intelligence": GRADING_INTELLIGENCE,
            "handling": GRADING_HANDLING,
        },
        "narrative_warnings": warnings_in(stored.get("narrative", "")),
        "where_warnings": warnings_in(stored.get("occurred_where", "")),
        "person_warnings": [warnings_in(p.get("description", "")) for p in stored["persons"]],
        "child_warnings": [warnings_in(c.get("description", "")) for c in stored["children"]],
        "already_known": _already_known(request, stored),
    }
    return render(request, "web/concern_check.html", context, status=400 if problems else 200)


def _already_known(request: HttpRequest, stored: dict[str, Any]) -> list[Any] | None:
    """Who the draft's children and adults may already be (None when the draft cannot be
    read yet: the questions are not all answered)."""
    user = signed_in_user(request)
    try:
        draft = _steps.draft_from_session(stored)
        records = draft_records(
            draft,
            agency_id=str(user.agency_id) if user.agency_id else None,
            today=timezone.localdate(),
        )
    except (KeyError, TypeError, ValueError):
        return None
    pairs = score_records(records)
    return already_known_for_draft(user, records, pairs, LINK_THRESHOLD)


def _last_seen(value: str) -> str:
    return f"last seen {for_people(date.fromisoformat(value))}" if value else "date not given"


def _screening_preview(stored: dict[str, Any]) -> dict[str, Any] | None:
    """What the indicators answered give as of today, each explained, and the notice for any
    seen too long ago to count: shown before recording, so a wrong date can be corrected."""
    seen = _steps.draft_from_session(stored).indicators
    if not seen:
        return None
    try:
        result = screening_policy.screen(
            [screening_policy.Observation(s.indicator_id, s.seen_on) for s in seen],
            timezone.localdate(),
        )
    except screening_policy.ObservationError:
        return None  # recording names the problem at its field
    indicators, stale = indicators_of(result, before_recording=True)
    return {
        "result": result,
        "band": band_label(result.band.id),
        "indicators": indicators,
        "stale": stale,
    }


@login_required
@shows("concern recorded")
@require_safe
def recorded(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The confirmation panel: the reference, and the receipt to download."""
    user = signed_in_user(request)
    try:
        concern = access_concern(user, concern_id)
    except NotVisible:
        raise Http404("no such concern") from None
    return render(request, "web/concern_recorded.html", {"concern": concern})


@login_required
@shows("receipt")
@require_safe
def receipt(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The ledger receipt (C2SP tlog-proof) for the concern's recording, as a download."""
    user = signed_in_user(request)
    try:
        concern = access_concern(user, concern_id)
    except NotVisible:
        raise Http404("no such concern") from None
    return receipt_response(concern.recorded_seq, concern.reference)
