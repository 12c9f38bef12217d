"""``tocsin verify``: prove that the ledger and every projection are intact, or say exactly where
they are not.

Three passes, each streaming so that a million events fit in memory:

1. **Tree.** Every leaf is hashed; the tree is rebuilt level by level and every stored
   complete-subtree hash is compared with the rebuilt one; the root at the stored size is
   compared with the head. A gap, a duplicate, an extra or a changed leaf or node shows here.
2. **Events.** Every leaf is parsed (canonical form, envelope members, its sequence number and
   the copies of its kind and subject); every stored payload is checked against its commitment;
   a missing payload is accepted only where a ``record.expunged`` event lists it.
3. **Replay.** Every event is applied, by the same appliers the live system uses, into memory
   and then into a scratch SQLite database; every projection table is compared row by row with
   the live one. A difference names the table, the row and the sequence number of the event
   that last wrote the row in the replay.

Signed checkpoints and witnesses (which catch a rewrite of the whole ledger, head included) are
added to pass 1 by the checkpoint work.
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from tocsin.domain.events import EventDecodeError, event_type
from tocsin.domain.records import RecordExpunged
from tocsin.ledger import (
    EMPTY_ROOT,
    CanonicalJSONError,
    Envelope,
    EnvelopeError,
    SealedPayload,
    node_hash,
    range_coordinates,
)
from tocsin.server.ledger.store import DatabaseStore
from tocsin.server.projections import (
    ProjectionModel,
    ReplaySession,
    apply_event,
    projection_models,
)

__all__ = ["Problem", "VerifyReport", "verify_ledger"]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)`` while verification runs."""

_SCRATCH = "tocsin_verify_scratch"
_CHUNK = 20000


@dataclass(frozen=True)
class Problem:
    """One thing found wrong: which check, where (table, row, sequence number) and what."""

    check: str
    table: str
    row: str | None
    seq: int | None
    detail: str

    def __str__(self) -> str:
        where = self.table + (f" row {self.row}" if self.row is not None else "")
        at = f" (seq {self.seq})" if self.seq is not None else ""
        return f"[{self.check}] {where}{at}: {self.detail}"


