from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partnercore.billing import (
    BillingAccountRepository,
    InvoiceRepository,
    PriceBookRepository,
    UsageRepository,
)
from partnercore.sqlite import SqliteStore
from partnercore.testing import (
    BillingAccountRepositoryContract,
    InvoiceRepositoryContract,
    PriceBookRepositoryContract,
    UsageRepositoryContract,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "store.db") as opened:
        yield opened


class TestSqlitePriceBooks(PriceBookRepositoryContract):
    @pytest.fixture
    def price_books(self, store: SqliteStore) -> PriceBookRepository:
        return store.price_books


class TestSqliteBillingAccounts(BillingAccountRepositoryContract):
    @pytest.fixture
    def accounts(self, store: SqliteStore) -> BillingAccountRepository:
        return store.accounts


class TestSqliteUsage(UsageRepositoryContract):
    @pytest.fixture
    def usage(self, store: SqliteStore) -> UsageRepository:
        return store.usage


class TestSqliteInvoices(InvoiceRepositoryContract):
    @pytest.fixture
    def invoices(self, store: SqliteStore) -> InvoiceRepository:
        return store.invoices
