"""The billing repositories on PostgreSQL: price books, billing accounts, usage, invoices.

Usage quantities are ``numeric``: the server sums each (client, metric) of a period in one
``GROUP BY`` over a covering index, exactly, and the sum keeps the largest scale of its terms,
as ``Decimal`` addition keeps the smallest exponent (``2.50 + 1`` is ``3.50``). ``numeric``
has no positive exponent, so a quantity written ``1E+2`` also keeps its exponent in ``shift``
(``max(0, exponent)``): a total whose every term had a positive exponent is given the
smallest of them again, as a ``Decimal`` sum would have it (``1E+2 + 3E+2`` is ``4E+2``).
Decimals are read back from the server's text, which involves no decimal context; the one
``Decimal`` operation in Python (restoring a positive exponent) runs in the library's own
context (that of :mod:`partnercore.money`), never the caller's.

Each usage record carries its client's current partner (the distribution key); a large batch
looks it up once per client and is written with ``COPY``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from decimal import Decimal

from partnercore._errors import ConflictError, NotFoundError, ValidationError
from partnercore._fields import check_instance
from partnercore.billing import (
    BillingAccount,
    Invoice,
    PriceBook,
    UsageRecord,
    UsageTotal,
)
from partnercore.money import DECIMAL_CONTEXT as DECIMAL
from partnercore.postgres._database import Database, ids_of, is_key
from partnercore.postgres._tenancy import PARTNER_OF
from partnercore.time import BillingPeriod

__all__ = [
    "PostgresBillingAccounts",
    "PostgresInvoices",
    "PostgresPriceBooks",
    "PostgresUsage",
]


def _count(db: Database, table: str) -> int:
    row = db.query_one(f"SELECT count(*) FROM {{schema}}.{table}")
    return 0 if row is None else db.integer(row[0], f"the number of {table}")


class PostgresPriceBooks:
    """Price books by id."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, price_book_id: str) -> PriceBook:
        book = self.find(price_book_id)
        if book is None:
            raise NotFoundError("price book", str(price_book_id))
        return book

    def find(self, price_book_id: str) -> PriceBook | None:
        if not is_key(price_book_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.price_books WHERE id = %s", (price_book_id,)
        )
        return None if row is None else self._db.load(row[0], PriceBook)

    def add(self, price_book: PriceBook) -> None:
        check_instance(price_book, PriceBook, "price_book")
        added = self._db.execute(
            "INSERT INTO {schema}.price_books (id, record) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (price_book.id, self._db.dump(price_book)),
        )
        if added == 0:
            raise ConflictError(
                f"price book {price_book.id!r} already exists",
                kind="price book",
                id=price_book.id,
            )

    def save(self, price_book: PriceBook) -> None:
        check_instance(price_book, PriceBook, "price_book")
        changed = self._db.execute(
            "UPDATE {schema}.price_books SET record = %s WHERE id = %s",
            (self._db.dump(price_book), price_book.id),
        )
        if changed == 0:
            raise NotFoundError("price book", price_book.id)

    def __len__(self) -> int:
        return _count(self._db, "price_books")

    def __repr__(self) -> str:
        return f"PostgresPriceBooks({self._db.name!r})"


