"""JSON in and out: no floats anywhere, every problem with its path."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given

from partnercore import ValidationError
from partnercore.money import Money
from partnercore.serialization import from_json, make_converter, to_json
from partnercore.time import BillingPeriod
from tests.strategies.time import billing_periods, moneys, utc_instants


@attrs.frozen(kw_only=True)
class Charge:
    period: BillingPeriod
    at: datetime
    amounts: list[Money]
    rate: Decimal


def a_charge() -> Charge:
    return Charge(
        period=BillingPeriod(2026, 11, "Europe/Paris"),
        at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
        amounts=[Money.of("12.50", "USD"), Money.of("1000", "JPY")],
        rate=Decimal("0.20"),
    )


def problems(text: str | bytes, cl: type[Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        from_json(text, cl)
    return [(p.path, p.message) for p in caught.value.problems]


def test_a_record_is_written_as_json_with_money_and_decimals_as_strings() -> None:
    expected = (
        '{"period": "2026-11[Europe/Paris]", "at": "2026-11-03T09:00:00Z", '
        '"amounts": [{"amount": "12.50", "currency": "USD"}, '
        '{"amount": "1000", "currency": "JPY"}], "rate": "0.20"}'
    )

    assert expected == to_json(a_charge())


def test_json_can_be_indented() -> None:
    assert json.loads(to_json(a_charge())) == json.loads(to_json(a_charge(), indent=2))
    assert "\n  " in to_json(a_charge(), indent=2)


def test_a_record_round_trips_through_json_text_and_bytes() -> None:
    text = to_json(a_charge())

    assert a_charge() == from_json(text, Charge)
    assert a_charge() == from_json(text.encode(), Charge)


@given(moneys(extra_places=2), billing_periods(), utc_instants())
def test_values_round_trip_through_json(
    money: Money, period: BillingPeriod, instant: datetime
) -> None:
    charge = Charge(period=period, at=instant, amounts=[money], rate=money.amount)

    assert charge == from_json(to_json(charge), Charge)


def test_every_float_in_the_json_is_rejected_with_its_path() -> None:
    text = """{
        "period": "2026-11",
        "at": "2026-11-03T09:00:00Z",
        "amounts": [{"amount": "1.00", "currency": "USD"}, {"amount": 2.5, "currency": "USD"}],
        "rate": 0.2
    }"""

    expected = [
        ("amounts[1].amount", "float 2.5 rejected: write money and decimals as strings"),
        ("rate", "float 0.2 rejected: write money and decimals as strings"),
    ]
    assert expected == problems(text, Charge)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e3", "1.0"])
def test_json_number_forms_that_are_not_integers_are_rejected(constant: str) -> None:
    assert [
        ("rate", f"float {constant} rejected: write money and decimals as strings")
    ] == problems(f'{{"rate": {constant}}}', dict)


def test_an_integer_amount_is_fine() -> None:
    assert Money.of("12", "JPY") == from_json('{"amount": 12, "currency": "JPY"}', Money)


def test_malformed_json_is_a_validation_error() -> None:
    assert [("", "malformed JSON: Expecting value: line 1 column 12 (char 11)")] == problems(
        '{"amount": }', Money
    )
    assert "malformed JSON" in problems(b"\xff\xfe{", Money)[0][1]


def test_json_problems_past_parsing_are_the_converters_with_their_paths() -> None:
    text = '{"period": "2026-13", "at": "2026-11-03T09:00:00", "amounts": [], "rate": "x"}'

    expected = [
        ("period", "month must be 01..12, got '2026-13'"),
        ("at", "naive datetime 2026-11-03T09:00:00 rejected: give it a time zone"),
        ("rate", "not a decimal number: 'x'"),
    ]
    assert expected == problems(text, Charge)


@attrs.frozen
class Named:
    name: str


def test_a_lone_surrogate_escaped_in_json_is_rejected_with_its_path() -> None:
    # Valid JSON text can spell a lone surrogate (\\ud800): it has no UTF-8 form.
    assert [
        (
            "name",
            "expected a string without lone surrogates, got '\\ud800x' (U+D800 at index 0)",
        )
    ] == problems('{"name": "\\ud800x"}', Named)
    assert Named("😀") == from_json('{"name": "\\ud83d\\ude00"}', Named)


def test_from_json_uses_the_converter_it_is_given() -> None:
    text = to_json(a_charge())[:-1] + ', "colour": "red"}'

    assert [("", "unknown key(s): colour")] == problems(text, Charge)
    assert a_charge() == from_json(text, Charge, converter=make_converter(forbid_extra_keys=False))
