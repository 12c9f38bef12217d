"""Pages for the register of reports and recommendations (docs/register.md): the register,
one report, registering a report, withdrawing one, one recommendation with its owner's
response form, and the public summary for the partnership (titles, dates, counts and status,
nothing personal).

Writes go through ``tocsin.server.register.actions``, whose typed refusals these pages map:
``Invalid`` to the form's errors, ``NotVisible`` to 404, any other refusal to 403. Nothing
here is about a child, so nothing here is a read of protected records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tocsin.domain.casework import allowed
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.concerns.steps import read_date
from tocsin.domain.register import (
    MAX_RECOMMENDATIONS,
    RECOMMENDATION_RESPONSES,
    REPORT_KINDS,
    RecommendationDraft,
    ReportDraft,
)
from tocsin.server.directory.read_models import actor_names
from tocsin.server.reads import shows
from tocsin.server.register.actions import (
    do_register_report,
    do_respond_to_recommendation,
    do_withdraw_report,
    possible_owners,
)
from tocsin.server.register.profiles import may_read_profiles, profile_of_report
from tocsin.server.register.read_models import (
    escalated_to_me,
    recommendation_for,
    recommendation_state,
    register,
    report_state,
    waiting_for,
)
from tocsin.server.web._presenting import attempt, signed_in_user

__all__ = [
    "public_register",
    "recommendation_page",
    "register_page",
    "register_report",
    "report_page",
    "withdraw_report",
]

#: Recommendation rows on a fresh form; "Add another recommendation" adds one at a time.
FIRST_ROWS = 3


def _errors(errors: list[tuple[str, str]]) -> dict[str, object]:
    return {"errors": errors, "error_for": dict(reversed(errors))}


def _require(request: HttpRequest, action: str, refusal: str) -> Any:
    user = signed_in_user(request)
    if not allowed(user.role, action):
        raise PermissionDenied(refusal)
    return user


@login_required
@shows("the register of reports")
@require_GET
def register_page(request: HttpRequest) -> HttpResponse:
    """Every report on the register, with its recommendations' counts by status; the
    recommendations waiting for your response, and those escalated to you."""
    user = _require(request, "view_register", "your role does not see the register")
    now = timezone.now()
    return render(
        request,
        "web/register.html",
        {
            "reports": register(now),
            "mine": waiting_for(user, now),
            "escalated": escalated_to_me(user, now),
            "may_register": allowed(user.role, "register_report"),
            "may_export": allowed(user.role, "export_scrutiny"),
        },
    )


def _field_id(field: str) -> str:
    """The form's element for a problem's field (``recommendations.2.owner`` → ``rec-2-owner``)."""
    if field.startswith("recommendations."):
        _, n, part = field.split(".")
        return f"rec-{n}-{part}" + ("-day" if part == "due" else "")
    if field == "published_on":
        return "published_on-day"
    return field


def _rows(form: Any) -> int:
    try:
        rows = int(form.get("rows", FIRST_ROWS))
    except (TypeError, ValueError):
        rows = FIRST_ROWS
    return max(1, min(rows, MAX_RECOMMENDATIONS))


def _draft(form: Any, rows: int, problems: list[FieldProblem]) -> ReportDraft:
    published = read_date(form, "published_on", "published_on", problems)
    recommendations = []
    for i in range(rows):
        text = form.get(f"rec-{i}-text", "")
        owner = form.get(f"rec-{i}-owner", "")
        due = read_date(form, f"rec-{i}-due", f"recommendations.{i}.due", problems)
        blank_due = not any(form.get(f"rec-{i}-due-{p}", "").strip() for p in ("day", "month"))
        if not (text.strip() or owner or not blank_due):
            continue  # an empty row
        recommendations.append(
            RecommendationDraft(text, owner, date.fromisoformat(due) if due else None)
        )
    return ReportDraft(
        kind=form.get("kind", ""),
        title=form.get("title", ""),
        author=form.get("author", ""),
        published_on=date.fromisoformat(published) if published else None,
        summary=form.get("summary", ""),
        recommendations=recommendations,
    )


@login_required
@shows("register a report")
@require_http_methods(["GET", "POST"])
def register_report(request: HttpRequest) -> HttpResponse:
    """Register a report with its recommendations, each with an owner and a due date."""
    user = _require(
        request, "register_report", "your role does not register reports on the register"
    )
    form = request.POST
    rows = _rows(form)
    values = {k: form.get(k, "") for k in form if k != "csrfmiddlewaretoken"}
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and "add" in form:
        rows = min(rows + 1, MAX_RECOMMENDATIONS)
    elif request.method == "POST":
        problems: list[FieldProblem] = []
        draft = _draft(form, rows, problems)
        errors = [(_field_id(p.field), p.message) for p in problems]
        if not errors:
            envelope, errors = attempt(lambda: do_register_report(draft, actor=user))
            errors = [(_field_id(f), m) for f, m in errors]
            if envelope is not None:
                report_id = envelope.subjects[0].split(":", 1)[1]
                return redirect(
                    reverse("web:register-report", args=[report_id]) + "?done=registered"
                )
    owners = [
        (str(u.pk), f"{u.display_name or u.username} ({u.role.replace('_', ' ')})")
        for u in possible_owners()
    ]
    return render(
        request,
        "web/register_new.html",
        {
            "values": values,
            "kinds": [(k, v, "") for k, v in REPORT_KINDS.items()],
            "owners": owners,
            "rows": range(rows),
            "row_count": rows,
            "max_rows": MAX_RECOMMENDATIONS,
            **_errors(errors),
        },
        status=400 if errors else 200,
    )


@login_required
@shows("a report on the register")
@require_GET
def report_page(request: HttpRequest, report_id: str) -> HttpResponse:
    """One report: what it is, who registered it, whether it was withdrawn and why, and each
    recommendation with its owner, due date, clock and response."""
    user = _require(request, "view_register", "your role does not see the register")
    state, _ = attempt(lambda: report_state(report_id, timezone.now()))
    assert state is not None
    report = state.report
    names = actor_names(
        [report.registered_by, report.withdrawn_by]
        + [s.recommendation.responded_by for s in state.recommendations]
    )
    return render(
        request,
        "web/report.html",
        {
            "state": state,
            "report": report,
            "names": names,
            "me": user,
            "may_withdraw": allowed(user.role, "register_report") and not report.withdrawn,
            "profile": profile_of_report(report.pk) if report.kind == "problem_profile" else None,
            "may_read_profile": may_read_profiles(user),
        },
    )


@login_required
@shows("withdraw a report")
@require_http_methods(["GET", "POST"])
def withdraw_report(request: HttpRequest, report_id: str) -> HttpResponse:
    """Withdraw a report, with the reason; it stays on the register, shown as withdrawn."""
    user = _require(request, "register_report", "your role does not withdraw reports")
    reason = request.POST.get("reason", "")
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        _, errors = attempt(lambda: do_withdraw_report(report_id, reason, actor=user))
        if not errors:
            return redirect(reverse("web:register-report", args=[report_id]) + "?done=withdrawn")
    state, _ = attempt(lambda: report_state(report_id, timezone.now()))
    assert state is not None
    return render(
        request,
        "web/report_withdraw.html",
        {"report": state.report, "values": {"reason": reason}, **_errors(errors)},
        status=400 if errors else 200,
    )


@login_required
@shows("a recommendation on the register")
@require_http_methods(["GET", "POST"])
def recommendation_page(request: HttpRequest, recommendation_id: str) -> HttpResponse:
    """One recommendation, its clock and its response; its owner responds here."""
    user = _require(request, "view_register", "your role does not see the register")
    row, _ = attempt(lambda: recommendation_for(recommendation_id))
    assert row is not None
    response = request.POST.get("response", "")
    text = request.POST.get("text", "")
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        _, errors = attempt(
            lambda: do_respond_to_recommendation(row.pk, response, text, actor=user)
        )
        if not errors:
            return redirect(
                reverse("web:register-report", args=[row.report_id])
                + "?done=responded#recommendations"
            )
    state = recommendation_state(row, timezone.now())
    may_respond = (
        row.owner_id == user.pk
        and not row.responded
        and allowed(user.role, "respond_recommendation")
    )
    return render(
        request,
        "web/recommendation.html",
        {
            "state": state,
            "recommendation": row,
            "report": row.report,
            "names": actor_names([row.responded_by] if row.responded_by else []),
            "may_respond": may_respond,
            "responses": [(k, v, "") for k, v in RECOMMENDATION_RESPONSES.items()],
            "values": {"response": response, "text": text},
            **_errors(errors),
        },
        status=400 if errors else 200,
    )


@require_GET
def public_register(request: HttpRequest) -> HttpResponse:
    """The public summary of the register: each report's title, kind, publication date and
    whether it was withdrawn, with how many recommendations it made and how they stand.
    Nothing personal: no owners, no responses' text, no reasons."""
    return render(request, "web/register_public.html", {"reports": register(timezone.now())})
