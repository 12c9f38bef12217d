"""A child's page: who they are and their chronology across agencies, within need-to-know,
with what other agencies hold and whom to ask; a printable version and a PDF for a strategy
meeting. Each is a read of its own (page, print, PDF), recorded on the ledger with what it
showed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from tocsin.domain import screening as screening_policy
from tocsin.domain.casework import allowed
from tocsin.domain.concerns import SEXES
from tocsin.server.actors import NotVisible
from tocsin.server.casework.chronology import KINDS, Chronology, child_chronology
from tocsin.server.people.merges import group_of
from tocsin.server.people.review import merges_into
from tocsin.server.reads import shows
from tocsin.server.web._dates import for_people
from tocsin.server.web._presenting import band_label, signed_in_user

__all__ = ["child_page", "child_pdf", "child_print"]


def _chronology(request: HttpRequest, child_id: str) -> Chronology:
    oldest_first = request.GET.get("order", "oldest") != "newest"
    try:
        return child_chronology(signed_in_user(request), child_id, oldest_first=oldest_first)
    except NotVisible:
        raise Http404("no such child, or you do not have access to them") from None


def _context(request: HttpRequest, chronology: Chronology) -> dict[str, object]:
    kind = request.GET.get("kind", "")
    entries = [e for e in chronology.entries if not kind or e.kind == kind]
    user = signed_in_user(request)
    return {
        "child": chronology.child,
        "chronology": chronology,
        "entries": entries,
        "kind": kind if kind in KINDS else "",
        "kinds": [(k, KINDS[k]) for k in chronology.kinds],
        "order": "newest" if request.GET.get("order") == "newest" else "oldest",
        "sexes": SEXES,
        "band_label": band_label,
        "across": chronology.record.band_across_concerns if chronology.record else None,
        "across_rule": screening_policy.child_band_rule(),
        "not_shown": chronology.record.concerns_not_shown if chronology.record else 0,
        "printed_by": f"{user.display_name} ({user.agency})" if user.agency else user.display_name,
        "printed_at": for_people(timezone.now()),
    }


@login_required
@shows("child chronology")
@require_safe
def child_page(request: HttpRequest, child_id: str) -> HttpResponse:
    """The child, and everything about them the reader may see, from every agency, by date."""
    chronology = _chronology(request, child_id)
    if str(chronology.child.pk) != str(child_id):
        # A record merged into another: the child's one chronology is under that record.
        query = request.GET.urlencode()
        return redirect(
            reverse("web:child", args=[chronology.child.pk]) + (f"?{query}" if query else "")
        )
    group = group_of(chronology.child.pk)
    context = {
        **_context(request, chronology),
        "merges": merges_into(group) if len(group) > 1 else [],
        "may_split": allowed(signed_in_user(request).role, "review_match"),
        "done": request.GET.get("done", ""),
    }
    return render(request, "web/child.html", context)


@login_required
@shows("child chronology printed")
@require_safe
def child_print(request: HttpRequest, child_id: str) -> HttpResponse:
    """The chronology laid out for paper: opening it is recorded as printing it, since the
    browser's own print is invisible to the server."""
    chronology = _chronology(request, child_id)
    return render(request, "web/child_print.html", _context(request, chronology))


@login_required
@shows("child chronology PDF")
@require_safe
def child_pdf(request: HttpRequest, child_id: str) -> HttpResponse:
    """The chronology as an A4 PDF (WeasyPrint), for a strategy meeting."""
    from weasyprint import HTML  # imported here: loading it takes a moment, and only this needs it

    chronology = _chronology(request, child_id)
    html = render_to_string("web/child_pdf.html", _context(request, chronology), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"chronology-{chronology.child.pk.hex[:8]}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
