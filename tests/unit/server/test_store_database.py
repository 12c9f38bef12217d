"""The database store passes the same contract as the in-memory store, on SQLite or PostgreSQL."""

from __future__ import annotations

import pytest

from tests.unit.ledger.store_contract import LedgerStoreContract
from tocsin.server.ledger.store import DatabaseStore

pytestmark = pytest.mark.django_db


class TestDatabaseStore(LedgerStoreContract):
    @pytest.fixture
    def store(self) -> DatabaseStore:
        return DatabaseStore("default")
