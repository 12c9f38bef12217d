"""The scrutineer's exports page (issue 17 §5; docs/register.md): choose what to export and a
period, and download the CSV. Each export is recorded on the ledger by the action
(``do_export_for_scrutiny``); what it shows is recorded as read by the request's read scope."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tocsin.domain.casework import allowed
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.concerns.steps import read_date
from tocsin.domain.register import SCRUTINY_EXPORTS
from tocsin.server.directory.read_models import actor_names
from tocsin.server.reads import shows
from tocsin.server.register.read_models import exports_so_far
from tocsin.server.register.scrutiny import MAX_PERIOD_DAYS, do_export_for_scrutiny
from tocsin.server.web._presenting import attempt, signed_in_user

__all__ = ["scrutiny_exports"]


def _field_id(field: str) -> str:
    return f"{field}-day" if field.startswith("period_") else field


@login_required
@shows("export for scrutiny")
@require_http_methods(["GET", "POST"])
def scrutiny_exports(request: HttpRequest) -> HttpResponse:
    """The form; a valid POST answers with the CSV file, recorded on the ledger."""
    user = signed_in_user(request)
    if not allowed(user.role, "export_scrutiny"):
        raise PermissionDenied("only the partnership's scrutineer exports for scrutiny")
    values = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        problems: list[FieldProblem] = []
        start = read_date(request.POST, "period_from", "period_from", problems)
        end = read_date(request.POST, "period_to", "period_to", problems)
        errors = [(_field_id(p.field), p.message) for p in problems]
        if not errors:
            produced, errors = attempt(
                lambda: do_export_for_scrutiny(
                    values.get("kind", ""),
                    date.fromisoformat(start) if start else None,
                    date.fromisoformat(end) if end else None,
                    actor=user,
                )
            )
            errors = [(_field_id(f), m) for f, m in errors]
            if produced is not None:
                response = HttpResponse(produced.content, content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{produced.filename}"'
                response["X-Tocsin-Ledger-Seq"] = str(produced.seq)
                return response
    exports = exports_so_far()
    return render(
        request,
        "web/scrutiny.html",
        {
            "exports": exports,
            "names": actor_names(e.exported_by for e in exports),
            "labels": SCRUTINY_EXPORTS,
            "values": values,
            "kinds": [(k, v, "") for k, v in SCRUTINY_EXPORTS.items()],
            "max_days": MAX_PERIOD_DAYS,
            "errors": errors,
            "error_for": dict(reversed(errors)),
        },
        status=400 if errors else 200,
    )
