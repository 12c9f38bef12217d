"""Pages for the work after a concern is recorded: the trays (front door, team, your work,
awaiting your sign-off), allocating a concern, deciding about it, and signing a proposal off.

Reads go through the case-work read models over the gates (the read scope records what each
page showed); writes go through the case-work actions, whose typed refusals these pages map:
``Invalid`` to the form's errors, ``NotVisible`` to 404, any other refusal to 403.
"""

from __future__ import annotations

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
from tocsin.server.actors import NotVisible
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
from tocsin.server.web._presenting import attempt, band_label, signed_in_user

__all__ = ["allocate", "decide", "sign_off", "tray_page", "work"]

_SIGN_OFF_HINT = "Needs a manager's sign-off before it takes effect"


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """A signed-in person's own work: their first tray."""
    names = trays_for(signed_in_user(request))
    if not names:
        raise Http404("no work trays for this role")
    return redirect("web:tray", name=names[0])


@login_required
@shows("work tray")
def tray_page(request: HttpRequest, name: str = "front-door") -> HttpResponse:
    """One tray: open concerns, highest band first and then oldest first, with how long each
    has waited, filters, and the counts per tray (and, for a team, per worker)."""
    user = signed_in_user(request)
    filters = TrayFilters.from_query(request.GET)
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
            "filtered": filters.narrowed,
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
        _, errors = attempt(
            lambda: do_allocate(concern_id, worker_id=worker or None, reason=reason, actor=user)
        )
        if not errors:
            return redirect(reverse("web:concern", args=[concern_id]) + "?done=allocated")
    record, _ = attempt(lambda: case_record(user, concern_id))
    assert record is not None
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
        outcome, errors = attempt(lambda: do_decide(concern_id, decision, rationale, actor=user))
        if outcome is not None:
            done = "proposed" if outcome.awaiting_sign_off else "decided"
            return redirect(reverse("web:concern", args=[concern_id]) + f"?done={done}")
    record, _ = attempt(lambda: case_record(user, concern_id))
    assert record is not None
    return render(
        request,
        "web/decide.html",
        {
            "case": record.case,
            "concern": record.case.concern,
            "pending": record.pending,
            "choices": [
                (code, label, _SIGN_OFF_HINT if code in NEEDS_SECOND_PERSON else "")
                for code, label in DECISIONS.items()
            ],
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
    # Loaded once: a refused sign-off changes nothing, so the page shows it as it is.
    proposal, _ = attempt(lambda: proposal_for(user, decision_id))
    assert proposal is not None
    if request.method == "POST":
        if answer not in ("yes", "no"):
            errors = [("approve", "Choose whether you approve the proposal")]
        else:
            _, errors = attempt(
                lambda: do_sign_off(decision_id, answer == "yes", reason, actor=user)
            )
            if not errors:
                done = "approved" if answer == "yes" else "rejected"
                return redirect(
                    reverse("web:concern", args=[proposal.concern_id]) + f"?done={done}"
                )
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
