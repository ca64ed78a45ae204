"""Finalised documents on PostgreSQL: number sequences, issued invoices, credit notes (§5.2).

A sequence is one row per (sequence, year) holding the last number allocated. Allocating is
one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: the row stays locked until the
caller's transaction ends, so two units allocating from one sequence take turns and get
distinct, consecutive numbers, and a unit that is rolled back gives its numbers back (no
gap). Issued invoices and credit notes carry their partner (the distribution key); their ids
and numbers are unique store-wide.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from partnercore._errors import ConflictError
from partnercore._fields import check_instance
from partnercore.billing import CreditNote, IssuedInvoice
from partnercore.billing._ports import check_sequence
from partnercore.postgres._database import Database, ids_of, is_key
from partnercore.time import ensure_aware

__all__ = [
    "PostgresCreditNotes",
    "PostgresIssuedInvoices",
    "PostgresNumberSequences",
]


class PostgresNumberSequences:
    """Gap-free sequences per (sequence, year)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def next(self, sequence: str, year: int, count: int = 1) -> int:
        check_sequence(sequence, year, count)
        last = self._db.insert(
            "INSERT INTO {schema}.number_sequences AS s (sequence, year, last)"
            " VALUES (%s, %s, %s) ON CONFLICT (sequence, year)"
            " DO UPDATE SET last = s.last + excluded.last RETURNING s.last",
            (sequence, year, count),
        )
        return self._db.integer(last, "a sequence's last number") - count + 1

    def last(self, sequence: str, year: int) -> int:
        check_sequence(sequence, year)
        row = self._db.query_one(
            "SELECT last FROM {schema}.number_sequences WHERE sequence = %s AND year = %s",
            (sequence, year),
        )
        return 0 if row is None else self._db.integer(row[0], "a sequence's last number")

    def __repr__(self) -> str:
        return f"PostgresNumberSequences({self._db.name!r})"


class PostgresIssuedInvoices:
    """Issued-invoice records by invoice id, each number once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, issued: IssuedInvoice) -> None:
        check_instance(issued, IssuedInvoice, "issued")
        added = self._db.execute(
            "INSERT INTO {schema}.issued_invoices (partner_id, invoice_id, number, period, record)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                issued.partner_id,
                issued.invoice_id,
                issued.number,
                issued.period,
                self._db.dump(issued),
            ),
        )
        if added:
            return
        if self.find(issued.invoice_id) is not None:
            raise ConflictError(
                f"invoice {issued.invoice_id!r} already has a number",
                kind="issued invoice",
                id=issued.invoice_id,
            )
        raise ConflictError(
            f"number {issued.number!r} is already taken", kind="invoice number", id=issued.number
        )

    def find(self, invoice_id: str) -> IssuedInvoice | None:
        if not is_key(invoice_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.issued_invoices WHERE invoice_id = %s", (invoice_id,)
        )
        return None if row is None else self._db.load(row[0], IssuedInvoice)

    def list(self, period: str | None = None) -> list[IssuedInvoice]:
        if period is None:
            rows = self._db.query("SELECT record FROM {schema}.issued_invoices ORDER BY number")
        elif not is_key(period):
            return []
        else:
            rows = self._db.query(
                "SELECT record FROM {schema}.issued_invoices WHERE period = %s ORDER BY number",
                (period,),
            )
        return [self._db.load(row[0], IssuedInvoice) for row in rows]

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM {schema}.issued_invoices")
        return 0 if row is None else self._db.integer(row[0], "the number of issued invoices")

    def __repr__(self) -> str:
        return f"PostgresIssuedInvoices({self._db.name!r})"


class PostgresCreditNotes:
    """Credit notes by request id, each number once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, note: CreditNote) -> None:
        check_instance(note, CreditNote, "note")
        added = self._db.execute(
            "INSERT INTO {schema}.credit_notes"
            " (partner_id, request_id, number, invoice_id, at, record)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                note.partner_id,
                note.request_id,
                note.number,
                note.invoice_id,
                note.at,
                self._db.dump(note),
            ),
        )
        if added:
            return
        if self.find(note.request_id) is not None:
            raise ConflictError(
                f"credit note request {note.request_id!r} was already issued",
                kind="credit note",
                id=note.request_id,
            )
        raise ConflictError(
            f"number {note.number!r} is already taken", kind="credit note", id=note.number
        )

    def find(self, request_id: str) -> CreditNote | None:
        if not is_key(request_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.credit_notes WHERE request_id = %s", (request_id,)
        )
        return None if row is None else self._db.load(row[0], CreditNote)

    def for_invoice(self, invoice_id: str) -> list[CreditNote]:
        if not is_key(invoice_id):
            return []
        rows = self._db.query(
            "SELECT record FROM {schema}.credit_notes WHERE invoice_id = %s ORDER BY number",
            (invoice_id,),
        )
        return [self._db.load(row[0], CreditNote) for row in rows]

    def issued(self, partner_id: str, start: datetime, end: datetime) -> list[CreditNote]:
        start = ensure_aware(start, "start")
        end = ensure_aware(end, "end")
        if not is_key(partner_id):
            return []
        rows = self._db.query(
            "SELECT record FROM {schema}.credit_notes"
            " WHERE partner_id = %s AND at >= %s AND at < %s ORDER BY at, number",
            (partner_id, start, end),
        )
        return [self._db.load(row[0], CreditNote) for row in rows]

    def issued_for_partners(
        self, partner_ids: Collection[str], start: datetime, end: datetime
    ) -> dict[str, list[CreditNote]]:
        start = ensure_aware(start, "start")
        end = ensure_aware(end, "end")
        keys = ids_of(partner_ids, "partner_ids")
        if not keys:
            return {}
        rows = self._db.query(
            "SELECT partner_id, record FROM {schema}.credit_notes"
            " WHERE partner_id = ANY(%s) AND at >= %s AND at < %s ORDER BY partner_id, at, number",
            (keys, start, end),
        )
        found: dict[str, list[CreditNote]] = {}
        for partner_id, record in rows:
            found.setdefault(partner_id, []).append(self._db.load(record, CreditNote))
        return found

    def list(self) -> list[CreditNote]:
        rows = self._db.query("SELECT record FROM {schema}.credit_notes ORDER BY number")
        return [self._db.load(row[0], CreditNote) for row in rows]

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM {schema}.credit_notes")
        return 0 if row is None else self._db.integer(row[0], "the number of credit notes")

    def __repr__(self) -> str:
        return f"PostgresCreditNotes({self._db.name!r})"
