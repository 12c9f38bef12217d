"""The database store passes the same contract as the in-memory store, on SQLite or PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.unit.ledger.store_contract import LedgerStoreContract, event
from tocsin.ledger import Ledger
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
