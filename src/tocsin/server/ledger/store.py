"""The ledger store on Django's database connections (SQLite or PostgreSQL), in raw SQL.

Raw SQL rather than the ORM because appending is the hottest path in Tocsin: four short
statements per append on SQLite, one on PostgreSQL, keep the ledger's cost close to that of the
projection row it explains. Leaf hashes (level 0 of the tree) are not stored: each is the hash
of the leaf row beside it, so :meth:`DatabaseStore.read_nodes` computes it from there, and an
append writes only the larger subtrees it completes (one on average).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Sequence

from django.db import connections

from tocsin.ledger import (
    Coordinate,
    Entry,
    LedgerStore,
    SealedPayload,
    StoreConflict,
    StoredEvent,
    leaf_hash,
)
from tocsin.server import rawsql

__all__ = ["DatabaseStore", "DeferringStore"]

#: Rows fetched at a time by the streaming reads.
BATCH = 20_000


def _bytes(value: bytes | memoryview) -> bytes:
    return bytes(value)


class DatabaseStore(LedgerStore):
    """A :class:`LedgerStore` on the Django database ``using``.

    With ``for_update`` (the appender's store), reading the head locks the head row on
    PostgreSQL until the transaction ends; on SQLite the ``BEGIN IMMEDIATE`` that opens every
    transaction has already excluded other writers.
    """

    def __init__(self, using: str = "default", *, for_update: bool = False) -> None:
        self.using = using
        self.for_update = for_update

    @property
    def _connection(self):  # type: ignore[no-untyped-def]
        return connections[self.using]

    def head(self) -> tuple[int, bytes]:
        connection = self._connection
        lock = " FOR UPDATE" if self.for_update and connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT size, root FROM ledger_head WHERE id = 1{lock}")
            row = cursor.fetchone()
        if row is None:
            raise StoreConflict("the ledger head row is missing: run 'tocsin migrate'")
        return int(row[0]), _bytes(row[1])

    def write(
        self,
        entries: Sequence[Entry],
        nodes: Sequence[tuple[int, int, bytes]],
        old_head: tuple[int, bytes],
        new_head: tuple[int, bytes],
    ) -> None:
        if not entries:
            return
        leaves = [
            (e.seq, e.envelope.kind, e.envelope.subjects[0] if e.envelope.subjects else "", e.leaf)
            for e in entries
        ]
        payloads = [(e.seq, e.payload.salt, e.payload.body) for e in entries]
        # Leaf hashes are not stored: each is a function of the leaf row beside it, and
        # read_nodes computes it from there.
        nodes = [node for node in nodes if node[0] > 0]
        connection = self._connection
        if connection.vendor == "postgresql":
            self._write_in_one_statement(leaves, payloads, nodes, old_head, new_head)
            return
        # The conditional update is both the check and the lock's witness: the head must
        # still be where the caller's frontier was built.
        changed = rawsql.execute(
            connection,
            "UPDATE ledger_head SET size = %s, root = %s WHERE id = 1 AND size = %s AND root = %s",
            [new_head[0], new_head[1], old_head[0], old_head[1]],
        )
        if changed != 1:
            raise StoreConflict(f"the ledger head moved away from size {old_head[0]}")
        rawsql.executemany(
            connection,
            "INSERT INTO ledger_leaf (seq, kind, subject, data) VALUES (%s, %s, %s, %s)",
            leaves,
        )
        rawsql.executemany(
            connection, "INSERT INTO ledger_payload (seq, salt, body) VALUES (%s, %s, %s)", payloads
        )
        rawsql.executemany(
            connection, 'INSERT INTO ledger_node (level, "index", hash) VALUES (%s, %s, %s)', nodes
        )

    def _write_in_bulk(
        self,
        leaves: list[tuple[int, str, str, bytes]],
        payloads: list[tuple[int, bytes, bytes]],
        nodes: list[tuple[int, int, bytes]],
        old_head: tuple[int, bytes],
        new_head: tuple[int, bytes],
    ) -> None:
        """Many events at once (a bulk load): the conditional head update, then one
        ``executemany`` per table, or ``COPY`` on PostgreSQL."""
        connection = self._connection
        if connection.vendor == "postgresql":
            # Lock the head row first, as head() does for an appender.
            rawsql.fetchone(connection, "SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE")
        changed = rawsql.execute(
            connection,
            "UPDATE ledger_head SET size = %s, root = %s WHERE id = 1 AND size = %s AND root = %s",
            [new_head[0], new_head[1], old_head[0], old_head[1]],
        )
        if changed != 1:
            raise StoreConflict(f"the ledger head moved away from size {old_head[0]}")
        tables = (
            ("ledger_leaf", ("seq", "kind", "subject", "data"), leaves),
            ("ledger_payload", ("seq", "salt", "body"), payloads),
            ("ledger_node", ("level", '"index"', "hash"), nodes),
        )
        for table, columns, rows in tables:
            if not rows:
                continue
            if connection.vendor == "postgresql":
                rawsql.copy_rows(connection, table, columns, rows)
            else:
                marks = ", ".join(["%s"] * len(columns))
                rawsql.executemany(
                    connection, f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                )

    def _write_in_one_statement(
        self,
        leaves: list[tuple[int, str, str, bytes]],
        payloads: list[tuple[int, bytes, bytes]],
        nodes: list[tuple[int, int, bytes]],
        old_head: tuple[int, bytes],
        new_head: tuple[int, bytes],
    ) -> None:
        """PostgreSQL: the head update and every insert in one round trip. The inserts select
        from the updated head row, so they write nothing unless the head was where the caller
        expected; a concurrent writer's update of that row waits for this transaction, then
        matches nothing."""
        statement = _append_statement(len(leaves), len(nodes))
        params = [
            new_head[0],
            new_head[1],
            old_head[0],
            old_head[1],
            *(part for row in leaves for part in row),
            *(part for row in payloads for part in row),
            *(part for row in nodes for part in row),
        ]
        if len(params) <= _MAX_BOUND_PARAMETERS:
            row = rawsql.fetchone(self._connection, statement, params)
        else:
            # A bulk load: more parameters than PostgreSQL binds in one statement, so let
            # Django's cursor put them into the text instead (parsed once, never prepared).
            with self._connection.cursor() as cursor:
                cursor.execute(statement, params)
                row = cursor.fetchone()
        if row is None or row[0] != 1:
            raise StoreConflict(f"the ledger head moved away from size {old_head[0]}")

    def read_leaves(self, start: int, end: int) -> list[bytes]:
        with self._connection.cursor() as cursor:
            cursor.execute(
                "SELECT data FROM ledger_leaf WHERE seq >= %s AND seq < %s ORDER BY seq",
                [start, end],
            )
            return [_bytes(row[0]) for row in cursor.fetchall()]

    def read_nodes(self, coordinates: Collection[Coordinate]) -> dict[Coordinate, bytes]:
        wanted = [c for c in coordinates if c[0] > 0]
        found: dict[Coordinate, bytes] = {}
        leaves = sorted({index for level, index in coordinates if level == 0})
        with self._connection.cursor() as cursor:
            for start in range(0, len(leaves), 500):
                seqs = leaves[start : start + 500]
                marks = ", ".join(["%s"] * len(seqs))
                cursor.execute(f"SELECT seq, data FROM ledger_leaf WHERE seq IN ({marks})", seqs)
                for seq, data in cursor.fetchall():
                    found[(0, int(seq))] = leaf_hash(_bytes(data))
            for start in range(0, len(wanted), 200):
                chunk = wanted[start : start + 200]
                values = ", ".join(["(%s, %s)"] * len(chunk))
                cursor.execute(
                    'SELECT level, "index", hash FROM ledger_node '
                    f'WHERE (level, "index") IN (VALUES {values})',
                    [part for coordinate in chunk for part in coordinate],
                )
                for level, index, value in cursor.fetchall():
                    found[(int(level), int(index))] = _bytes(value)
        return found

    def read_payloads(self, seqs: Collection[int]) -> dict[int, SealedPayload]:
        wanted = list(seqs)
        found: dict[int, SealedPayload] = {}
        with self._connection.cursor() as cursor:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT seq, salt, body FROM ledger_payload WHERE seq IN ({marks})",
                    chunk,
                )
                for seq, salt, body in cursor.fetchall():
                    found[int(seq)] = SealedPayload(salt=_bytes(salt), body=_bytes(body))
        return found

    def erase_payloads(self, seqs: Collection[int]) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany("DELETE FROM ledger_payload WHERE seq = %s", [(s,) for s in seqs])

    # Streaming reads for verification: ordered, in batches, without loading a million rows
    # at once. SQLite hands back bytes already; PostgreSQL memoryviews, copied to bytes here.

    def _stream(self, sql: str, params: Sequence[object], batch: int) -> Iterator[list[tuple]]:
        with self._connection.cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(batch):
                yield rows

    def stream_leaves(
        self, end: int | None = None, *, batch: int = BATCH
    ) -> Iterator[list[tuple[int, bytes]]]:
        where, params = ("", []) if end is None else (" WHERE seq < %s", [end])
        sql = f"SELECT seq, data FROM ledger_leaf{where} ORDER BY seq"
        for rows in self._stream(sql, params, batch):
            if isinstance(rows[0][1], bytes):
                yield rows
            else:
                yield [(seq, _bytes(data)) for seq, data in rows]

    def read_level(self, level: int) -> list[tuple[int, bytes]]:
        with self._connection.cursor() as cursor:
            cursor.execute(
                'SELECT "index", hash FROM ledger_node WHERE level = %s ORDER BY "index"', [level]
            )
            rows: list[tuple[int, bytes]] = cursor.fetchall()
        if rows and not isinstance(rows[0][1], bytes):
            return [(index, _bytes(value)) for index, value in rows]
        return rows

    def coordinates_above(self, level: int) -> list[Coordinate]:
        with self._connection.cursor() as cursor:
            cursor.execute(
                'SELECT level, "index" FROM ledger_node WHERE level > %s ORDER BY level, "index"',
                [level],
            )
            return [(int(lv), int(index)) for lv, index in cursor.fetchall()]

    def stream_events(
        self, end: int, *, start: int = 0, batch: int = BATCH
    ) -> Iterator[list[StoredEvent]]:
        sql = (
            "SELECT l.seq, l.kind, l.subject, l.data, p.salt, p.body FROM ledger_leaf l "
            "LEFT JOIN ledger_payload p ON p.seq = l.seq WHERE l.seq >= %s AND l.seq < %s "
            "ORDER BY l.seq"
        )
        for rows in self._stream(sql, [start, end], batch):
            yield [_event(*row) for row in rows]

    def stream_events_of_kinds(
        self, kinds: Collection[str], end: int, *, start: int = 0, batch: int = BATCH
    ) -> Iterator[list[StoredEvent]]:
        """As :meth:`stream_events`, only the leaves whose kind column is one of ``kinds``
        (the clocks' sweep reads only the kinds its engine acts on)."""
        if not kinds:
            return
        marks = ", ".join(["%s"] * len(kinds))
        sql = (
            "SELECT l.seq, l.kind, l.subject, l.data, p.salt, p.body FROM ledger_leaf l "
            "LEFT JOIN ledger_payload p ON p.seq = l.seq WHERE l.seq >= %s AND l.seq < %s "
            f"AND l.kind IN ({marks}) ORDER BY l.seq"
        )
        for rows in self._stream(sql, [start, end, *sorted(kinds)], batch):
            yield [_event(*row) for row in rows]

    def events_of_kind(self, kind: str) -> Iterator[StoredEvent]:
        sql = (
            "SELECT l.seq, l.kind, l.subject, l.data, p.salt, p.body FROM ledger_leaf l "
            "LEFT JOIN ledger_payload p ON p.seq = l.seq WHERE l.kind = %s ORDER BY l.seq"
        )
        for rows in self._stream(sql, [kind], BATCH):
            yield from (_event(*row) for row in rows)

    def orphan_payloads(self) -> list[int]:
        with self._connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.seq FROM ledger_payload p LEFT JOIN ledger_leaf l ON l.seq = p.seq "
                "WHERE l.seq IS NULL ORDER BY p.seq"
            )
            return [int(seq) for (seq,) in cursor.fetchall()]


class DeferringStore(DatabaseStore):
    """The store of a bulk load's ledger (``tocsin.server.ledger.recording.recording_in_bulk``):
    appends are kept in memory, the head moving with them, until :meth:`write_deferred` writes
    them all at once, inside the load's transaction. Nothing else may append meanwhile (the
    load holds the write lock), and nothing in the load reads the ledger's rows back."""

    def __init__(self, using: str = "default") -> None:
        super().__init__(using, for_update=True)
        self._base: tuple[int, bytes] | None = None
        self._head: tuple[int, bytes] | None = None
        self._leaves: list[tuple[int, str, str, bytes]] = []
        self._payloads: list[tuple[int, bytes, bytes]] = []
        self._nodes: list[tuple[int, int, bytes]] = []

    @property
    def waiting(self) -> int:
        """Events appended and not yet written."""
        return len(self._leaves)

    def head(self) -> tuple[int, bytes]:
        if self._head is not None:
            return self._head
        return super().head()

    def write(
        self,
        entries: Sequence[Entry],
        nodes: Sequence[tuple[int, int, bytes]],
        old_head: tuple[int, bytes],
        new_head: tuple[int, bytes],
    ) -> None:
        if not entries:
            return
        if self._head is not None and old_head != self._head:
            raise StoreConflict(f"the deferred head is not at size {old_head[0]}")
        if self._base is None:
            self._base = old_head
        self._head = new_head
        self._leaves += [
            (e.seq, e.envelope.kind, e.envelope.subjects[0] if e.envelope.subjects else "", e.leaf)
            for e in entries
        ]
        self._payloads += [(e.seq, e.payload.salt, e.payload.body) for e in entries]
        self._nodes += [node for node in nodes if node[0] > 0]

    def write_deferred(self) -> None:
        """Write every event appended since the last call (StoreConflict if the stored head
        moved meanwhile, when nothing is written)."""
        if self._base is None or self._head is None:
            return
        leaves, payloads, nodes = self._leaves, self._payloads, self._nodes
        base, head = self._base, self._head
        self._leaves, self._payloads, self._nodes = [], [], []
        self._base = None
        self._write_in_bulk(leaves, payloads, nodes, base, head)

    def read_nodes(self, coordinates: Collection[Coordinate]) -> dict[Coordinate, bytes]:
        if self._leaves:
            raise StoreConflict("a deferring store reads no nodes while appends wait")
        return super().read_nodes(coordinates)


def _event(
    seq: int,
    kind: str,
    subject: str,
    data: bytes | memoryview,
    salt: bytes | memoryview | None,
    body: bytes | memoryview | None,
) -> StoredEvent:
    payload = None if body is None or salt is None else SealedPayload(bytes(salt), bytes(body))
    return StoredEvent(int(seq), kind, subject, bytes(data), payload)


#: PostgreSQL binds at most 65,535 parameters to one statement.
_MAX_BOUND_PARAMETERS = 65_535


@functools.lru_cache(maxsize=64)
def _append_statement(leaves: int, nodes: int) -> str:
    """PostgreSQL: the one statement that appends ``leaves`` leaves and payloads and ``nodes``
    subtree hashes, and moves the head. Built once per shape, so that psycopg can prepare it."""

    def values(rows: int, casts: tuple[str, ...]) -> str:
        row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
        return ", ".join([row] * rows)

    node_cte = (
        'nodes AS (INSERT INTO ledger_node (level, "index", hash) '
        f"SELECT v.* FROM head, (VALUES {values(nodes, ('smallint', 'bigint', 'bytea'))}) "
        "AS v(level, idx, hash)) "
        if nodes
        else ""
    )
    return (
        "WITH head AS (UPDATE ledger_head SET size = %s, root = %s "
        "WHERE id = 1 AND size = %s AND root = %s RETURNING id), "
        "leaves AS (INSERT INTO ledger_leaf (seq, kind, subject, data) "
        f"SELECT v.* FROM head, (VALUES {values(leaves, ('bigint', 'text', 'text', 'bytea'))}) "
        "AS v(seq, kind, subject, data)), "
        "payloads AS (INSERT INTO ledger_payload (seq, salt, body) "
        f"SELECT v.* FROM head, (VALUES {values(leaves, ('bigint', 'bytea', 'bytea'))}) "
        "AS v(seq, salt, body))"
        + (", " + node_cte if node_cte else " ")
        + "SELECT count(*) FROM head"
    )
