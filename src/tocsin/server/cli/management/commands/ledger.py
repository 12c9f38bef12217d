"""tocsin ledger: read the ledger's leaves and proofs; place legal holds; expunge records."""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import CommandParser

from tocsin.ledger import ProofError
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError, non_negative
from tocsin.server.ledger.checkpoints import (
    CheckpointRefused,
    latest_checkpoint,
    log_vkey,
    publish,
    receipt_for,
)
from tocsin.server.ledger.recording import reading_ledger


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


class Command(TocsinCommand):
    help = (
        "Read the ledger (leaves, roots, proofs), sign and publish checkpoints, give receipts, "
        "place or lift legal holds, expunge records."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        leaves = sub.add_parser("leaves", help="leaf data (the bytes after the 0x00 prefix)")
        leaves.add_argument("--start", type=non_negative, default=0, help="first seq (default 0)")
        leaves.add_argument(
            "--end",
            type=non_negative,
            default=None,
            help="one past the last seq (default: the ledger's size)",
        )
        leaves.add_argument("--json", action="store_true", help='print {"leaves": [base64 ...]}')

        root = sub.add_parser("root", help="the root at a size (default: the current size)")
        root.add_argument(
            "--size",
            type=non_negative,
            default=None,
            metavar="N",
            help="tree size (default: the ledger's size)",
        )
        root.add_argument("--json", action="store_true", help='print {"size", "root"}')

        proof = sub.add_parser("proof", help="an inclusion or consistency proof")
        kinds = proof.add_subparsers(dest="proof", required=True, metavar="KIND")
        inclusion = kinds.add_parser("inclusion", help="prove leaf I is in the tree of size N")
        inclusion.add_argument(
            "index", type=non_negative, metavar="I", help="the leaf's sequence number"
        )
        inclusion.add_argument(
            "--size",
            type=non_negative,
            default=None,
            metavar="N",
            help="tree size (default: the ledger's size)",
        )
        inclusion.add_argument(
            "--json",
            action="store_true",
            help='print {"index", "size", "leaf_hash", "hashes", "root"}',
        )
        consistency = kinds.add_parser(
            "consistency", help="prove the tree of size M is a prefix of the tree of size N"
        )
        consistency.add_argument(
            "old_size", type=non_negative, metavar="M", help="the older tree size"
        )
        consistency.add_argument(
            "size",
            type=non_negative,
            nargs="?",
            default=None,
            metavar="N",
            help="the newer tree size (default: the ledger's)",
        )
        consistency.add_argument(
            "--json",
            action="store_true",
            help='print {"old_size", "size", "old_root", "root", "hashes"}',
        )

        checkpoint = sub.add_parser(
            "checkpoint", help="the newest signed checkpoint, with its cosignatures"
        )
        checkpoint.add_argument(
            "--json", action="store_true", help='print {"size", "root", "note"}'
        )
        sub.add_parser("vkey", help="the log's verifier key (C2SP vkey)")
        publish = sub.add_parser(
            "publish",
            help="sign a checkpoint if the ledger grew, send it to every witness in "
            "TOCSIN_WITNESSES and store their cosignatures",
        )
        publish.add_argument(
            "--json", action="store_true", help='print {"size", "new", "witnesses": [...]}'
        )
        receipt = sub.add_parser(
            "receipt",
            help="a C2SP tlog-proof showing event SEQ is in the signed log, under a checkpoint "
            "a witness cosigned when TOCSIN_WITNESSES is set (publishing one first if needed)",
        )
        receipt.add_argument("seq", type=non_negative, metavar="SEQ", help="the event")
        receipt.add_argument(
            "--out", metavar="FILE", help="write the receipt here (default: standard output)"
        )

        hold = sub.add_parser("hold", help="place or lift a legal hold")
        hold_actions = hold.add_subparsers(dest="hold", required=True, metavar="place|lift")
        place = hold_actions.add_parser("place", help="stop SCOPE (a subject, or *) being expunged")
        place.add_argument("scope", help="a subject such as user:<uuid>, or * for everything")
        place.add_argument("--reason", required=True, help="why (kept on the ledger)")
        lift = hold_actions.add_parser("lift", help="lift the legal hold HOLD_ID")
        lift.add_argument("hold_id", help="the hold's id, as printed when it was placed")
        lift.add_argument("--reason", required=True, help="why (kept on the ledger)")

        expunge = sub.add_parser(
            "expunge", help="erase the payloads of a record's events at the end of retention"
        )
        expunge.add_argument("subject", help="the record, e.g. user:<uuid>")
        expunge.add_argument("--reason", required=True, help="why (kept on the ledger)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ProofError as exc:
            raise UsageError(str(exc)) from None
        except (ActionRefused, CheckpointRefused) as exc:
            raise UsageError(f"refused: {exc}") from None

    def _leaves(self, options: dict[str, Any]) -> None:
        ledger = reading_ledger()
        size = ledger.size()
        end = size if options["end"] is None else options["end"]
        if options["start"] > end or end > size:
            raise UsageError(f"the range must lie within 0..{size}, start not after end")
        leaves = ledger.store.read_leaves(options["start"], end)
        if options["json"]:
            self.emit_json({"leaves": [_b64(leaf) for leaf in leaves]})
        else:
            for offset, leaf in enumerate(leaves):
                self.stdout.write(f"{options['start'] + offset}\t{leaf.decode('utf-8')}")

    def _root(self, options: dict[str, Any]) -> None:
        ledger = reading_ledger()
        size = ledger.size() if options["size"] is None else options["size"]
        root = ledger.root(size)
        if options["json"]:
            self.emit_json({"size": size, "root": _b64(root)})
        else:
            self.stdout.write(f"{size} {_b64(root)}")

    def _proof(self, options: dict[str, Any]) -> None:
        ledger = reading_ledger()
        if options["proof"] == "inclusion":
            proof = ledger.inclusion_proof(options["index"], options["size"])
            document: dict[str, Any] = {
                "index": proof.index,
                "size": proof.size,
                "leaf_hash": _b64(proof.leaf_hash),
                "hashes": [_b64(h) for h in proof.hashes],
                "root": _b64(proof.root),
            }
        else:
            consistency = ledger.consistency_proof(options["old_size"], options["size"])
            document = {
                "old_size": consistency.old_size,
                "size": consistency.size,
                "old_root": _b64(consistency.old_root),
                "root": _b64(consistency.root),
                "hashes": [_b64(h) for h in consistency.hashes],
            }
        if options["json"]:
            self.emit_json(document)
        else:
            for key, value in document.items():
                shown = "\n  ".join(value) if isinstance(value, list) else value
                self.stdout.write(f"{key}: {shown}")

    def _checkpoint(self, options: dict[str, Any]) -> None:
        checkpoint = latest_checkpoint()
        if checkpoint is None:
            raise UsageError("no checkpoint has been signed yet; run 'tocsin ledger publish'")
        if options["json"]:
            self.emit_json(
                {
                    "size": checkpoint.size,
                    "root": _b64(bytes(checkpoint.root)),
                    "note": checkpoint.note,
                }
            )
        else:
            self.stdout.write(checkpoint.note, ending="")

    def _vkey(self, options: dict[str, Any]) -> None:
        self.stdout.write(log_vkey())

    def _publish(self, options: dict[str, Any]) -> None:
        checkpoint, new, answers = publish()
        if options["json"]:
            self.emit_json(
                {
                    "size": checkpoint.size,
                    "new": new,
                    "witnesses": [
                        {
                            "url": a.url,
                            "status": a.status,
                            "detail": a.detail,
                            "cosigned": a.cosigned,
                        }
                        for a in answers
                    ],
                }
            )
            return
        state = "signed" if new else "unchanged since the last checkpoint,"
        self.stdout.write(f"checkpoint {state} at size {checkpoint.size}")
        if not answers:
            self.stdout.write("no witnesses configured (TOCSIN_WITNESSES)")
        for answer in answers:
            self.stdout.write(f"  {answer.url}: {answer.detail}")

    def _receipt(self, options: dict[str, Any]) -> None:
        text = receipt_for(options["seq"])
        if options["out"]:
            from pathlib import Path

            try:
                Path(options["out"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {options['out']}: {exc.strerror}") from None
            self.stdout.write(f"receipt for event {options['seq']} written to {options['out']}")
        else:
            self.stdout.write(text, ending="")

    def _hold(self, options: dict[str, Any]) -> None:
        from tocsin.server.ledger.actions import do_lift_legal_hold, do_place_legal_hold

        actor = SystemActor("cli")
        if options["hold"] == "place":
            envelope = do_place_legal_hold(options["scope"], options["reason"], actor=actor)
            self.stdout.write(
                f"legal hold {envelope.subjects[0].split(':', 1)[1]} placed (seq {envelope.seq})"
            )
        else:
            envelope = do_lift_legal_hold(options["hold_id"], options["reason"], actor=actor)
            self.stdout.write(f"legal hold lifted (seq {envelope.seq})")

    def _expunge(self, options: dict[str, Any]) -> None:
        from tocsin.server.ledger.actions import do_expunge_record

        envelope = do_expunge_record(
            options["subject"], options["reason"], actor=SystemActor("cli")
        )
        self.stdout.write(f"{options['subject']} expunged (seq {envelope.seq})")
