"""Money at its boundaries: equal amounts, extreme ratios, zero, and a hostile caller context."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from partnercore import ValidationError
from partnercore.money import Money, to_decimal


def test_equal_amounts_are_neither_less_nor_greater_but_both_at_most_and_at_least() -> None:
    left = Money.of("1.00", "USD")
    right = Money.of("1", "USD")

    assert (False, True, False, True) == (left < right, left <= right, left > right, left >= right)


def test_to_decimal_names_the_amount_when_no_path_is_given() -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal("twelve")

    assert "amount: not a decimal number: 'twelve'" == str(caught.value)


@pytest.mark.parametrize(
    ("ratios", "parts"),
    [
        ([Decimal("1E+1000"), 1], ["1.00 USD", "0.00 USD"]),
        ([Decimal("1E-1000"), 1], ["0.00 USD", "1.00 USD"]),
    ],
)
def test_ratios_at_the_edges_of_their_range_are_accepted(
    ratios: list[object], parts: list[str]
) -> None:
    assert parts == [str(part) for part in Money.of("1.00", "USD").allocate(ratios)]


@pytest.mark.parametrize(
    ("ratio", "message"),
    [
        (Decimal("1E+1001"), "ratios[0]: ratio out of range: 1E+1001"),
        (Decimal("1E-1001"), "ratios[0]: ratio out of range: 1E-1001"),
    ],
)
def test_ratios_just_beyond_their_range_are_rejected(ratio: Decimal, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of("1.00", "USD").allocate([ratio, 1])

    assert message == str(caught.value)


def test_zero_splits_into_zeros_without_a_sign() -> None:
    parts = Money.zero("USD").allocate([1, 2])

    assert ["0.00 USD", "0.00 USD"] == [str(part) for part in parts]
    assert [{"amount": "0.00", "currency": "USD"}] * 2 == [part.to_dict() for part in parts]


def test_allocation_does_not_depend_on_the_callers_decimal_context() -> None:
    amount = Money.of("123456.78", "USD")

    with localcontext() as context:
        context.prec = 5
        parts = amount.allocate([1, 1])

    assert [Money.of("61728.39", "USD"), Money.of("61728.39", "USD")] == parts


def test_the_largest_amounts_split_exactly_in_the_default_decimal_context() -> None:
    amount = Money.of("99999999999999999999999999999.99", "USD")  # 31 digits

    parts = amount.allocate([1, 1, 1])

    assert [
        Money.of("33333333333333333333333333333.33", "USD"),
        Money.of("33333333333333333333333333333.33", "USD"),
        Money.of("33333333333333333333333333333.33", "USD"),
    ] == parts
