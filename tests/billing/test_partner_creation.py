"""A partner is billed only for periods it existed in: billing a month before the partner team
was created gives it no invoice (not one with a zero-seat line) and no statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from partnercore import ValidationError
from partnercore.billing import (
    BillingAccount,
    PartnerBillingInput,
    PriceBook,
    bill_period,
    calculate_run,
)
from partnercore.memory import InMemoryStore
from partnercore.tenancy import Team
from partnercore.time import BillingPeriod

NOVEMBER_PARIS = BillingPeriod(2026, 11, "Europe/Paris")
BOOK = PriceBook.of(
    "standard", "USD", advisor_monthly_fee="50.00", full_license_monthly_fee="400.00"
)


def _partner(partner_id: str, created_at: object) -> PartnerBillingInput:
    return PartnerBillingInput(
        partner_id=partner_id,
        price_book=BOOK,
        referral_rate="0.20",
        timezone="Europe/Paris",
        created_at=created_at,
    )


def test_a_partner_created_after_the_period_gets_no_invoice_and_no_statement() -> None:
    run = calculate_run(
        "2026-11",
        [
            _partner("old", datetime(2026, 1, 1, tzinfo=UTC)),
            _partner("new", datetime(2026, 12, 5, tzinfo=UTC)),
        ],
    )

    assert ["inv-old-2026-11"] == [invoice.id for invoice in run.invoices]
    assert ["old"] == [statement.partner_id for statement in run.referrals]
    assert run.invoice_of("new") is None


@pytest.mark.parametrize(
    ("created_at", "billed"),
    [
        (NOVEMBER_PARIS.end, False),  # created at the first instant of December (Paris)
        (NOVEMBER_PARIS.end - timedelta(microseconds=1), True),  # the last instant of November
        (NOVEMBER_PARIS.start, True),
        (None, True),  # unknown: always billed
    ],
)
def test_a_partner_is_billed_for_the_period_it_was_created_in_and_later(
    created_at: datetime | None, billed: bool
) -> None:
    run = calculate_run("2026-11", [_partner("acme", created_at)])

    assert billed == (run.invoice_of("acme") is not None)
    assert billed == bool(run.referrals)


def test_a_partners_creation_instant_must_be_timezone_aware() -> None:
    with pytest.raises(ValidationError) as caught:
        _partner("acme", datetime(2026, 12, 5))

    assert str(caught.value).startswith("created_at: ")


def test_billing_a_month_before_a_partner_existed_gives_it_no_invoice() -> None:
    store = InMemoryStore()
    store.price_books.add(BOOK)
    for partner_id, created in (
        ("old", datetime(2026, 1, 1, tzinfo=UTC)),
        ("new", datetime(2027, 2, 1, tzinfo=UTC)),
    ):
        store.teams.add(Team.partner(partner_id, partner_id.title(), created_at=created))
        store.accounts.add(BillingAccount(partner_id, "standard", Decimal("0.20")))

    run = bill_period(store, "2026-11")

    assert ["inv-old-2026-11"] == [invoice.id for invoice in run.invoices]
    assert ["old"] == [statement.partner_id for statement in run.referrals]
    later = bill_period(store, "2027-02")
    assert ["inv-new-2027-02", "inv-old-2027-02"] == sorted(i.id for i in later.invoices)
