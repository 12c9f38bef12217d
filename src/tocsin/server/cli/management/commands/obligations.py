"""tocsin obligations: the open obligations, as of the last sweep, with their level now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from tocsin.ledger import format_event_time
from tocsin.server.actors import SystemActor
from tocsin.server.cli.base import TocsinCommand, operator
from tocsin.server.clocks.read_models import open_obligations
from tocsin.server.reads import read_scope


class Command(TocsinCommand):
    help = (
        "List the open obligations (as of the last `tocsin escalate`), soonest due first, as "
        '{"concern", "obligation", "due", "level", "owner"}. Listing them is a read of the '
        "concerns they belong to, recorded on the ledger."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--overdue", action="store_true", help="only those past their due time")
        parser.add_argument("--json", action="store_true", help='print {"obligations": [...]}')

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        with read_scope(SystemActor(f"cli:{operator()}"), "tocsin obligations"):
            rows = open_obligations(now, overdue_only=options["overdue"])
            listed = [
                {
                    "concern": str(row.concern_id) if row.concern_id else None,
                    "reference": row.concern.reference if row.concern is not None else None,
                    "obligation": row.obligation,
                    "due": format_event_time(row.due),
                    "level": row.level_at(now),
                    "owner": row.owner_id or row.owner,
                }
                for row in rows
            ]
        if options["json"]:
            self.emit_json({"as_of": format_event_time(now), "obligations": listed})
            return
        if not listed:
            self.stdout.write(
                "No open obligations." if not options["overdue"] else "Nothing overdue."
            )
        for row in listed:
            self.stdout.write(
                f"{row['due']}  level {row['level']}  {row['obligation']:<20} "
                f"{row['reference'] or '-':<16} {row['owner']}"
            )
