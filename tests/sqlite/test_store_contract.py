"""The store contract (units of work, events) on SQLite, with a second connection to the
same file as ``other_store``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partnercore.sqlite import SqliteStore
from partnercore.testing import StoreContract


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def path(self, tmp_path: Path) -> Path:
        return tmp_path / "store.db"

    @pytest.fixture
    def store(self, path: Path) -> Iterator[SqliteStore]:
        with SqliteStore(path, synchronous="normal") as opened:
            yield opened

    @pytest.fixture
    def other_store(self, store: SqliteStore, path: Path) -> Iterator[SqliteStore]:
        with SqliteStore(path, synchronous="normal") as opened:
            yield opened
