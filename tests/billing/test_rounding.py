"""Rounding once per line, exactly, with the price book's mode."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnercore import ValidationError
from partnercore.billing._rounding import round_product, round_ratio, round_to_minor
from partnercore.money import Rounding


@pytest.mark.parametrize(
    ("numerator", "half_up", "half_even"),
    [(5, 3, 2), (7, 4, 4), (-5, -3, -2), (-7, -4, -4), (3, 2, 2), (4, 2, 2), (0, 0, 0)],
)
def test_ties_go_away_from_zero_under_half_up_and_to_even_under_half_even(
    numerator: int, half_up: int, half_even: int
) -> None:
    assert half_up == round_ratio(numerator, 2, Rounding.HALF_UP)
    assert half_even == round_ratio(numerator, 2, Rounding.HALF_EVEN)


def test_a_value_just_below_a_tie_rounds_down_in_both_modes() -> None:
    # 14.92499999... is no tie, however close it comes.
    numerator, denominator = 14925 * 10**20 - 1, 10**23
    assert Decimal("14.92") == round_to_minor(numerator, denominator, 2, Rounding.HALF_UP)
    assert Decimal("14.92") == round_to_minor(numerator, denominator, 2, Rounding.HALF_EVEN)


def test_14_925_rounds_to_14_93_half_up_and_14_92_half_even() -> None:
    factors = (Decimal(3), Decimal("4.975"))
    assert Decimal("14.93") == round_product(factors, 2, Rounding.HALF_UP)
    assert Decimal("14.92") == round_product(factors, 2, Rounding.HALF_EVEN)


def test_zero_minor_units_round_to_whole_yen() -> None:
    assert Decimal("1935") == round_to_minor(10000 * 6, 31, 0, Rounding.HALF_UP)


def test_a_denominator_of_zero_is_rejected() -> None:
    with pytest.raises(ValidationError, match="denominator"):
        round_ratio(1, 0, Rounding.HALF_UP)
