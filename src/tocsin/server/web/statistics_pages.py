"""The official statistics page, for managers, the front door, analysts and the partnership's
scrutineers: every figure at a signed checkpoint as a chart (SVG drawn on the server) with its
table, and exports as CSV and XLSX, each recorded on the ledger before it is handed over.

Thin views: the figures come from ``tocsin.server.statistics`` (the ledger at a checkpoint,
never a projection). Small counts are suppressed for everyone who does not see every concern.
A page that shows the reasons for regradings records which concerns and children it named.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from tocsin.domain.bounds import whole_number
from tocsin.domain.statistics import AUDIENCES, PERIODS, SUPPRESSED_MARK, bar_chart
from tocsin.server.reads import shows
from tocsin.server.statistics.actions import (
    StatisticsRefused,
    do_export_statistics,
    may_read_statistics,
    note_shown,
    sees_every_concern,
)
from tocsin.server.statistics.read_models import offered_checkpoints, recent_exports
from tocsin.server.statistics.reading import NoCheckpoint, statistics_at
from tocsin.server.web._presenting import signed_in_user

__all__ = ["statistics", "statistics_export"]

#: How many of the newest checkpoints the page offers to choose from.
_CHECKPOINTS_OFFERED = 20


def _require_statistics_role(request: HttpRequest) -> None:
    if not may_read_statistics(signed_in_user(request)):
        raise PermissionDenied("your role does not read the statistics")


def _choices(source: Any) -> tuple[int | None, str, list[tuple[str, str]]]:
    """The checkpoint size and period asked for, and the problems with them (field, message)."""
    problems: list[tuple[str, str]] = []
    size: int | None = None
    raw = str(source.get("checkpoint", "")).strip()
    if raw:
        size = whole_number(raw)
        if size is None:
            problems.append(("checkpoint", "Choose a checkpoint from the list"))
    period = str(source.get("period", "quarter"))
    if period not in PERIODS:
        problems.append(("period", "Choose months, quarters or years"))
        period = "quarter"
    return size, period, problems


@login_required
@require_GET
@shows("statistics")
def statistics(request: HttpRequest) -> HttpResponse:
    """Every figure at the chosen checkpoint (the newest by default), with charts and tables."""
    _require_statistics_role(request)
    user = signed_in_user(request)
    size, period, problems = _choices(request.GET)
    offered = offered_checkpoints(_CHECKPOINTS_OFFERED)
    context: dict[str, Any] = {
        "problems": problems,
        "periods": PERIODS,
        "period": period,
        "offered": offered,
        "mark": SUPPRESSED_MARK,
        "exports": recent_exports(),
    }
    if problems:
        return render(request, "web/statistics.html", context, status=400)
    try:
        stats = statistics_at(size, period=period)
    except NoCheckpoint as exc:
        context["problems"] = [("checkpoint", str(exc))]
        return render(request, "web/statistics.html", context, status=404 if size else 200)
    full = sees_every_concern(user)
    doc = stats.document(sees_every_concern=full)
    note_shown(stats, full=full)
    context.update(
        {
            "doc": doc.data,
            "audience": AUDIENCES[doc.data["audience"]],
            "charts": {entry["id"]: bar_chart(entry) for entry in doc.data["figures"]},
            "size": stats.figures.size,
        }
    )
    return render(request, "web/statistics.html", context)


@login_required
@require_POST
def statistics_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The statistics as CSV or XLSX for the reader's audience, recorded on the ledger."""
    _require_statistics_role(request)
    size, period, problems = _choices(request.POST)
    if problems:
        return HttpResponse(problems[0][1], status=400, content_type="text/plain")
    try:
        export = do_export_statistics(
            file_format, size=size, period=period, actor=signed_in_user(request)
        )
    except StatisticsRefused as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
