"""Signed checkpoints and witnesses: what the log told outsiders must match the rebuilt tree.

A stored checkpoint must verify under the log's key (or a retired one), agree with its own
size and root columns, and have the root the tree has at that size; every cosignature stored
on it must verify. A witness's latest cosigned checkpoint must agree with the tree too: a
rewrite of the whole ledger, head included, shows here and nowhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings

from tocsin.ledger import (
    Envelope,
    LedgerStore,
    NoteError,
    TreeAudit,
    open_checkpoint,
    verifier_from_vkey,
    verify_cosignatures,
)
from tocsin.server.ledger.checkpoints import (
    CheckpointRefused,
    latest_checkpoint,
    log_verifiers,
    witness_verifiers,
)
from tocsin.server.ledger.models import SignedCheckpoint
from tocsin.server.verify._names import CHECKPOINT_TABLE, Problem
from tocsin.witness import WitnessClient

__all__ = ["check_checkpoints", "check_freshness", "check_witness", "default_grace"]

_TIMEOUT_SECONDS = 20


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
    witnesses = witness_verifiers()  # an unusable key is reported by check_witness

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


def check_witness(
    url: str,
    tree: TreeAudit,
    problems: list[Problem],
    *,
    vkey: str | None = None,
    warnings: list[Problem] | None = None,
) -> int | None:
    """Compare this ledger with the checkpoint a witness last cosigned for its origin; return
    the size it cosigned (None if it could not say).

    ``vkey`` is the witness's key (from TOCSIN_WITNESSES): its cosignature on the answer must
    then verify, so nobody else can answer in its name. A witness that cannot be asked, or
    has cosigned nothing for this log, is a problem, or only a warning when ``warnings`` is
    given (a configured witness rather than one named on the command line)."""

    def problem(detail: str) -> None:
        problems.append(Problem("witness", url, None, None, detail))

    def cannot_say(detail: str) -> None:
        (warnings if warnings is not None else problems).append(
            Problem("witness", url, None, None, detail)
        )

    origin = settings.TOCSIN_LEDGER_ORIGIN
    try:
        reply = WitnessClient(url, timeout=_TIMEOUT_SECONDS).latest_checkpoint(origin)
    except OSError as exc:  # urllib.error.URLError among them
        cannot_say(f"the witness is unreachable: {exc}")
        return None
    if reply.status != 200:
        cannot_say(
            "the witness has cosigned nothing for this log yet"
            if reply.status == 404
            else f"the witness answered {reply.status}"
        )
        return None
    text = reply.body.decode("utf-8", "replace")
    try:
        seen = open_checkpoint(text, log_verifiers(), origin=origin)
    except (NoteError, ValueError, CheckpointRefused) as exc:
        problem(f"the witness's checkpoint is not signed by this log: {exc}")
        return None
    if vkey is not None:
        try:
            verify_cosignatures(text, [verifier_from_vkey(vkey)], required=1)
        except NoteError as exc:
            problem(f"the witness's answer carries no valid cosignature by its key: {exc}")
            return None
    size = tree.size
    if seen.checkpoint.size > size:
        problem(
            f"split view: the witness cosigned size {seen.checkpoint.size}, but this ledger "
            f"holds only {size} events (truncated, or restored from an older copy)"
        )
        return seen.checkpoint.size
    ours = tree.root_at(seen.checkpoint.size)
    if ours is not None and ours != seen.checkpoint.root:
        problem(
            f"split view: the witness cosigned another root at size {seen.checkpoint.size} "
            "than this ledger has there"
        )
    return seen.checkpoint.size


def default_grace() -> float:
    """How far behind the head a checkpoint may be before it counts as lagging: a minute, or
    twice the checkpoint interval if that is longer (a running server is always a few seconds
    behind its newest writes)."""
    return float(max(60, 2 * settings.TOCSIN_CHECKPOINT_INTERVAL))


def _written_at(store: LedgerStore, seq: int) -> datetime | None:
    try:
        leaf = store.read_leaves(seq, seq + 1)[0]
        return datetime.fromisoformat(Envelope.parse(leaf).time)
    except (IndexError, ValueError):  # the tree pass reports a missing or unreadable leaf
        return None


def check_freshness(
    store: LedgerStore,
    size: int,
    using: str,
    witnessed: dict[str, int | None],
    grace_seconds: float,
    warnings: list[Problem],
) -> None:
    """Warn when nothing outside the database vouches for the newest events: no checkpoint,
    no witness, or a checkpoint (or a witness's cosignature) that lags the head by events
    written more than ``grace_seconds`` ago. ``size`` is the rebuilt tree's."""
    now = datetime.now(UTC)

    def lags(covered: int) -> str | None:
        if covered >= size:
            return None
        written = _written_at(store, covered)
        if written is not None and (now - written).total_seconds() <= grace_seconds:
            return None
        return f"{size - covered} event(s) from seq {covered} on"

    def warn(where: str | None, detail: str) -> None:
        check = "witness" if where and where != CHECKPOINT_TABLE else "checkpoint"
        warnings.append(Problem(check, where or CHECKPOINT_TABLE, None, None, detail))

    latest = latest_checkpoint(using)
    if latest is None:
        if size:
            warn(
                None,
                f"no signed checkpoint: nothing outside this database vouches for its {size} "
                "events (tocsin serve signs one within seconds of a write; or run "
                "tocsin ledger publish)",
            )
    elif (behind := lags(latest.size)) is not None:
        warn(
            None, f"the newest checkpoint (size {latest.size}) lags the head: {behind} not covered"
        )
    if not witnessed:
        warn(
            "TOCSIN_WITNESSES",
            "no witness: checkpoints are kept only in this database, so a truncation or a "
            "restored backup that also removes them goes unseen (docs/witness.md)",
        )
    for url, cosigned in witnessed.items():
        if cosigned is not None and (behind := lags(cosigned)) is not None:
            warn(url, f"the witness last cosigned size {cosigned}: {behind} not witnessed")
