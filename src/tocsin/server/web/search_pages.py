"""Search across the partnership (``tocsin.server.people.search``): one GOV.UK form, sent by
GET, and a results table. A purpose is required; each search is one ``search.made`` on the
ledger, which lists the records shown. Records the searcher may not see are named only by the
agency that holds them and whom to contact."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tocsin.domain.casework import allowed
from tocsin.domain.people import SEARCH_KINDS
from tocsin.server.actors import Invalid
from tocsin.server.people.search import MAX_RESULTS, SearchResult, do_search
from tocsin.server.reads import shows
from tocsin.server.web._presenting import signed_in_user

__all__ = ["QUERY_FIELDS", "search_page"]

#: The form's fields for each kind of search (besides ``looked_for`` and ``purpose``).
QUERY_FIELDS: dict[str, tuple[str, ...]] = {
    "person": ("first_name", "surname", "date_of_birth", "postcode"),
    "vehicle": ("registration",),
    "phone": ("phone",),
    "place": ("postcode", "address"),
}
_ALL_FIELDS = (
    "first_name",
    "surname",
    "date_of_birth",
    "registration",
    "phone",
    "postcode",
    "address",
)


def _held(result: SearchResult) -> list[dict[str, Any]]:
    """Records not shown, by agency: how many, and whom to contact."""
    by_agency: dict[str, dict[str, Any]] = {}
    for holder in result.held_elsewhere.values():
        entry = by_agency.setdefault(
            holder.agency, {"agency": holder.agency, "count": 0, "contacts": set()}
        )
        entry["count"] += 1
        entry["contacts"].update(holder.contacts)
    return [
        {**entry, "contacts": sorted(entry["contacts"])} for _, entry in sorted(by_agency.items())
    ]


@login_required
@require_GET
@shows("search")
def search_page(request: HttpRequest) -> HttpResponse:
    """The search form; with a query and a purpose, the search and its results."""
    user = signed_in_user(request)
    if not allowed(user.role, "search"):
        raise PermissionDenied("your role does not search the partnership")
    values = {k: request.GET.get(k, "").strip() for k in (*_ALL_FIELDS, "looked_for", "purpose")}
    looked_for = values["looked_for"] or "person"
    values["looked_for"] = looked_for
    errors: list[tuple[str, str]] = []
    result: SearchResult | None = None
    if request.GET.get("search"):
        query = {k: values[k] for k in QUERY_FIELDS.get(looked_for, ())}
        try:
            result = do_search(looked_for, query, values["purpose"], actor=user)
        except Invalid as exc:
            errors = [(p.field, p.message) for p in exc.problems]
    context = {
        "values": values,
        "errors": errors,
        "error_for": dict(reversed(errors)),
        "kinds": [(code, label, "") for code, label in SEARCH_KINDS.items()],
        "result": result,
        "held": _held(result) if result is not None else [],
        "max_results": MAX_RESULTS,
    }
    return render(request, "web/search.html", context, status=400 if errors else 200)