class PostgresBillingAccounts:
    """Billing accounts by partner id (the distribution key)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, partner_id: str) -> BillingAccount:
        account = self.find(partner_id)
        if account is None:
            raise NotFoundError("billing account", str(partner_id))
        return account

    def find(self, partner_id: str) -> BillingAccount | None:
        if not is_key(partner_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.billing_accounts WHERE partner_id = %s", (partner_id,)
        )
        return None if row is None else self._db.load(row[0], BillingAccount)

    def for_partners(self, partner_ids: Collection[str]) -> dict[str, BillingAccount]:
        keys = ids_of(partner_ids, "partner_ids")
        if not keys:
            return {}
        rows = self._db.query(
            "SELECT partner_id, record FROM {schema}.billing_accounts WHERE partner_id = ANY(%s)",
            (keys,),
        )
        return {partner_id: self._db.load(record, BillingAccount) for partner_id, record in rows}

    def add(self, account: BillingAccount) -> None:
        check_instance(account, BillingAccount, "account")
        added = self._db.execute(
            "INSERT INTO {schema}.billing_accounts (partner_id, price_book_id, record)"
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (account.partner_id, account.price_book_id, self._db.dump(account)),
        )
        if added == 0:
            raise ConflictError(
                f"partner {account.partner_id!r} already has a billing account",
                kind="billing account",
                id=account.partner_id,
            )

    def save(self, account: BillingAccount) -> None:
        check_instance(account, BillingAccount, "account")
        changed = self._db.execute(
            "UPDATE {schema}.billing_accounts SET price_book_id = %s, record = %s"
            " WHERE partner_id = %s",
            (account.price_book_id, self._db.dump(account), account.partner_id),
        )
        if changed == 0:
            raise NotFoundError("billing account", account.partner_id)

    def __len__(self) -> int:
        return _count(self._db, "billing_accounts")

    def __repr__(self) -> str:
        return f"PostgresBillingAccounts({self._db.name!r})"


_TOTALS = (
    "SELECT client_id, metric, sum(quantity), min(shift) FROM {schema}.usage_records"
    " WHERE client_id = ANY(%s) AND at >= %s AND at < %s"
    " GROUP BY client_id, metric ORDER BY client_id, metric"
)

_PARTNERS = (
    "SELECT c.id, coalesce(t.partner_id, c.id)"
    " FROM unnest(%s::text[]) AS c(id) LEFT JOIN {schema}.teams AS t ON t.id = c.id"
)


#: From this many records on, a batch is written with ``COPY`` (partners looked up once).
_COPY_FROM = 64


def _shift(quantity: Decimal) -> int:
    """The quantity's exponent when it is positive (``numeric`` cannot keep it), else 0."""
    exponent = quantity.as_tuple().exponent
    return exponent if isinstance(exponent, int) and exponent > 0 else 0


class PostgresUsage:
    """Raw usage records (``numeric`` quantities), summed per (client, metric, period) by the
    server."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, record: UsageRecord) -> None:
        check_instance(record, UsageRecord, "record")
        self._insert([record])

    def extend(self, records: Iterable[UsageRecord]) -> None:
        """Add many records in one unit of work (all of them, or none on error)."""
        batch = []
        for index, record in enumerate(records):
            check_instance(record, UsageRecord, f"records[{index}]")
            batch.append(record)
        self._insert(batch)

    def _insert(self, batch: list[UsageRecord]) -> None:
        if not batch:
            return
        if len(batch) < _COPY_FROM:  # a few records: one round trip, no COPY to set up
            self._db.execute_many(
                "INSERT INTO {schema}.usage_records"
                " (partner_id, client_id, metric, at, quantity, shift)"
                f" VALUES ({PARTNER_OF}, %s, %s, %s, %s, %s)",
                [
                    (
                        r.client_id,
                        r.client_id,
                        r.client_id,
                        r.metric,
                        r.at,
                        r.quantity,
                        _shift(r.quantity),
                    )
                    for r in batch
                ],
            )
            return
        with self._db.unit_of_work():
            clients = sorted({record.client_id for record in batch})
            partners: dict[str, str] = {
                str(client): str(partner)
                for client, partner in self._db.query(_PARTNERS, (clients,))
            }
            rows = (
                (
                    partners.get(record.client_id, record.client_id),
                    record.client_id,
                    record.metric,
                    record.at,
                    record.quantity,
                    _shift(record.quantity),
                )
                for record in batch
            )
            self._db.copy(
                "usage_records",
                ("partner_id", "client_id", "metric", "at", "quantity", "shift"),
                rows,
            )

    def totals(self, period: BillingPeriod, client_ids: Collection[str]) -> list[UsageTotal]:
        check_instance(period, BillingPeriod, "period")
        check_instance(client_ids, Collection, "client_ids")  # type: ignore[type-abstract]
        clients = sorted({c for c in client_ids if is_key(c)})
        if not clients:
            return []
        rows = self._db.query(_TOTALS, (clients, period.start, period.end))
        found = []
        for client, metric, quantity, shift in rows:
            try:
                total = UsageTotal(
                    client_id=client,
                    metric=metric,
                    period=period,
                    quantity=self._quantity(quantity, shift),
                )
            except ValidationError as error:
                raise self._db.damaged(f"a stored usage record is invalid: {error}") from None
            found.append(total)
        return found

    def _quantity(self, value: object, shift: object) -> Decimal:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise self._db.damaged(f"a stored usage quantity is not a number: {value!r}")
        places = self._db.integer(shift, "a stored usage exponent")
        if places <= 0:
            return value
        return DECIMAL.quantize(value, Decimal(1).scaleb(places, DECIMAL))

    def records(self, client_id: str) -> list[UsageRecord]:
        """The client's records, oldest first (ties in the order added)."""
        if not is_key(client_id):
            return []
        rows = self._db.query(
            "SELECT metric, at, quantity, shift FROM {schema}.usage_records"
            " WHERE client_id = %s ORDER BY at, seq",
            (client_id,),
        )
        found = []
        for metric, at, quantity, shift in rows:
            if not isinstance(at, datetime):
                raise self._db.damaged(f"a stored instant is not one: {at!r}")
            try:
                record = UsageRecord(
                    client_id=client_id,
                    metric=metric,
                    quantity=self._quantity(quantity, shift),
                    at=at.astimezone(UTC),
                )
            except ValidationError as error:
                raise self._db.damaged(f"a stored usage record is invalid: {error}") from None
            found.append(record)
        return found

    def __len__(self) -> int:
        return _count(self._db, "usage_records")

    def __repr__(self) -> str:
        return f"PostgresUsage({self._db.name!r})"


