from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from partnercore.billing import UsageRecord, UsageTotals, aggregate_usage
from partnercore.memory import (
    InMemoryBillingAccounts,
    InMemoryInvoices,
    InMemoryPriceBooks,
    InMemoryUsage,
    InMemoryUsageTotals,
)
from partnercore.testing import (
    BillingAccountRepositoryContract,
    InvoiceRepositoryContract,
    PriceBookRepositoryContract,
    UsageRepositoryContract,
    UsageTotalsContract,
)
from partnercore.time import BillingPeriod


class TestInMemoryPriceBooks(PriceBookRepositoryContract):
    @pytest.fixture
    def price_books(self) -> InMemoryPriceBooks:
        return InMemoryPriceBooks()


class TestInMemoryBillingAccounts(BillingAccountRepositoryContract):
    @pytest.fixture
    def accounts(self) -> InMemoryBillingAccounts:
        return InMemoryBillingAccounts()


class TestInMemoryUsage(UsageRepositoryContract):
    @pytest.fixture
    def usage(self) -> InMemoryUsage:
        return InMemoryUsage()


class TestInMemoryUsageTotals(UsageTotalsContract):
    """Totals aggregated elsewhere (here by ``aggregate_usage``) and served as given."""

    @pytest.fixture
    def usage_source(self) -> Callable[[Sequence[UsageRecord]], UsageTotals]:
        def load(records: Sequence[UsageRecord]) -> UsageTotals:
            periods = {
                BillingPeriod.containing(record.at, zone)
                for record in records
                for zone in ("UTC", "Europe/Paris")
            }
            return InMemoryUsageTotals(
                total for period in periods for total in aggregate_usage(records, period)
            )

        return load


class TestInMemoryInvoices(InvoiceRepositoryContract):
    @pytest.fixture
    def invoices(self) -> InMemoryInvoices:
        return InMemoryInvoices()
