"""The in-memory store passes the store contract."""

from __future__ import annotations

import pytest

from tests.unit.ledger.store_contract import LedgerStoreContract
from tocsin.ledger import MemoryStore


class TestMemoryStore(LedgerStoreContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()
