"""Signed checkpoints, publishing them to witnesses, and receipts.

The log signs C2SP ``tlog-checkpoint`` notes with an Ed25519 key kept in ``$TOCSIN_HOME`` (or
the file ``TOCSIN_LEDGER_KEY_FILE`` names), whose name is the ledger's origin. It never signs
a checkpoint inconsistent with one it signed before: the root it signed at each earlier size
must still be the tree's root at that size. Publishing sends the newest checkpoint to every
witness in ``TOCSIN_WITNESSES`` with a consistency proof from the size that witness last
cosigned, and stores the cosignature lines they return.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tocsin.domain.bounds import whole_number
from tocsin.ledger import (
    Checkpoint,
    Ed25519Signer,
    NoteError,
    ProofError,
    Verifier,
    format_tlog_proof,
    generate_skey,
    open_checkpoint,
    parse_note,
    sign_note,
    signer_from_skey,
    verifier_from_vkey,
    verify_cosignatures,
)
from tocsin.server.ledger.models import SignedCheckpoint, WitnessState
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.ledger.store import DatabaseStore
from tocsin.witness import WitnessClient

__all__ = [
    "CheckpointRefused",
    "WitnessAnswer",
    "is_cosigned",
    "latest_checkpoint",
    "log_signer",
    "log_vkey",
    "publish",
    "publishing_due",
    "receipt_for",
    "receipt_is_in_ledger",
    "sign_checkpoint_now",
    "witness_verifiers",
]

_TIMEOUT_SECONDS = 20


class CheckpointRefused(RuntimeError):
    """The log will not sign (or cannot give a receipt); the message says why."""


def _read_or_create_key(path: Path, origin: str) -> str:
    try:
        skey = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        skey, _ = generate_skey(origin)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(skey + "\n")
    return skey


def log_signer() -> Ed25519Signer:
    """The log's signer, from the key file (created on first use)."""
    origin = settings.TOCSIN_LEDGER_ORIGIN
    path = Path(settings.TOCSIN_LEDGER_KEY_FILE)
    signer = signer_from_skey(_read_or_create_key(path, origin))
    if not isinstance(signer, Ed25519Signer):
        raise CheckpointRefused(f"the log key in {path} is not an Ed25519 key")
    if signer.name != origin:
        raise CheckpointRefused(
            f"the log key in {path} is named {signer.name!r}, but TOCSIN_LEDGER_ORIGIN is "
            f"{origin!r}; they must be the same (docs/keys.md)"
        )
    return signer


def log_vkey() -> str:
    """The log's verifier key, in C2SP vkey text form."""
    return log_signer().vkey


def log_verifier() -> Verifier:
    return verifier_from_vkey(log_vkey())


def log_verifiers() -> list[Verifier]:
    """The current key and every retired one (TOCSIN_LEDGER_RETIRED_VKEYS), for checking
    checkpoints signed before a rotation."""
    try:
        retired = [verifier_from_vkey(v) for v in settings.TOCSIN_LEDGER_RETIRED_VKEYS]
    except NoteError as exc:
        raise CheckpointRefused(
            f"TOCSIN_LEDGER_RETIRED_VKEYS holds an unusable key: {exc}"
        ) from None
    return [log_verifier(), *retired]


def latest_checkpoint(using: str = "default") -> SignedCheckpoint | None:
    return SignedCheckpoint.objects.using(using).order_by("-size").first()


def sign_checkpoint_now(using: str = "default") -> tuple[SignedCheckpoint, bool]:
    """Sign a checkpoint at the ledger's current size, unless the newest already covers it.

    Returns the checkpoint and whether it is new. Refuses if the tree no longer has the root
    the log signed at its newest earlier size (a rewritten history must never be signed).
    """
    signer = log_signer()
    with transaction.atomic(using=using):
        size, root = DatabaseStore(using, for_update=True).head()
        latest = latest_checkpoint(using)
        if latest is not None:
            if latest.size > size:
                raise CheckpointRefused(
                    f"the log signed size {latest.size} but now holds only {size} events"
                )
            if bytes(latest.root) != reading_ledger(using).root(latest.size):
                raise CheckpointRefused(
                    f"the tree's root at size {latest.size} is not the one the log signed "
                    "there: the history was rewritten; run tocsin verify"
                )
            if latest.size == size:
                return latest, False
        signed = sign_note(Checkpoint(settings.TOCSIN_LEDGER_ORIGIN, size, root).body(), [signer])
        checkpoint = SignedCheckpoint.objects.using(using).create(
            size=size, root=root, note=signed, signed_at=timezone.now()
        )
    return checkpoint, True


