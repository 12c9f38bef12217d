"""What the transparency page shows (docs/receipts.md): the log's key, the newest signed
checkpoint, and each configured witness with whether it cosigned that checkpoint. Reads the
ledger's own models and functions only; nothing here is personal."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from tocsin.ledger import NoteError, parse_vkey, verifier_from_vkey, verify_cosignatures
from tocsin.server.ledger.checkpoints import latest_checkpoint, log_vkey
from tocsin.server.ledger.models import SignedCheckpoint, WitnessState

__all__ = ["Transparency", "WitnessShown", "transparency_now"]


@dataclass(frozen=True)
class WitnessShown:
    """A configured witness: its name, key and address, and whether it cosigned the newest
    checkpoint (and the largest size it has cosigned)."""

    name: str
    vkey: str
    url: str
    cosigned_latest: bool
    cosigned_size: int


@dataclass(frozen=True)
class Transparency:
    """The log's origin and key, its newest checkpoint (None before the first) and witnesses."""

    origin: str
    vkey: str
    checkpoint: SignedCheckpoint | None
    witnesses: list[WitnessShown]


def _witnesses(note: str | None) -> list[WitnessShown]:
    states = {row.vkey: row.cosigned_size for row in WitnessState.objects.all()}
    shown = []
    for vkey, url in settings.TOCSIN_WITNESSES:
        try:
            name = parse_vkey(vkey).name
            verifier = verifier_from_vkey(vkey)
            cosigned = note is not None and bool(verify_cosignatures(note, [verifier], required=0))
        except NoteError:
            name, cosigned = vkey.split("+", 1)[0], False
        shown.append(WitnessShown(name, vkey, url, cosigned, states.get(vkey, 0)))
    return shown


def transparency_now() -> Transparency:
    """What the transparency page shows, as of now."""
    latest = latest_checkpoint()
    return Transparency(
        origin=settings.TOCSIN_LEDGER_ORIGIN,
        vkey=log_vkey(),
        checkpoint=latest,
        witnesses=_witnesses(latest.note if latest is not None else None),
    )
