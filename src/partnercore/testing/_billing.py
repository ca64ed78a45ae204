"""The contracts every billing port must honour: price books, accounts, usage, invoices."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from partnercore._errors import ConflictError, NotFoundError
from partnercore.billing import (
    BillingAccount,
    BillingAccountRepository,
    ClientBillingInput,
    ContentCharge,
    Invoice,
    InvoiceRepository,
    LateUsage,
    PartnerBillingInput,
    PriceBook,
    PriceBookRepository,
    SeatHolding,
    UsageRecord,
    UsageRepository,
    UsageTotal,
    UsageTotals,
    calculate_run,
)
from partnercore.money import Money
from partnercore.testing._hostile import (
    NOT_RECORDS,
    ODD_KEYS,
    answers,
    hostile_decimal_context,
    label,
)
from partnercore.time import BillingPeriod, Span

__all__ = [
    "BillingAccountRepositoryContract",
    "InvoiceRepositoryContract",
    "PriceBookRepositoryContract",
    "UsageRepositoryContract",
    "UsageTotalsContract",
]

_PARIS = ZoneInfo("Europe/Paris")


def _book(id: str = "standard", fee: str = "400.00") -> PriceBook:
    return PriceBook.of(
        id,
        "KWD",
        advisor_monthly_fee="15.000",
        full_license_monthly_fee=fee,
        usage={"assessments": "1.250", "api_calls": "0.00125"},
        rounding="half_even",
        seat_policy="prorated_daily",
        proration="exact",
        referral_base="usage_only",
        referral_settlement="net_on_invoice",
        content_revenue_share="0.70",
    )


def _record(client: str, metric: str, quantity: object, at: datetime) -> UsageRecord:
    return UsageRecord(client_id=client, metric=metric, quantity=quantity, at=at)


def _refused(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "raises ValidationError" for value in values}


def _lookups_find_nothing() -> tuple[dict[str, str], dict[str, str]]:
    """What ``find`` and ``get`` answer for every odd key: None and NotFoundError."""
    return (
        {label(key): "None" for key in ODD_KEYS},
        {label(key): "raises NotFoundError" for key in ODD_KEYS},
    )


def _rich_invoices() -> list[Invoice]:
    """Invoices using every kind of line and field: shares, adjustments, content, credits."""
    october = BillingPeriod(2025, 10, "Europe/Paris")
    start = datetime(2025, 1, 1, tzinfo=UTC)

    def client(cid: str, model: str) -> ClientBillingInput:
        return ClientBillingInput(
            client_id=cid,
            billing_model=model,
            full_intervals=[Span(datetime(2025, 10, 26, tzinfo=_PARIS))],
            usage=[
                UsageTotal(client_id=cid, metric="api_calls", period=october, quantity="12345.5")
            ],
            late_usage=[
                LateUsage(
                    client_id=cid, metric="assessments", original_period="2025-09", quantity=3
                )
            ],
            content=[
                ContentCharge(
                    client_id=cid,
                    item_id="acme-gap",
                    owner_id="acme",
                    amount=Money("2.5005", "KWD"),
                    description="Gap assessment (monthly)",
                )
            ],
        )

    partner = PartnerBillingInput(
        partner_id="acme",
        price_book=_book(),
        referral_rate="0.125",
        timezone="Europe/Paris",
        seats=[
            SeatHolding("alice", start),
            SeatHolding("bob", start, datetime(2025, 10, 3, 12, tzinfo=UTC)),
        ],
        clients=[client("c1", "reseller"), client("c2", "non_reseller")],
    )
    return list(calculate_run(october, [partner]).invoices)


class PriceBookRepositoryContract:
    """Subclass and override the ``price_books`` fixture with an empty store."""

    @pytest.fixture
    def price_books(self) -> PriceBookRepository:
        raise NotImplementedError("provide a fixture 'price_books': an empty PriceBookRepository")

    def test_a_price_book_comes_back_exactly_as_it_was_added(
        self, price_books: PriceBookRepository
    ) -> None:
        price_books.add(_book())
        assert _book() == price_books.get("standard")
        assert _book() == price_books.find("standard")

    def test_an_unknown_price_book_is_not_found(self, price_books: PriceBookRepository) -> None:
        assert None is price_books.find("missing")
        with pytest.raises(NotFoundError):
            price_books.get("missing")

    def test_adding_a_taken_id_is_a_conflict_and_keeps_the_first(
        self, price_books: PriceBookRepository
    ) -> None:
        price_books.add(_book())
        with pytest.raises(ConflictError):
            price_books.add(_book(fee="1.000"))
        assert _book() == price_books.get("standard")

    def test_saving_replaces_a_stored_price_book(self, price_books: PriceBookRepository) -> None:
        price_books.add(_book())
        price_books.save(_book(fee="1.000"))
        assert _book(fee="1.000") == price_books.get("standard")

    def test_saving_an_unknown_price_book_is_not_found(
        self, price_books: PriceBookRepository
    ) -> None:
        with pytest.raises(NotFoundError):
            price_books.save(_book())

    def test_writing_anything_but_a_price_book_is_a_validation_error_and_changes_nothing(
        self, price_books: PriceBookRepository
    ) -> None:
        price_books.add(_book())
        wrong = (*NOT_RECORDS, BillingAccount("standard", "standard", "0.20"))
        assert (_refused(wrong), _refused(wrong), _book()) == (
            answers(price_books.add, wrong),
            answers(price_books.save, wrong),
            price_books.get("standard"),
        )

    def test_a_key_no_price_book_can_have_finds_nothing(
        self, price_books: PriceBookRepository
    ) -> None:
        price_books.add(_book("p1"))
        assert _lookups_find_nothing() == (
            answers(price_books.find, ODD_KEYS),
            answers(price_books.get, ODD_KEYS),
        )

    def test_a_price_book_comes_back_exactly_whatever_the_callers_decimal_context(
        self, price_books: PriceBookRepository
    ) -> None:
        with decimal.localcontext(hostile_decimal_context()):
            price_books.add(_book(fee="123456.789"))
            price_books.save(_book(fee="98765.4321"))
            loaded = price_books.get("standard")
        assert _book(fee="98765.4321") == loaded


class BillingAccountRepositoryContract:
    """Subclass and override the ``accounts`` fixture with an empty store."""

    @pytest.fixture
    def accounts(self) -> BillingAccountRepository:
        raise NotImplementedError("provide a fixture 'accounts': an empty BillingAccountRepository")

    def test_an_account_comes_back_exactly_as_it_was_added(
        self, accounts: BillingAccountRepository
    ) -> None:
        accounts.add(BillingAccount("acme", "standard", "0.125"))
        assert BillingAccount("acme", "standard", Decimal("0.125")) == accounts.get("acme")
        assert "0.125" == str(accounts.get("acme").referral_rate)

    def test_an_unknown_account_is_not_found(self, accounts: BillingAccountRepository) -> None:
        assert None is accounts.find("acme")
        with pytest.raises(NotFoundError):
            accounts.get("acme")

    def test_for_partners_gives_the_accounts_of_the_partners_that_have_one_at_once(
        self, accounts: BillingAccountRepository
    ) -> None:
        accounts.add(BillingAccount("acme", "standard", "0.125"))
        accounts.add(BillingAccount("beta", "standard", "0.20"))
        accounts.save(BillingAccount("beta", "premium", "0.30"))
        found = accounts.for_partners(["beta", "nobody", "acme", "beta"])
        assert {"acme": accounts.get("acme"), "beta": accounts.get("beta")} == dict(found)
        assert ("premium", {}, {}) == (
            found["beta"].price_book_id,
            dict(accounts.for_partners([])),
            dict(accounts.for_partners(list(ODD_KEYS))),  # type: ignore[arg-type]
        )
        refused = {label(value): "raises ValidationError" for value in ("acme", b"acme", None, 7)}
        assert refused == answers(accounts.for_partners, ("acme", b"acme", None, 7))

    def test_a_second_account_for_a_partner_is_a_conflict(
        self, accounts: BillingAccountRepository
    ) -> None:
        accounts.add(BillingAccount("acme", "standard", "0.20"))
        with pytest.raises(ConflictError):
            accounts.add(BillingAccount("acme", "premium", "0.30"))
        assert "standard" == accounts.get("acme").price_book_id

    def test_saving_replaces_the_account(self, accounts: BillingAccountRepository) -> None:
        accounts.add(BillingAccount("acme", "standard", "0.20"))
        accounts.save(BillingAccount("acme", "premium", "0.30"))
        assert BillingAccount("acme", "premium", "0.30") == accounts.get("acme")

    def test_saving_an_unknown_account_is_not_found(
        self, accounts: BillingAccountRepository
    ) -> None:
        with pytest.raises(NotFoundError):
            accounts.save(BillingAccount("acme", "standard", "0.20"))

    def test_writing_anything_but_an_account_is_a_validation_error_and_changes_nothing(
        self, accounts: BillingAccountRepository
    ) -> None:
        account = BillingAccount("acme", "standard", "0.20")
        accounts.add(account)
        wrong = (*NOT_RECORDS, _book("acme"))
        assert (_refused(wrong), _refused(wrong), account) == (
            answers(accounts.add, wrong),
            answers(accounts.save, wrong),
            accounts.get("acme"),
        )

    def test_a_key_no_account_can_have_finds_nothing(
        self, accounts: BillingAccountRepository
    ) -> None:
        accounts.add(BillingAccount("p1", "standard", "0.20"))
        assert _lookups_find_nothing() == (
            answers(accounts.find, ODD_KEYS),
            answers(accounts.get, ODD_KEYS),
        )


UsageSource = Callable[[Sequence[UsageRecord]], UsageTotals]


class UsageTotalsContract:
    """Subclass and override ``usage_source``: a function that takes usage records and
    returns a ``UsageTotals`` holding exactly them (however the host stores raw usage)."""

    @pytest.fixture
    def usage_source(self) -> UsageSource:
        raise NotImplementedError(
            "provide a fixture 'usage_source': records -> a UsageTotals holding them"
        )

    def test_totals_sum_quantities_per_client_and_metric_sorted(
        self, usage_source: UsageSource
    ) -> None:
        at = datetime(2025, 11, 5, 10, tzinfo=UTC)
        usage = usage_source(
            [
                _record("c2", "assessments", 1, at),
                _record("c1", "reports", 2, at),
                _record("c1", "assessments", 3, at),
                _record("c1", "assessments", "0.5", at),
            ]
        )
        november = BillingPeriod(2025, 11)
        assert [
            UsageTotal(client_id="c1", metric="assessments", period=november, quantity="3.5"),
            UsageTotal(client_id="c1", metric="reports", period=november, quantity=2),
            UsageTotal(client_id="c2", metric="assessments", period=november, quantity=1),
        ] == usage.totals(november, ["c2", "c1"])

    def test_totals_cover_only_the_given_clients(self, usage_source: UsageSource) -> None:
        at = datetime(2025, 11, 5, tzinfo=UTC)
        usage = usage_source([_record("c1", "a", 1, at), _record("c2", "a", 1, at)])
        assert ["c2"] == [t.client_id for t in usage.totals(BillingPeriod(2025, 11), ["c2"])]
        assert [] == usage.totals(BillingPeriod(2025, 11), [])

    def test_the_period_is_half_open_in_its_own_time_zone(self, usage_source: UsageSource) -> None:
        november = BillingPeriod(2025, 11, "Europe/Paris")
        usage = usage_source(
            [
                _record("c1", "a", 1, november.start),  # the first instant: in
                _record("c1", "a", 10, november.end),  # the next period's first instant: out
                _record("c1", "a", 100, datetime(2025, 10, 31, 23, 30, tzinfo=UTC)),  # in
                _record("c1", "a", 1000, datetime(2025, 10, 31, 22, 59, tzinfo=UTC)),  # October
            ]
        )
        [total] = usage.totals(november, ["c1"])
        assert (Decimal(101), november) == (total.quantity, total.period)
        [utc] = usage.totals(BillingPeriod(2025, 10), ["c1"])
        assert Decimal(1101) == utc.quantity

    def test_a_client_without_usage_in_the_period_has_no_total(
        self, usage_source: UsageSource
    ) -> None:
        usage = usage_source([_record("c1", "a", 1, datetime(2025, 12, 1, tzinfo=UTC))])
        assert [] == usage.totals(BillingPeriod(2025, 11), ["c1", "c9"])

    def test_totals_are_exact_whatever_the_callers_decimal_context(
        self, usage_source: UsageSource
    ) -> None:
        # A host that lowered the precision, rounds down and traps any rounding: the sums
        # are still exact (and nothing traps), as in the default context.
        at = datetime(2025, 11, 5, tzinfo=UTC)
        records = [
            _record("c1", "a", 123456, at),
            _record("c1", "a", "1.5", at),
            _record("c2", "b", "999999999999999999999", at),
            _record("c2", "b", "1E-7", at),
            _record("c3", "c", "0.1", at),
            _record("c3", "c", "0.2", at),
            _record("c3", "c", "99999.99999", at),
        ]
        with decimal.localcontext(hostile_decimal_context()):
            usage = usage_source(records)
            totals = usage.totals(BillingPeriod(2025, 11), ["c1", "c2", "c3"])
        assert [
            ("c1", Decimal("123457.5")),
            ("c2", Decimal("999999999999999999999.0000001")),
            ("c3", Decimal("100000.29999")),
        ] == [(total.client_id, total.quantity) for total in totals]

    def test_clients_no_usage_can_have_find_nothing(self, usage_source: UsageSource) -> None:
        at = datetime(2025, 11, 5, tzinfo=UTC)
        usage = usage_source([_record("p1", "a", 1, at)])
        november = BillingPeriod(2025, 11)
        assert ({label(key): "nothing" for key in ODD_KEYS}, []) == (
            answers(lambda key: usage.totals(november, [key]), ODD_KEYS),
            usage.totals(november, list(ODD_KEYS)),  # type: ignore[arg-type]
        )

    def test_totals_of_anything_but_a_period_and_client_ids_are_a_validation_error(
        self, usage_source: UsageSource
    ) -> None:
        usage = usage_source([_record("c1", "a", 1, datetime(2025, 11, 5, tzinfo=UTC))])
        november = BillingPeriod(2025, 11)
        not_periods = (None, "2025-11", datetime(2025, 11, 1, tzinfo=UTC), 202511)
        not_collections = (None, 7, object())
        assert (_refused(not_periods), _refused(not_collections)) == (
            answers(usage.totals, not_periods, ["c1"]),
            answers(usage.totals, not_collections, november, last=True),
        )


class UsageRepositoryContract(UsageTotalsContract):
    """Subclass and override the ``usage`` fixture with an empty ``UsageRepository``."""

    @pytest.fixture
    def usage(self) -> UsageRepository:
        raise NotImplementedError("provide a fixture 'usage': an empty UsageRepository")

    @pytest.fixture
    def usage_source(self, usage: UsageRepository) -> UsageSource:
        def load(records: Sequence[UsageRecord]) -> UsageTotals:
            for record in records:
                usage.add(record)
            return usage

        return load

    def test_the_same_usage_recorded_twice_counts_twice(self, usage: UsageRepository) -> None:
        record = _record("c1", "a", 2, datetime(2025, 11, 5, tzinfo=UTC))
        usage.add(record)
        usage.add(record)
        [total] = usage.totals(BillingPeriod(2025, 11), ["c1"])
        assert Decimal(4) == total.quantity

    def test_usage_added_later_for_an_earlier_period_is_counted(
        self, usage: UsageRepository
    ) -> None:
        usage.add(_record("c1", "a", 1, datetime(2025, 11, 20, tzinfo=UTC)))
        usage.totals(BillingPeriod(2025, 11), ["c1"])
        usage.add(_record("c1", "a", 2, datetime(2025, 11, 2, tzinfo=UTC)))
        [total] = usage.totals(BillingPeriod(2025, 11), ["c1"])
        assert Decimal(3) == total.quantity

    def test_adding_anything_but_a_usage_record_is_a_validation_error_and_changes_nothing(
        self, usage: UsageRepository
    ) -> None:
        november = BillingPeriod(2025, 11)
        wrong = (
            *NOT_RECORDS,
            UsageTotal(client_id="c1", metric="a", period=november, quantity=1),
        )
        assert (_refused(wrong), []) == (
            answers(usage.add, wrong),
            usage.totals(november, ["c1"]),
        )


class InvoiceRepositoryContract:
    """Subclass and override the ``invoices`` fixture with an empty store."""

    @pytest.fixture
    def invoices(self) -> InvoiceRepository:
        raise NotImplementedError("provide a fixture 'invoices': an empty InvoiceRepository")

    def test_invoices_come_back_exactly_as_they_were_finalised(
        self, invoices: InvoiceRepository
    ) -> None:
        rich = _rich_invoices()
        for invoice in rich:
            invoices.add(invoice)
        for invoice in rich:
            assert invoice == invoices.get(invoice.id)
            assert invoice.to_dict() == invoices.get(invoice.id).to_dict()

    def test_a_partners_invoices_of_a_period_are_listed_by_id(
        self, invoices: InvoiceRepository
    ) -> None:
        rich = _rich_invoices()
        for invoice in reversed(rich):
            invoices.add(invoice)
        assert sorted(rich, key=lambda i: i.id) == invoices.for_partner("acme", "2025-10")
        assert [] == invoices.for_partner("acme", "2025-11")
        assert [] == invoices.for_partner("beta", "2025-10")

    def test_for_partners_gives_each_partners_invoices_as_for_partner_does_at_once(
        self, invoices: InvoiceRepository
    ) -> None:
        rich = _rich_invoices()
        for invoice in reversed(rich):
            invoices.add(invoice)
        found = invoices.for_partners(["beta", "acme", "nobody", "acme"], "2025-10")
        assert {"acme": invoices.for_partner("acme", "2025-10")} == {
            partner_id: list(listed) for partner_id, listed in found.items()
        }
        assert ({}, {}, {}, {}) == (
            dict(invoices.for_partners(["acme"], "2025-11")),
            dict(invoices.for_partners([], "2025-10")),
            dict(invoices.for_partners(list(ODD_KEYS), "2025-10")),  # type: ignore[arg-type]
            dict(invoices.for_partners(["acme"], None)),  # type: ignore[arg-type]
        )
        refused = {label(value): "raises ValidationError" for value in ("acme", b"acme", None, 7)}
        assert refused == answers(invoices.for_partners, ("acme", b"acme", None, 7), "2025-10")

    def test_an_unknown_invoice_is_not_found(self, invoices: InvoiceRepository) -> None:
        assert None is invoices.find("inv-acme-2025-10")
        with pytest.raises(NotFoundError):
            invoices.get("inv-acme-2025-10")

    def test_a_finalised_invoice_is_never_replaced(self, invoices: InvoiceRepository) -> None:
        first = _rich_invoices()[0]
        invoices.add(first)
        with pytest.raises(ConflictError):
            invoices.add(first)
        assert first == invoices.get(first.id)
        assert [first] == invoices.for_partner("acme", "2025-10")

    def test_adding_anything_but_an_invoice_is_a_validation_error_and_changes_nothing(
        self, invoices: InvoiceRepository
    ) -> None:
        wrong = (*NOT_RECORDS, _book("inv-acme-2025-10"))
        assert (_refused(wrong), []) == (
            answers(invoices.add, wrong),
            invoices.for_partner("acme", "2025-10"),
        )

    def test_a_key_no_invoice_can_have_finds_nothing(self, invoices: InvoiceRepository) -> None:
        for invoice in _rich_invoices():
            invoices.add(invoice)
        nothing = {label(key): "nothing" for key in ODD_KEYS}
        assert (*_lookups_find_nothing(), nothing, nothing) == (
            answers(invoices.find, ODD_KEYS),
            answers(invoices.get, ODD_KEYS),
            answers(invoices.for_partner, ODD_KEYS, "2025-10"),
            answers(invoices.for_partner, ODD_KEYS, "acme", last=True),
        )

    def test_invoices_come_back_exactly_whatever_the_callers_decimal_context(
        self, invoices: InvoiceRepository
    ) -> None:
        rich = _rich_invoices()
        with decimal.localcontext(hostile_decimal_context()):
            for invoice in rich:
                invoices.add(invoice)
            loaded = [invoices.get(invoice.id) for invoice in rich]
            listed = invoices.for_partner("acme", "2025-10")
        assert (rich, sorted(rich, key=lambda invoice: invoice.id)) == (loaded, listed)
