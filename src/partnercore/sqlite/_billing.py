"""The billing ports on SQLite: price books, billing accounts, usage and finalised invoices.

Usage totals are computed by SQLite: one ``GROUP BY`` over a covering index on
(client, instant, metric, exponent, mantissa). A quantity is stored exactly as an integer
mantissa and a decimal exponent (``2.50`` is ``250`` and ``-2``), so the sum of each
(client, metric, exponent) group is exact integer arithmetic in SQL; the few groups of one
(client, metric) are then joined in Python as ``Decimal`` values, which keeps the exponent a
plain ``Decimal`` sum would have (``1.5 + 2`` is ``3.5``, ``2.50 + 1`` is ``3.50``).
A quantity whose mantissa does not fit in 63 bits (or a negative zero) is kept as text and
added in Python; so is everything, should a group's sum overflow 63 bits. Every ``Decimal``
operation runs in the library's own context (that of :mod:`partnercore.money`), never in the
caller's, so a host that lowers the precision cannot make a total round.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

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
from partnercore.sqlite._database import Database, from_micros, ids_of, is_key, to_micros
from partnercore.sqlite._schema import Migration
from partnercore.time import BillingPeriod

__all__ = [
    "BILLING_SCHEMA",
    "SqliteBillingAccounts",
    "SqliteInvoices",
    "SqlitePriceBooks",
    "SqliteUsage",
]

BILLING_SCHEMA = Migration(
    3,
    "billing: price books, billing accounts, usage records, finalised invoices",
    (
        """CREATE TABLE price_books (
            id TEXT PRIMARY KEY,
            record TEXT NOT NULL
        )""",
        """CREATE TABLE billing_accounts (
            partner_id TEXT PRIMARY KEY,
            price_book_id TEXT NOT NULL,
            record TEXT NOT NULL
        )""",
        """CREATE TABLE usage_records (
            seq INTEGER PRIMARY KEY,
            client_id TEXT NOT NULL,
            metric TEXT NOT NULL,
            at INTEGER NOT NULL,
            mantissa INTEGER,
            exponent INTEGER,
            quantity TEXT,
            CHECK ((mantissa IS NULL) = (exponent IS NULL)),
            CHECK ((mantissa IS NULL) = (quantity IS NOT NULL))
        )""",
        "CREATE INDEX usage_by_client_and_time"
        " ON usage_records (client_id, at, metric, exponent, mantissa)",
        """CREATE TABLE invoices (
            id TEXT PRIMARY KEY,
            partner_id TEXT NOT NULL,
            period TEXT NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX invoices_by_partner ON invoices (partner_id, period, id)",
    ),
)

_MAX_MANTISSA = 2**63 - 1


#: Exponents of stored quantities lie well inside the library's context (Emin, Emax).
_MAX_EXPONENT = 100_000


def _split(quantity: Decimal) -> tuple[int | None, int | None, str | None]:
    """(mantissa, exponent, None), or (None, None, text) when SQL cannot add it exactly."""
    sign, digits, exponent = quantity.as_tuple()
    if sign or not isinstance(exponent, int) or len(digits) > 18:
        return None, None, str(quantity)
    mantissa = int("".join(map(str, digits)))  # exact: no Decimal context involved
    if mantissa > _MAX_MANTISSA or abs(exponent) > _MAX_EXPONENT:  # pragma: no cover
        return None, None, str(quantity)
    return mantissa, exponent, None


def _join(db: Database, mantissa: object, exponent: object, text: object) -> Decimal:
    """The quantity stored as (mantissa, exponent) or as text; ``StoreError`` if damaged."""
    if mantissa is None and exponent is None:
        if isinstance(text, str):
            try:
                value = Decimal(text)
            except (InvalidOperation, ValueError):
                value = Decimal("NaN")
            if value.is_finite() and (value.is_zero() or not value.is_signed()):
                return value
        raise db.damaged(f"a stored usage quantity is not a number: {text!r}")
    whole = db.integer(mantissa, "a stored usage quantity")
    places = db.integer(exponent, "a stored usage exponent")
    if whole < 0 or abs(places) > _MAX_EXPONENT:
        raise db.damaged(f"a stored usage quantity is out of range: {whole}E{places}")
    return Decimal(whole) if places == 0 else DECIMAL.scaleb(Decimal(whole), places)


def _instant(db: Database, micros: object) -> datetime:
    try:
        return from_micros(db.integer(micros, "a stored instant"))
    except (OverflowError, ValueError, OSError):
        raise db.damaged(f"a stored instant is out of range: {micros!r}") from None


def _row(record: UsageRecord) -> tuple[object, ...]:
    mantissa, exponent, text = _split(record.quantity)
    return (record.client_id, record.metric, to_micros(record.at), mantissa, exponent, text)