@dataclass
class VerifyReport:
    """What ``tocsin verify`` found. ``ok`` is true only when there are no problems."""

    size: int
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "size": self.size,
            "problems": [asdict(p) for p in self.problems],
            "counts": self.counts,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def verify_ledger(
    using: str = "default",
    *,
    progress: Progress | None = None,
    replay: bool = True,
    witnesses: list[str] | None = None,
) -> VerifyReport:
    """Run every check on database ``using`` and return the report. ``witnesses`` are base
    URLs of tlog-witnesses whose latest cosigned checkpoint must agree with this ledger."""
    # Verification builds millions of small objects that all live to the end (rebuilt tree
    # levels, replayed rows, rows read back); the cyclic collector would rescan them again and
    # again for nothing, which made a million-event replay superlinear.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _snapshot(using):
            return _verify_ledger(using, progress=progress, replay=replay, witnesses=witnesses)
    finally:
        if collecting:
            gc.enable()


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """Read everything as of one moment, so that a ledger still being appended to verifies:
    without it, leaves and subtree hashes appended after the head was read look like
    tampering. On SQLite a deferred read transaction (in WAL mode, readers never block the
    writer, nor it them); on PostgreSQL a read-only repeatable-read transaction. Inside a
    transaction already (a test's), that transaction is the snapshot."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
        transaction.set_rollback(True, using=using)


def _verify_ledger(
    using: str = "default",
    *,
    progress: Progress | None = None,
    replay: bool = True,
    witnesses: list[str] | None = None,
) -> VerifyReport:
    """Run every check on database ``using`` and return the report. ``witnesses`` are base
    URLs of tlog-witnesses whose latest cosigned checkpoint must agree with this ledger."""
    report_progress = progress or (lambda phase, done, total: None)
    store = DatabaseStore(using)
    problems: list[Problem] = []
    head = _read_head(store, problems)
    size = head[0] if head else 0
    report = VerifyReport(size=size, problems=problems)

    started = time.perf_counter()
    levels = _check_tree(store, head, problems, report_progress)
    report.timings["tree"] = time.perf_counter() - started
    report.counts["leaves"] = size
    report.counts["checkpoints"] = _check_checkpoints(using, levels, size, problems)
    for url in witnesses or []:
        _check_witness(url, levels, size, problems)

    if replay:
        started = time.perf_counter()
        session = _check_events_and_replay(store, size, problems, report_progress)
        report.timings["events"] = time.perf_counter() - started
        started = time.perf_counter()
        report.counts["rows"] = _compare_projections(using, session, problems, report_progress)
        report.timings["projections"] = time.perf_counter() - started
    return report


# ---------------------------------------------------------------------------------------------
# Pass 1: the tree.


def _read_head(store: DatabaseStore, problems: list[Problem]) -> tuple[int, bytes] | None:
    rows = list(store.iter_table("SELECT id, size, root FROM ledger_head ORDER BY id"))
    if len(rows) != 1 or rows[0][0] != 1:
        problems.append(
            Problem("head", "ledger_head", None, None, f"expected one head row, found {len(rows)}")
        )
        if not rows:
            return None
    return int(rows[0][1]), bytes(rows[0][2])


def _check_tree(
    store: DatabaseStore,
    head: tuple[int, bytes] | None,
    problems: list[Problem],
    progress: Progress,
) -> list[list[bytes]]:
    """Rebuild the tree and compare it with the store; return the rebuilt levels."""
    size = head[0] if head else 0
    level_hashes = _leaf_hashes(store, size, problems, progress)
    # Leaf hashes are computed from the leaves, never stored: any stored at level 0 is foreign.
    for (index,) in store.fetch_all('SELECT "index" FROM ledger_node WHERE level = 0'):
        _tree_problem(
            problems,
            "ledger_node",
            f"(0, {index})",
            int(index),
            "a leaf hash is stored, but leaf hashes are computed from ledger_leaf, never stored",
        )

    # Level by level: the stored complete subtrees against the rebuilt ones. A missing leaf
    # (b"") poisons every hash above it, so only the lowest difference is reported.
    levels: list[list[bytes]] = [level_hashes]
    level = 0
    sha256 = hashlib.sha256
    while len(level_hashes) >= 2:
        level_hashes = [
            sha256(b"\x01" + left + right).digest() if left and right else b""
            for left, right in zip(level_hashes[0::2], level_hashes[1::2], strict=False)
        ]
        level += 1
        levels.append(level_hashes)
        stored = store.fetch_all(
            f'SELECT "index", hash FROM ledger_node WHERE level = {level} ORDER BY "index"'
        )
        _compare_level(store, level, level_hashes, stored, problems)
    above = store.iter_table(
        f'SELECT level, "index" FROM ledger_node WHERE level > {level} ORDER BY level, "index"'
    )
    for stray_level, stray_index in above:
        _tree_problem(
            problems,
            "ledger_node",
            f"({stray_level}, {stray_index})",
            None,
            "subtree hash stored above the top of the tree",
        )

    if head is None:
        return levels
    recomputed = _root_at(levels, size)
    if recomputed is not None and recomputed != head[1]:
        detail = f"stored root differs from the root recomputed at size {size}"
        if size % 2:
            # The last leaf of an odd-sized tree is under no stored subtree: only the root
            # covers it, so a change to it and a change to the root look the same here.
            detail += f" (the root, or the last leaf, seq {size - 1}, was changed)"
        _tree_problem(problems, "ledger_head", "1", None, detail)
    progress("tree", size, size)
    return levels


def _root_at(levels: list[list[bytes]], size: int) -> bytes | None:
    """The root at ``size`` from rebuilt levels; None if a missing leaf lies below it."""
    frontier = [
        levels[lv][ix] if ix < len(levels[lv]) else b"" for lv, ix in range_coordinates(0, size)
    ]
    if any(not h for h in frontier):
        return None
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root


def _leaf_hashes(
    store: DatabaseStore, size: int, problems: list[Problem], progress: Progress
) -> list[bytes]:
    """Every leaf's hash, in order; b"" where a leaf is missing (each one reported)."""
    sha256 = hashlib.sha256
    hashes: list[bytes] = []
    expected_seq = 0
    for chunk in store.iter_chunks("SELECT seq, data FROM ledger_leaf ORDER BY seq", _CHUNK):
        first, last = int(chunk[0][0]), int(chunk[-1][0])
        if first == expected_seq and last == expected_seq + len(chunk) - 1 and last < size:
            # The common case: a dense run (seq is the primary key, so no duplicates).
            if isinstance(chunk[0][1], bytes):  # SQLite: already bytes, no copy needed
                hashes += [sha256(b"\x00" + data).digest() for _, data in chunk]
            else:
                hashes += [sha256(b"\x00" + bytes(data)).digest() for _, data in chunk]
            expected_seq = last + 1
        else:
            for seq, data in chunk:
                seq = int(seq)
                if seq >= size:
                    _tree_problem(
                        problems, "ledger_leaf", str(seq), seq, f"leaf beyond the head size {size}"
                    )
                    continue
                for missing in range(expected_seq, seq):
                    problems.append(
                        Problem("tree", "ledger_leaf", str(missing), missing, "leaf is missing")
                    )
                    hashes.append(b"")
                hashes.append(sha256(b"\x00" + bytes(data)).digest())
                expected_seq = seq + 1
        progress("tree", expected_seq, size)
    for missing in range(expected_seq, size):
        problems.append(Problem("tree", "ledger_leaf", str(missing), missing, "leaf is missing"))
        hashes.append(b"")
    return hashes


