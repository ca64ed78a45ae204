"""In-memory billing stores: price books, billing accounts, usage and finalised invoices."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter

import attrs

from partnercore._errors import ConflictError, NotFoundError
from partnercore._fields import check_instance
from partnercore.billing import (
    BillingAccount,
    Invoice,
    PriceBook,
    UsageRecord,
    UsageTotal,
)
from partnercore.billing._usage import summed_total
from partnercore.memory._journal import Journal
from partnercore.memory._tenancy import team_ids_of
from partnercore.money import DECIMAL_CONTEXT  # sums never run in the caller's context
from partnercore.time import BillingPeriod

__all__ = [
    "InMemoryBillingAccounts",
    "InMemoryInvoices",
    "InMemoryPriceBooks",
    "InMemoryUsage",
    "InMemoryUsageTotals",
]


class InMemoryPriceBooks:
    """Price books in a dict by id."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._books: dict[str, PriceBook] = {}

    def get(self, price_book_id: str) -> PriceBook:
        book = self.find(price_book_id)
        if book is None:
            raise NotFoundError("price book", str(price_book_id))
        return book

    def find(self, price_book_id: str) -> PriceBook | None:
        return self._books.get(price_book_id) if isinstance(price_book_id, str) else None

    def add(self, price_book: PriceBook) -> None:
        check_instance(price_book, PriceBook, "price_book")
        if price_book.id in self._books:
            raise ConflictError(
                f"price book {price_book.id!r} already exists", kind="price book", id=price_book.id
            )
        self._journal.keep(self._books, price_book.id)
        self._books[price_book.id] = price_book

    def save(self, price_book: PriceBook) -> None:
        check_instance(price_book, PriceBook, "price_book")
        self.get(price_book.id)
        self._journal.keep(self._books, price_book.id)
        self._books[price_book.id] = price_book

    def __len__(self) -> int:
        return len(self._books)


