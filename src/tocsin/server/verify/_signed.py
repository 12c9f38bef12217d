"""Signed checkpoints and witnesses: what the log told outsiders must match the rebuilt tree.

A stored checkpoint must verify under the log's key (or a retired one), agree with its own
size and root columns, and have the root the tree has at that size; every cosignature stored
on it must verify. A witness's latest cosigned checkpoint must agree with the tree too: a
rewrite of the whole ledger, head included, shows here and nowhere else.
"""

from __future__ import annotations

from django.conf import settings

from tocsin.ledger import (
    NoteError,
    TreeAudit,
    open_checkpoint,
    verifier_from_vkey,
    verify_cosignatures,
)
from tocsin.server.ledger.checkpoints import CheckpointRefused, log_verifiers
from tocsin.server.ledger.models import SignedCheckpoint
from tocsin.server.verify._names import CHECKPOINT_TABLE, Problem
from tocsin.witness import WitnessClient

__all__ = ["check_checkpoints", "check_witness"]


def check_checkpoints(using: str, tree: TreeAudit, problems: list[Problem]) -> int:
    """Check every stored signed checkpoint against the tree; return how many there are."""
    size = tree.size
    checkpoints = list(SignedCheckpoint.objects.using(using).order_by("size"))
    if not checkpoints:
        return 0
    try:
        verifiers = log_verifiers()
    except CheckpointRefused as exc:
        problems.append(Problem("checkpoint", CHECKPOINT_TABLE, None, None, str(exc)))
        return len(checkpoints)
    witnesses = [verifier_from_vkey(vkey) for vkey, _ in settings.TOCSIN_WITNESSES]

    def problem(row: str, detail: str) -> None:
        problems.append(Problem("checkpoint", CHECKPOINT_TABLE, row, None, detail))

    for stored in checkpoints:
        row = str(stored.size)
        try:
            opened = open_checkpoint(stored.note, verifiers, origin=settings.TOCSIN_LEDGER_ORIGIN)
        except (NoteError, ValueError) as exc:
            problem(row, f"the signed note does not verify: {exc}")
            continue
        checkpoint = opened.checkpoint
        if checkpoint.size != stored.size or checkpoint.root != bytes(stored.root):
            problem(row, "the size or root column differs from the signed note")
        if checkpoint.size > size:
            problem(
                row,
                f"the log signed size {checkpoint.size}, but the ledger holds only {size} events",
            )
            continue
        if tree.root_at(checkpoint.size) not in (None, checkpoint.root):
            problem(
                row,
                f"the tree's root at size {checkpoint.size} is not the root the log "
                "signed: the history was rewritten",
            )
        for witness in witnesses:
            try:
                verify_cosignatures(stored.note, [witness], required=0)
            except NoteError as exc:
                problem(row, f"a cosignature by {witness.name} fails: {exc}")
    return len(checkpoints)


def check_witness(url: str, tree: TreeAudit, problems: list[Problem]) -> None:
    """Compare this ledger with the checkpoint a witness last cosigned for its origin."""

    def problem(detail: str) -> None:
        problems.append(Problem("witness", url, None, None, detail))

    origin = settings.TOCSIN_LEDGER_ORIGIN
    try:
        reply = WitnessClient(url).latest_checkpoint(origin)
    except OSError as exc:  # urllib.error.URLError among them
        problem(f"the witness is unreachable: {exc}")
        return
    if reply.status != 200:
        problem(
            "the witness has cosigned nothing for this log yet"
            if reply.status == 404
            else f"the witness answered {reply.status}"
        )
        return
    try:
        seen = open_checkpoint(reply.body.decode("utf-8"), log_verifiers(), origin=origin)
    except (NoteError, ValueError, CheckpointRefused) as exc:
        problem(f"the witness's checkpoint is not signed by this log: {exc}")
        return
    size = tree.size
    if seen.checkpoint.size > size:
        problem(
            f"split view: the witness cosigned size {seen.checkpoint.size}, but this ledger "
            f"holds only {size} events"
        )
        return
    ours = tree.root_at(seen.checkpoint.size)
    if ours is not None and ours != seen.checkpoint.root:
        problem(
            f"split view: the witness cosigned another root at size {seen.checkpoint.size} "
            "than this ledger has there"
        )
