"""The versioned aggregates' contracts with a genuine second connection: two ``SqliteStore``s
open on one file, as two processes would have them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partnercore.content import ContentItemRepository, TemplateRepository
from partnercore.licensing import LicenseRepository
from partnercore.sqlite import SqliteStore
from partnercore.testing import (
    ContentItemRepositoryContract,
    LicenseRepositoryContract,
    TemplateRepositoryContract,
)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[SqliteStore, SqliteStore]]:
    with SqliteStore(tmp_path / "store.db") as one, SqliteStore(tmp_path / "store.db") as two:
        yield one, two


class TestSqliteLicensesOnTwoConnections(LicenseRepositoryContract):
    @pytest.fixture
    def licenses(self, stores: tuple[SqliteStore, SqliteStore]) -> LicenseRepository:
        return stores[0].licenses

    @pytest.fixture
    def other_licenses(self, stores: tuple[SqliteStore, SqliteStore]) -> LicenseRepository:
        return stores[1].licenses


class TestSqliteContentItemsOnTwoConnections(ContentItemRepositoryContract):
    @pytest.fixture
    def items(self, stores: tuple[SqliteStore, SqliteStore]) -> ContentItemRepository:
        return stores[0].items

    @pytest.fixture
    def other_items(self, stores: tuple[SqliteStore, SqliteStore]) -> ContentItemRepository:
        return stores[1].items


class TestSqliteTemplatesOnTwoConnections(TemplateRepositoryContract):
    @pytest.fixture
    def templates(self, stores: tuple[SqliteStore, SqliteStore]) -> TemplateRepository:
        return stores[0].templates

    @pytest.fixture
    def other_templates(self, stores: tuple[SqliteStore, SqliteStore]) -> TemplateRepository:
        return stores[1].templates
