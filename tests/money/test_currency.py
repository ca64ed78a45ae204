"""Currencies: the ISO 4217 table, minor units, unknown codes rejected."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given

from partnercore import ValidationError
from partnercore.money import Currency
from tests.strategies import currencies


@pytest.mark.parametrize(
    ("code", "minor_units", "quantum"),
    [
        ("USD", 2, Decimal("0.01")),
        ("EUR", 2, Decimal("0.01")),
        ("JPY", 0, Decimal("1")),
        ("KRW", 0, Decimal("1")),
        ("KWD", 3, Decimal("0.001")),
        ("BHD", 3, Decimal("0.001")),
        ("CLF", 4, Decimal("0.0001")),
    ],
)
def test_a_currency_knows_its_minor_units_and_smallest_amount(
    code: str, minor_units: int, quantum: Decimal
) -> None:
    currency = Currency.of(code)

    assert minor_units == currency.minor_units
    assert quantum == currency.quantum
    assert -minor_units == currency.quantum.as_tuple().exponent


def test_an_unknown_code_is_rejected_with_a_readable_message() -> None:
    with pytest.raises(ValidationError) as caught:
        Currency.of("XYZ")

    assert "currency: unknown ISO 4217 currency code 'XYZ'" == str(caught.value)


@pytest.mark.parametrize("code", ["usd", "US", "USDX", "", " USD", "XDR"])
def test_codes_must_match_the_table_exactly(code: str) -> None:
    with pytest.raises(ValidationError, match="unknown ISO 4217 currency code"):
        Currency.of(code)


@pytest.mark.parametrize("code", [840, None, b"USD", ["USD"]])
def test_a_code_that_is_not_a_string_is_rejected(code: object) -> None:
    with pytest.raises(ValidationError, match="expected an ISO 4217 code"):
        Currency.of(code)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="expected an ISO 4217 code"):
        Currency(code)  # type: ignore[arg-type]


def test_the_constructor_validates_like_of() -> None:
    with pytest.raises(ValidationError, match="unknown ISO 4217 currency code 'ABC'"):
        Currency("ABC")


def test_of_returns_a_currency_it_is_given_unchanged() -> None:
    usd = Currency.of("USD")

    assert usd is Currency.of(usd)


def test_the_table_is_the_full_iso_4217_list_of_codes_with_minor_units() -> None:
    codes = Currency.codes()

    assert sorted(codes) == list(codes)
    assert len(codes) >= 150
    assert {"USD", "EUR", "GBP", "JPY", "CHF", "KWD", "CLF", "XOF", "ZAR"} <= set(codes)
    assert {len(code) for code in codes} == {3}
    assert {0, 2, 3, 4} == {Currency.of(code).minor_units for code in codes}


def test_a_currency_prints_as_its_code_and_orders_by_code() -> None:
    assert "EUR" == str(Currency.of("EUR"))
    assert [Currency.of("EUR"), Currency.of("JPY"), Currency.of("USD")] == sorted(
        [Currency.of("USD"), Currency.of("EUR"), Currency.of("JPY")]
    )


@given(currencies())
def test_every_known_code_builds_a_currency_equal_to_itself(currency: Currency) -> None:
    assert currency == Currency.of(currency.code)
    assert Decimal(1).scaleb(-currency.minor_units) == currency.quantum
