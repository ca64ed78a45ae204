from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnercore import ValidationError
from partnercore.billing import (
    BillingStore,
    UsageRecord,
    UsageTotal,
    UsageTotals,
    aggregate_usage,
)
from partnercore.memory import InMemoryStore, InMemoryUsage, InMemoryUsageTotals
from partnercore.memory._billing import (
    InMemoryBillingAccounts,
    InMemoryInvoices,
    InMemoryPriceBooks,
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

    def test_records_come_back_oldest_first(self, usage: InMemoryUsage) -> None:
        late, early = (
            UsageRecord(
                client_id="c1", metric="a", quantity=q, at=datetime(2025, 11, d, tzinfo=UTC)
            )
            for q, d in ((1, 20), (2, 3))
        )
        usage.extend([late, early])
        assert [early, late] == usage.records("c1")
        assert 2 == len(usage)
        assert [] == usage.records("c9")

    def test_anything_but_a_usage_record_is_rejected(self, usage: InMemoryUsage) -> None:
        with pytest.raises(ValidationError, match="record"):
            usage.add("3 assessments")  # type: ignore[arg-type]


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

    def test_totals_given_twice_for_one_metric_are_added(self) -> None:
        november = BillingPeriod(2025, 11)
        total = UsageTotal(client_id="c1", metric="a", period=november, quantity=2)
        [both] = InMemoryUsageTotals([total, total]).totals(november, ["c1"])
        assert Decimal(4) == both.quantity


def test_the_in_memory_store_is_a_billing_store_with_its_repositories() -> None:
    store: BillingStore = InMemoryStore()
    assert (InMemoryPriceBooks, InMemoryBillingAccounts, InMemoryUsage, InMemoryInvoices) == (
        type(store.price_books),
        type(store.accounts),
        type(store.usage),
        type(store.invoices),
    )


class TestInMemoryInvoices(InvoiceRepositoryContract):
    @pytest.fixture
    def invoices(self) -> InMemoryInvoices:
        return InMemoryInvoices()
