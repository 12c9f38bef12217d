"""tocsin events: the ledger's events, decoded, for administrators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tocsin.domain.events import CATALOGUE, EventDecodeError, event_type
from tocsin.ledger import Envelope
from tocsin.server.cli.base import TocsinCommand, UsageError, non_negative, operator
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import SystemActor, reading_ledger
from tocsin.server.reads import ReadScope, read_scope


class Command(TocsinCommand):
    help = (
        "List the ledger's events. With --json, with their decoded payloads (secret fields "
        "hidden; erased payloads shown as null), and that read is itself recorded on the "
        "ledger as record.viewed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", help="only events of this kind, e.g. user.enrolled")
        parser.add_argument(
            "--since",
            type=non_negative,
            default=0,
            metavar="SEQ",
            help="start at this sequence number (default 0)",
        )
        parser.add_argument(
            "--limit", type=non_negative, default=None, metavar="N", help="at most N events"
        )
        parser.add_argument("--json", action="store_true", help='print {"events": [...]}')

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind is not None and kind not in CATALOGUE:
            raise UsageError(f"unknown event kind {kind!r}; see docs/events.md for the list")
        leaves = LedgerLeaf.objects.filter(seq__gte=options["since"]).order_by("seq")
        if kind:
            leaves = leaves.filter(kind=kind)
        if options["limit"] is not None:
            leaves = leaves[: options["limit"]]
        rows = list(leaves.values_list("seq", "data"))
        if not options["json"]:
            # The listing shows no payload, so no record: nothing to put on the ledger.
            events = self._decode(rows, payloads=False, scope=None)
        else:
            # Payloads hold personal data: showing them is a read like any other, so it goes
            # on the ledger before anything is printed (who ran it, and every record shown).
            with read_scope(SystemActor(f"cli:{operator()}"), "tocsin events --json") as scope:
                events = self._decode(rows, payloads=True, scope=scope)
            self.emit_json({"events": events})
            return
        for event in events:
            self.stdout.write(
                f"{event['seq']:>8}  {event['time']}  {event['kind']:<22} {event['actor']}"
            )

    def _decode(
        self, rows: list[tuple[int, Any]], *, payloads: bool, scope: ReadScope | None
    ) -> list[dict[str, Any]]:
        """Each leaf as JSON; with ``payloads``, its payload too (secrets redacted), every
        record whose payload is shown going into ``scope``."""
        sealed_payloads = (
            reading_ledger().store.read_payloads([seq for seq, _ in rows]) if payloads else {}
        )
        events = []
        for seq, data in rows:
            envelope = Envelope.parse(bytes(data))
            sealed = sealed_payloads.get(seq)
            payload: dict[str, Any] | None = None
            if sealed is not None:
                try:
                    decoded = event_type(envelope.kind).from_payload(envelope.v, sealed.decode())
                    payload = decoded.redacted_payload()
                except (LookupError, EventDecodeError):
                    payload = {"error": "payload does not decode; run tocsin verify"}
                if scope is not None:
                    scope.add(envelope.subjects)
            events.append(
                {
                    "seq": envelope.seq,
                    "time": envelope.time,
                    "kind": envelope.kind,
                    "v": envelope.v,
                    "actor": envelope.actor,
                    "subjects": list(envelope.subjects),
                    "commitment": envelope.commitment,
                    "payload": payload,
                }
            )
        return events