def _tree_problem(
    problems: list[Problem], table: str, row: str, seq: int | None, detail: str
) -> None:
    problems.append(Problem("tree", table, row, seq, detail))


def _compare_level(
    store: DatabaseStore,
    level: int,
    recomputed: list[bytes],
    stored: list[tuple[Any, Any]],
    problems: list[Problem],
) -> None:
    if stored and isinstance(stored[0][1], bytes):
        stored_hashes = [value for _, value in stored]
    else:
        stored_hashes = [bytes(value) for _, value in stored]
    # (level, index) is the primary key, so the indexes are unique and sorted: the first being
    # 0 and the last len-1 means they are exactly 0..len-1.
    dense = not stored or (int(stored[0][0]) == 0 and int(stored[-1][0]) == len(stored) - 1)
    if dense and stored_hashes == recomputed:
        return  # the whole level matches
    by_index = {int(i): bytes(v) for i, v in stored}
    for index, value in by_index.items():
        if index >= len(recomputed):
            _tree_problem(
                problems,
                "ledger_node",
                f"({level}, {index})",
                index << level,
                "subtree hash stored beyond the tree",
            )
        elif recomputed[index] and recomputed[index] != value and level == 1:
            _blame_level_one(store, index, by_index, problems)
        elif recomputed[index] and recomputed[index] != value:
            _tree_problem(
                problems,
                "ledger_node",
                f"({level}, {index})",
                index << level,
                "stored subtree hash differs from the recomputed one",
            )
    for index in range(len(recomputed)):
        if index not in by_index:
            _tree_problem(
                problems,
                "ledger_node",
                f"({level}, {index})",
                index << level,
                "subtree hash is missing",
            )


def _blame_level_one(
    store: DatabaseStore, index: int, stored: dict[int, bytes], problems: list[Problem]
) -> None:
    """Two leaves do not hash to their stored parent: say which was changed, the leaves or the
    parent. If the stored parent still agrees with the stored tree above it (its sibling and
    their own parent), the leaves were changed; otherwise the hash was."""
    first = index * 2
    left, right = stored.get(index & ~1), stored.get(index | 1)
    grandparent = store.read_nodes([(2, index >> 1)]).get((2, index >> 1))
    if left and right and grandparent and node_hash(left, right) == grandparent:
        _tree_problem(
            problems,
            "ledger_leaf",
            f"{first}, {first + 1}",
            first,
            f"leaves {first} and {first + 1} do not hash to ledger_node (1, {index}), which "
            "agrees with the tree above it: one of the leaves was changed",
        )
    elif grandparent is None:
        _tree_problem(
            problems,
            "ledger_leaf",
            f"{first}, {first + 1}",
            first,
            f"leaves {first} and {first + 1} do not hash to ledger_node (1, {index}): one of "
            "them or that hash was changed",
        )
    else:
        _tree_problem(
            problems,
            "ledger_node",
            f"(1, {index})",
            first,
            "stored subtree hash differs from the one recomputed from leaves "
            f"{first} and {first + 1}, and from the tree above it: the hash was changed",
        )


