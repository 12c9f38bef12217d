"""Pages above the trays: the manager's view (caseloads, overdue work by worker, proposals
waiting for sign-off), the partnership's oversight view (everything at level 3, decisions by
team, rates, time to decision), and closing a level-3 escalation with a reason.

Reads go through ``tocsin.server.clocks.oversight`` over the gates; the one write goes through
``do_close_escalation``, whose refusals map as on every page (``Invalid`` to the form's errors,
``NotVisible`` to 404, any other refusal to 403).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from tocsin.domain.casework import allowed
from tocsin.domain.clocks import CHALLENGE_OUTCOMES
from tocsin.server.actors import ActionRefused
from tocsin.server.clocks.actions import do_close_escalation
from tocsin.server.clocks.oversight import manager_view, oversight
from tocsin.server.clocks.read_models import escalation_for
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.directory.read_models import actor_names
from tocsin.server.reads import shows
from tocsin.server.web._chart import bar_chart
from tocsin.server.web._presenting import attempt, signed_in_user

__all__ = ["caseloads", "close_escalation", "oversight_page"]


def _ladder() -> dict[int, str]:
    return {level.level: level.label for level in clocks_policy().levels}


@login_required
@shows("caseloads")
@require_safe
def caseloads(request: HttpRequest) -> HttpResponse:
    """A manager's view of their team (or a head of service's, of their agency)."""
    try:
        view = manager_view(signed_in_user(request), timezone.now())
    except ActionRefused as exc:
        raise PermissionDenied(str(exc)) from None
    names = actor_names([p.proposed_by for p in view.proposals])
    return render(request, "web/caseloads.html", {"view": view, "names": names})


@login_required
@shows("oversight")
@require_safe
def oversight_page(request: HttpRequest) -> HttpResponse:
    """The oversight view: everything at level 3, and the figures that show a concern played
    down or left waiting."""
    user = signed_in_user(request)
    try:
        view = oversight(user, timezone.now())
    except ActionRefused as exc:
        raise PermissionDenied(str(exc)) from None
    closers = actor_names([e.escalation.closed_by for e in view.closed_level_3])
    chart = bar_chart(
        [(b.label, b.count) for b in view.time_to_decision],
        title="Time from a concern being recorded to its first decision",
        description=(
            "Concerns by working days from being recorded to their first decision: "
            + "; ".join(f"{b.label}: {b.count}" for b in view.time_to_decision)
            + f". Not decided yet: {view.undecided}."
        ),
    )
    return render(
        request,
        "web/oversight.html",
        {
            "view": view,
            "chart": chart,
            "ladder": _ladder(),
            "closers": closers,
            "may_close": allowed(user.role, "close_escalation"),
            "done": request.GET.get("done", ""),
            "challenge_outcomes": list(CHALLENGE_OUTCOMES.items()),
        },
    )


@login_required
@shows("close escalation")
@require_http_methods(["GET", "POST"])
def close_escalation(request: HttpRequest, escalation_id: str) -> HttpResponse:
    """Close a level-3 escalation with the reason: the partnership only."""
    user = signed_in_user(request)
    if not allowed(user.role, "close_escalation"):
        raise PermissionDenied("only the partnership closes a level-3 escalation")
    errors: list[tuple[str, str]] = []
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        _, errors = attempt(lambda: do_close_escalation(escalation_id, reason, actor=user))
        if not errors:
            return redirect(reverse("web:oversight") + "?done=closed")
    item, _ = attempt(lambda: escalation_for(user, escalation_id, timezone.now()))
    if item is None:
        raise Http404("no such escalation")
    return render(
        request,
        "web/close_escalation.html",
        {
            "item": item,
            "ladder": _ladder(),
            "values": {"reason": reason},
            "errors": errors,
            "error_for": dict(reversed(errors)),
        },
        status=400 if errors else 200,
    )
