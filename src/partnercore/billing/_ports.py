"""Ports: the narrow, collection-like repositories billing needs from a host application."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from partnercore._errors import ValidationError
from partnercore.billing._documents import CreditNote, IssuedInvoice
from partnercore.billing._invoice import Invoice
from partnercore.billing._pricebook import BillingAccount, PriceBook
from partnercore.billing._usage import UsageRecord, UsageTotal
from partnercore.licensing import LicensingStore
from partnercore.time import BillingPeriod

__all__ = [
    "BillingAccountRepository",
    "BillingStore",
    "CreditNoteRepository",
    "InvoiceRepository",
    "IssuedInvoiceRepository",
    "NumberSequences",
    "PriceBookRepository",
    "UsageRepository",
    "UsageTotals",
]


def check_sequence(sequence: object, year: object, count: object = 1) -> None:
    """ValidationError unless ``sequence`` is text, ``year`` a year and ``count`` >= 1."""
    if not isinstance(sequence, str) or not sequence:
        raise ValidationError.at("sequence", f"expected a sequence name, got {sequence!r}")
    if not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9999:
        raise ValidationError.at("year", f"expected a year within 1..9999, got {year!r}")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValidationError.at("count", f"expected a whole number >= 1, got {count!r}")


class PriceBookRepository(Protocol):
    """Price books by id."""

    def get(self, price_book_id: str) -> PriceBook:
        """The price book; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def find(self, price_book_id: str) -> PriceBook | None:
        """The price book, or ``None``."""
        ...

    def add(self, price_book: PriceBook) -> None:
        """Store a new price book; :class:`~partnercore.ConflictError` if the id is taken."""
        ...

    def save(self, price_book: PriceBook) -> None:
        """Replace a stored price book; :class:`~partnercore.NotFoundError` if there is none."""
        ...


class BillingAccountRepository(Protocol):
    """Billing accounts, one per partner, by partner id."""

    def get(self, partner_id: str) -> BillingAccount:
        """The partner's account; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def find(self, partner_id: str) -> BillingAccount | None:
        """The partner's account, or ``None``."""
        ...

    def add(self, account: BillingAccount) -> None:
        """Store a new account; :class:`~partnercore.ConflictError` if the partner has one."""
        ...

    def save(self, account: BillingAccount) -> None:
        """Replace the partner's account; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def for_partners(self, partner_ids: Collection[str]) -> Mapping[str, BillingAccount]:
        """The accounts of ``partner_ids``, by partner id, read at once (one query, not one
        per partner): a partner without an account, or an id no team can have, is left
        out."""
        ...


class UsageTotals(Protocol):
    """Usage summed per (client, metric, period): what billing reads.

    A host computes these where its raw events live (a SQL ``GROUP BY``, a warehouse job).
    """

    def totals(self, period: BillingPeriod, client_ids: Collection[str]) -> list[UsageTotal]:
        """For each of ``client_ids`` and each metric it used, the summed quantity of the
        usage whose ``at`` lies in ``period`` (``period.start <= at < period.end``, in the
        period's own time zone). Sorted by client then metric; every total carries
        ``period``; a (client, metric) with no usage in the period is left out."""
        ...


class UsageRepository(UsageTotals, Protocol):
    """Raw usage records, and their totals per (client, metric, period)."""

    def add(self, record: UsageRecord) -> None:
        """Record usage (records are never changed; the same usage twice counts twice)."""
        ...


class InvoiceRepository(Protocol):
    """Finalised invoices. Stored invoices are never changed."""

    def get(self, invoice_id: str) -> Invoice:
        """The invoice; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def find(self, invoice_id: str) -> Invoice | None:
        """The invoice, or ``None``."""
        ...

    def add(self, invoice: Invoice) -> None:
        """Store a finalised invoice; :class:`~partnercore.ConflictError` if the id is taken."""
        ...

    def for_partner(self, partner_id: str, period: str) -> list[Invoice]:
        """The invoices of ``partner_id`` (its own and its non-reseller clients') for the
        period ``YYYY-MM``, sorted by id."""
        ...

    def for_partners(
        self, partner_ids: Collection[str], period: str
    ) -> Mapping[str, Sequence[Invoice]]:
        """What :meth:`for_partner` gives for each of ``partner_ids``, by partner id, read at
        once (one query, not one per partner): a partner without invoices for ``period`` is
        left out."""
        ...


class NumberSequences(Protocol):
    """Gap-free sequences of legal numbers, one per (sequence, year) (§5.2).

    Numbers are allocated inside the caller's unit of work: they are used if it commits
    and given back (never skipped) if it is undone. Two hosts allocating at once get
    distinct, consecutive numbers.
    """

    def next(self, sequence: str, year: int, count: int = 1) -> int:
        """Allocate ``count`` consecutive numbers of ``sequence`` in ``year``; the first of
        them (the first ever is 1)."""
        ...

    def last(self, sequence: str, year: int) -> int:
        """The last number allocated (0 when none)."""
        ...


class IssuedInvoiceRepository(Protocol):
    """The legal numbers and dates finalising gave invoices. Never changed once added."""

    def add(self, issued: IssuedInvoice) -> None:
        """Store a new record; :class:`~partnercore.ConflictError` if its invoice or its
        number has one already."""
        ...

    def find(self, invoice_id: str) -> IssuedInvoice | None:
        """The record of ``invoice_id``, or ``None`` (a draft invoice has none)."""
        ...

    def list(self, period: str | None = None) -> list[IssuedInvoice]:
        """Every record (or those of ``period``), in number order."""
        ...


class CreditNoteRepository(Protocol):
    """Credit notes, by request id. Never changed once added."""

    def add(self, note: CreditNote) -> None:
        """Store a new credit note; :class:`~partnercore.ConflictError` if its request id or
        its number is taken."""
        ...

    def find(self, request_id: str) -> CreditNote | None:
        """The credit note issued for ``request_id``, or ``None``."""
        ...

    def for_invoice(self, invoice_id: str) -> list[CreditNote]:
        """The credit notes against ``invoice_id``, in number order."""
        ...

    def issued(self, partner_id: str, start: datetime, end: datetime) -> list[CreditNote]:
        """The credit notes of ``partner_id``'s invoices with ``start <= at < end``, in
        order of ``at`` then number."""
        ...

    def issued_for_partners(
        self, partner_ids: Collection[str], start: datetime, end: datetime
    ) -> Mapping[str, Sequence[CreditNote]]:
        """What :meth:`issued` gives for each of ``partner_ids``, by partner id, read at once
        (one query, not one per partner): a partner without any is left out."""
        ...

    def list(self) -> list[CreditNote]:
        """Every credit note, in number order."""
        ...


class BillingStore(LicensingStore, Protocol):
    """What the billing services work through: teams, memberships, history and licences
    (what is billed), price books, accounts, usage and finalised invoices, events, units of
    work (every :class:`~partnercore.store.Store` is one)."""

    @property
    def price_books(self) -> PriceBookRepository: ...
    @property
    def accounts(self) -> BillingAccountRepository: ...
    @property
    def usage(self) -> UsageRepository: ...
    @property
    def invoices(self) -> InvoiceRepository: ...
    @property
    def numbers(self) -> NumberSequences: ...
    @property
    def issued_invoices(self) -> IssuedInvoiceRepository: ...
    @property
    def credit_notes(self) -> CreditNoteRepository: ...
