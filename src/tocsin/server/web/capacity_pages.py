"""Capacity alarms for heads of service and the partnership's scrutineers: every open alarm
with its figures. The page only reads: there is no way to clear an alarm by hand, only the
numbers falling clear it (the sweep does)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tocsin.domain.clocks import CAPACITY_SCOPES
from tocsin.server.actors import NotVisible
from tocsin.server.capacity.read_models import open_alarms
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.web._presenting import signed_in_user

__all__ = ["capacity"]


@require_safe
@login_required
def capacity(request: HttpRequest) -> HttpResponse:
    """The open capacity alarms the reader may see, oldest first (404 for anyone else)."""
    now = timezone.now()
    try:
        alarms = open_alarms(signed_in_user(request), now)
    except NotVisible:
        raise Http404("no such page") from None
    spec = clocks_policy().capacity
    return render(
        request,
        "web/capacity.html",
        {"alarms": alarms, "spec": spec, "scopes": CAPACITY_SCOPES, "now": now},
    )
