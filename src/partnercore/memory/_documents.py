"""Finalised documents in memory: number sequences, issued invoices, credit notes (§5.2)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from partnercore._errors import ConflictError
from partnercore._fields import check_instance
from partnercore.billing import CreditNote, IssuedInvoice
from partnercore.billing._ports import check_sequence
from partnercore.memory._journal import Journal
from partnercore.memory._tenancy import team_ids_of
from partnercore.time import ensure_aware

__all__ = ["InMemoryCreditNotes", "InMemoryIssuedInvoices", "InMemoryNumberSequences"]


class InMemoryNumberSequences:
    """Gap-free sequences per (sequence, year); undone with the unit of work that used them."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._last: dict[tuple[str, int], int] = {}

    def next(self, sequence: str, year: int, count: int = 1) -> int:
        check_sequence(sequence, year, count)
        key = (sequence, year)
        self._journal.keep(self._last, key)
        first = self._last.get(key, 0) + 1
        self._last[key] = first + count - 1
        return first

    def last(self, sequence: str, year: int) -> int:
        check_sequence(sequence, year)
        return self._last.get((sequence, year), 0)


class InMemoryIssuedInvoices:
    """Issued-invoice records by invoice id, each number once."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._by_invoice: dict[str, IssuedInvoice] = {}
        self._numbers: dict[str, str] = {}

    def add(self, issued: IssuedInvoice) -> None:
        check_instance(issued, IssuedInvoice, "issued")
        if issued.invoice_id in self._by_invoice:
            raise ConflictError(
                f"invoice {issued.invoice_id!r} already has a number",
                kind="issued invoice",
                id=issued.invoice_id,
            )
        if issued.number in self._numbers:
            raise ConflictError(
                f"number {issued.number!r} is already taken",
                kind="invoice number",
                id=issued.number,
            )
        self._journal.keep(self._by_invoice, issued.invoice_id)
        self._journal.keep(self._numbers, issued.number)
        self._by_invoice[issued.invoice_id] = issued
        self._numbers[issued.number] = issued.invoice_id

    def find(self, invoice_id: str) -> IssuedInvoice | None:
        return self._by_invoice.get(invoice_id) if isinstance(invoice_id, str) else None

    def list(self, period: str | None = None) -> list[IssuedInvoice]:
        found = [
            issued
            for issued in self._by_invoice.values()
            if period is None or issued.period == period
        ]
        return sorted(found, key=lambda issued: issued.number)

    def __len__(self) -> int:
        return len(self._by_invoice)


class InMemoryCreditNotes:
    """Credit notes by request id, each number once, indexed by invoice and partner."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._notes: dict[str, CreditNote] = {}
        self._numbers: dict[str, str] = {}
        self._by_invoice: dict[str, list[str]] = defaultdict(list)
        self._by_partner: dict[str, list[str]] = defaultdict(list)

    def add(self, note: CreditNote) -> None:
        check_instance(note, CreditNote, "note")
        if note.request_id in self._notes:
            raise ConflictError(
                f"credit note request {note.request_id!r} was already issued",
                kind="credit note",
                id=note.request_id,
            )
        if note.number in self._numbers:
            raise ConflictError(
                f"number {note.number!r} is already taken", kind="credit note", id=note.number
            )
        journal = self._journal
        journal.keep(self._notes, note.request_id)
        journal.keep(self._numbers, note.number)
        journal.keep(self._by_invoice, note.invoice_id)
        journal.keep(self._by_partner, note.partner_id)
        self._notes[note.request_id] = note
        self._numbers[note.number] = note.request_id
        self._by_invoice[note.invoice_id].append(note.request_id)
        self._by_partner[note.partner_id].append(note.request_id)

    def find(self, request_id: str) -> CreditNote | None:
        return self._notes.get(request_id) if isinstance(request_id, str) else None

    def for_invoice(self, invoice_id: str) -> list[CreditNote]:
        if not isinstance(invoice_id, str):
            return []
        notes = [self._notes[key] for key in self._by_invoice.get(invoice_id, ())]
        return sorted(notes, key=lambda note: note.number)

    def issued(self, partner_id: str, start: datetime, end: datetime) -> list[CreditNote]:
        start = ensure_aware(start, "start")
        end = ensure_aware(end, "end")
        if not isinstance(partner_id, str):
            return []
        notes = [
            self._notes[key]
            for key in self._by_partner.get(partner_id, ())
            if start <= self._notes[key].at < end
        ]
        return sorted(notes, key=lambda note: (note.at, note.number))

    def issued_for_partners(
        self, partner_ids: Collection[str], start: datetime, end: datetime
    ) -> dict[str, list[CreditNote]]:
        start = ensure_aware(start, "start")
        end = ensure_aware(end, "end")
        found: dict[str, list[CreditNote]] = {}
        for partner_id in team_ids_of(partner_ids, "partner_ids"):
            notes = self.issued(partner_id, start, end)
            if notes:
                found[partner_id] = notes
        return found

    def list(self) -> list[CreditNote]:
        return sorted(self._notes.values(), key=lambda note: note.number)

    def __len__(self) -> int:
        return len(self._notes)
