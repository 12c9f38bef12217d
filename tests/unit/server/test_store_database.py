"""The database store passes the same contract as the in-memory store, on SQLite or PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.unit.ledger.store_contract import LedgerStoreContract, event
from tocsin.ledger import Ledger, reference_root
from tocsin.server.ledger.store import DatabaseStore

pytestmark = pytest.mark.django_db


class TestDatabaseStore(LedgerStoreContract):
    @pytest.fixture
    def store(self) -> DatabaseStore:
        return DatabaseStore("default")

    def test_leaf_hashes_are_computed_from_the_leaves_not_stored(
        self, store: DatabaseStore
    ) -> None:
        Ledger(store).append([event(i) for i in range(9)])
        with connection.cursor() as cursor:
            cursor.execute("SELECT level, count(*) FROM ledger_node GROUP BY level ORDER BY level")
            assert cursor.fetchall() == [(1, 4), (2, 2), (3, 1)]

    def test_a_bulk_append_larger_than_one_statement_can_bind(self, store: DatabaseStore) -> None:
        # 9,000 events: some 90,000 values, more than PostgreSQL binds to one statement.
        ledger = Ledger(store)
        ledger.append([event(i) for i in range(3)])
        envelopes = ledger.append([event(i) for i in range(3, 9003)])
        assert [e.seq for e in envelopes] == list(range(3, 9003))
        assert store.head() == (9003, reference_root(store.read_leaves(0, 9003)))
        assert ledger.append([event(9003)])[0].seq == 9003

    def test_postgresql_plans_the_append_once_per_connection(self, store: DatabaseStore) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("prepared statements are a PostgreSQL matter")
        ledger = Ledger(store)
        for i in range(16):  # half of them complete no subtree: one shape, run 8 times
            ledger.append([event(i)])
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any(statement.startswith("WITH head AS (UPDATE") for statement in prepared)

    def test_stray_rows_written_in_sql_are_streamed_as_stored(self, store: DatabaseStore) -> None:
        Ledger(store).append([event(i) for i in range(3)])
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_payload (seq, salt, body) VALUES (%s, %s, %s)",
                [7, b"\x00" * 32, b"{}"],
            )
            cursor.execute(
                'INSERT INTO ledger_node (level, "index", hash) VALUES (0, 5, %s)', [b"\x01" * 32]
            )
        assert store.orphan_payloads() == [7]
        assert store.read_level(0) == [(5, b"\x01" * 32)]
        assert store.coordinates_above(0) == [(1, 0)]
