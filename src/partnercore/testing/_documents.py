"""The contracts of the invoice-document ports (§5.2): number sequences, issued invoices and
credit notes. Subclass one and override its fixture with an empty store's port."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from partnercore._errors import ConflictError, ValidationError
from partnercore.billing import (
    CreditLine,
    CreditNote,
    CreditNoteRepository,
    IssuedInvoice,
    IssuedInvoiceRepository,
    NumberSequences,
    ReferralCredit,
)
from partnercore.money import Money

__all__ = [
    "CreditNoteRepositoryContract",
    "IssuedInvoiceRepositoryContract",
    "NumberSequencesContract",
]

_AT = datetime(2026, 3, 1, 2, tzinfo=UTC)


def _issued(number: int, invoice_id: str, period: str = "2026-02") -> IssuedInvoice:
    return IssuedInvoice(
        number=f"INV-2026-{number:06d}",
        invoice_id=invoice_id,
        partner_id="acme",
        billed_to="acme",
        period=period,
        issued_at=_AT,
        due_at=_AT + timedelta(days=30),
        payment_terms_days=30,
    )


def _note(
    number: int, request_id: str, invoice_id: str, at: datetime, partner: str = "acme"
) -> CreditNote:
    amount = Money("10.00", "KWD")
    return CreditNote(
        number=f"CN-2026-{number:06d}",
        request_id=request_id,
        invoice_id=invoice_id,
        invoice_number="INV-2026-000001",
        partner_id=partner,
        billed_to=partner,
        period="2026-02",
        at=at,
        reason="usage recorded twice",
        full=False,
        lines=(CreditLine(kind="usage", metric="scans", client_id="c1", amount=amount),),
        subtotal=amount,
        tax=Money("1.000", "KWD"),
        total=Money("11.000", "KWD"),
        referral=(ReferralCredit("c1", "9.0005"),),
    )


class NumberSequencesContract:
    """Subclass and override the ``numbers`` fixture with an empty store's sequences."""

    @pytest.fixture
    def numbers(self) -> NumberSequences:
        raise NotImplementedError

    def test_a_sequence_starts_at_one_and_allocates_consecutive_blocks(
        self, numbers: NumberSequences
    ) -> None:
        assert (1, 2, 5, 5) == (
            numbers.next("invoice", 2026),
            numbers.next("invoice", 2026, 3),
            numbers.next("invoice", 2026),
            numbers.last("invoice", 2026),
        )

    def test_each_sequence_and_year_counts_on_its_own(self, numbers: NumberSequences) -> None:
        numbers.next("invoice", 2026, 4)

        assert (1, 1, 4, 0) == (
            numbers.next("credit_note", 2026),
            numbers.next("invoice", 2027),
            numbers.last("invoice", 2026),
            numbers.last("invoice", 2025),
        )

    @pytest.mark.parametrize(
        ("sequence", "year", "count"),
        [("", 2026, 1), ("invoice", 0, 1), ("invoice", 2026, 0), ("invoice", True, 1)],
    )
    def test_a_bad_request_is_a_validation_error_and_allocates_nothing(
        self, numbers: NumberSequences, sequence: str, year: int, count: int
    ) -> None:
        with pytest.raises(ValidationError):
            numbers.next(sequence, year, count)

        assert 1 == numbers.next("invoice", 2026)


class IssuedInvoiceRepositoryContract:
    """Subclass and override the ``issued_invoices`` fixture with an empty store's port."""

    @pytest.fixture
    def issued_invoices(self) -> IssuedInvoiceRepository:
        raise NotImplementedError

    def test_records_come_back_exactly_in_number_order(
        self, issued_invoices: IssuedInvoiceRepository
    ) -> None:
        second = _issued(2, "inv-acme-2026-02")
        first = _issued(1, "inv-c2-2026-02")
        third = _issued(3, "inv-acme-2026-03", "2026-03")
        for record in (second, third, first):
            issued_invoices.add(record)

        assert ([first, second, third], [first, second], second, None) == (
            issued_invoices.list(),
            issued_invoices.list("2026-02"),
            issued_invoices.find("inv-acme-2026-02"),
            issued_invoices.find("inv-acme-2026-04"),
        )

    def test_an_invoice_or_a_number_given_twice_is_a_conflict(
        self, issued_invoices: IssuedInvoiceRepository
    ) -> None:
        first = _issued(1, "inv-acme-2026-02")
        issued_invoices.add(first)

        with pytest.raises(ConflictError):
            issued_invoices.add(_issued(2, "inv-acme-2026-02"))
        with pytest.raises(ConflictError):
            issued_invoices.add(_issued(1, "inv-c2-2026-02"))
        assert [first] == issued_invoices.list()

    def test_adding_anything_but_a_record_is_a_validation_error(
        self, issued_invoices: IssuedInvoiceRepository
    ) -> None:
        with pytest.raises(ValidationError):
            issued_invoices.add("INV-2026-000001")  # type: ignore[arg-type]

        assert [] == issued_invoices.list()


