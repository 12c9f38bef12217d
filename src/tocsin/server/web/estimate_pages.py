"""Estimates of the hidden number: the form, the result with its UpSet chart and caveats, the
list of every estimate produced, the capture table as CSV and the receipt.

Thin views: ``do_produce_estimate`` builds the lists, runs the estimate and records it; these
pages only read what the ledger recorded (``EstimateRun``). The figures are aggregate counts,
so no ``record.viewed`` is appended; who produced each estimate is on the ledger.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from tocsin.domain.bounds import whole_number
from tocsin.domain.concerns import CIN_FACTORS, FieldProblem
from tocsin.domain.concerns.steps import read_date
from tocsin.domain.estimates import EXPLOITATION_CIN_FACTORS
from tocsin.intel.estimate import METHODS, CaptureTable
from tocsin.intel.lists import capture_csv, lists_in_words, upset_chart
from tocsin.server.directory.read_models import actor_names
from tocsin.server.intel.actions import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_SEED,
    MAX_BOOTSTRAP,
    EstimateRefused,
    do_produce_estimate,
)
from tocsin.server.intel.gates import (
    EstimateNotVisible,
    access_estimate,
    estimates_visible_to,
    may_estimate,
)
from tocsin.server.intel.lists import GROUPINGS, concern_date_range
from tocsin.server.web._presenting import receipt_response, signed_in_user

__all__ = [
    "estimate_capture_csv",
    "estimate_page",
    "estimate_receipt",
    "estimates",
    "may_estimate",
    "new_estimate",
]

METHOD_CHOICES: dict[str, tuple[str, str]] = {
    "stepwise": (
        "Stepwise (recommended)",
        "Adds an interaction between two lists while their overlap is surprising "
        "(Chan, Silverman and Vincent 2021).",
    ),
    "main": (
        "Main effects only",
        "Treats the lists as independent. Usually too low when agencies refer children to "
        "each other.",
    ),
    "aic": (
        "AIC (the Home Office method)",
        "Adds interactions while they lower AIC (Bales, Hesketh and Silverman 2015). About "
        "ten times slower with a bootstrap.",
    ),
    "bic": (
        "BIC over every model",
        "Compares every hierarchical model (Silverman, Chan and Vincent 2024). At most five "
        "lists here.",
    ),
}
CI_METHODS = {
    "bca": "BCa bootstrap interval, which allows for the choice of model",
    "profile": "profile-likelihood interval, given the chosen model",
}


def _require_estimate_role(request: HttpRequest) -> None:
    if not may_estimate(signed_in_user(request)):
        raise PermissionDenied("your role does not produce or read estimates")


def _run(request: HttpRequest, estimate_id: str) -> Any:
    try:
        return access_estimate(signed_in_user(request), estimate_id)
    except EstimateNotVisible:
        raise Http404("no such estimate") from None


@login_required
@require_safe
def estimates(request: HttpRequest) -> HttpResponse:
    """Every estimate produced, newest first: none can be removed or changed."""
    _require_estimate_role(request)
    runs = list(estimates_visible_to(signed_in_user(request)))
    names = actor_names(run.produced_by for run in runs)
    return render(
        request,
        "web/estimates.html",
        {"runs": runs, "by": {run.pk: names[run.produced_by] for run in runs}},
    )


def _parse_whole(
    text: str, field: str, label: str, problems: list[FieldProblem], *, default: int | None
) -> int | None:
    text = text.strip()
    if not text:
        return default
    number = whole_number(text)
    if number is None:
        problems.append(FieldProblem(field, f"Enter {label} as a whole number, like 200"))
    return number


def _read_form(
    form: Any,
) -> tuple[dict[str, Any], list[FieldProblem]]:
    problems: list[FieldProblem] = []
    period_from = read_date(form, "period_from", "period_from-day", problems)
    period_to = read_date(form, "period_to", "period_to-day", problems)
    if period_from is None and not any(p.field == "period_from-day" for p in problems):
        problems.append(FieldProblem("period_from-day", "Enter the first day of the period"))
    if period_to is None and not any(p.field == "period_to-day" for p in problems):
        problems.append(FieldProblem("period_to-day", "Enter the last day of the period"))
    if period_from and period_to and period_from > period_to:
        problems.append(FieldProblem("period_to-day", "The period must end after it starts"))
    method = form.get("method", "stepwise")
    if method not in METHODS:
        problems.append(FieldProblem("method", "Choose how the model is chosen"))
    grouping = form.get("grouping", "agency")
    if grouping not in GROUPINGS:
        problems.append(FieldProblem("grouping", "Choose how the lists are drawn up"))
    bootstrap = _parse_whole(
        form.get("bootstrap", ""),
        "bootstrap",
        "the number of resamples",
        problems,
        default=DEFAULT_BOOTSTRAP,
    )
    if bootstrap is not None and bootstrap > MAX_BOOTSTRAP:
        problems.append(
            FieldProblem("bootstrap", f"Enter at most {MAX_BOOTSTRAP:,} resamples, or 0 for none")
        )
    seed = _parse_whole(form.get("seed", ""), "seed", "the seed", problems, default=DEFAULT_SEED)
    merge_below = _parse_whole(
        form.get("merge_below", ""), "merge_below", "the smallest list", problems, default=0
    )
    options = {
        "period_from": date.fromisoformat(period_from) if period_from else None,
        "period_to": date.fromisoformat(period_to) if period_to else None,
        "method": method,
        "grouping": grouping,
        "bootstrap": bootstrap,
        "seed": seed,
        "merge_below": merge_below,
    }
    return options, problems


def _form_defaults() -> dict[str, str]:
    values = {
        "method": "stepwise",
        "grouping": "agency",
        "bootstrap": str(DEFAULT_BOOTSTRAP),
        "seed": str(DEFAULT_SEED),
        "merge_below": "0",
    }
    span = concern_date_range()
    if span is not None:
        for prefix, day in (("period_from", span[0]), ("period_to", span[1])):
            values.update(
                {
                    f"{prefix}-day": str(day.day),
                    f"{prefix}-month": str(day.month),
                    f"{prefix}-year": str(day.year),
                }
            )
    return values


@login_required
@require_http_methods(["GET", "POST"])
def new_estimate(request: HttpRequest) -> HttpResponse:
    """The form; on a valid answer, produce and record the estimate and show it."""
    _require_estimate_role(request)
    errors: list[tuple[str, str]] = []
    values = _form_defaults()
    if request.method == "POST":
        values = {key: str(value) for key, value in request.POST.items()}
        options, problems = _read_form(request.POST)
        if not problems:
            try:
                run = do_produce_estimate(
                    options.pop("period_from"),
                    options.pop("period_to"),
                    actor=signed_in_user(request),
                    **options,
                )
            except EstimateRefused as exc:
                problems.append(FieldProblem(exc.field or "period_from-day", _sentence(str(exc))))
            else:
                return redirect("web:estimate", estimate_id=run.pk)
        errors = [(p.field, p.message) for p in problems]
    span = concern_date_range()
    return render(
        request,
        "web/estimate_new.html",
        {
            "values": values,
            "errors": errors,
            "error_for": dict(reversed(errors)),
            "methods": METHOD_CHOICES,
            "groupings": GROUPINGS,
            "factors": [(code, CIN_FACTORS[code]) for code in EXPLOITATION_CIN_FACTORS],
            "span": span,
            "max_bootstrap": MAX_BOOTSTRAP,
            "default_bootstrap": DEFAULT_BOOTSTRAP,
        },
        status=400 if errors else 200,
    )


def _sentence(message: str) -> str:
    """The engine's message as a sentence for the error summary."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _terms_in_words(model: list[str]) -> list[str]:
    """Interaction terms (``A:B``) in words, with the lists' names."""
    words = []
    for term in model:
        names = term.split(":")
        if len(names) == 2:
            words.append(f"{names[0]} and {names[1]}")
        else:
            words.append(f"{', '.join(names[:-1])} and {names[-1]}")
    return words


