"""The invoice-document ports of the in-memory store honour their contracts."""

from __future__ import annotations

import pytest

from partnercore.billing import CreditNoteRepository, IssuedInvoiceRepository, NumberSequences
from partnercore.memory import InMemoryStore
from partnercore.testing import (
    CreditNoteRepositoryContract,
    IssuedInvoiceRepositoryContract,
    NumberSequencesContract,
)


class TestInMemoryNumberSequences(NumberSequencesContract):
    @pytest.fixture
    def numbers(self) -> NumberSequences:
        return InMemoryStore().numbers


class TestInMemoryIssuedInvoices(IssuedInvoiceRepositoryContract):
    @pytest.fixture
    def issued_invoices(self) -> IssuedInvoiceRepository:
        return InMemoryStore().issued_invoices


class TestInMemoryCreditNotes(CreditNoteRepositoryContract):
    @pytest.fixture
    def credit_notes(self) -> CreditNoteRepository:
        return InMemoryStore().credit_notes
