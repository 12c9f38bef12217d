"""Pages for agencies: a concern with everything known and its timeline, "my recent
concerns", and regrading a screening's band (a child's page is in ``chronology_pages``).

Every read goes through a read model over the gates; the request's read scope records one
view listing what it showed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from tocsin.domain import screening as screening_policy
from tocsin.domain.casework import OUTCOMES, allowed
from tocsin.domain.concerns import (
    CHANNELS,
    CIN_FACTORS,
    ETHNICITY,
    GRADING_HANDLING,
    GRADING_INTELLIGENCE,
    GRADING_SOURCE,
    SEXES,
    describe_person,
    describe_place,
    describe_vehicle,
)
from tocsin.server.actors import NotVisible
from tocsin.server.casework.actions import proposal_of
from tocsin.server.casework.read_models import case_of
from tocsin.server.challenges.read_models import challenges_of
from tocsin.server.clocks.read_models import deadlines_of, escalations_of
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.actions import do_regrade_risk
from tocsin.server.concerns.read_models import (
    ConcernRecord,
    concern_record,
    recent_concerns,
    screening_at,
)
from tocsin.server.directory.read_models import actor_names
from tocsin.server.meetings.read_models import meetings_of, open_action_deadlines
from tocsin.server.people.already_known import already_known_for_concern
from tocsin.server.reads import shows
from tocsin.server.web._presenting import (
    attempt,
    band_label,
    indicators_of_screening,
    signed_in_user,
    warnings_in,
)

__all__ = ["concern_page", "my_concerns", "regrade"]

RECENT = 25
#: What the concern page confirms after a case-work page sends someone back to it.
_DONE = {
    "allocated": "The concern is allocated",
    "decided": "Your decision is recorded",
    "proposed": "Your proposal is recorded; it takes effect when a manager signs it off",
    "approved": "You signed the proposal off; it has taken effect",
    "rejected": "You rejected the proposal; the concern is back as it was",
    "regraded": "The band is changed",
    "noted": "Your case note is added",
    "contact": "The contact is recorded",
    "outcome": "The outcome is recorded; whoever raised the concern can now see it",
    "meeting": "The meeting is recorded; each action now runs on its clock",
    "action": "The action is recorded as done",
    "challenged": (
        "Your challenge is sent to the partnership's independent scrutineer; you will see "
        "their answer here and on your challenges page"
    ),
    "screened": "The screening is recorded",
    "regrade-proposed": (
        "Lowering this band needs a second person: your proposal waits for a manager's "
        "sign-off, and the band stays as it is until then"
    ),
}


def _screenings(record: ConcernRecord) -> list[dict[str, Any]]:
    result = []
    for screening in record.screenings:
        indicators, stale = indicators_of_screening(screening)
        result.append(
            {
                "screening": screening,
                "band": band_label(screening.band),
                "current_band": band_label(screening.current_band),
                "contributions": indicators,
                "stale": stale,
                "regradings": [
                    {
                        "from": band_label(r.from_band),
                        "to": band_label(r.to_band),
                        "reason": r.reason,
                        "by": record.names.get(r.actor, r.actor),
                    }
                    for r in record.regradings[screening.pk]
                ],
            }
        )
    return result


@login_required
@shows("concern page")
@require_safe
def concern_page(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Everything known about a concern, its screening with every indicator behind the band,
    regradings with reasons, notes, its timeline from the ledger, and who has seen it."""
    try:
        record = concern_record(signed_in_user(request), concern_id)
    except NotVisible:
        raise Http404("no such concern, or you do not have access to it") from None
    concern = record.concern
    user = signed_in_user(request)
    case = case_of(concern)
    authors = {entry.seq: entry.actor for entry in record.timeline}
    now = timezone.now()
    meetings = meetings_of(concern)
    challenged = challenges_of(concern, now)
    context = {
        "challenges": challenged,
        "me": f"user:{user.pk}",
        "case": case.case,
        "decisions": case.decisions,
        "allocations": case.allocations,
        "pending": case.pending,
        "contacts": case.contacts,
        "deadlines": deadlines_of(concern, now),
        "ladder": {level.level: level.label for level in clocks_policy().levels},
        "escalations": escalations_of(concern),
        "meetings": meetings,
        "action_deadlines": open_action_deadlines(meetings, now),
        "outcome": case.outcome,
        "outcomes": case.outcomes,
        "names": actor_names(
            [d.proposed_by for d in case.decisions]
            + [d.signed_off_by for d in case.decisions if d.signed_off_by]
            + [a.actor for a in case.allocations]
            + [c.actor for c in case.contacts]
            + [o.actor for o in case.outcomes]
            + [m.actor for m in meetings]
            + [c.challenge.answered_by for c in challenged if c.challenge.answered_by]
            # The challenger is named only to whoever answers challenges (and to themselves).
            + (
                [c.challenge.raised_by for c in challenged]
                if allowed(user.role, "answer_challenge")
                else []
            )
        ),
        "may": {
            a: allowed(user.role, a)
            for a in (
                "allocate",
                "decide",
                "sign_off",
                "add_information",
                "record_contact",
                "record_outcome",
                "record_meeting",
                "screen",
                "challenge",
                "answer_challenge",
            )
        },
        "done": _DONE.get(request.GET.get("done", "")),
        "band_label": band_label,
        "concern": concern,
        "children": record.children,
        "already_known": already_known_for_concern(user, concern),
        "persons": [describe_person(person) for person in concern.persons],
        "vehicles": [describe_vehicle(vehicle) for vehicle in concern.vehicles],
        "places": [describe_place(place) for place in concern.places],
        "cin_summary": "; ".join(
            f"{CIN_FACTORS.get(code, code)} ({code})" for code in concern.cin_factors
        ),
        "screenings": _screenings(record),
        "screened_children": {screening.child_id for screening in record.screenings},
        "notes": [
            {"note": note, "warned": warnings_in(note.text), "by": authors.get(note.added_seq, "")}
            for note in record.notes
        ],
        "timeline": record.timeline,
        "views": record.viewings,
        "narrative": warnings_in(concern.narrative),
        "sexes": SEXES,
        "ethnicity": ETHNICITY,
        "cin_factors": CIN_FACTORS,
        "channels": CHANNELS,
        "grading_labels": {
            "source": GRADING_SOURCE,
            "intelligence": GRADING_INTELLIGENCE,
            "handling": GRADING_HANDLING,
        },
        "recorded_by": record.recorded_by or CHANNELS.get(concern.channel, concern.channel),
    }
    return render(request, "web/concern.html", context)


