"""Capacity alarms for heads of service and the partnership's scrutineers: every open alarm
with its figures, and the capacities set for named workers and teams. There is no way to clear
an alarm by hand, only the numbers falling clear it (the sweep does); the capacity of a named
worker or team is set on its own page (``capacity_set``), as an event with the reason."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from tocsin.domain.bounds import whole_number
from tocsin.domain.clocks import CAPACITY_MEASURES, CAPACITY_SCOPES
from tocsin.server.actors import NotVisible
from tocsin.server.capacity.actions import do_set_capacity
from tocsin.server.capacity.read_models import (
    may_see_alarms,
    open_alarms,
    override_targets,
    overrides_shown,
)
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.directory.models import User
from tocsin.server.web._presenting import attempt, signed_in_user

__all__ = ["capacity", "capacity_set"]

#: The largest capacity the form reads (six digits); the action judges it against the policy.
_LARGEST_CAPACITY = 999_999


@require_safe
@login_required
def capacity(request: HttpRequest) -> HttpResponse:
    """The open capacity alarms the reader may see, oldest first (404 for anyone else)."""
    now = timezone.now()
    try:
        alarms = open_alarms(signed_in_user(request), now)
    except NotVisible:
        raise Http404("no such page") from None
    user = signed_in_user(request)
    spec = clocks_policy().capacity
    return render(
        request,
        "web/capacity.html",
        {
            "alarms": alarms,
            "spec": spec,
            "scopes": CAPACITY_SCOPES,
            "now": now,
            "overrides": overrides_shown(user, spec),
            "done": request.GET.get("done", ""),
        },
    )


def _target_choices(user: User) -> list[tuple[str, str]]:
    people, teams = override_targets(user)
    choices = [("", "Choose a worker or a team")]
    choices += [
        (f"worker:{p.pk}", f"{p} (worker, {p.agency.name if p.agency else ''})") for p in people
    ]
    choices += [(f"team:{t.pk}", f"{t.name} (team, {t.agency.name})") for t in teams]
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def capacity_set(request: HttpRequest) -> HttpResponse:
    """Set (or remove) the capacity of one named worker or team: heads of service for their
    own agency, at or below the policy's figure; the partnership for anyone (404 for anyone
    else). The action decides; the page only shows its answer."""
    user = signed_in_user(request)
    if not may_see_alarms(user):
        raise Http404("no such page")
    spec = clocks_policy().capacity
    values = {
        key: request.POST.get(key, "")
        for key in ("target", "measure", "change", "threshold", "reason")
    }
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        scope, _, scope_id = values["target"].partition(":")
        threshold: int | None = None
        if not values["target"]:
            errors.append(("target", "Choose a worker or a team"))
        if values["change"] not in ("set", "remove"):
            errors.append(("change", "Choose whether to set a capacity or use the policy's"))
        elif values["change"] == "set":
            # whole_number reads 0-9 only: "²" passes str.isdigit but int() refuses it.
            threshold = whole_number(values["threshold"])
            if threshold is None or threshold > _LARGEST_CAPACITY:
                threshold = None
                errors.append(("threshold", "Enter the capacity as a whole number, like 12"))
        if not errors:
            _, errors = attempt(
                lambda: do_set_capacity(
                    scope, scope_id, values["measure"], threshold, values["reason"], actor=user
                )
            )
            if not errors:
                return redirect(reverse("web:capacity") + "?done=set")
    return render(
        request,
        "web/capacity_set.html",
        {
            "spec": spec,
            "targets": _target_choices(user),
            "measures": [("", "Choose what to set"), *CAPACITY_MEASURES.items()],
            "may_raise": user.role == "partnership_scrutineer",
            "values": values,
            "errors": errors,
            "error_for": dict(reversed(errors)),
        },
        status=400 if errors else 200,
    )
