"""Advisor seats under each seat policy (§5)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partnercore import ValidationError
from partnercore.billing import (
    LineKind,
    PartnerBillingInput,
    PriceBook,
    SeatHolding,
    calculate_run,
)


def _at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


# November 2025 in UTC: 30 days.
SEATS = [
    SeatHolding("alice", _at(1, 1)),  # the whole period
    SeatHolding("bob", _at(11, 10, 12), _at(11, 12, 8)),  # touches the 10th, 11th and 12th
    SeatHolding("carol", _at(1, 1), _at(10, 15)),  # gone before the period
    SeatHolding("dave", _at(11, 30, 23)),  # the last hour
    SeatHolding("erin", _at(1, 1), _at(12, 1)),  # until the period's end exactly
    SeatHolding("frank", _at(1, 1), _at(11, 20)),  # the 1st to the 19th
]


def _seat_lines(policy: str, seats: list[SeatHolding] = SEATS) -> list[tuple[str, str, str]]:
    book = PriceBook.of(
        "b", "USD", advisor_monthly_fee="30.00", full_license_monthly_fee="0", seat_policy=policy
    )
    run = calculate_run(
        "2025-11", [PartnerBillingInput(partner_id="acme", price_book=book, seats=seats)]
    )
    invoice = run.invoice("inv-acme-2025-11")
    assert all(LineKind.ADVISOR_SEATS == line.kind for line in invoice.lines)
    return [
        (line.user or "", str(line.quantity), line.amount.format_amount()) for line in invoice.lines
    ]


def test_any_time_counts_everyone_who_held_a_seat_for_an_instant() -> None:
    assert [("", "5", "150.00")] == _seat_lines("any_time")


def test_period_end_counts_only_those_holding_a_seat_at_the_last_instant() -> None:
    assert [("", "3", "90.00")] == _seat_lines("period_end")


def test_prorated_daily_bills_each_advisor_for_the_local_days_they_held_a_seat() -> None:
    assert [
        ("alice", "1", "30.00"),
        ("bob", "1", "3.00"),
        ("dave", "1", "1.00"),
        ("erin", "1", "30.00"),
        ("frank", "1", "19.00"),
    ] == _seat_lines("prorated_daily")


def test_prorated_daily_lines_carry_the_share_of_days() -> None:
    book = PriceBook.of(
        "b",
        "USD",
        advisor_monthly_fee="30.00",
        full_license_monthly_fee="0",
        seat_policy="prorated_daily",
    )
    run = calculate_run(
        "2025-11", [PartnerBillingInput(partner_id="acme", price_book=book, seats=SEATS)]
    )
    bob = run.invoice("inv-acme-2025-11").lines[1]
    assert "3 of 30 days" == str(bob.share)
    assert "Advisor seat: bob, 3 of 30 days" == bob.description


def test_a_user_holding_two_seat_roles_in_turn_counts_once() -> None:
    seats = [
        SeatHolding("alice", _at(11, 1), _at(11, 15)),  # advisor
        SeatHolding("alice", _at(11, 15)),  # then partner_admin
    ]
    assert [("", "1", "30.00")] == _seat_lines("any_time", seats)
    assert [("alice", "1", "30.00")] == _seat_lines("prorated_daily", seats)


@pytest.mark.parametrize("policy", ["any_time", "prorated_daily", "period_end"])
def test_a_partner_without_advisors_still_gets_an_invoice_with_zero_seats(policy: str) -> None:
    assert [("", "0", "0.00")] == _seat_lines(policy, [])


def test_a_seat_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValidationError, match="end"):
        SeatHolding("alice", _at(11, 2), _at(11, 1))


def test_a_naive_seat_start_is_rejected() -> None:
    with pytest.raises(ValidationError, match="start"):
        SeatHolding("alice", datetime(2025, 11, 1))