class CreditNoteRepositoryContract:
    """Subclass and override the ``credit_notes`` fixture with an empty store's port."""

    @pytest.fixture
    def credit_notes(self) -> CreditNoteRepository:
        raise NotImplementedError

    def test_notes_come_back_exactly_by_request_invoice_and_partner(
        self, credit_notes: CreditNoteRepository
    ) -> None:
        late = _note(2, "cn-b", "inv-acme-2026-02", datetime(2026, 3, 20, tzinfo=UTC))
        early = _note(1, "cn-a", "inv-acme-2026-02", datetime(2026, 3, 10, tzinfo=UTC))
        other = _note(3, "cn-c", "inv-beta-2026-02", datetime(2026, 3, 5, tzinfo=UTC), "beta")
        april = _note(4, "cn-d", "inv-acme-2026-02", datetime(2026, 4, 1, tzinfo=UTC))
        for note in (late, other, april, early):
            credit_notes.add(note)
        march = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))

        assert (
            early,
            None,
            [early, late, april],
            [early, late],
            [early, late, other, april],
        ) == (
            credit_notes.find("cn-a"),
            credit_notes.find("cn-z"),
            credit_notes.for_invoice("inv-acme-2026-02"),
            credit_notes.issued("acme", *march),
            credit_notes.list(),
        )

    def test_issued_for_partners_gives_each_partners_notes_as_issued_does_at_once(
        self, credit_notes: CreditNoteRepository
    ) -> None:
        late = _note(2, "cn-b", "inv-acme-2026-02", datetime(2026, 3, 20, tzinfo=UTC))
        early = _note(1, "cn-a", "inv-acme-2026-02", datetime(2026, 3, 10, tzinfo=UTC))
        other = _note(3, "cn-c", "inv-beta-2026-02", datetime(2026, 3, 5, tzinfo=UTC), "beta")
        april = _note(4, "cn-d", "inv-acme-2026-02", datetime(2026, 4, 1, tzinfo=UTC))
        for note in (late, other, april, early):
            credit_notes.add(note)
        march = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
        found = credit_notes.issued_for_partners(["beta", "gamma", "acme", "beta"], *march)
        assert ({"acme": [early, late], "beta": [other]}, {}) == (
            {partner_id: list(notes) for partner_id, notes in found.items()},
            dict(credit_notes.issued_for_partners([], *march)),
        )
        with pytest.raises(ValidationError):
            credit_notes.issued_for_partners("acme", *march)
        with pytest.raises(ValidationError):
            credit_notes.issued_for_partners(["acme"], datetime(2026, 3, 1), march[1])

    def test_a_request_id_or_a_number_given_twice_is_a_conflict(
        self, credit_notes: CreditNoteRepository
    ) -> None:
        first = _note(1, "cn-a", "inv-acme-2026-02", _AT)
        credit_notes.add(first)

        with pytest.raises(ConflictError):
            credit_notes.add(_note(2, "cn-a", "inv-acme-2026-02", _AT))
        with pytest.raises(ConflictError):
            credit_notes.add(_note(1, "cn-b", "inv-acme-2026-02", _AT))
        assert [first] == credit_notes.list()

    def test_adding_anything_but_a_credit_note_is_a_validation_error(
        self, credit_notes: CreditNoteRepository
    ) -> None:
        with pytest.raises(ValidationError):
            credit_notes.add("CN-2026-000001")  # type: ignore[arg-type]

        assert [] == credit_notes.list()
