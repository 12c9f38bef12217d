"""tocsin verify-receipt: check a receipt offline, with nothing but the keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tocsin.ledger import Envelope, EnvelopeError, TlogProofError, verify_tlog_proof
from tocsin.server.cli.base import TocsinCommand, UsageError


class Command(TocsinCommand):
    help = (
        "Check a receipt (C2SP tlog-proof) offline: the log's signature on its checkpoint, "
        "the witnesses' cosignatures and the inclusion proof of the event it names. Exit 0 if "
        "it holds, 1 if not. Needs no database, unless --database (on the server) or "
        "--ledger URL (over HTTP, from anywhere) also checks that the server's current ledger "
        "still holds the event and the history the receipt proves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the receipt")
        parser.add_argument("--vkey", required=True, help="the log's verifier key")
        parser.add_argument(
            "--witness-vkey",
            action="append",
            default=[],
            metavar="VKEY",
            help="a witness whose cosignature the receipt must carry (repeatable)",
        )
        parser.add_argument(
            "--database",
            action="store_true",
            help="also check that the server's current ledger (DATABASE_URL) still holds the "
            "event and the history the receipt was issued under",
        )
        parser.add_argument(
            "--ledger",
            metavar="URL",
            help="also check, over HTTP, that the server at URL still holds the event: its "
            "newest signed checkpoint must extend the receipt's (proved from its published "
            "tiles); needs no database and no account",
        )
        parser.add_argument("--json", action="store_true", help="print what the receipt proves")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = Path(options["file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {options['file']}: {exc}") from None
        try:
            from tocsin.ledger import parse_tlog_proof

            extra = parse_tlog_proof(text).extra
            if extra is None:
                raise TlogProofError("the receipt carries no event (its extra line is missing)")
            envelope = Envelope.parse(extra)
            proved = verify_tlog_proof(text, options["vkey"], options["witness_vkey"], leaf=extra)
            if envelope.seq != proved.index:
                raise TlogProofError(
                    f"the receipt's event says seq {envelope.seq} but proves index {proved.index}"
                )
        except (TlogProofError, EnvelopeError) as exc:
            if options["json"]:
                self.emit_json({"ok": False, "error": str(exc)})
            else:
                self.stderr.write(f"receipt does NOT verify: {exc}")
            raise SystemExit(1) from None
        missing: list[str] = []
        if options["database"]:
            from tocsin.server.ledger.checkpoints import receipt_is_in_ledger

            missing += receipt_is_in_ledger(envelope.seq, extra, proved.checkpoint)
        if options["ledger"]:
            from tocsin.server.ledger.tiles_client import receipt_is_on_server

            missing += receipt_is_on_server(
                options["ledger"], options["vkey"], envelope.seq, extra, proved.checkpoint
            )
        if missing:
            if options["json"]:
                self.emit_json({"ok": False, "error": "; ".join(missing), "ledger": missing})
            else:
                self.stderr.write(
                    "the receipt verifies, but the ledger does not show that it still holds "
                    "what the receipt proves:"
                )
                for line in missing:
                    self.stderr.write(f"  {line}")
            raise SystemExit(1)
        cosigned_by = sorted({c.name for c in proved.cosignatures})
        result = {
            "ok": True,
            "seq": envelope.seq,
            "kind": envelope.kind,
            "time": envelope.time,
            "origin": proved.checkpoint.origin,
            "checkpoint_size": proved.checkpoint.size,
            "cosigned_by": cosigned_by,
            "in_ledger": True if options["database"] or options["ledger"] else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        witnesses = ", ".join(cosigned_by) or "no witness"
        self.stdout.write(
            f"receipt verifies: event {envelope.seq} ({envelope.kind}, {envelope.time}) is in "
            f"{proved.checkpoint.origin} at size {proved.checkpoint.size}, cosigned by {witnesses}"
            + ("; the ledger still holds it" if options["database"] or options["ledger"] else "")
        )
