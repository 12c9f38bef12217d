"""The witness's files: its state folder, its signing key and the list of logs it knows.

A state folder holds ``witness.skey`` (the cosigning key, mode 0600), ``witness.vkey`` (the
public key to publish), ``logs.toml`` (the known logs) and ``state.sqlite3`` (the latest
cosigned checkpoint per log). Nothing here touches Tocsin's own database.

``logs.toml``::

    [[log]]
    origin = "tocsin.example.org/ledger"
    vkey = "tocsin.example.org/ledger+1a2b3c4d+AXz...="
    # or, while a log rotates its key:  vkeys = ["...old...", "...new..."]
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tocsin.ledger import (
    SIGNATURE_TYPE_COSIGNATURE_V1,
    CosignatureSigner,
    NoteError,
    Verifier,
    generate_skey,
    signer_from_skey,
    verifier_from_vkey,
)

__all__ = [
    "KEY_FILE",
    "LOGS_FILE",
    "STATE_DB",
    "VKEY_FILE",
    "KnownLog",
    "WitnessConfigError",
    "init_witness",
    "load_logs",
    "load_witness_key",
]

KEY_FILE = "witness.skey"
VKEY_FILE = "witness.vkey"
LOGS_FILE = "logs.toml"
STATE_DB = "state.sqlite3"

_LOGS_TEMPLATE = """\
# Logs this witness cosigns. One [[log]] table per log: its checkpoint origin line and the
# log's verifier key (from `tocsin ledger vkey`). Restart the witness after editing.
#
# [[log]]
# origin = "tocsin.example.org/ledger"
# vkey = "tocsin.example.org/ledger+1a2b3c4d+AXz...="
"""


class WitnessConfigError(ValueError):
    """The witness's state folder, key or logs file is missing or wrong; the message says how."""


@dataclass(frozen=True)
class KnownLog:
    """A log the witness cosigns: its origin line and the keys that may sign its checkpoints."""

    origin: str
    verifiers: tuple[Verifier, ...]


def init_witness(state: Path, name: str) -> str:
    """Create a state folder with a new cosigning key named ``name``; return the vkey.

    Refuses to overwrite an existing key: a witness that changed its key would lose the trust
    placed in the old one.
    """
    state.mkdir(parents=True, exist_ok=True)
    key_path = state / KEY_FILE
    if key_path.exists():
        raise WitnessConfigError(f"{key_path} already exists; a witness keeps its key for life")
    try:
        skey, vkey = generate_skey(name, SIGNATURE_TYPE_COSIGNATURE_V1)
    except NoteError as exc:
        raise WitnessConfigError(f"the witness name is not usable: {exc}") from None
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(skey + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    (state / VKEY_FILE).write_text(vkey + "\n", encoding="utf-8")
    logs = state / LOGS_FILE
    if not logs.exists():
        logs.write_text(_LOGS_TEMPLATE, encoding="utf-8")
    return vkey


def load_witness_key(state: Path) -> CosignatureSigner:
    """The witness's cosigning key from ``<state>/witness.skey``."""
    key_path = state / KEY_FILE
    try:
        mode = key_path.stat().st_mode & 0o777
        text = key_path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise WitnessConfigError(
            f"no witness key at {key_path}; run 'tocsin witness init --name NAME' first"
        ) from None
    if mode & 0o077:
        raise WitnessConfigError(
            f"{key_path} can be read by other users (mode {mode:o}); run 'chmod 600 {key_path}'"
        )
    try:
        signer = signer_from_skey(text)
    except NoteError as exc:
        raise WitnessConfigError(f"{key_path} does not hold a usable key: {exc}") from None
    if not isinstance(signer, CosignatureSigner):
        raise WitnessConfigError(f"{key_path} holds a log key, not a cosignature/v1 witness key")
    return signer


def load_logs(path: Path) -> dict[str, KnownLog]:
    """Known logs from a TOML file, by origin. Raises :class:`WitnessConfigError` saying what
    is wrong (which entry, which field)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WitnessConfigError(
            f"no logs file at {path}; create it (see docs/witness.md)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise WitnessConfigError(f"{path} is not valid TOML: {exc}") from None
    entries = data.get("log", [])
    if not isinstance(entries, list):
        raise WitnessConfigError(f"{path}: 'log' must be an array of tables ([[log]])")
    logs: dict[str, KnownLog] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, log entry {number}"
        if not isinstance(entry, dict):
            raise WitnessConfigError(f"{where}: expected a table")
        unknown = set(entry) - {"origin", "vkey", "vkeys"}
        if unknown:
            raise WitnessConfigError(f"{where}: unknown field {sorted(unknown)[0]!r}")
        origin = entry.get("origin")
        if not isinstance(origin, str) or not origin or "\n" in origin:
            raise WitnessConfigError(f"{where}: 'origin' must be the log's origin line")
        if origin in logs:
            raise WitnessConfigError(f"{where}: origin {origin!r} is listed twice")
        raw = entry.get("vkeys", [entry["vkey"]] if "vkey" in entry else [])
        if "vkey" in entry and "vkeys" in entry:
            raise WitnessConfigError(f"{where}: give 'vkey' or 'vkeys', not both")
        if not isinstance(raw, list) or not raw or not all(isinstance(k, str) for k in raw):
            raise WitnessConfigError(f"{where}: 'vkey' must be the log's verifier key")
        try:
            verifiers = tuple(verifier_from_vkey(k) for k in raw)
        except NoteError as exc:
            raise WitnessConfigError(f"{where}: {exc}") from None
        logs[origin] = KnownLog(origin, verifiers)
    return logs
