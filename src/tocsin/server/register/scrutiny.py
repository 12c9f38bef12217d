"""The scrutineer's exports (issue 17 §5): every downgrade, every no-further-action decision
and every obligation that fell overdue in a period, as CSV, each export recorded on the ledger
(``scrutiny.exported``, with the file's SHA-256) in the same transaction that produces it.

Only the partnership's scrutineer exports (``export_scrutiny``); they already see every
concern. The rows loaded are protected records, so the request's read scope lists every
concern an export shows in its ``record.viewed``, like any page.

A period is two days, both included, in the service's local time; events are placed in it by
their ledger time, which nobody can backdate.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tocsin.domain import screening as screening_policy
from tocsin.domain.bounds import day_problem
from tocsin.domain.casework import roles_for
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.register import SCRUTINY_EXPORTS, ScrutinyExported
from tocsin.ledger import format_event_time
from tocsin.server.actors import Actor, Invalid, actor_id, require_role
from tocsin.server.casework.models import Decision
from tocsin.server.clocks.models import Escalation, OpenObligation
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.models import Regrading
from tocsin.server.directory.read_models import actor_names
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import record_event

__all__ = ["ScrutinyExport", "do_export_for_scrutiny"]

#: The longest period one export covers (a year and a day, for a leap year's annual report).
MAX_PERIOD_DAYS = 367


@dataclass(frozen=True)
class ScrutinyExport:
    """An export produced: the file's name and content, its row count and its ledger seq."""

    filename: str
    content: bytes
    rows: int
    seq: int


def _bounds(start: date, end: date) -> tuple[str, str]:
    """The period as ledger times (RFC 3339, UTC, comparable as text): from the start of
    ``start`` up to (not including) the start of the day after ``end``, local time."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return format_event_time(first), format_event_time(after.astimezone(UTC))


def _times(seqs: Iterable[int]) -> dict[int, str]:
    """Each event's ledger time, from its leaf."""
    return {
        seq: json.loads(bytes(data))["time"]
        for seq, data in LedgerLeaf.objects.filter(seq__in=set(seqs)).values_list("seq", "data")
    }


def _downgrades(first: str, after: str) -> tuple[list[str], list[list[object]]]:
    rank = {band: i for i, band in enumerate(screening_policy.bands())}
    # Values first (loading no record), so that only the rows exported are shown and so
    # recorded as read.
    seqs = [
        seq
        for seq, before, now in Regrading.objects.values_list(
            "regraded_seq", "from_band", "to_band"
        )
        if rank.get(now, -1) < rank.get(before, -1)
    ]
    times = _times(seqs)
    wanted = [seq for seq in seqs if first <= times.get(seq, "") < after]
    lowered = list(
        Regrading.objects.filter(regraded_seq__in=wanted)
        .select_related("concern")
        .order_by("regraded_seq")
    )
    names = actor_names(row.actor for row in lowered)
    header = ["seq", "time", "concern", "from_band", "to_band", "reason", "by"]
    return header, [
        [
            row.regraded_seq,
            times[row.regraded_seq],
            row.concern.reference,
            row.from_band,
            row.to_band,
            row.reason,
            names.get(row.actor, row.actor),
        ]
        for row in lowered
    ]


def _no_further_action(first: str, after: str) -> tuple[list[str], list[list[object]]]:
    rows = list(
        Decision.objects.filter(
            kind="decision",
            code="no_further_action",
            proposed_at__gte=first,
            proposed_at__lt=after,
        )
        .select_related("concern")
        .order_by("proposed_seq")
    )
    names = actor_names([r.proposed_by for r in rows] + [r.signed_off_by for r in rows])
    header = [
        "seq",
        "time",
        "concern",
        "status",
        "rationale",
        "by",
        "signed_off_by",
        "signed_off_at",
        "sign_off_reason",
    ]
    return header, [
        [
            r.proposed_seq,
            r.proposed_at,
            r.concern.reference,
            r.status,
            r.rationale,
            names.get(r.proposed_by, r.proposed_by),
            names.get(r.signed_off_by, r.signed_off_by),
            r.signed_off_at,
            r.sign_off_reason,
        ]
        for r in rows
    ]


