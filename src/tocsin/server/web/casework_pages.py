"""Pages for the work after a concern is recorded: the trays (front door, team, your work,
awaiting your sign-off), allocating a concern, deciding about it, signing a proposal off, case
notes, contact with the child and family, and the outcome.

Reads go through the case-work read models over the gates (the read scope records what each
page showed); writes go through the case-work actions, whose typed refusals these pages map:
``Invalid`` to the form's errors, ``NotVisible`` to 404, any other refusal to 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from tocsin.domain import screening as screening_policy
from tocsin.domain.bounds import whole_number
from tocsin.domain.casework import (
    CASE_STATUSES,
    CONTACT_METHODS,
    CONTACT_WITH,
    DECISIONS,
    NEEDS_SECOND_PERSON,
    OUTCOMES,
    allowed,
)
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.concerns.steps import read_date
from tocsin.server.actors import NotVisible
from tocsin.server.casework.actions import (
    do_allocate,
    do_decide,
    do_record_contact,
    do_record_outcome,
    do_sign_off,
)
from tocsin.server.casework.read_models import (
    TRAYS,
    TrayFilters,
    case_record,
    proposal_for,
    tray,
    trays_for,
)
from tocsin.server.clocks.read_models import sign_off_deadlines
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.actions import do_add_information
from tocsin.server.concerns.read_models import concern_children
from tocsin.server.directory.read_models import actor_names, agencies, allocatable_workers
from tocsin.server.reads import shows
from tocsin.server.signin.reauth import reauthentication_required
from tocsin.server.web._presenting import (
    WarnedText,
    attempt,
    band_label,
    signed_in_user,
    warnings_in,
)

__all__ = [
    "add_note",
    "allocate",
    "decide",
    "record_contact",
    "record_outcome",
    "sign_off",
    "tray_page",
    "work",
]

_SIGN_OFF_HINT = "Needs a manager's sign-off before it takes effect"


@login_required
@require_safe
def work(request: HttpRequest) -> HttpResponse:
    """A signed-in person's own work: their first tray."""
    names = trays_for(signed_in_user(request))
    if not names:
        raise Http404("no work trays for this role")
    return redirect("web:tray", name=names[0])


