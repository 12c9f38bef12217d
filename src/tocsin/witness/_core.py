"""The witness itself: C2SP tlog-witness ``add-checkpoint`` with an atomic check-and-store.

For each known log the witness remembers only the latest checkpoint it cosigned. A request
says which size the log thinks that is (``old N``) and proves the new checkpoint consistent
with it; the check against the stored checkpoint and the update happen inside one SQLite
``BEGIN IMMEDIATE`` transaction, so two concurrent requests can never both advance from the
same size (the race the spec describes, which would roll the witness back).
"""

from __future__ import annotations

import base64
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tocsin.ledger import (
    EMPTY_ROOT,
    HASH_SIZE,
    Checkpoint,
    CheckpointError,
    CosignatureSigner,
    MalformedNoteError,
    NoteError,
    ProofError,
    open_note,
    parse_checkpoint,
    parse_note,
    verify_consistency,
)
from tocsin.witness._config import KnownLog

__all__ = [
    "MAX_PROOF_LINES",
    "TLOG_SIZE_CONTENT_TYPE",
    "Witness",
    "WitnessResponse",
    "parse_add_checkpoint",
]

MAX_PROOF_LINES = 63
TLOG_SIZE_CONTENT_TYPE = "text/x.tlog.size"
_MAX_SQLITE_INTEGER = 2**63 - 1
_TEXT = "text/plain; charset=utf-8"
_log = logging.getLogger("tocsin.witness")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cosigned (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    cosigned_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    old_size INTEGER NOT NULL,
    note TEXT NOT NULL,
    reason TEXT NOT NULL,
    seen_at INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class WitnessResponse:
    """An HTTP answer: status code, content type and body."""

    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> WitnessResponse:
        return cls(status, _TEXT, (message.rstrip("\n") + "\n").encode())


class _Rejected(Exception):
    def __init__(self, response: WitnessResponse) -> None:
        super().__init__(response.status)
        self.response = response


def _reject(status: int, message: str) -> _Rejected:
    return _Rejected(WitnessResponse.text(status, message))


def parse_add_checkpoint(body: bytes) -> tuple[int, list[bytes], bytes]:
    """Split an add-checkpoint body into old size, proof hashes and the checkpoint note.

    Raises :class:`ValueError` (a 400 answer) with a message for the log's operator.
    """
    header, separator, note = body.partition(b"\n\n")
    if not separator:
        raise ValueError("the body has no blank line between the old size and the checkpoint")
    try:
        lines = header.decode("ascii").split("\n")
    except UnicodeDecodeError:
        raise ValueError("the old size and proof lines must be ASCII") from None
    first = lines[0]
    if not first.startswith("old "):
        raise ValueError("the body must start with 'old <size>'")
    digits = first[len("old ") :]
    if not digits.isdigit() or not digits.isascii() or (len(digits) > 1 and digits[0] == "0"):
        raise ValueError("the old size must be a decimal number without leading zeroes")
    if len(digits) > 19 or int(digits) > _MAX_SQLITE_INTEGER:
        raise ValueError("the old size is too large")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise ValueError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof: list[bytes] = []
    for number, line in enumerate(proof_lines, start=1):
        try:
            value = base64.b64decode(line, validate=True)
        except ValueError:
            raise ValueError(f"consistency proof line {number} is not base64") from None
        if len(value) != HASH_SIZE or base64.b64encode(value).decode() != line:
            raise ValueError(f"consistency proof line {number} is not one base64 SHA-256 hash")
        proof.append(value)
    return int(digits), proof, note


class Witness:
    """Cosigns checkpoints of known logs, keeping its state in one SQLite file.

    Safe to share between the threads of a WSGI server: each thread gets its own connection
    and every check-and-store runs in ``BEGIN IMMEDIATE``.
    """

    def __init__(
        self,
        database: Path,
        signer: CosignatureSigner,
        logs: Mapping[str, KnownLog],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.signer = signer
        self.logs = dict(logs)
        self._clock = clock
        self._local = threading.local()
        connection = self._connection()
        connection.executescript(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.database, timeout=60, isolation_level=None, check_same_thread=True
            )
            connection.execute("PRAGMA journal_mode=WAL")
            # The witness MUST persist a checkpoint before it answers.
            connection.execute("PRAGMA synchronous=FULL")
            self._local.connection = connection
        return connection

    def close(self) -> None:
        """Close this thread's database connection (other threads close theirs on exit)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def latest(self, origin: str) -> tuple[int, str] | None:
        """The size and signed note (with this witness's cosignature) last cosigned for
        ``origin``, or ``None`` if it never cosigned one."""
        row = (
            self._connection()
            .execute("SELECT size, note FROM cosigned WHERE origin = ?", (origin,))
            .fetchone()
        )
        return None if row is None else (int(row[0]), str(row[1]))

    def add_checkpoint(self, body: bytes) -> WitnessResponse:
        """Handle one ``POST /add-checkpoint`` body and return the answer to send."""
        try:
            return self._add_checkpoint(body)
        except _Rejected as rejected:
            return rejected.response

    def _add_checkpoint(self, body: bytes) -> WitnessResponse:
        try:
            old_size, proof, note_bytes = parse_add_checkpoint(body)
            parsed = parse_note(note_bytes)
            checkpoint = parse_checkpoint(parsed.text)
        except (ValueError, MalformedNoteError, CheckpointError) as exc:
            raise _reject(400, f"malformed add-checkpoint request: {exc}") from None
        log = self.logs.get(checkpoint.origin)
        if log is None:
            raise _reject(404, "this witness does not know a log with that origin")
        try:
            open_note(note_bytes, log.verifiers)
        except NoteError as exc:
            raise _reject(403, f"the checkpoint is not validly signed by the log: {exc}") from None
        if old_size > checkpoint.size:
            raise _reject(
                400, f"old size {old_size} is above the checkpoint size {checkpoint.size}"
            )
        if checkpoint.size > _MAX_SQLITE_INTEGER:
            raise _reject(400, "the checkpoint size is larger than this witness can store")
        note_text = note_bytes.decode("utf-8")
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            response = self._check_and_store(connection, old_size, proof, checkpoint, note_text)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return response

    def _check_and_store(
        self,
        connection: sqlite3.Connection,
        old_size: int,
        proof: list[bytes],
        checkpoint: Checkpoint,
        note_text: str,
    ) -> WitnessResponse:
        row = connection.execute(
            "SELECT size, root FROM cosigned WHERE origin = ?", (checkpoint.origin,)
        ).fetchone()
        stored_size, stored_root = (0, EMPTY_ROOT) if row is None else (int(row[0]), bytes(row[1]))
        if old_size != stored_size:
            return self._conflict(stored_size)
        if checkpoint.size == stored_size and checkpoint.root != stored_root:
            self._record_evidence(connection, checkpoint.origin, old_size, note_text, "fork")
            _log.warning("log %r showed a second root at size %d", checkpoint.origin, stored_size)
            return self._conflict(stored_size)
        try:
            verify_consistency(old_size, checkpoint.size, stored_root, checkpoint.root, proof)
        except ProofError as exc:
            self._record_evidence(connection, checkpoint.origin, old_size, note_text, str(exc))
            _log.warning(
                "log %r: consistency proof %d -> %d failed",
                checkpoint.origin,
                old_size,
                checkpoint.size,
            )
            return WitnessResponse.text(422, f"the consistency proof does not verify: {exc}")
        timestamp = int(self._clock())
        cosignature = self.signer.cosign_at(checkpoint.body(), timestamp)
        stored_note = note_text + cosignature.line if note_text.endswith("\n") else note_text
        connection.execute(
            "INSERT INTO cosigned (origin, size, root, note, cosigned_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
            "note = excluded.note, cosigned_at = excluded.cosigned_at",
            (checkpoint.origin, checkpoint.size, checkpoint.root, stored_note, timestamp),
        )
        _log.info("cosigned %r at size %d", checkpoint.origin, checkpoint.size)
        return WitnessResponse(200, _TEXT, cosignature.line.encode())

    @staticmethod
    def _conflict(stored_size: int) -> WitnessResponse:
        return WitnessResponse(409, TLOG_SIZE_CONTENT_TYPE, f"{stored_size}\n".encode())

    def _record_evidence(
        self, connection: sqlite3.Connection, origin: str, old_size: int, note: str, reason: str
    ) -> None:
        # Kept as possible proof of log misbehaviour; only validly signed checkpoints get here.
        connection.execute(
            "INSERT INTO evidence (origin, old_size, note, reason, seen_at) VALUES (?, ?, ?, ?, ?)",
            (origin, old_size, note, reason, int(self._clock())),
        )

    def evidence(self, origin: str) -> list[tuple[int, str, str]]:
        """Signed checkpoints of ``origin`` this witness refused as inconsistent:
        ``(old size claimed, signed note, reason)``, oldest first."""
        rows = (
            self._connection()
            .execute(
                "SELECT old_size, note, reason FROM evidence WHERE origin = ? ORDER BY id",
                (origin,),
            )
            .fetchall()
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]
