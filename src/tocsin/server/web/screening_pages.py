"""Screening a child of a concern already recorded (a public report arrives with none): choose
the child, tick the indicators seen with the day each was last seen (the concern form's own
indicators question), check the result, every indicator explained, then record it.

Only ``do_screen_child`` writes. The page checks the answers with the same domain rule the
action applies (``screening_problems``) before it shows the result to confirm, and maps the
action's refusals like every page: ``Invalid`` to the form's errors, ``NotVisible`` to 404,
any other refusal to 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tocsin.domain import screening as screening_policy
from tocsin.domain.casework import allowed
from tocsin.domain.concerns import FieldProblem, IndicatorSeen, screening_problems
from tocsin.domain.concerns import steps as _steps
from tocsin.server.actors import NotVisible
from tocsin.server.concerns.actions import do_screen_child
from tocsin.server.concerns.read_models import concern_to_screen
from tocsin.server.reads import shows
from tocsin.server.web._presenting import attempt, band_label, indicators_of, signed_in_user

__all__ = ["indicator_groups", "screen_child"]

#: The concern form's question about indicators: this page asks it the same way.
_INDICATORS = next(s for s in _steps.STEPS if isinstance(s, _steps.IndicatorsStep))


def indicator_groups() -> list[dict[str, Any]]:
    """The scheme's indicators by group, in its order, for the indicator checkboxes."""
    scheme = screening_policy.scheme()
    return [
        {"group": group, "indicators": [i for i in scheme.indicators if i.group == group.id]}
        for group in scheme.groups
    ]


def _read(form: Any) -> tuple[list[IndicatorSeen], dict[str, Any], list[FieldProblem]]:
    """The indicators ticked and their dates, as the concern form's question reads them."""
    answers = _INDICATORS.read(form, {})
    stored = answers.draft
    seen = [
        IndicatorSeen(s["indicator_id"], date.fromisoformat(s["seen_on"]))
        for s in stored["indicators"]
        if s.get("seen_on")
    ]
    return seen, stored, answers.problems


def _about(child: Any) -> str:
    """What tells children of one concern apart: their date of birth or age."""
    if child.date_of_birth:
        return f"Born {child.date_of_birth.day} {child.date_of_birth:%B %Y}"
    if child.approximate_age is not None:
        return f"About {child.approximate_age}"
    return ""


def _field_id(field: str, stored: dict[str, Any]) -> str:
    if field in ("indicators", "child"):
        return field
    return _INDICATORS.html_id(field, stored)


@login_required
@shows("screen a child")
@require_http_methods(["GET", "POST"])
def screen_child(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Screen a child of the concern: the question, then the result to check, then record."""
    user = signed_in_user(request)
    if not allowed(user.role, "screen"):
        raise PermissionDenied("your role does not screen children")
    try:
        concern, children = concern_to_screen(user, concern_id)
    except NotVisible:
        raise Http404("no such concern, or you do not have access to it") from None
    child_ids = [str(child.pk) for child in children]
    today = timezone.localdate()
    action = request.POST.get("action", "")
    chosen = request.POST.get("child") or request.GET.get("child", "")
    if len(child_ids) == 1:
        chosen = child_ids[0]
    values: dict[str, Any] = {"child": chosen}
    errors: list[tuple[str, str]] = []
    result = None
    if request.method == "POST" and action != "change":
        seen, stored, problems = _read(request.POST)
        # None ticked is one problem; ticked without a date is that indicator's own.
        problems += [
            p
            for p in screening_problems(
                chosen,
                set(child_ids),
                seen,
                today=today,
                indicator_ids=screening_policy.indicator_ids(),
            )
            if not (p.field == "indicators" and stored["indicators"])
        ]
        if not problems and action == "record":
            screened, refused = attempt(
                lambda: do_screen_child(concern.pk, chosen, seen, actor=user, today=today)
            )
            if screened is not None:
                url = reverse("web:concern", args=[concern.pk])
                return redirect(f"{url}?done=screened#risk-screening")
            problems = [FieldProblem(field, message) for field, message in refused]
        errors = list(dict.fromkeys((_field_id(p.field, stored), p.message) for p in problems))
        if not problems:
            result = screening_policy.screen(
                [screening_policy.Observation(s.indicator_id, s.seen_on) for s in seen], today
            )
        values.update(_steps.form_values(request.POST))
    elif request.method == "POST":
        values.update(_steps.form_values(request.POST))
    indicators, stale = indicators_of(result, before_recording=True) if result else ([], None)
    named = {str(child.pk): child for child in children}
    context = {
        "concern": concern,
        "children": children,
        "child": named.get(chosen),
        "child_choices": [(str(c.pk), str(c), _about(c)) for c in children],
        "values": values,
        "errors": errors,
        "error_for": dict(reversed(errors)),
        "indicator_groups": indicator_groups(),
        "result": result,
        "band": band_label(result.band.id) if result else "",
        "indicators": indicators,
        "stale": stale,
        "today": today,
        "hidden": [
            (name, value)
            for name in request.POST
            if name not in ("csrfmiddlewaretoken", "action")
            for value in request.POST.getlist(name)
        ],
    }
    return render(request, "web/screen.html", context, status=400 if errors else 200)
