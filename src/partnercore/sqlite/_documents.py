"""Finalised documents on SQLite: number sequences, issued invoices, credit notes (§5.2).

A sequence is one row per (sequence, year) holding the last number allocated; allocating
reads and updates it inside the caller's ``BEGIN IMMEDIATE`` unit of work, so two
processes finalising at once take turns and get distinct, consecutive numbers, and a unit
that is rolled back gives its numbers back.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

from partnercore._errors import ConflictError
from partnercore._fields import check_instance
from partnercore.billing import CreditNote, IssuedInvoice
from partnercore.billing._ports import check_sequence
from partnercore.sqlite._database import Database, ids_of, is_key, to_micros
from partnercore.sqlite._schema import Migration
from partnercore.time import ensure_aware

__all__ = [
    "DOCUMENTS_SCHEMA",
    "SqliteCreditNotes",
    "SqliteIssuedInvoices",
    "SqliteNumberSequences",
]

DOCUMENTS_SCHEMA = Migration(
    7,
    "invoice documents: number sequences, issued invoices, credit notes",
    (
        """CREATE TABLE number_sequences (
            sequence TEXT NOT NULL,
            year INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (sequence, year)
        )""",
        """CREATE TABLE issued_invoices (
            invoice_id TEXT PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            period TEXT NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX issued_invoices_by_period ON issued_invoices (period, number)",
        """CREATE TABLE credit_notes (
            request_id TEXT PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            invoice_id TEXT NOT NULL,
            partner_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX credit_notes_by_invoice ON credit_notes (invoice_id, number)",
        "CREATE INDEX credit_notes_by_partner ON credit_notes (partner_id, at, number)",
    ),
)


class SqliteNumberSequences:
    """Gap-free sequences per (sequence, year)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def next(self, sequence: str, year: int, count: int = 1) -> int:
        check_sequence(sequence, year, count)
        with self._db.unit_of_work():
            row = self._db.query_one(
                "SELECT last FROM number_sequences WHERE sequence = ? AND year = ?",
                (sequence, year),
            )
            last = 0 if row is None else int(row[0])
            if row is None:
                self._db.execute(
                    "INSERT INTO number_sequences (sequence, year, last) VALUES (?, ?, ?)",
                    (sequence, year, last + count),
                )
            else:
                self._db.execute(
                    "UPDATE number_sequences SET last = ? WHERE sequence = ? AND year = ?",
                    (last + count, sequence, year),
                )
            return last + 1

    def last(self, sequence: str, year: int) -> int:
        check_sequence(sequence, year)
        row = self._db.query_one(
            "SELECT last FROM number_sequences WHERE sequence = ? AND year = ?",
            (sequence, year),
        )
        return 0 if row is None else int(row[0])


class SqliteIssuedInvoices:
    """Issued-invoice records by invoice id, each number once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, issued: IssuedInvoice) -> None:
        check_instance(issued, IssuedInvoice, "issued")
        with self._db.unit_of_work():
            if self._db.query_one(
                "SELECT 1 FROM issued_invoices WHERE invoice_id = ?", (issued.invoice_id,)
            ):
                raise ConflictError(
                    f"invoice {issued.invoice_id!r} already has a number",
                    kind="issued invoice",
                    id=issued.invoice_id,
                )
            if self._db.query_one(
                "SELECT 1 FROM issued_invoices WHERE number = ?", (issued.number,)
            ):
                raise ConflictError(
                    f"number {issued.number!r} is already taken",
                    kind="invoice number",
                    id=issued.number,
                )
            self._db.execute(
                "INSERT INTO issued_invoices (invoice_id, number, period, record)"
                " VALUES (?, ?, ?, ?)",
                (issued.invoice_id, issued.number, issued.period, self._db.dump(issued)),
            )

    def find(self, invoice_id: str) -> IssuedInvoice | None:
        if not is_key(invoice_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM issued_invoices WHERE invoice_id = ?", (invoice_id,)
        )
        return None if row is None else self._db.load(row[0], IssuedInvoice)

    def list(self, period: str | None = None) -> list[IssuedInvoice]:
        if period is None:
            rows = self._db.query("SELECT record FROM issued_invoices ORDER BY number")
        elif not is_key(period):
            return []
        else:
            rows = self._db.query(
                "SELECT record FROM issued_invoices WHERE period = ? ORDER BY number", (period,)
            )
        return [self._db.load(row[0], IssuedInvoice) for row in rows]

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM issued_invoices")
        return 0 if row is None else int(row[0])


class SqliteCreditNotes:
    """Credit notes by request id, each number once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, note: CreditNote) -> None:
        check_instance(note, CreditNote, "note")
        with self._db.unit_of_work():
            if self._db.query_one(
                "SELECT 1 FROM credit_notes WHERE request_id = ?", (note.request_id,)
            ):
                raise ConflictError(
                    f"credit note request {note.request_id!r} was already issued",
                    kind="credit note",
                    id=note.request_id,
                )
            if self._db.query_one("SELECT 1 FROM credit_notes WHERE number = ?", (note.number,)):
                raise ConflictError(
                    f"number {note.number!r} is already taken", kind="credit note", id=note.number
                )
            self._db.execute(
                "INSERT INTO credit_notes (request_id, number, invoice_id, partner_id, at, record)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    note.request_id,
                    note.number,
                    note.invoice_id,
                    note.partner_id,
                    to_micros(note.at),
                    self._db.dump(note),
                ),
            )

    def find(self, request_id: str) -> CreditNote | None:
        if not is_key(request_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM credit_notes WHERE request_id = ?", (request_id,)
        )
        return None if row is None else self._db.load(row[0], CreditNote)

    def for_invoice(self, invoice_id: str) -> list[CreditNote]:
        if not is_key(invoice_id):
            return []
        rows = self._db.query(
            "SELECT record FROM credit_notes WHERE invoice_id = ? ORDER BY number", (invoice_id,)
        )
        return [self._db.load(row[0], CreditNote) for row in rows]

    def issued(self, partner_id: str, start: datetime, end: datetime) -> list[CreditNote]:
        start = ensure_aware(start, "start")
        end = ensure_aware(end, "end")
        if not is_key(partner_id):
            return []
        rows = self._db.query(
            "SELECT record FROM credit_notes WHERE partner_id = ? AND at >= ? AND at < ?"
            " ORDER BY at, number",
            (partner_id, to_micros(start), to_micros(end)),
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
            "SELECT partner_id, record FROM credit_notes"
            " WHERE partner_id IN (SELECT value FROM json_each(?)) AND at >= ? AND at < ?"
            " ORDER BY partner_id, at, number",
            (json.dumps(keys), to_micros(start), to_micros(end)),
        )
        found: dict[str, list[CreditNote]] = {}
        for partner_id, record in rows:
            found.setdefault(partner_id, []).append(self._db.load(record, CreditNote))
        return found

    def list(self) -> list[CreditNote]:
        rows = self._db.query("SELECT record FROM credit_notes ORDER BY number")
        return [self._db.load(row[0], CreditNote) for row in rows]

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM credit_notes")
        return 0 if row is None else int(row[0])