def _overdue_obligations(first: str, after: str) -> tuple[list[str], list[list[object]]]:
    """Every obligation whose due time fell in the period and that was not met by then: those
    the sweep escalated (level 1 is the due time), and those still open past their due time
    that it has not reached yet."""
    policy = clocks_policy()
    escalated: dict[str, dict[str, object]] = {}
    for row in (
        Escalation.objects.filter(due__gte=first, due__lt=after)
        .select_related("concern")
        .order_by("obligation_id", "level")
    ):
        entry = escalated.setdefault(
            row.obligation_id,
            {
                "obligation": row.obligation,
                "concern": row.concern.reference if row.concern else "",
                "due": row.due,
                "level": 0,
                "closed_reason": "",
            },
        )
        entry["level"] = max(int(str(entry["level"])), row.level)
        if row.closed_seq is not None:
            entry["closed_reason"] = row.closed_reason
    now = timezone.now()
    open_ids = set(OpenObligation.objects.filter(applies=True).values_list("id", flat=True))
    lo, hi = _moment(first), min(_moment(after), now)
    for ob in OpenObligation.objects.filter(applies=True, due__gte=lo, due__lt=hi).select_related(
        "concern"
    ):
        if ob.id not in escalated:
            escalated[ob.id] = {
                "obligation": ob.obligation,
                "concern": ob.concern.reference if ob.concern else "",
                "due": format_event_time(ob.due),
                "level": ob.level_at(now),
                "closed_reason": "",
            }
    header = ["obligation_id", "obligation", "label", "concern", "due", "level", "state"]
    rows = []
    for ob_id, entry in sorted(escalated.items(), key=lambda item: (str(item[1]["due"]), item[0])):
        rule = str(entry["obligation"])
        try:
            label = policy.obligation(rule).label
        except LookupError:
            label = rule
        if entry["closed_reason"]:
            state = f"closed by the partnership: {entry['closed_reason']}"
        elif ob_id in open_ids:
            state = "still open"
        else:
            state = "met late, or ended"
        rows.append([ob_id, rule, label, entry["concern"], entry["due"], entry["level"], state])
    return header, rows


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_BUILDERS = {
    "downgrades": _downgrades,
    "no_further_action": _no_further_action,
    "overdue_obligations": _overdue_obligations,
}


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        # A cell a spreadsheet would run as a formula is written as text (CSV injection).
        writer.writerow(
            ["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row]
        )
    return buffer.getvalue().encode("utf-8")


def period_problems(kind: str, start: date | None, end: date | None) -> list[tuple[str, str]]:
    """What is wrong with an export's kind and period, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    if kind not in SCRUTINY_EXPORTS:
        problems.append(("kind", "Choose what to export"))
    if start is None:
        problems.append(("period_from", "Enter the first day of the period"))
    if end is None:
        problems.append(("period_to", "Enter the last day of the period"))
    for field, day in (("period_from", start), ("period_to", end)):
        problem = day_problem(day)
        if problem:
            problems.append((field, problem))
    if problems:
        return problems
    if start is not None and end is not None:
        if end < start:
            problems.append(("period_to", "The last day must be the same as or after the first"))
        elif (end - start).days + 1 > MAX_PERIOD_DAYS:
            problems.append(
                ("period_to", f"Export at most {MAX_PERIOD_DAYS} days at once; split the period")
            )
    return problems


@transaction.atomic
def do_export_for_scrutiny(
    kind: str, start: date | None, end: date | None, *, actor: Actor
) -> ScrutinyExport:
    """Produce the CSV of ``kind`` over the period and record the export on the ledger (its
    kind, period, row count and the file's SHA-256)."""
    require_role(actor, *roles_for("export_scrutiny"))
    problems = period_problems(kind, start, end)
    if problems:
        raise Invalid([FieldProblem(field, message) for field, message in problems])
    assert start is not None and end is not None
    first, after = _bounds(start, end)
    header, rows = _BUILDERS[kind](first, after)
    content = _csv(header, rows)
    event = ScrutinyExported(
        export_id=str(uuid.uuid4()),
        export_kind=kind,
        period_from=start.isoformat(),
        period_to=end.isoformat(),
        rows=len(rows),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    envelope = record_event(event, actor_id=actor_id(actor))
    filename = f"tocsin-{kind.replace('_', '-')}-{start.isoformat()}-to-{end.isoformat()}.csv"
    return ScrutinyExport(filename, content, len(rows), envelope.seq)
