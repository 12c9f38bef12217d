"""Problem profiles, for whoever reads the statistics: the list of profiles made, each profile
as a page (its sections, each figure a chart drawn on the server with its table) and its
registered PDF. Every count is suppressed as published; opening a profile is recorded on the
ledger with the profile it showed."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tocsin.domain.statistics import SUPPRESSED_MARK
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.reads import current_scope, shows
from tocsin.server.register.profiles import (
    ProfileRefused,
    charts,
    find_profile,
    may_read_profiles,
    profile_at,
    profile_pdf,
    profiles_made,
)
from tocsin.server.web._presenting import signed_in_user

__all__ = ["profile_page", "profile_pdf_download", "profiles_page"]


def _require_profile_role(request: HttpRequest) -> None:
    if not may_read_profiles(signed_in_user(request)):
        raise PermissionDenied("your role does not read problem profiles")


def _profile(profile_id: uuid.UUID) -> Any:
    found = find_profile(profile_id)
    if found is None:
        raise Http404("no such problem profile")
    scope = current_scope()
    if scope is not None:
        scope.add((f"profile:{found.pk}", f"report:{found.report.pk}"))
    return found


@login_required
@require_GET
@shows("problem profiles")
def profiles_page(request: HttpRequest) -> HttpResponse:
    """Every profile made, newest first, with links to each page and PDF."""
    _require_profile_role(request)
    return render(
        request,
        "web/profiles.html",
        {"profiles": profiles_made(), "schedule": clocks_policy().profiles},
    )


@login_required
@require_GET
@shows("problem profile")
def profile_page(request: HttpRequest, profile_id: uuid.UUID) -> HttpResponse:
    """One profile, computed again at its checkpoint (the same figures as its PDF)."""
    _require_profile_role(request)
    profile = _profile(profile_id)
    try:
        doc, _ = profile_at(
            profile.checkpoint_size, trend_period=profile.trend_period, label=profile.label
        )
    except ProfileRefused as exc:
        raise Http404(str(exc)) from None
    context = {"doc": doc.data, "charts": charts(doc), "mark": SUPPRESSED_MARK, "profile": profile}
    return render(request, "web/profile.html", context)


@login_required
@require_GET
@shows("problem profile PDF")
def profile_pdf_download(request: HttpRequest, profile_id: uuid.UUID) -> HttpResponse:
    """The profile's registered PDF (its digest is on the ledger)."""
    _require_profile_role(request)
    profile = _profile(profile_id)
    try:
        pdf = profile_pdf(profile)
    except ProfileRefused as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="problem-profile-{profile.label}.pdf"'
    return response