@dataclass(frozen=True)
class WitnessAnswer:
    """What one witness said to one checkpoint."""

    url: str
    status: int | None
    detail: str
    cosigned: bool


def _log_signed_part(note_text: str) -> str:
    """The checkpoint with the log's own signature only (what a witness needs)."""
    note = parse_note(note_text)
    origin = settings.TOCSIN_LEDGER_ORIGIN
    return note.text + "\n" + "".join(s.line for s in note.unverified if s.name == origin)


def _add_cosignatures(checkpoint: SignedCheckpoint, lines: str, witness: Verifier) -> bool:
    """Append a witness's cosignature lines to the stored note, if they verify."""
    existing = checkpoint.note
    candidate = existing + "".join(
        line + "\n" for line in lines.splitlines() if line and line not in existing
    )
    try:
        verify_cosignatures(candidate, [witness], required=1)
    except NoteError:
        return False
    checkpoint.note = candidate
    checkpoint.save(update_fields=["note"])
    return True


def _publish_to(checkpoint: SignedCheckpoint, vkey: str, url: str, using: str) -> WitnessAnswer:
    try:
        witness = verifier_from_vkey(vkey)
    except NoteError as exc:
        return WitnessAnswer(url, None, f"its key in TOCSIN_WITNESSES is not usable: {exc}", False)
    state, _ = WitnessState.objects.using(using).get_or_create(
        vkey=vkey, defaults={"url": url, "updated_at": timezone.now()}
    )
    ledger = reading_ledger(using)
    old = min(state.cosigned_size, checkpoint.size)
    answer = WitnessAnswer(url, None, "not sent", False)
    client = WitnessClient(url, timeout=_TIMEOUT_SECONDS)
    for _attempt in range(2):
        proof = ledger.consistency_proof(old, checkpoint.size).hashes
        body = "\n".join([f"old {old}", *(base64.b64encode(h).decode() for h in proof)])
        payload = (body + "\n\n" + _log_signed_part(checkpoint.note)).encode("utf-8")
        try:
            reply = client.add_checkpoint(payload)
        except OSError as exc:  # urllib.error.URLError among them
            answer = WitnessAnswer(url, None, f"unreachable: {exc}", False)
            break
        status, text = reply.status, reply.text
        if status == 200:
            cosigned = _add_cosignatures(checkpoint, text, witness)
            detail = "cosigned" if cosigned else "answered 200 without a valid cosignature"
            answer = WitnessAnswer(url, status, detail, cosigned)
            if cosigned:
                state.cosigned_size = checkpoint.size
            break
        cosigned_size = whole_number(text) if status == 409 else None
        if cosigned_size is not None and cosigned_size != old:
            # The witness has cosigned another size than we thought: prove from there.
            old = cosigned_size
            if old > checkpoint.size:
                answer = WitnessAnswer(
                    url,
                    status,
                    f"the witness has already seen size {old}, "
                    f"larger than this checkpoint ({checkpoint.size})",
                    False,
                )
                break
            continue
        answer = WitnessAnswer(url, status, text.strip()[:200] or "no reason given", False)
        break
    state.url = url
    state.last_answer = f"{answer.status}: {answer.detail}"[:300]
    state.updated_at = timezone.now()
    state.save()
    return answer


def publish(using: str = "default") -> tuple[SignedCheckpoint, bool, list[WitnessAnswer]]:
    """Sign a checkpoint if the ledger grew, and send the newest to every witness."""
    checkpoint, new = sign_checkpoint_now(using)
    answers = [_publish_to(checkpoint, vkey, url, using) for vkey, url in settings.TOCSIN_WITNESSES]
    return checkpoint, new, answers


def publishing_due(using: str = "default") -> bool:
    """Whether a round of publishing has anything to do: the ledger has grown past the newest
    checkpoint, or a configured witness has not yet cosigned it. Reads without locks, so the
    worker can ask every few seconds at almost no cost."""
    size, _ = DatabaseStore(using).head()
    latest = latest_checkpoint(using)
    if latest is None or latest.size != size:
        return size > 0 or latest is not None
    vkeys = [vkey for vkey, _ in settings.TOCSIN_WITNESSES]
    if not vkeys:
        return False
    cosigned = dict(
        WitnessState.objects.using(using)
        .filter(vkey__in=vkeys)
        .values_list("vkey", "cosigned_size")
    )
    return any(cosigned.get(vkey, 0) < latest.size for vkey in vkeys)


