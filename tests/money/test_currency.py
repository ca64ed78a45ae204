"""Currencies: the ISO 4217 table, minor units, unknown codes rejected."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given

from partnercore import ValidationError
from partnercore.money import Currency, Money, to_current_currency
from tests.strategies.time import currencies


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
    assert 165 == len(codes)
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


# -- ISO 4217 List One as published on 2026-01-01 -----------------------------------------------


@pytest.mark.parametrize(
    ("code", "minor_units"),
    [("XAD", 2), ("XCG", 2), ("SLE", 2), ("ZWG", 2), ("VED", 2), ("UYW", 4)],
)
def test_the_codes_added_up_to_2026_are_known_with_their_minor_units(
    code: str, minor_units: int
) -> None:
    currency = Currency.of(code)

    assert (minor_units, False, None) == (
        currency.minor_units,
        currency.withdrawn,
        currency.successor,
    )
    assert code in Currency.codes()


@pytest.mark.parametrize(
    ("code", "successor"),
    [("ANG", "XCG"), ("BGN", "EUR"), ("CUC", None), ("SLL", "SLE"), ("ZWL", "ZWG")],
)
def test_a_withdrawn_code_still_reads_historic_amounts_and_names_its_successor(
    code: str, successor: str | None
) -> None:
    currency = Currency.of(code)

    assert (2, True) == (currency.minor_units, currency.withdrawn)
    assert (None if successor is None else Currency.of(successor)) == currency.successor
    assert "12.50 " + code == str(Money.of("12.5", code))
    assert code not in Currency.codes()
    assert code in Currency.codes(withdrawn=True)


def test_the_withdrawn_codes_are_exactly_those_withdrawn_up_to_2026() -> None:
    withdrawn = set(Currency.codes(withdrawn=True)) - set(Currency.codes())

    assert {"ANG", "BGN", "CUC", "SLL", "ZWL"} == withdrawn
    assert not any(Currency.of(code).withdrawn for code in Currency.codes())


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "BGN",
            "currency: BGN is withdrawn from ISO 4217 (replaced by EUR): new prices must be in EUR",
        ),
        (
            "ANG",
            "currency: ANG is withdrawn from ISO 4217 (replaced by XCG): new prices must be in XCG",
        ),
        (
            "SLL",
            "currency: SLL is withdrawn from ISO 4217 (replaced by SLE): new prices must be in SLE",
        ),
        (
            "ZWL",
            "currency: ZWL is withdrawn from ISO 4217 (replaced by ZWG): new prices must be in ZWG",
        ),
        (
            "CUC",
            "currency: CUC is withdrawn from ISO 4217 without a successor "
            "(Cuba's currency is CUP): new prices cannot use it",
        ),
    ],
)
def test_a_withdrawn_code_is_refused_for_new_use_naming_its_successor(
    code: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        to_current_currency(code)

    assert message == str(caught.value)


def test_a_current_code_is_accepted_for_new_use() -> None:
    assert Currency.of("XCG") == to_current_currency("XCG")
    assert Currency.of("EUR") == to_current_currency(Currency.of("EUR"))
    with pytest.raises(ValidationError, match="unknown ISO 4217 currency code 'XYZ'"):
        to_current_currency("XYZ")
