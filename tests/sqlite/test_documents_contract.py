"""The invoice-document ports of the SQLite store honour their contracts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partnercore.billing import CreditNoteRepository, IssuedInvoiceRepository, NumberSequences
from partnercore.sqlite import SqliteStore
from partnercore.testing import (
    CreditNoteRepositoryContract,
    IssuedInvoiceRepositoryContract,
    NumberSequencesContract,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "store.db") as opened:
        yield opened


class TestSqliteNumberSequences(NumberSequencesContract):
    @pytest.fixture
    def numbers(self, store: SqliteStore) -> NumberSequences:
        return store.numbers


class TestSqliteIssuedInvoices(IssuedInvoiceRepositoryContract):
    @pytest.fixture
    def issued_invoices(self, store: SqliteStore) -> IssuedInvoiceRepository:
        return store.issued_invoices


class TestSqliteCreditNotes(CreditNoteRepositoryContract):
    @pytest.fixture
    def credit_notes(self, store: SqliteStore) -> CreditNoteRepository:
        return store.credit_notes