# ---------------------------------------------------------------------------------------------
# Signed checkpoints and witnesses: what the log told outsiders must match the tree.


def _check_checkpoints(
    using: str, levels: list[list[bytes]], size: int, problems: list[Problem]
) -> int:
    from tocsin.ledger import NoteError, open_checkpoint, verifier_from_vkey, verify_cosignatures
    from tocsin.server.ledger.checkpoints import CheckpointRefused, log_verifiers
    from tocsin.server.ledger.models import SignedCheckpoint

    checkpoints = list(SignedCheckpoint.objects.using(using).order_by("size"))
    if not checkpoints:
        return 0
    try:
        verifiers = log_verifiers()
    except CheckpointRefused as exc:
        problems.append(Problem("checkpoint", "ledger_checkpoint", None, None, str(exc)))
        return len(checkpoints)
    witnesses = [verifier_from_vkey(vkey) for vkey, _ in settings.TOCSIN_WITNESSES]

    def problem(row: str, detail: str) -> None:
        problems.append(Problem("checkpoint", "ledger_checkpoint", row, None, detail))

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
        if _root_at(levels, checkpoint.size) not in (None, checkpoint.root):
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


def _check_witness(url: str, levels: list[list[bytes]], size: int, problems: list[Problem]) -> None:
    """Compare this ledger with the checkpoint a witness last cosigned for its origin."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from tocsin.ledger import NoteError, open_checkpoint
    from tocsin.server.ledger.checkpoints import CheckpointRefused, log_verifiers

    def problem(detail: str) -> None:
        problems.append(Problem("witness", url, None, None, detail))

    origin = settings.TOCSIN_LEDGER_ORIGIN
    address = f"{url.rstrip('/')}/checkpoint?origin={urllib.parse.quote(origin, safe='')}"
    try:
        with urllib.request.urlopen(address, timeout=20) as response:  # noqa: S310
            note = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        problem(
            "the witness has cosigned nothing for this log yet"
            if exc.code == 404
            else f"the witness answered {exc.code}"
        )
        return
    except (OSError, urllib.error.URLError) as exc:
        problem(f"the witness is unreachable: {exc}")
        return
    try:
        seen = open_checkpoint(note, log_verifiers(), origin=origin).checkpoint
    except (NoteError, ValueError, CheckpointRefused) as exc:
        problem(f"the witness's checkpoint is not signed by this log: {exc}")
        return
    if seen.size > size:
        problem(
            f"split view: the witness cosigned size {seen.size}, but this ledger holds "
            f"only {size} events"
        )
        return
    ours = _root_at(levels, seen.size)
    if ours is not None and ours != seen.root:
        problem(
            f"split view: the witness cosigned another root at size {seen.size} than "
            "this ledger has there"
        )


# ---------------------------------------------------------------------------------------------
# Pass 2 and 3a: envelopes, commitments and replay into memory.


def _expunged_seqs(store: DatabaseStore, problems: list[Problem]) -> dict[int, int]:
    """Payloads that ``record.expunged`` events erased: event seq -> the expunging seq."""
    erased: dict[int, int] = {}
    rows = store.iter_table(
        "SELECT l.seq, p.salt, p.body FROM ledger_leaf l LEFT JOIN ledger_payload p "
        f"ON p.seq = l.seq WHERE l.kind = '{RecordExpunged.kind}' ORDER BY l.seq"
    )
    for seq, salt, body in rows:
        if body is None:
            problems.append(
                Problem(
                    "payload",
                    "ledger_payload",
                    str(seq),
                    int(seq),
                    "the payload of a record.expunged event is missing",
                )
            )
            continue
        try:
            payload = SealedPayload(bytes(salt), bytes(body)).decode()
            seqs = payload["seqs"]
        except (CanonicalJSONError, EnvelopeError, KeyError, TypeError):
            continue  # reported by pass 2 when the commitment or payload is checked
        for erased_seq in seqs if isinstance(seqs, list) else []:
            if isinstance(erased_seq, int) and erased_seq < int(seq):
                erased[erased_seq] = int(seq)
    return erased


def _check_events_and_replay(
    store: DatabaseStore, size: int, problems: list[Problem], progress: Progress
) -> ReplaySession:
    erased = _expunged_seqs(store, problems)
    session = ReplaySession()
    rows = store.iter_table(
        "SELECT l.seq, l.kind, l.subject, l.data, p.salt, p.body FROM ledger_leaf l "
        f"LEFT JOIN ledger_payload p ON p.seq = l.seq WHERE l.seq < {int(size)} ORDER BY l.seq"
    )
    for seq, kind_column, subject_column, data, salt, body in rows:
        seq = int(seq)
        try:
            envelope = Envelope.parse(bytes(data))
        except EnvelopeError as exc:
            problems.append(Problem("envelope", "ledger_leaf", str(seq), seq, str(exc)))
            continue
        if envelope.seq != seq:
            problems.append(
                Problem(
                    "envelope",
                    "ledger_leaf",
                    str(seq),
                    seq,
                    f"the leaf says it is seq {envelope.seq}",
                )
            )
        first_subject = envelope.subjects[0] if envelope.subjects else ""
        if kind_column != envelope.kind or subject_column != first_subject:
            problems.append(
                Problem(
                    "envelope",
                    "ledger_leaf",
                    str(seq),
                    seq,
                    "the kind or subject column differs from the leaf",
                )
            )
        if body is None:
            if seq not in erased:
                problems.append(
                    Problem(
                        "payload",
                        "ledger_payload",
                        str(seq),
                        seq,
                        "payload is missing and no record.expunged event erased it",
                    )
                )
            # The record's rows become tombstones now, as its record.expunged event will make
            # them later, so events about other records can still refer to it.
            if first_subject:
                session.seq = seq
                session.erase_subject(first_subject)
            continue
        sealed = SealedPayload(bytes(salt), bytes(body))
        if seq in erased:
            problems.append(
                Problem(
                    "payload",
                    "ledger_payload",
                    str(seq),
                    seq,
                    f"payload should have been erased by the record.expunged event at seq "
                    f"{erased[seq]}",
                )
            )
        if sealed.commitment != envelope.commitment:
            problems.append(
                Problem(
                    "payload",
                    "ledger_payload",
                    str(seq),
                    seq,
                    "payload or salt does not match the leaf's commitment",
                )
            )
            continue
        try:
            # The commitment matched, so these are exactly the bytes appended: decoding them
            # needs no second canonical-form check.
            payload = json.loads(sealed.body.decode("utf-8"))
            event = event_type(envelope.kind).from_payload(envelope.v, payload)
            apply_event(event, envelope, session)
        except (
            LookupError,
            EventDecodeError,
            CanonicalJSONError,
            EnvelopeError,
            TypeError,
            ValueError,
            AttributeError,
        ) as exc:
            problems.append(
                Problem("replay", "ledger_leaf", str(seq), seq, f"event cannot be replayed: {exc}")
            )
        if seq % 20000 == 0:
            progress("events", seq, size)
    orphans = store.iter_table(
        "SELECT p.seq FROM ledger_payload p LEFT JOIN ledger_leaf l ON l.seq = p.seq "
        "WHERE l.seq IS NULL ORDER BY p.seq"
    )
    for (seq,) in orphans:
        problems.append(
            Problem("payload", "ledger_payload", str(seq), int(seq), "payload has no leaf")
        )
    progress("events", size, size)
    return session


# ---------------------------------------------------------------------------------------------
# Pass 3b: the scratch database and the row-by-row comparison.


def _open_scratch() -> str:
    """A fresh in-memory SQLite database holding empty projection tables.

    The connection is made directly rather than declared in ``DATABASES``: it exists only for
    this verification, and nothing else may route to it.
    """
    from django.db.backends.sqlite3.base import DatabaseWrapper

    name = f"file:tocsin-verify-{uuid.uuid4().hex}?mode=memory&cache=shared"
    settings_dict = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # Replayed rows may refer to rows a tampered ledger never created; verification must
        # report that by comparison, not stop at a foreign-key error.
        "OPTIONS": {"init_command": "PRAGMA foreign_keys=OFF"},
        "TEST": {"NAME": name},
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
    }
    connections[_SCRATCH] = DatabaseWrapper(settings_dict, alias=_SCRATCH)
    with connections[_SCRATCH].schema_editor() as editor:
        for model in projection_models():
            editor.create_model(model)
    # The schema editor turns foreign-key enforcement back on as it closes; replayed rows are
    # compared, not constrained (and checking every reference would slow a million inserts).
    connections[_SCRATCH].disable_constraint_checking()
    return _SCRATCH


def _close_scratch() -> None:
    # Django keeps in-memory SQLite connections open on close(); this one must really go.
    try:
        wrapper = connections[_SCRATCH]
    except Exception:
        return
    BaseDatabaseWrapper.close(wrapper)
    del connections[_SCRATCH]


def _rows(
    model: type[models.Model], using: str, *, raw: bool
) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Rows of ``model``'s table on ``using``, ordered by primary key: ``(pk, row)``.

    ``raw``: the values as stored, the fast way when both databases are SQLite. Otherwise the
    values as Django reads them (dates as dates, JSON parsed), which compare equal across
    SQLite and PostgreSQL whatever each stores.
    """
    connection = connections[using]
    fields = model._meta.concrete_fields
    pk_position = [f.primary_key for f in fields].index(True)
    if not raw:
        names = [f.attname for f in fields]
        values = model._base_manager.using(using).order_by("pk").values_list(*names)
        for row in values.iterator(chunk_size=_CHUNK):
            converted = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            yield converted[pk_position], converted
        return
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    sql = (
        f"SELECT {columns} FROM {connection.ops.quote_name(model._meta.db_table)} "
        f"ORDER BY {pk_column}"
    )
    for chunk in DatabaseStore(using).iter_chunks(sql, _CHUNK):
        for row in chunk:
            yield row[pk_position], tuple(row)