class SqlitePriceBooks:
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
        return self._db.cached(("price_book", price_book_id), lambda: self._load(price_book_id))

    def _load(self, price_book_id: str) -> PriceBook | None:
        row = self._db.query_one("SELECT record FROM price_books WHERE id = ?", (price_book_id,))
        return None if row is None else self._db.load(row[0], PriceBook)

    def add(self, price_book: PriceBook) -> None:
        check_instance(price_book, PriceBook, "price_book")
        with self._db.unit_of_work():
            if self.find(price_book.id) is not None:
                raise ConflictError(
                    f"price book {price_book.id!r} already exists",
                    kind="price book",
                    id=price_book.id,
                )
            self._db.execute(
                "INSERT INTO price_books (id, record) VALUES (?, ?)",
                (price_book.id, self._db.dump(price_book)),
            )

    def save(self, price_book: PriceBook) -> None:
        check_instance(price_book, PriceBook, "price_book")
        changed = self._db.execute(
            "UPDATE price_books SET record = ? WHERE id = ?",
            (self._db.dump(price_book), price_book.id),
        )
        if changed == 0:
            raise NotFoundError("price book", price_book.id)

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM price_books")
        return 0 if row is None else int(row[0])


class SqliteBillingAccounts:
    """Billing accounts by partner id."""

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
        return self._db.cached(("account", partner_id), lambda: self._load(partner_id))

    def _load(self, partner_id: str) -> BillingAccount | None:
        row = self._db.query_one(
            "SELECT record FROM billing_accounts WHERE partner_id = ?", (partner_id,)
        )
        return None if row is None else self._db.load(row[0], BillingAccount)

    def for_partners(self, partner_ids: Collection[str]) -> dict[str, BillingAccount]:
        keys = ids_of(partner_ids, "partner_ids")
        return self._db.cached_many("account", keys, self._load_many)

    def _load_many(self, partner_ids: list[str]) -> dict[str, BillingAccount]:
        """The accounts of those of ``partner_ids`` that have one, in one query."""
        db = self._db
        rows = db.query(
            "SELECT partner_id, record FROM billing_accounts"
            " WHERE partner_id IN (SELECT value FROM json_each(?))",
            (json.dumps(partner_ids),),
        )
        return {partner_id: db.load(record, BillingAccount) for partner_id, record in rows}

    def add(self, account: BillingAccount) -> None:
        check_instance(account, BillingAccount, "account")
        with self._db.unit_of_work():
            if self.find(account.partner_id) is not None:
                raise ConflictError(
                    f"partner {account.partner_id!r} already has a billing account",
                    kind="billing account",
                    id=account.partner_id,
                )
            self._db.execute(
                "INSERT INTO billing_accounts (partner_id, price_book_id, record) VALUES (?, ?, ?)",
                (account.partner_id, account.price_book_id, self._db.dump(account)),
            )

    def save(self, account: BillingAccount) -> None:
        check_instance(account, BillingAccount, "account")
        changed = self._db.execute(
            "UPDATE billing_accounts SET price_book_id = ?, record = ? WHERE partner_id = ?",
            (account.price_book_id, self._db.dump(account), account.partner_id),
        )
        if changed == 0:
            raise NotFoundError("billing account", account.partner_id)

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM billing_accounts")
        return 0 if row is None else int(row[0])


_TOTALS = """
SELECT client_id, metric, exponent, sum(mantissa)
FROM usage_records
WHERE client_id IN (SELECT value FROM json_each(?)) AND at >= ? AND at < ?
GROUP BY client_id, metric, exponent
"""

_TEXTS = """
SELECT client_id, metric, quantity
FROM usage_records
WHERE client_id IN (SELECT value FROM json_each(?)) AND at >= ? AND at < ?
    AND quantity IS NOT NULL
ORDER BY client_id, at, seq
"""

_ALL = """
SELECT client_id, metric, mantissa, exponent, quantity
FROM usage_records
WHERE client_id IN (SELECT value FROM json_each(?)) AND at >= ? AND at < ?
"""


