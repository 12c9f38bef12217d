"""The network view (issue 16): the table first, as the accessible route; the picture drawn
by sigma from positions computed on the server; the links as CSV; a PDF chart for a strategy
meeting. Every one of them is recorded as a read (``record.viewed``) listing each child and
concern it showed (``tocsin.server.networks.picture.record_shown``).

Thin views: the graph is built by ``tocsin.server.networks.picture`` from the concern
projections, within the network roles (``tocsin.server.networks.gates``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from tocsin.domain.bounds import whole_number
from tocsin.intel.graph import ENTITY_KINDS
from tocsin.server.directory.models import Agency
from tocsin.server.networks.chart import legend, network_svg
from tocsin.server.networks.gates import require_network_role
from tocsin.server.networks.picture import (
    KIND_NAMES,
    NetworkFilters,
    NetworkPicture,
    network_csv,
    network_picture,
    record_rows,
    record_shown,
)
from tocsin.server.reads import shows

__all__ = ["networks", "networks_csv", "networks_json", "networks_pdf", "networks_table"]


def _picture(request: HttpRequest, *, with_layout: bool) -> tuple[NetworkPicture, dict[str, str]]:
    require_network_role(request.user)
    filters, problems = NetworkFilters.from_query(request.GET)
    picture = network_picture(filters, as_of=timezone.localdate(), with_layout=with_layout)
    return picture, problems


def _context(picture: NetworkPicture, problems: dict[str, str]) -> dict[str, Any]:
    query = urlencode(picture.filters.query(), doseq=True)
    suffix = f"?{query}" if query else ""
    return {
        "picture": picture,
        "filters": picture.filters,
        "problems": problems,
        "suffix": suffix,
        "kinds": KIND_NAMES,
        "plural": {
            "child": "Children",
            "adult": "Adults",
            "vehicle": "Vehicles",
            "phone": "Phones",
            "place": "Places",
        },
        "all_kinds": ENTITY_KINDS,
        "agencies": list(Agency.objects.order_by("name").values_list("pk", "name")),
    }


@login_required
@require_GET
@shows("network view")
def networks(request: HttpRequest) -> HttpResponse:
    """The network page: filters, the table offered first, a summary in words, and the
    picture (drawn by the browser from ``networks/graph.json``) with keyboard search and a
    node panel."""
    picture, problems = _picture(request, with_layout=False)
    context = _context(picture, problems)
    context["top_adults"] = picture.detection.adults[:10]
    context["hotspots"] = picture.detection.hotspots[:10]
    context["labels"] = {n.id: n.label for n in picture.graph.nodes}
    # The page names the adults and places it ranks, no child; the children are shown by the
    # picture's data (graph.json), which records them itself.
    return render(request, "web/networks.html", context, status=400 if problems else 200)


@login_required
@require_GET
@shows("network table")
def networks_table(request: HttpRequest) -> HttpResponse:
    """The network as tables: the networks, every entity and every link with the concerns
    behind it (the accessible route, offered before the picture)."""
    picture, problems = _picture(request, with_layout=False)
    context = _context(picture, problems)
    nodes, links = picture.node_rows(), picture.link_rows()
    context["entities"] = _page_of(nodes, request.GET.get("entities", ""))
    context["links"] = _page_of(links, request.GET.get("links", ""))
    # Where each network's entities start, so its row links to the right page.
    starts: dict[str, int] = {}
    for index, row in enumerate(nodes):
        if row["network"]:
            starts.setdefault(row["network"], index // TABLE_PAGE + 1)
    context["network_page"] = starts
    context["page_link"] = lambda name, number: _with_page(request, name, number)
    record_rows(picture, context["entities"].rows, context["links"].rows)
    return render(request, "web/networks_table.html", context, status=400 if problems else 200)


#: Rows per page of the entities table and of the links table.
TABLE_PAGE = 200


@dataclass(frozen=True)
class _Page:
    rows: list[dict[str, Any]]
    number: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        return (self.number - 1) * TABLE_PAGE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _with_page(request: HttpRequest, name: str, number: int) -> str:
    """This page's address with the filters kept and table ``name`` at page ``number``."""
    query = request.GET.copy()
    query[name] = str(number)
    return "?" + query.urlencode()


def _page_of(rows: list[dict[str, Any]], asked: str) -> _Page:
    """One page of ``rows``: the page asked for if it is a whole number in range, else the
    nearest one."""
    pages = max(1, -(-len(rows) // TABLE_PAGE))
    number = min(max(1, whole_number(asked) or 1), pages)
    start = (number - 1) * TABLE_PAGE
    return _Page(rows[start : start + TABLE_PAGE], number, pages, len(rows))


@login_required
@require_GET
@shows("network view data")
def networks_json(request: HttpRequest) -> HttpResponse:
    """What the picture draws: nodes with their server-side positions, and links."""
    picture, problems = _picture(request, with_layout=True)
    record_shown(picture, concerns=False)
    response = JsonResponse({**picture.to_json(), "problems": problems})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@shows("network export (CSV)")
def networks_csv(request: HttpRequest) -> HttpResponse:
    """Every link, with the concerns behind it, as CSV."""
    picture, _ = _picture(request, with_layout=False)
    record_shown(picture)
    response = HttpResponse(network_csv(picture), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="network-links.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@shows("network export (PDF)")
def networks_pdf(request: HttpRequest) -> HttpResponse:
    """The network as an A4 PDF for a strategy meeting: the chart drawn on the server as SVG,
    its key, the networks, the adults ranked and the places by children linked."""
    from weasyprint import HTML  # imported here: loading it takes a moment

    picture, _ = _picture(request, with_layout=True)
    record_shown(picture)
    context = _context(picture, {})
    context["chart"] = network_svg(picture, title="The partnership's network")
    context["legend"] = legend()
    context["top_adults"] = picture.detection.adults[:20]
    context["hotspots"] = picture.detection.hotspots[:20]
    context["labels"] = {n.id: n.label for n in picture.graph.nodes}
    context["printed"] = timezone.localtime()
    html = render_to_string("web/networks_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="network.pdf"'
    response["Cache-Control"] = "no-store"
    return response