class PostgresInvoices:
    """Finalised invoices by id, indexed by (partner, period). Never changed once added."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, invoice_id: str) -> Invoice:
        invoice = self.find(invoice_id)
        if invoice is None:
            raise NotFoundError("invoice", str(invoice_id))
        return invoice

    def find(self, invoice_id: str) -> Invoice | None:
        if not is_key(invoice_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.invoices WHERE id = %s", (invoice_id,)
        )
        return None if row is None else self._db.load(row[0], Invoice)

    def add(self, invoice: Invoice) -> None:
        check_instance(invoice, Invoice, "invoice")
        added = self._db.execute(
            "INSERT INTO {schema}.invoices (partner_id, id, period, record)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (invoice.partner_id, invoice.id, invoice.period, self._db.dump(invoice)),
        )
        if added == 0:
            raise ConflictError(
                f"invoice {invoice.id!r} is already finalised", kind="invoice", id=invoice.id
            )

    def for_partner(self, partner_id: str, period: str) -> list[Invoice]:
        if not (is_key(partner_id) and is_key(period)):
            return []
        rows = self._db.query(
            "SELECT record FROM {schema}.invoices WHERE partner_id = %s AND period = %s"
            " ORDER BY id",
            (partner_id, period),
        )
        return [self._db.load(row[0], Invoice) for row in rows]

    def for_partners(self, partner_ids: Collection[str], period: str) -> dict[str, list[Invoice]]:
        keys = ids_of(partner_ids, "partner_ids")
        if not (keys and is_key(period)):
            return {}
        rows = self._db.query(
            "SELECT partner_id, record FROM {schema}.invoices"
            " WHERE partner_id = ANY(%s) AND period = %s ORDER BY partner_id, id",
            (keys, period),
        )
        found: dict[str, list[Invoice]] = {}
        for partner_id, record in rows:
            found.setdefault(partner_id, []).append(self._db.load(record, Invoice))
        return found

    def __len__(self) -> int:
        return _count(self._db, "invoices")

    def __repr__(self) -> str:
        return f"PostgresInvoices({self._db.name!r})"