class SqliteUsage:
    """Raw usage records, summed per (client, metric, period) by SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, record: UsageRecord) -> None:
        check_instance(record, UsageRecord, "record")
        self._insert([_row(record)])

    def extend(self, records: Iterable[UsageRecord]) -> None:
        """Add many records in one transaction (all of them, or none on error)."""
        rows = []
        for index, record in enumerate(records):
            check_instance(record, UsageRecord, f"records[{index}]")
            rows.append(_row(record))
        self._insert(rows)

    def _insert(self, rows: list[tuple[object, ...]]) -> None:
        with self._db.unit_of_work():
            self._db.execute_many(
                "INSERT INTO usage_records (client_id, metric, at, mantissa, exponent, quantity)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def totals(self, period: BillingPeriod, client_ids: Collection[str]) -> list[UsageTotal]:
        check_instance(period, BillingPeriod, "period")
        check_instance(client_ids, Collection, "client_ids")  # type: ignore[type-abstract]
        # json_each ends a text at NUL: "c1\x00" would find c1's usage
        clients = json.dumps(sorted({c for c in client_ids if is_key(c) and "\x00" not in c}))
        window = (clients, to_micros(period.start), to_micros(period.end))
        sums: dict[tuple[str, str], list[Decimal]] = {}
        with self._db.reading():
            groups = self._db.sums(_TOTALS, window)
            if groups is None:  # a sum overflowed 64 bits: add every record in Python
                groups = []
                for client, metric, mantissa, exponent, text in self._db.query(_ALL, window):
                    part = _join(self._db, mantissa, exponent, text)
                    sums.setdefault((client, metric), []).append(part)
            needs_texts = False
            for client, metric, exponent, mantissa in groups:
                if exponent is None:
                    needs_texts = True
                else:
                    part = _join(self._db, mantissa, exponent, None)
                    sums.setdefault((client, metric), []).append(part)
            if needs_texts:
                for client, metric, text in self._db.query(_TEXTS, window):
                    part = _join(self._db, None, None, text)
                    sums.setdefault((client, metric), []).append(part)
        found = []
        for (client, metric), parts in sorted(sums.items()):
            quantity = parts[0]
            for part in parts[1:]:
                quantity = DECIMAL.add(quantity, part)
            try:
                total = UsageTotal(
                    client_id=client, metric=metric, period=period, quantity=quantity
                )
            except ValidationError as error:
                raise self._db.damaged(f"a stored usage record is invalid: {error}") from None
            found.append(total)
        return found

    def records(self, client_id: str) -> list[UsageRecord]:
        """The client's records, oldest first (ties in the order added)."""
        if not is_key(client_id):
            return []
        rows = self._db.query(
            "SELECT metric, at, mantissa, exponent, quantity FROM usage_records"
            " WHERE client_id = ? ORDER BY at, seq",
            (client_id,),
        )
        found = []
        for metric, at, mantissa, exponent, text in rows:
            quantity, instant = _join(self._db, mantissa, exponent, text), _instant(self._db, at)
            try:
                record = UsageRecord(
                    client_id=client_id, metric=metric, quantity=quantity, at=instant
                )
            except ValidationError as error:
                raise self._db.damaged(f"a stored usage record is invalid: {error}") from None
            found.append(record)
        return found

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM usage_records")
        return 0 if row is None else int(row[0])


class SqliteInvoices:
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
        row = self._db.query_one("SELECT record FROM invoices WHERE id = ?", (invoice_id,))
        return None if row is None else self._db.load(row[0], Invoice)

    def add(self, invoice: Invoice) -> None:
        check_instance(invoice, Invoice, "invoice")
        with self._db.unit_of_work():
            exists = self._db.query_one("SELECT 1 FROM invoices WHERE id = ?", (invoice.id,))
            if exists is not None:
                raise ConflictError(
                    f"invoice {invoice.id!r} is already finalised", kind="invoice", id=invoice.id
                )
            self._db.execute(
                "INSERT INTO invoices (id, partner_id, period, record) VALUES (?, ?, ?, ?)",
                (invoice.id, invoice.partner_id, invoice.period, self._db.dump(invoice)),
            )

    def for_partner(self, partner_id: str, period: str) -> list[Invoice]:
        if not (is_key(partner_id) and is_key(period)):
            return []
        rows = self._db.query(
            "SELECT record FROM invoices WHERE partner_id = ? AND period = ? ORDER BY id",
            (partner_id, period),
        )
        return [self._db.load(row[0], Invoice) for row in rows]

    def for_partners(self, partner_ids: Collection[str], period: str) -> dict[str, list[Invoice]]:
        keys = ids_of(partner_ids, "partner_ids")
        if not (keys and is_key(period) and "\x00" not in period):
            return {}
        rows = self._db.query(
            "SELECT partner_id, record FROM invoices"
            " WHERE partner_id IN (SELECT value FROM json_each(?)) AND period = ?"
            " ORDER BY partner_id, id",
            (json.dumps(keys), period),
        )
        found: dict[str, list[Invoice]] = {}
        for partner_id, record in rows:
            found.setdefault(partner_id, []).append(self._db.load(record, Invoice))
        return found

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM invoices")
        return 0 if row is None else int(row[0])