def _capture(run: Any) -> CaptureTable:
    table = run.capture_table
    return CaptureTable.from_histories(
        table["lists"],
        [h["history"] for h in table["histories"]],
        [h["count"] for h in table["histories"]],
    )


@login_required
@require_safe
def estimate_page(request: HttpRequest, estimate_id: str) -> HttpResponse:
    """One estimate, with the interval, the model in words, the overlaps, the settings, the
    warnings, the caveats and the event that records it."""
    _require_estimate_role(request)
    run = _run(request, estimate_id)
    result: dict[str, Any] = run.result
    chart = upset_chart(run.capture_table)
    combinations = [
        {"words": lists_in_words(column.lists), "lists": len(column.lists), "count": column.count}
        for column in chart.columns
    ]
    return render(
        request,
        "web/estimate.html",
        {
            "run": run,
            "result": result,
            "by": actor_names([run.produced_by])[run.produced_by],
            "chart": chart,
            "combinations": combinations,
            "terms": _terms_in_words(result.get("model", [])),
            "ci_method": CI_METHODS.get(result.get("ci_method", ""), result.get("ci_method", "")),
            "method_label": METHOD_CHOICES.get(run.method, (run.method, ""))[0],
            "grouping_label": GROUPINGS.get(run.rule.get("lists", ""), ""),
            "engine_settings": {
                k: v for k, v in result.get("settings", {}).items() if k not in ("lists",)
            },
            "dropped": [
                entry["name"]
                for entry in run.lists
                if entry["name"] not in result.get("settings", {}).get("lists", [])
            ],
            "rerun": _rerun_command(run),
        },
    )


def _rerun_command(run: Any) -> str:
    parts = [f"tocsin estimate --csv {_csv_name(run)} --method {run.method}"]
    bootstrap = run.settings.get("bootstrap") or 0
    if bootstrap:
        parts.append(f"--bootstrap {bootstrap} --seed {run.settings.get('seed')}")
    if run.settings.get("merge_below"):
        parts.append(f"--merge-below {run.settings['merge_below']}")
    return " ".join(parts) + " --json"


def _csv_name(run: Any) -> str:
    return f"tocsin-capture-table-{run.period_from}-{run.period_to}-seq{run.produced_seq}.csv"


@login_required
@require_safe
def estimate_capture_csv(request: HttpRequest, estimate_id: str) -> HttpResponse:
    """The capture table as recorded, in the CSV format ``tocsin estimate --csv`` reads."""
    _require_estimate_role(request)
    run = _run(request, estimate_id)
    response = HttpResponse(capture_csv(_capture(run)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_csv_name(run)}"'
    return response


@login_required
@require_safe
def estimate_receipt(request: HttpRequest, estimate_id: str) -> HttpResponse:
    """A receipt (C2SP tlog-proof) for the event that records the estimate."""
    _require_estimate_role(request)
    run = _run(request, estimate_id)
    return receipt_response(run.produced_seq, f"estimate-seq{run.produced_seq}")
