"""Pages for meetings: record a strategy discussion, conference or MACE panel about a concern,
with attendees, decisions and actions; and record an action done. Writes go through the
meeting actions, whose refusals these pages map like every case-work page."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tocsin.domain.casework import MAX_ACTIONS, MeetingAction, allowed, read_attendees
from tocsin.domain.clocks import MEETING_DECISIONS, MEETING_KINDS
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.concerns.steps import read_date
from tocsin.server.casework.read_models import case_record
from tocsin.server.directory.read_models import agencies, allocatable_workers
from tocsin.server.meetings.actions import do_complete_action, do_record_meeting
from tocsin.server.meetings.read_models import action_deadline, action_for
from tocsin.server.reads import shows
from tocsin.server.web._presenting import attempt, signed_in_user

__all__ = ["complete_action", "record_meeting"]

#: Rows for actions on the form (empty rows are ignored).
ACTION_ROWS = 4


def _held_at(form: Any, problems: list[FieldProblem]) -> datetime | None:
    day = read_date(form, "held_on", "held_at", problems)
    clock = form.get("held_time", "").strip()
    if day is None:
        return None
    try:
        moment = time.fromisoformat(clock) if clock else time(12, 0)
    except ValueError:
        problems.append(FieldProblem("held_at", "Enter the time like 14:30, or leave it blank"))
        return None
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), moment))


def _actions(form: Any, problems: list[FieldProblem]) -> list[MeetingAction]:
    found = []
    for i in range(ACTION_ROWS):
        text = form.get(f"action-{i}-text", "").strip()
        owner = form.get(f"action-{i}-owner", "")
        due = read_date(form, f"action-{i}-due", f"actions[{i}]", problems)
        if not (text or owner or due):
            continue
        if due is None:
            problems.append(FieldProblem(f"actions[{i}]", f"Action {i + 1}: enter its due date"))
            continue
        found.append(MeetingAction(text, owner, date.fromisoformat(due)))
    return found


def _field_id(field: str) -> str:
    if field == "held_at":
        return "held_on-day"
    if field.startswith("actions["):
        return f"action-{field[8:-1]}-text"
    return field


@login_required
@shows("record a meeting")
@require_http_methods(["GET", "POST"])
def record_meeting(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Record a meeting about a concern: kind, when, attendees, decisions, summary, actions."""
    user = signed_in_user(request)
    if not allowed(user.role, "record_meeting"):
        raise PermissionDenied("your role reads concerns; it does not record meetings")
    values = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
    decisions = request.POST.getlist("decisions")
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        problems: list[FieldProblem] = []
        held_at = _held_at(request.POST, problems)
        actions = _actions(request.POST, problems)
        names = {name.casefold(): pk for pk, name in agencies()}
        attendees, attendee_problems = read_attendees(values.get("attendees", ""), names)
        errors = [(_field_id(p.field), p.message) for p in problems] + attendee_problems
        if not errors:
            _, errors = attempt(
                lambda: do_record_meeting(
                    concern_id,
                    kind=values.get("kind", ""),
                    held_at=held_at,
                    attendees=attendees,
                    decisions=decisions,
                    summary=values.get("summary", ""),
                    actions=actions,
                    actor=user,
                )
            )
            errors = [(_field_id(f), m) for f, m in errors]
            if not errors:
                return redirect(
                    reverse("web:concern", args=[concern_id]) + "?done=meeting#meetings"
                )
    record, _ = attempt(lambda: case_record(user, concern_id))
    assert record is not None
    return render(
        request,
        "web/meeting.html",
        {
            "concern": record.case.concern,
            "values": values,
            "chosen": set(decisions),
            "kinds": [(k, v, "") for k, v in MEETING_KINDS.items()],
            "decision_choices": list(MEETING_DECISIONS.items()),
            "owners": allocatable_workers(user),
            "rows": range(ACTION_ROWS),
            "max_actions": MAX_ACTIONS,
            "errors": errors,
            "error_for": dict(reversed(errors)),
        },
        status=400 if errors else 200,
    )


@login_required
@shows("record an action done")
@require_http_methods(["GET", "POST"])
def complete_action(request: HttpRequest, action_id: str) -> HttpResponse:
    """Record a meeting's action done, with what was done."""
    user = signed_in_user(request)
    action, _ = attempt(lambda: action_for(user, action_id))
    assert action is not None
    summary = request.POST.get("summary", "")
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        _, errors = attempt(lambda: do_complete_action(action_id, summary, actor=user))
        if not errors:
            return redirect(
                reverse("web:concern", args=[action.concern_id]) + "?done=action#meetings"
            )
    return render(
        request,
        "web/meeting_action.html",
        {
            "action": action,
            "clock": action_deadline(action, timezone.now()),
            "values": {"summary": summary},
            "errors": errors,
            "error_for": dict(reversed(errors)),
        },
        status=400 if errors else 200,
    )
