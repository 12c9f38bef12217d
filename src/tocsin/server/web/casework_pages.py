"""Pages for the work after a concern is recorded: the trays (front door, team, your work,
awaiting your sign-off), allocating a concern, deciding about it, and signing a proposal off.

Reads go through the case-work read models over the gates (the read scope records what each
page showed); writes go through the case-work actions, whose typed refusals these pages map:
``Invalid`` to the form's errors, ``NotVisible`` to 404, any other refusal to 403.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tocsin.domain import screening as screening_policy
from tocsin.domain.casework import CASE_STATUSES, DECISIONS, NEEDS_SECOND_PERSON, allowed
from tocsin.server.actors import ActionRefused, Invalid, NotVisible
from tocsin.server.casework.actions import do_allocate, do_decide, do_sign_off
from tocsin.server.casework.read_models import (
    TRAYS,
    TrayFilters,
    case_record,
    proposal_for,
    tray,
    trays_for,
)
from tocsin.server.directory.read_models import actor_names, agencies, allocatable_workers
from tocsin.server.reads import shows
from tocsin.server.web._presenting import band_label, signed_in_user

__all__ = ["allocate", "decide", "sign_off", "tray_page", "work"]

_DECISION_HINTS = {
    "no_further_action": "Needs a manager's sign-off before it takes effect",
    "close": "Needs a manager's sign-off before it takes effect",
}


_SORTS = ("band", "waiting", "newest")


def _refusal_to_response(exc: ActionRefused) -> None:
    if isinstance(exc, NotVisible):
        raise Http404(str(exc)) from None
    raise PermissionDenied(str(exc)) from None


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """A signed-in person's own work: their first tray."""
    names = trays_for(signed_in_user(request))
    if not names:
        raise Http404("no work trays for this role")
    return redirect("web:tray", name=names[0])


def _filters(request: HttpRequest) -> TrayFilters:
    days = request.GET.get("min_days", "").strip()
    return TrayFilters(
        agency=request.GET.get("agency", "").strip(),
        band=request.GET.get("band", "").strip(),
        status=request.GET.get("status", "").strip(),
        min_days=int(days) if days.isdigit() and 0 < int(days) < 100000 else None,
        sort=request.GET.get("sort", "band") if request.GET.get("sort") in _SORTS else "band",
    )


@login_required
@shows("work tray")
def tray_page(request: HttpRequest, name: str = "front-door") -> HttpResponse:
    """One tray: open concerns, highest band first and then oldest first, with how long each
    has waited, filters, and the counts per tray (and, for a team, per worker)."""
    user = signed_in_user(request)
    filters = _filters(request)
    page = request.GET.get("page", "1")
    try:
        shown = tray(user, name, filters, int(page) if page.isdigit() else 1)
    except NotVisible:
        raise Http404("no such tray") from None
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "web/tray.html",
        {
            "tray": shown,
            "trays": [(n, TRAYS[n]) for n in trays_for(user)],
            "title": TRAYS[name],
            "filters": filters,
            "filtered": dataclasses.replace(filters, sort="band") != TrayFilters(),
            "sort_query": urlencode(
                {k: v for k, v in request.GET.items() if k not in ("page", "sort") and v}
            ),
            "agencies": agencies(),
            "bands": [(b, band_label(b)) for b in screening_policy.bands()],
            "statuses": [(s, label) for s, label in CASE_STATUSES.items() if s != "closed"],
            "band_label": band_label,
            "query": urlencode(query),
        },
    )


def _form_context(errors: list[tuple[str, str]]) -> dict[str, Any]:
    return {"errors": errors, "error_for": dict(reversed(errors))}