class InMemoryBillingAccounts:
    """Billing accounts in a dict by partner id."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._accounts: dict[str, BillingAccount] = {}

    def get(self, partner_id: str) -> BillingAccount:
        account = self.find(partner_id)
        if account is None:
            raise NotFoundError("billing account", str(partner_id))
        return account

    def find(self, partner_id: str) -> BillingAccount | None:
        return self._accounts.get(partner_id) if isinstance(partner_id, str) else None

    def add(self, account: BillingAccount) -> None:
        check_instance(account, BillingAccount, "account")
        if account.partner_id in self._accounts:
            raise ConflictError(
                f"partner {account.partner_id!r} already has a billing account",
                kind="billing account",
                id=account.partner_id,
            )
        self._journal.keep(self._accounts, account.partner_id)
        self._accounts[account.partner_id] = account

    def save(self, account: BillingAccount) -> None:
        check_instance(account, BillingAccount, "account")
        self.get(account.partner_id)
        self._journal.keep(self._accounts, account.partner_id)
        self._accounts[account.partner_id] = account

    def for_partners(self, partner_ids: Collection[str]) -> dict[str, BillingAccount]:
        accounts = self._accounts
        return {
            partner_id: accounts[partner_id]
            for partner_id in team_ids_of(partner_ids, "partner_ids")
            if partner_id in accounts
        }

    def __len__(self) -> int:
        return len(self._accounts)


#: (instant in UTC, metric, quantity): a whole, non-negative quantity written without
#: decimals (``Decimal("7")``) is kept as the integer 7, so that summing such quantities is
#: integer addition; any other (``7.0``, ``0.5``, ``-0``) stays the Decimal it was.
_Entry = tuple[datetime, str, Decimal | int]

_at = itemgetter(0)


def _client_keys(client_ids: Collection[str]) -> list[str]:
    """The distinct client ids to total, sorted (anything but a string is nobody's id)."""
    check_instance(client_ids, Collection, "client_ids")  # type: ignore[type-abstract]
    return sorted({client_id for client_id in client_ids if isinstance(client_id, str)})


def _stored(quantity: Decimal) -> Decimal | int:
    """``quantity`` as kept in an entry (see ``_Entry``)."""
    sign, _, exponent = quantity.as_tuple()
    return int(quantity) if exponent == 0 and not sign else quantity


def _quantity(stored: Decimal | int) -> Decimal:
    """The Decimal an entry's quantity was given as (``Decimal(7)`` is ``Decimal("7")``)."""
    return stored if stored.__class__ is Decimal else Decimal(stored)


def _sums(entries: list[_Entry]) -> dict[str, Decimal | int]:
    """The quantity per metric of ``entries``, summed exactly in the library's context.

    Integers add as integers: equal to the Decimal sum, exponent included, since every
    integer stands for a Decimal with exponent 0 (and no sum comes near 100 digits).
    """
    sums: dict[str, Decimal | int] = {}
    for _, metric, quantity in entries:
        known = sums.get(metric)
        if known is None:
            sums[metric] = quantity
        elif known.__class__ is int and quantity.__class__ is int:
            sums[metric] = known + quantity
        else:
            sums[metric] = DECIMAL_CONTEXT.add(known, quantity)
    return sums


class InMemoryUsage:
    """Raw usage records per client, aggregated on demand into totals per period.

    Each client's records are kept sorted by instant (sorted lazily after additions), so a
    period's totals read only that period's records.
    """

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._entries: dict[str, list[_Entry]] = defaultdict(list)
        self._unsorted: set[str] = set()
        self._count = 0
        self._removal = self._journal.register(self._remove)  # undo records of plain values

    def add(self, record: UsageRecord) -> None:
        check_instance(record, UsageRecord, "record")
        entry = (record.at, record.metric, _stored(record.quantity))
        self._entries[record.client_id].append(entry)
        self._unsorted.add(record.client_id)
        self._count += 1
        if self._journal.open:
            self._journal.undo_with(self._removal, record.client_id, entry)

    def _remove(self, client_id: str, entry: _Entry) -> None:
        entries = self._entries[client_id]
        del entries[len(entries) - 1 - entries[::-1].index(entry)]  # the last one added
        self._count -= 1

    def extend(self, records: Iterable[UsageRecord]) -> None:
        """Add many records."""
        for record in records:
            self.add(record)

    def _sorted(self, client_id: str) -> list[_Entry]:
        entries = self._entries.get(client_id)
        if entries is None:
            return []
        if client_id in self._unsorted:
            entries.sort(key=_at)
            self._unsorted.discard(client_id)
        return entries

    def totals(self, period: BillingPeriod, client_ids: Collection[str]) -> list[UsageTotal]:
        check_instance(period, BillingPeriod, "period")
        # Bounds in UTC, as the entries are: comparing instants of one zone is the fast path.
        start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
        found: list[UsageTotal] = []
        for client_id in _client_keys(client_ids):
            entries = self._sorted(client_id)
            if not entries:
                continue
            first = bisect_left(entries, start, key=_at)
            sums = _sums(entries[first : bisect_left(entries, end, first, key=_at)])
            found.extend(
                summed_total(client_id, metric, period, quantity)
                for metric, quantity in sorted(sums.items())
            )
        return found

    def records(self, client_id: str) -> list[UsageRecord]:
        """The client's records, oldest first."""
        return [
            UsageRecord(client_id=client_id, metric=metric, quantity=_quantity(quantity), at=at)
            for at, metric, quantity in self._sorted(client_id)
        ]

    def __len__(self) -> int:
        return self._count


class InMemoryUsageTotals:
    """Usage totals computed elsewhere (a warehouse job, a SQL ``GROUP BY``), served as given."""

    def __init__(self, totals: Iterable[UsageTotal] = ()) -> None:
        self._totals: dict[tuple[BillingPeriod, str], dict[str, UsageTotal]] = defaultdict(dict)
        for total in totals:
            self.put(total)

    def put(self, total: UsageTotal) -> None:
        """Add ``total`` to what is known for its (period, client, metric)."""
        check_instance(total, UsageTotal, "total")
        metrics = self._totals[(total.period, total.client_id)]
        known = metrics.get(total.metric)
        if known is not None:
            total = attrs.evolve(
                total, quantity=DECIMAL_CONTEXT.add(known.quantity, total.quantity)
            )
        metrics[total.metric] = total

    def totals(self, period: BillingPeriod, client_ids: Collection[str]) -> list[UsageTotal]:
        check_instance(period, BillingPeriod, "period")
        found: list[UsageTotal] = []
        for client_id in _client_keys(client_ids):
            metrics = self._totals.get((period, client_id))
            if metrics:
                found.extend(metrics[metric] for metric in sorted(metrics))
        return found


class InMemoryInvoices:
    """Finalised invoices by id, indexed by (partner, period). Never changed once added."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._invoices: dict[str, Invoice] = {}
        self._by_partner: dict[tuple[str, str], list[str]] = defaultdict(list)

    def get(self, invoice_id: str) -> Invoice:
        invoice = self.find(invoice_id)
        if invoice is None:
            raise NotFoundError("invoice", str(invoice_id))
        return invoice

    def find(self, invoice_id: str) -> Invoice | None:
        return self._invoices.get(invoice_id) if isinstance(invoice_id, str) else None

    def add(self, invoice: Invoice) -> None:
        check_instance(invoice, Invoice, "invoice")
        if invoice.id in self._invoices:
            raise ConflictError(
                f"invoice {invoice.id!r} is already finalised", kind="invoice", id=invoice.id
            )
        self._journal.keep(self._invoices, invoice.id)
        self._journal.keep(self._by_partner, (invoice.partner_id, invoice.period))
        self._invoices[invoice.id] = invoice
        self._by_partner[(invoice.partner_id, invoice.period)].append(invoice.id)

    def for_partner(self, partner_id: str, period: str) -> list[Invoice]:
        if not (isinstance(partner_id, str) and isinstance(period, str)):
            return []
        ids = self._by_partner.get((partner_id, period), [])
        return [self._invoices[invoice_id] for invoice_id in sorted(ids)]

    def for_partners(self, partner_ids: Collection[str], period: str) -> dict[str, list[Invoice]]:
        keys = team_ids_of(partner_ids, "partner_ids")
        if not isinstance(period, str):
            return {}
        found: dict[str, list[Invoice]] = {}
        for partner_id in keys:
            ids = self._by_partner.get((partner_id, period))
            if ids:
                found[partner_id] = [self._invoices[invoice_id] for invoice_id in sorted(ids)]
        return found

    def __len__(self) -> int:
        return len(self._invoices)