def _compare_projections(
    using: str, session: ReplaySession, problems: list[Problem], progress: Progress
) -> int:
    scratch = _open_scratch()
    compared = 0
    try:
        for model in projection_models():
            try:
                session.flush(scratch, models=[model])
            except DatabaseError as exc:
                problems.append(
                    Problem(
                        "replay",
                        model._meta.db_table,
                        None,
                        None,
                        f"replayed rows could not be stored: {exc}",
                    )
                )
            compared += _compare_table(model, using, scratch, session, problems)
            progress("projections", compared, compared)
    finally:
        _close_scratch()
    return compared


def _compare_table(
    model: type[ProjectionModel],
    using: str,
    scratch: str,
    session: ReplaySession,
    problems: list[Problem],
) -> int:
    table = model._meta.db_table
    names = [f.attname for f in model._meta.concrete_fields]
    raw = connections[using].vendor == connections[scratch].vendor
    live = _rows(model, using, raw=raw)
    replayed = _rows(model, scratch, raw=raw)
    pk_field = model._meta.pk
    assert pk_field is not None

    def key(raw_pk: Any) -> Any:
        return pk_field.to_python(raw_pk)  # the primary key as the ORM and replay know it

    live_row, replayed_row = next(live, None), next(replayed, None)
    compared = 0
    while live_row is not None or replayed_row is not None:
        compared += 1
        if replayed_row is None or (live_row is not None and live_row[0] < replayed_row[0]):
            assert live_row is not None
            problems.append(
                Problem(
                    "projection",
                    table,
                    str(key(live_row[0])),
                    None,
                    "row exists in the live table but no event created it",
                )
            )
            live_row = next(live, None)
        elif live_row is None or replayed_row[0] < live_row[0]:
            problems.append(
                Problem(
                    "projection",
                    table,
                    str(key(replayed_row[0])),
                    session.written_by.get((table, str(key(replayed_row[0])))),
                    "row is missing from the live table",
                )
            )
            replayed_row = next(replayed, None)
        else:
            differing = [
                f"{name}: live {a!r} != replayed {b!r}"
                for name, a, b in zip(names, live_row[1], replayed_row[1], strict=True)
                if a != b
            ]
            if differing:
                problems.append(
                    Problem(
                        "projection",
                        table,
                        str(key(live_row[0])),
                        session.written_by.get((table, str(key(live_row[0])))),
                        "; ".join(_redact(d) for d in differing),
                    )
                )
            live_row, replayed_row = next(live, None), next(replayed, None)
    return compared


def _redact(difference: str) -> str:
    # Never print a password hash, even a tampered one.
    name = difference.split(":", 1)[0]
    if name == "password":
        return "password: live value differs from the replayed one"
    return difference
