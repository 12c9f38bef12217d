"""Pages for agencies: a concern with everything known and its timeline, a child with every
concern the reader may see, "my recent concerns", and regrading a screening's band.

Every read goes through the gates and each request records one view listing what it showed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tocsin.domain.concerns import (
    CHANNELS,
    CIN_FACTORS,
    ETHNICITY,
    GRADING_HANDLING,
    GRADING_INTELLIGENCE,
    GRADING_SOURCE,
    SEXES,
)
from tocsin.ledger import parse_canonical_json
from tocsin.server.actors import ActionRefused
from tocsin.server.concerns import screening as screening_policy
from tocsin.server.concerns.actions import do_regrade_risk
from tocsin.server.concerns.gates import (
    NotVisible,
    access_child,
    access_concern,
    concerns_visible_to,
)
from tocsin.server.concerns.models import Concern, RecordView, Screening
from tocsin.server.directory.models import User
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.web._presenting import (
    actor_name,
    band_label,
    record_view,
    signed_in_user,
    warnings_in,
)

__all__ = ["child_page", "concern_page", "my_concerns", "regrade"]

RECENT = 25


def _visible_concern(request: HttpRequest, concern_id: str) -> tuple[User, Concern]:
    user = signed_in_user(request)
    try:
        return user, access_concern(user, concern_id)
    except NotVisible:
        raise Http404("no such concern, or you do not have access to it") from None


def _timeline(concern: Concern) -> list[dict[str, Any]]:
    """The concern's events from the ledger: leaves whose first subject is the concern."""
    leaves = LedgerLeaf.objects.filter(subject=f"concern:{concern.pk}").order_by("seq")
    timeline = []
    for leaf in leaves:
        envelope = parse_canonical_json(bytes(leaf.data))
        timeline.append(
            {
                "seq": leaf.seq,
                "kind": leaf.kind,
                "time": envelope.get("time", ""),
                "actor": actor_name(str(envelope.get("actor", ""))),
            }
        )
    return timeline


def _screenings(concern: Concern) -> list[dict[str, Any]]:
    scheme = screening_policy.scheme()
    labels = {i.id: i for i in scheme.indicators}
    seen_on = {}
    result = []
    for screening in concern.screenings.select_related("child").order_by("screened_seq"):
        seen_on = {o["indicator_id"]: o["seen_on"] for o in screening.observations}
        result.append(
            {
                "screening": screening,
                "band": band_label(screening.band),
                "current_band": band_label(screening.current_band),
                "contributions": [
                    {
                        "label": labels[c["indicator_id"]].label
                        if c["indicator_id"] in labels
                        else c["indicator_id"],
                        "group": labels[c["indicator_id"]].group
                        if c["indicator_id"] in labels
                        else "",
                        "seen_on": seen_on.get(c["indicator_id"], ""),
                        "points": c["points"],
                    }
                    for c in screening.contributions
                ],
                "regradings": [
                    {
                        "from": band_label(r.from_band),
                        "to": band_label(r.to_band),
                        "reason": r.reason,
                        "by": actor_name(r.actor),
                    }
                    for r in screening.regradings.order_by("regraded_seq")
                ],
            }
        )
    return result


@login_required
def concern_page(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Everything known about a concern, its screening with every indicator behind the band,
    regradings with reasons, notes, its timeline from the ledger, and who has seen it."""
    user, concern = _visible_concern(request, concern_id)
    children = [link.child for link in concern.child_links.select_related("child")]
    views = RecordView.objects.filter(subject=f"concern:{concern.pk}").order_by("-viewed_seq")
    context = {
        "concern": concern,
        "children": children,
        "screenings": _screenings(concern),
        "notes": [
            {"note": note, "warned": warnings_in(note.text)}
            for note in concern.notes.order_by("added_seq")
        ],
        "timeline": _timeline(concern),
        "views": [
            {"who": actor_name(v.viewer), "when": v.viewed_at, "purpose": v.purpose}
            for v in views[:50]
        ],
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
        "recorded_by": actor_name(f"user:{concern.recorded_by_id}")
        if concern.recorded_by_id
        else CHANNELS.get(concern.channel, concern.channel),
    }
    response = render(request, "web/concern.html", context)
    record_view(
        user, "concern page", [f"concern:{concern.pk}", *(f"child:{c.pk}" for c in children)]
    )
    return response


@login_required
def child_page(request: HttpRequest, child_id: str) -> HttpResponse:
    """A child and every concern about them that the reader may see."""
    user = signed_in_user(request)
    try:
        child, concerns = access_child(user, child_id)
    except NotVisible:
        raise Http404("no such child, or you do not have access to them") from None
    shown = list(concerns)
    bands = {
        s.concern_id: band_label(s.current_band)
        for s in Screening.objects.filter(child=child, concern__in=shown)
    }
    response = render(
        request,
        "web/child.html",
        {"child": child, "concerns": shown, "bands": bands, "sexes": SEXES},
    )
    record_view(user, "child page", [f"child:{child.pk}", *(f"concern:{c.pk}" for c in shown)])
    return response


@login_required
def my_concerns(request: HttpRequest) -> HttpResponse:
    """The concerns this person recorded most recently."""
    user = signed_in_user(request)
    concerns = list(
        concerns_visible_to(user)
        .filter(recorded_by=user)
        .prefetch_related("child_links__child")
        .order_by("-recorded_seq")[:RECENT]
    )
    response = render(request, "web/my_concerns.html", {"concerns": concerns})
    record_view(user, "my recent concerns", [f"concern:{c.pk}" for c in concerns])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def regrade(request: HttpRequest, concern_id: str, screening_id: str) -> HttpResponse:
    """Change a screening's band, with a required reason (kept on the ledger)."""
    user, concern = _visible_concern(request, concern_id)
    screening = concern.screenings.filter(pk=screening_id).select_related("child").first()
    if screening is None:
        raise Http404("no such screening")
    errors: list[tuple[str, str]] = []
    band = request.POST.get("band", "")
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        if band not in screening_policy.bands():
            errors.append(("band", "Choose the band"))
        if not reason.strip():
            errors.append(("reason", "Give the reason for changing the band"))
        if band == screening.current_band:
            errors.append(("band", "Choose a band different from the current one"))
        if not errors:
            try:
                do_regrade_risk(screening, band, reason, actor=user)
            except ActionRefused as exc:
                raise PermissionDenied(str(exc)) from None
            return redirect("web:concern", concern_id=concern.pk)
    bands = [(b, band_label(b)) for b in screening_policy.bands()]
    response = render(
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
    record_view(user, "regrade", [f"concern:{concern.pk}", f"child:{screening.child_id}"])
    return response
