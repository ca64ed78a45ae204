"""Products of several exact factors rounded once, and the rounding's rejected inputs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnercore import ValidationError
from partnercore.billing._rounding import from_minor, round_product, round_ratio, round_to_minor
from partnercore.money import Rounding


def test_a_product_of_several_fractional_factors_is_exact_before_its_one_rounding() -> None:
    # 1.5 x 2.5 x 0.125 = 0.46875: rounded once, never factor by factor.
    factors = (Decimal("1.5"), Decimal("2.5"), Decimal("0.125"))

    assert Decimal("0.47") == round_product(factors, 2, Rounding.HALF_UP)
    assert Decimal("0.469") == round_product(factors, 3, Rounding.HALF_UP)
    assert Decimal("0.469") == round_product(factors, 3, Rounding.HALF_EVEN)


def test_a_tie_made_by_several_fractional_factors_follows_the_rounding_mode() -> None:
    factors = (Decimal("0.5"), Decimal("0.5"), Decimal("0.5"))  # 0.125

    assert Decimal("0.13") == round_product(factors, 2, Rounding.HALF_UP)
    assert Decimal("0.12") == round_product(factors, 2, Rounding.HALF_EVEN)


def test_a_product_with_a_ratio_multiplies_the_factors_by_it() -> None:
    # 19.99 x 3 x 7 / 31 = 13.5416129...
    factors = (Decimal("19.99"), Decimal(3))

    assert Decimal("13.54") == round_product(factors, 2, Rounding.HALF_UP, 7, 31)
    assert Decimal("19.99") == round_product((Decimal("19.99"),), 2, Rounding.HALF_UP)
    assert Decimal("1.00") == round_product((), 2, Rounding.HALF_UP)


def test_a_negative_product_rounds_its_tie_away_from_zero_under_half_up() -> None:
    factors = (Decimal("-0.5"), Decimal("0.25"))  # -0.125

    assert Decimal("-0.13") == round_product(factors, 2, Rounding.HALF_UP)
    assert Decimal("-0.12") == round_product(factors, 2, Rounding.HALF_EVEN)


def test_minor_units_are_an_exact_decimal_with_the_currencys_places() -> None:
    assert ("19.35", "1935", "1.935") == (
        str(from_minor(1935, 2)),
        str(from_minor(1935, 0)),
        str(from_minor(1935, 3)),
    )
    assert "0.00" == str(from_minor(0, 2))


def test_rounding_to_minor_units_scales_by_the_currencys_digits() -> None:
    assert Decimal("0.333") == round_to_minor(1, 3, 3, Rounding.HALF_UP)
    assert Decimal("0.6667") == round_to_minor(2, 3, 4, Rounding.HALF_UP)


@pytest.mark.parametrize("denominator", [0, -3])
def test_a_ratio_without_a_positive_denominator_is_rejected_naming_it(denominator: int) -> None:
    with pytest.raises(ValidationError) as caught:
        round_ratio(1, denominator, Rounding.HALF_UP)

    assert f"denominator: must be positive, got {denominator}" == str(caught.value)


def test_just_above_a_tie_rounds_up_in_both_modes() -> None:
    # 2.5000...01 is no tie: up under half_even too.
    assert 3 == round_ratio(25 * 10**20 + 1, 10**21, Rounding.HALF_EVEN)
    assert -3 == round_ratio(-(25 * 10**20 + 1), 10**21, Rounding.HALF_EVEN)