def witness_verifiers() -> list[Verifier]:
    """The verifiers of the witnesses in TOCSIN_WITNESSES whose keys are usable."""
    verifiers = []
    for vkey, _ in settings.TOCSIN_WITNESSES:
        try:
            verifiers.append(verifier_from_vkey(vkey))
        except NoteError:
            continue  # publishing reports the unusable key
    return verifiers


def is_cosigned(checkpoint: SignedCheckpoint, witnesses: list[Verifier]) -> bool:
    """Whether the stored note carries a valid cosignature by one of ``witnesses``."""
    try:
        verify_cosignatures(checkpoint.note, witnesses, required=1)
    except NoteError:
        return False
    return True


def _covering(seq: int, using: str, witnesses: list[Verifier]) -> SignedCheckpoint | None:
    """The newest checkpoint covering event ``seq``, cosigned by a witness if any is given."""
    covering = SignedCheckpoint.objects.using(using).filter(size__gt=seq).order_by("-size")
    if not witnesses:
        return covering.first()
    return next((c for c in covering.iterator() if is_cosigned(c, witnesses)), None)


def receipt_for(seq: int, using: str = "default", *, require_cosigned: bool | None = None) -> str:
    """A C2SP tlog-proof for event ``seq``, its envelope (which carries no personal data, only
    ids, kind, time and the salted commitment) as extra data.

    With witnesses in TOCSIN_WITNESSES the receipt is given under the newest checkpoint that a
    witness has cosigned; if none covers the event yet, a checkpoint is signed and published
    first. ``require_cosigned`` (default: whether witnesses are configured) refuses rather than
    fall back to a checkpoint only the log signed."""
    witnesses = witness_verifiers()
    if require_cosigned is None:
        require_cosigned = bool(settings.TOCSIN_WITNESSES)
    checkpoint = _covering(seq, using, witnesses)
    answers: list[WitnessAnswer] = []
    if checkpoint is None and witnesses:
        _, _, answers = publish(using)
        checkpoint = _covering(seq, using, witnesses)
    if checkpoint is None and require_cosigned:
        said = "; ".join(f"{a.url}: {a.detail}" for a in answers) or "no usable witness key"
        raise CheckpointRefused(
            f"no witness has cosigned a checkpoint covering event {seq} ({said}); "
            "a receipt must carry a cosigned checkpoint"
        )
    if checkpoint is None:
        checkpoint = _covering(seq, using, [])
    if checkpoint is None:
        raise CheckpointRefused(
            f"no signed checkpoint covers event {seq} yet; run 'tocsin ledger publish' first"
        )
    ledger = reading_ledger(using)
    proof = ledger.inclusion_proof(seq, checkpoint.size)
    leaf = ledger.store.read_leaves(seq, seq + 1)[0]
    open_checkpoint(checkpoint.note, log_verifier())  # never hand out what does not verify
    return format_tlog_proof(seq, proof.hashes, checkpoint.note, extra=leaf)


def receipt_is_in_ledger(
    seq: int, leaf: bytes, checkpoint: Checkpoint, using: str = "default"
) -> list[str]:
    """What this database's ledger lacks of a receipt's proof (empty if it still holds it):
    the event at ``seq`` must still be ``leaf``, and the tree must still have the root the
    receipt's checkpoint signed at its size. A truncation, a rewrite, or a database restored
    from a backup older than the receipt each fails one of these."""
    reader = reading_ledger(using)
    size, _ = reader.store.head()
    found: list[str] = []
    if seq >= size:
        found.append(
            f"event {seq} is no longer in the ledger: it holds {size} events (events were "
            "removed, or the database was restored from an older backup)"
        )
    else:
        stored = reader.store.read_leaves(seq, seq + 1)
        if not stored:
            found.append(f"event {seq} is missing from the ledger's leaves")
        elif stored[0] != leaf:
            found.append(f"the ledger's event {seq} is not the one the receipt is for")
    if checkpoint.size > size:
        found.append(
            f"the receipt's checkpoint covers {checkpoint.size} events, but the ledger holds "
            f"only {size}"
        )
    else:
        try:
            root = reader.root(checkpoint.size)
        except ProofError as exc:
            found.append(f"the ledger cannot rebuild its root at size {checkpoint.size}: {exc}")
        else:
            if root != checkpoint.root:
                found.append(
                    f"the ledger's root at size {checkpoint.size} is not the one the receipt's "
                    "checkpoint signed: its history was rewritten"
                )
    return found
