"""tocsin escalate: run the clocks, appending an obligation.escalated for every level reached."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from tocsin.domain.clocks import ClockPolicyError
from tocsin.ledger import format_event_time
from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.clocks.sweep import sweep


def moment(text: str) -> datetime:
    """An ISO 8601 moment for --as-of; a bare date means its start, in the service's time."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not an ISO 8601 date or time") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class Command(TocsinCommand):
    help = (
        "Run the clocks: read the events appended since the last sweep, and append one "
        "obligation.escalated for every obligation that has reached a new level of the "
        "escalation ladder. Idempotent: running it again at the same moment appends nothing. "
        "Run it on a schedule (cron or a systemd timer), every few minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            metavar="ISO-8601",
            help="escalate as of this moment instead of now (it may not be in the future)",
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="replay the whole ledger into a fresh clock engine first",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        as_of = moment(options["as_of"]) if options["as_of"] else now
        if as_of > now:
            raise UsageError("--as-of is in the future: escalations are for what has happened")
        try:
            with self.progress() as progress:
                result = sweep(as_of, rebuild=options["rebuild"], progress=progress)
        except ClockPolicyError as exc:
            raise UsageError(str(exc)) from None
        escalated = [
            {
                "obligation": e.obligation_id,
                "concern": e.concern_id,
                "level": e.level,
                "to": e.to_role,
                "due": format_event_time(e.due),
            }
            for e in result.escalations
        ]
        if options["json"]:
            self.emit_json(
                {
                    "as_of": format_event_time(result.as_of),
                    "events_read": result.fed,
                    "rebuilt": result.rebuilt,
                    "escalated": escalated,
                    "open": result.open,
                    "capacity_alarms": {
                        "raised": result.alarms_raised,
                        "cleared": result.alarms_cleared,
                    },
                    "notifications": {
                        "queued": result.queued,
                        "sent": result.notified,
                        "failed": result.notify_failed,
                        "waiting": result.notify_waiting,
                    },
                }
            )
            return
        replayed = " (replayed from the start of the ledger)" if result.rebuilt else ""
        self.stdout.write(
            f"Read {result.fed} events{replayed}; {len(escalated)} escalations appended; "
            f"{result.open} obligations open; capacity alarms: {result.alarms_raised} raised, "
            f"{result.alarms_cleared} cleared; notifications: {result.notified} sent, "
            f"{result.notify_failed} failed (kept to try again), {result.notify_waiting} waiting."
        )
        for e in escalated:
            self.stdout.write(
                f"  level {e['level']} ({e['to']}): {e['obligation']}, due {e['due']}"
            )