@login_required
@shows("allocate")
@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Give a concern to a worker (or a team's tray); reallocating works the same way."""
    user = signed_in_user(request)
    if not allowed(user.role, "allocate"):
        raise PermissionDenied("only a manager or the front door may allocate concerns")
    errors: list[tuple[str, str]] = []
    worker = request.POST.get("worker", "")
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            do_allocate(concern_id, worker_id=worker or None, reason=reason, actor=user)
        except Invalid as exc:
            errors = [(p.field, p.message) for p in exc.problems]
        except ActionRefused as exc:
            _refusal_to_response(exc)
        else:
            return redirect(reverse("web:concern", args=[concern_id]) + "?done=allocated")
    try:
        record = case_record(user, concern_id)
    except NotVisible:
        raise Http404("no such concern, or you do not have access to it") from None
    return render(
        request,
        "web/allocate.html",
        {
            "case": record.case,
            "concern": record.case.concern,
            "workers": allocatable_workers(user),
            "values": {"worker": worker, "reason": reason},
            **_form_context(errors),
        },
        status=400 if errors else 200,
    )


@login_required
@shows("decide")
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Record a decision with its reasons; no further action and closing go to a manager."""
    user = signed_in_user(request)
    if not allowed(user.role, "decide"):
        raise PermissionDenied("your role reads concerns; it does not decide them")
    errors: list[tuple[str, str]] = []
    decision = request.POST.get("decision", "")
    rationale = request.POST.get("rationale", "")
    if request.method == "POST":
        try:
            outcome = do_decide(concern_id, decision, rationale, actor=user)
        except Invalid as exc:
            errors = [(p.field, p.message) for p in exc.problems]
        except ActionRefused as exc:
            _refusal_to_response(exc)
        else:
            done = "proposed" if outcome.awaiting_sign_off else "decided"
            return redirect(reverse("web:concern", args=[concern_id]) + f"?done={done}")
    try:
        record = case_record(user, concern_id)
    except NotVisible:
        raise Http404("no such concern, or you do not have access to it") from None
    return render(
        request,
        "web/decide.html",
        {
            "case": record.case,
            "concern": record.case.concern,
            "pending": record.pending,
            "choices": [(c, label, _DECISION_HINTS.get(c, "")) for c, label in DECISIONS.items()],
            "needs_second_person": NEEDS_SECOND_PERSON,
            "values": {"decision": decision, "rationale": rationale},
            **_form_context(errors),
        },
        status=400 if errors else 200,
    )


@login_required
@shows("sign off")
@require_http_methods(["GET", "POST"])
def sign_off(request: HttpRequest, decision_id: str) -> HttpResponse:
    """A proposal awaiting a second person: approve it, or reject it with a reason."""
    user = signed_in_user(request)
    errors: list[tuple[str, str]] = []
    answer = request.POST.get("approve", "")
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        if answer not in ("yes", "no"):
            errors = [("approve", "Choose whether you approve the proposal")]
        else:
            try:
                proposal = proposal_for(user, decision_id)
                do_sign_off(decision_id, answer == "yes", reason, actor=user)
            except Invalid as exc:
                errors = [(p.field, p.message) for p in exc.problems]
            except ActionRefused as exc:
                _refusal_to_response(exc)
            else:
                done = "approved" if answer == "yes" else "rejected"
                return redirect(
                    reverse("web:concern", args=[proposal.concern_id]) + f"?done={done}"
                )
    try:
        proposal = proposal_for(user, decision_id)
    except NotVisible:
        raise Http404("no such decision, or you do not have access to it") from None
    names = actor_names([proposal.proposed_by])
    return render(
        request,
        "web/sign_off.html",
        {
            "proposal": proposal,
            "concern": proposal.concern,
            "proposed_by": names.get(proposal.proposed_by, proposal.proposed_by),
            "from_band": band_label(proposal.from_band) if proposal.from_band else "",
            "to_band": band_label(proposal.to_band) if proposal.to_band else "",
            "may_sign": allowed(user.role, "sign_off"),
            "values": {"approve": answer, "reason": reason},
            **_form_context(errors),
        },
        status=400 if errors else 200,
    )