@login_required
@shows("work tray")
@require_safe
def tray_page(request: HttpRequest, name: str = "front-door") -> HttpResponse:
    """One tray: open concerns, highest band first and then oldest first, with how long each
    has waited, filters, and the counts per tray (and, for a team, per worker)."""
    user = signed_in_user(request)
    filters = TrayFilters.from_query(request.GET)
    page = request.GET.get("page", "1")
    try:
        shown = tray(user, name, filters, whole_number(page) or 1)
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
            "ladder": {level.level: level.label for level in clocks_policy().levels},
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
@reauthentication_required
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
    waiting = proposal.status == "awaiting_sign_off"
    clock = sign_off_deadlines([proposal.pk], timezone.now()) if waiting else {}
    return render(
        request,
        "web/sign_off.html",
        {
            "proposal": proposal,
            "clock": clock.get(str(proposal.pk)),
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


def _wording_checked(request: HttpRequest, text: str) -> WarnedText | None:
    """The language check before free text is saved: its warnings, if the writer has not yet
    seen them for exactly this text; None when it may be saved (no warnings, or the writer
    saw them and chose to keep the wording). The check advises; it never stops a save."""
    warned = warnings_in(text.strip())
    if not warned or request.POST.get("checked", None) == text.strip():
        return None
    return warned


def _case_page(
    request: HttpRequest,
    concern_id: str,
    template: str,
    context: dict[str, Any],
    errors: list[tuple[str, str]],
    warned: WarnedText | None = None,
    checked: str = "",
) -> HttpResponse:
    record, _ = attempt(lambda: case_record(signed_in_user(request), concern_id))
    assert record is not None
    return render(
        request,
        template,
        {
            "case": record.case,
            "concern": record.case.concern,
            "warned": warned,
            "checked": checked,
            **context,
            **_form_context(errors),
        },
        status=400 if errors else 200,
    )


def _may(request: HttpRequest, action: str, refusal: str) -> None:
    if not allowed(signed_in_user(request).role, action):
        raise PermissionDenied(refusal)


@login_required
@shows("add a case note")
@require_http_methods(["GET", "POST"])
def add_note(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Add a case note to a concern. The wording is checked first: the writer sees any
    warnings and saves the note as it is or changes it."""
    _may(request, "add_information", "your role reads concerns; it does not add to them")
    user = signed_in_user(request)
    text = request.POST.get("text", "")
    errors: list[tuple[str, str]] = []
    warned = None
    if request.method == "POST":
        warned = _wording_checked(request, text)
        if warned is None:
            _, errors = attempt(lambda: do_add_information(concern_id, text, actor=user))
            if not errors:
                return redirect(reverse("web:concern", args=[concern_id]) + "?done=noted#notes")
    return _case_page(
        request,
        concern_id,
        "web/note.html",
        {"values": {"text": text}},
        errors,
        warned,
        text.strip() if warned else "",
    )


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@login_required
@shows("record contact")
@require_http_methods(["GET", "POST"])
def record_contact(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Record contact with the child or their family, made or tried, with whether the child
    was seen alone."""
    _may(request, "record_contact", "your role reads concerns; it does not record contact")
    user = signed_in_user(request)
    values = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
    errors: list[tuple[str, str]] = []
    warned = None
    summary = values.get("summary", "")
    if request.method == "POST":
        problems: list[FieldProblem] = []
        day = read_date(request.POST, "happened_on", "happened_on", problems)
        errors = [("happened_on-day", p.message) for p in problems]
        if not errors:
            warned = _wording_checked(request, summary)
        if not errors and warned is None:
            _, errors = attempt(
                lambda: do_record_contact(
                    concern_id,
                    with_whom=values.get("with_whom", ""),
                    method=values.get("method", ""),
                    happened_on=date.fromisoformat(day) if day else None,
                    made=_yes_no(values.get("made", "")),
                    seen_alone=_yes_no(values.get("seen_alone", "")),
                    summary=summary,
                    child_id=values.get("child") or None,
                    actor=user,
                )
            )
            errors = [("happened_on-day" if f == "happened_on" else f, m) for f, m in errors]
            if not errors:
                return redirect(
                    reverse("web:concern", args=[concern_id]) + "?done=contact#contacts"
                )
    record, _ = attempt(lambda: concern_children(user, concern_id))
    return _case_page(
        request,
        concern_id,
        "web/contact.html",
        {
            "values": values,
            "children": [(str(c.pk), str(c), "") for c in record or []],
            "with_choices": [(k, v, "") for k, v in CONTACT_WITH.items()],
            "method_choices": [("", "Choose how"), *CONTACT_METHODS.items()],
            "yes_no": [("yes", "Yes", ""), ("no", "No", "")],
        },
        errors,
        warned,
        summary.strip() if warned else "",
    )


@login_required
@shows("record the outcome")
@require_http_methods(["GET", "POST"])
def record_outcome(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Record what came of a concern; whoever raised it is told the kind of outcome in plain
    words, shown here as they will read it."""
    _may(request, "record_outcome", "your role reads concerns; it does not record outcomes")
    user = signed_in_user(request)
    outcome = request.POST.get("outcome", "")
    summary = request.POST.get("summary", "")
    errors: list[tuple[str, str]] = []
    warned = None
    if request.method == "POST":
        warned = _wording_checked(request, summary) if outcome in OUTCOMES else None
        if warned is None:
            _, errors = attempt(lambda: do_record_outcome(concern_id, outcome, summary, actor=user))
            if not errors:
                return redirect(reverse("web:concern", args=[concern_id]) + "?done=outcome")
    return _case_page(
        request,
        concern_id,
        "web/outcome.html",
        {
            "values": {"outcome": outcome, "summary": summary},
            "choices": [
                (k, o.label, f"They are told: “{o.for_reporter}”") for k, o in OUTCOMES.items()
            ],
        },
        errors,
        warned,
        summary.strip() if warned else "",
    )