@login_required
@shows("my recent concerns")
@require_safe
def my_concerns(request: HttpRequest) -> HttpResponse:
    """The concerns this person recorded most recently."""
    concerns = recent_concerns(signed_in_user(request), RECENT)
    return render(request, "web/my_concerns.html", {"concerns": concerns, "outcomes": OUTCOMES})


@login_required
@shows("regrade")
@require_http_methods(["GET", "POST"])
def regrade(request: HttpRequest, concern_id: str, screening_id: str) -> HttpResponse:
    """Change a screening's band, with a required reason (kept on the ledger). The action
    checks need-to-know and the answers; this page maps its refusals."""
    user = signed_in_user(request)
    errors: list[tuple[str, str]] = []
    band = request.POST.get("band", "")
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        envelope, errors = attempt(
            lambda: do_regrade_risk(concern_id, screening_id, band, reason, actor=user)
        )
        if envelope is not None:
            done = "regrade-proposed" if proposal_of(envelope) else "regraded"
            return redirect(reverse("web:concern", args=[concern_id]) + f"?done={done}")
    try:
        concern, screening = screening_at(user, concern_id, screening_id)
    except NotVisible:
        raise Http404("no such concern, or you do not have access to it") from None
    bands = [(b, band_label(b)) for b in screening_policy.bands()]
    return render(
        request,
        "web/regrade.html",
        {
            "concern": concern,
            "screening": screening,
            "current": band_label(screening.current_band),
            "bands": bands,
            "band": band,
            "reason": reason,
            "errors": errors,
            "error_for": dict(reversed(errors)),
        },
        status=400 if errors else 200,
    )
