"""The converter: library types in and out, and every problem reported with its path."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import cattrs
import pytest
from hypothesis import given

from partnercore import Problem, ValidationError
from partnercore.money import Currency, Money, Rounding
from partnercore.serialization import configure_converter, make_converter, structure, unstructure
from partnercore.time import BillingPeriod
from tests.strategies.time import aware_datetimes, billing_periods, moneys, utc_instants


class Kind(enum.StrEnum):
    LICENSE = "license"
    USAGE = "usage"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@attrs.frozen
class Line:
    kind: Kind
    amount: Money


@attrs.frozen(kw_only=True)
class Invoice:
    id: str
    period: BillingPeriod
    issued_at: datetime
    lines: list[Line]
    total: Money
    paid: bool = False
    copies: int = 1


@attrs.frozen(kw_only=True)
class Settings:
    currency: Currency
    rounding: Rounding
    rate: Decimal
    starts: date
    level: Level = Level.LOW


def an_invoice() -> Invoice:
    return Invoice(
        id="inv-acme-2026-11",
        period=BillingPeriod(2026, 11, "Europe/Paris"),
        issued_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        lines=[
            Line(Kind.LICENSE, Money.of("400.00", "USD")),
            Line(Kind.USAGE, Money.of("15", "USD")),
        ],
        total=Money.of("415.00", "USD"),
    )


def problems(data: Any, cl: type[Any], **kwargs: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        structure(data, cl, **kwargs)
    return [(p.path, p.message) for p in caught.value.problems]


# -- plain data out ---------------------------------------------------------------------------


def test_library_values_unstructure_to_plain_json_friendly_data() -> None:
    expected = {
        "id": "inv-acme-2026-11",
        "period": "2026-11[Europe/Paris]",
        "issued_at": "2026-12-01T09:00:00Z",
        "lines": [
            {"kind": "license", "amount": {"amount": "400.00", "currency": "USD"}},
            {"kind": "usage", "amount": {"amount": "15.00", "currency": "USD"}},
        ],
        "total": {"amount": "415.00", "currency": "USD"},
        "paid": False,
        "copies": 1,
    }

    assert expected == unstructure(an_invoice())


def test_decimals_dates_currencies_and_enums_unstructure_to_strings_and_numbers() -> None:
    settings = Settings(
        currency=Currency.of("KWD"),
        rounding=Rounding.HALF_EVEN,
        rate=Decimal("0.20"),
        starts=date(2026, 11, 1),
        level=Level.HIGH,
    )

    expected = {
        "currency": "KWD",
        "rounding": "half_even",
        "rate": "0.20",
        "starts": "2026-11-01",
        "level": 2,
    }
    assert expected == unstructure(settings)


def test_enum_members_are_written_as_their_plain_values() -> None:
    data = unstructure(
        Settings(
            currency=Currency.of("USD"),
            rounding=Rounding.HALF_UP,
            rate=Decimal(1),
            starts=date(2026, 1, 1),
        )
    )

    assert (str, int) == (type(data["rounding"]), type(data["level"]))
    assert [str, str] == [type(v) for v in unstructure([Kind.USAGE, Kind.LICENSE])]
    assert True is unstructure(True)


def test_an_instant_in_any_zone_is_written_in_utc() -> None:
    assert "2026-11-03T08:00:00Z" == unstructure(
        datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    )


# -- round trips ------------------------------------------------------------------------------


def test_a_record_round_trips_through_plain_data() -> None:
    invoice = an_invoice()

    assert invoice == structure(unstructure(invoice), Invoice)


@given(moneys() | moneys(extra_places=3))
def test_money_round_trips(money: Money) -> None:
    assert money == structure(unstructure(money), Money)


@given(billing_periods())
def test_billing_periods_round_trip_in_any_zone(period: BillingPeriod) -> None:
    back = structure(unstructure(period), BillingPeriod)

    assert period == back
    assert period.timezone == back.timezone


@given(utc_instants())
def test_utc_instants_round_trip_exactly(instant: datetime) -> None:
    back = structure(unstructure(instant), datetime)

    assert instant == back
    assert UTC is back.tzinfo


@given(aware_datetimes())
def test_aware_datetimes_in_any_zone_round_trip_to_the_same_instant_in_utc(
    instant: datetime,
) -> None:
    back = structure(unstructure(instant), datetime)

    # ``==`` between two zones is False for a time in a DST gap or fold (PEP 495), so the
    # instants are compared in UTC; inside the library every instant is UTC anyway.
    assert instant.astimezone(UTC) == back
    assert UTC is back.tzinfo


def test_a_datetime_in_an_ordinary_hour_of_a_zone_round_trips_with_plain_equality() -> None:
    instant = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("America/New_York"))

    assert instant == structure(unstructure(instant), datetime)


# -- what comes in ----------------------------------------------------------------------------


def test_instants_are_read_from_iso_8601_with_an_offset() -> None:
    assert datetime(2026, 11, 3, 8, 0, tzinfo=UTC) == structure(
        "2026-11-03T09:00:00+01:00", datetime
    )
    assert datetime(2026, 11, 3, 9, 0, tzinfo=UTC) == structure("2026-11-03T09:00:00Z", datetime)
    paris = datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert UTC is structure(paris, datetime).tzinfo


def test_periods_are_read_from_text_with_or_without_a_zone() -> None:
    assert BillingPeriod(2026, 11) == structure("2026-11", BillingPeriod)
    assert BillingPeriod(2026, 11, "Asia/Tokyo") == structure("2026-11[Asia/Tokyo]", BillingPeriod)


@pytest.mark.parametrize(
    ("data", "cl", "expected"),
    [
        (1.5, Decimal, [("", "expected a decimal string or an integer, got the float 1.5")]),
        ("x", Decimal, [("", "not a decimal number: 'x'")]),
        (
            "2026-11-03T09:00:00",
            datetime,
            [("", "naive datetime 2026-11-03T09:00:00 rejected: give it a time zone")],
        ),
        ("yesterday", datetime, [("", "not an ISO 8601 datetime: 'yesterday'")]),
        ("2026-13-01", date, [("", "not an ISO 8601 date: '2026-13-01'")]),
        ("2026-13", BillingPeriod, [("", "month must be 01..12, got '2026-13'")]),
        ("usd", Currency, [("", "unknown ISO 4217 currency code 'usd'")]),
        ("12.50 USD", Money, [("", "expected {amount, currency}, got '12.50 USD'")]),
        (
            {"amount": 12.5, "currency": "USD"},
            Money,
            [("amount", "expected a decimal string or an integer, got the float 12.5")],
        ),
        (
            {"amount": "1", "currency": "USD", "note": "x"},
            Money,
            [("", "unknown key(s): note")],
        ),
        (
            {"value": "x"},
            Money,
            [
                ("", "unknown key(s): value"),
                ("amount", "required key is missing"),
                ("currency", "required key is missing"),
            ],
        ),
        (
            {"amount": "NaN", "currency": "XYZ"},
            Money,
            [
                ("amount", "must be a finite number, got 'NaN'"),
                ("currency", "unknown ISO 4217 currency code 'XYZ'"),
            ],
        ),
        ("HALF_UP", Rounding, [("", "expected one of half_up, half_even, got 'HALF_UP'")]),
        ("1", Level, [("", "expected one of 1, 2, got '1'")]),
        ("false", bool, [("", "expected true or false, got 'false'")]),
        (1, bool, [("", "expected true or false, got 1")]),
        (True, int, [("", "expected an integer, got True")]),
        ("5", int, [("", "expected an integer, got '5'")]),
        (5, str, [("", "expected a string, got 5")]),
    ],
)
def test_bad_values_are_rejected_with_a_readable_message(
    data: Any, cl: type[Any], expected: list[tuple[str, str]]
) -> None:
    assert expected == problems(data, cl)


@attrs.frozen
class Note:
    text: str
    tags: dict[str, str] = attrs.Factory(dict)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"text": "\ud800x"},
            [
                (
                    "text",
                    "expected a string without lone surrogates, got '\\ud800x' (U+D800 at index 0)",
                )
            ],
        ),
        (
            {"text": "ok", "tags": {"a\udfff": "b"}},
            [
                (
                    "tags['a\\udfff']",
                    "expected a string without lone surrogates, got 'a\\udfff' (U+DFFF at index 1)",
                )
            ],
        ),
    ],
)
def test_a_string_with_a_lone_surrogate_is_rejected_with_its_path(
    data: Any, expected: list[tuple[str, str]]
) -> None:
    assert expected == problems(data, Note)


def test_a_string_with_any_other_unicode_text_is_accepted_as_it_is() -> None:
    text = "Zoë\tand\nCo 😀"

    assert Note(text, {"名": "x"}) == structure({"text": text, "tags": {"名": "x"}}, Note)


@pytest.mark.parametrize(
    ("data", "cl", "message"),
    [
        ("١٢.٥", Decimal, "not a decimal number: '١٢.٥'"),
        ("１２", Decimal, "not a decimal number: '１２'"),
        ("1_000", Decimal, "not a decimal number: '1_000'"),
        ("٢٠٢٦-١١", BillingPeriod, "expected YYYY-MM, got '٢٠٢٦-١١'"),
        ("2026-11\n", BillingPeriod, "expected YYYY-MM, got '2026-11\\n'"),
        ("٢٠٢٦-١١-٠١", date, "not an ISO 8601 date: '٢٠٢٦-١١-٠١'"),
    ],
)
def test_numbers_dates_and_periods_are_written_with_ascii_digits_only(
    data: str, cl: type[Any], message: str
) -> None:
    assert [("", message)] == problems(data, cl)


def test_a_currency_field_reports_its_problem_once_at_its_own_path() -> None:
    data = {
        "currency": "XYZ",
        "rounding": "half_up",
        "rate": "0.2",
        "starts": "2026-11-01",
    }

    assert [("currency", "unknown ISO 4217 currency code 'XYZ'")] == problems(data, Settings)


def test_every_problem_in_a_nested_record_is_listed_with_its_path() -> None:
    data = {
        "period": "2026-13",
        "issued_at": "2026-12-01T09:00:00",
        "lines": [
            {"kind": "license", "amount": {"amount": "400.00", "currency": "USD"}},
            {"kind": "refund", "amount": {"amount": 15.5, "currency": "USD"}},
            {"kind": "usage", "amount": {"amount": "1", "currency": "USD"}, "note": "x"},
            {"kind": "usage"},
            {"kind": "usage", "amount": {"currency": "usd"}},
        ],
        "total": {"amount": "415.00", "currency": "USD"},
        "paid": "no",
        "colour": "red",
    }

    expected = [
        ("id", "required key is missing"),
        ("period", "month must be 01..12, got '2026-13'"),
        ("issued_at", "naive datetime 2026-12-01T09:00:00 rejected: give it a time zone"),
        ("lines[1].kind", "expected one of license, usage, got 'refund'"),
        ("lines[1].amount.amount", "expected a decimal string or an integer, got the float 15.5"),
        ("lines[2]", "unknown key(s): note"),
        ("lines[3].amount", "required key is missing"),
        ("lines[4].amount.amount", "required key is missing"),
        ("lines[4].amount.currency", "unknown ISO 4217 currency code 'usd'"),
        ("paid", "expected true or false, got 'no'"),
        ("", "unknown key(s): colour"),
    ]
    assert sorted(expected) == sorted(problems(data, Invoice))


def test_a_list_of_money_reports_each_bad_item_by_index() -> None:
    data = [
        {"amount": "1.00", "currency": "USD"},
        {"amount": 2.5, "currency": "USD"},
        "3.00 USD",
    ]

    expected = [
        ("[1].amount", "expected a decimal string or an integer, got the float 2.5"),
        ("[2]", "expected {amount, currency}, got '3.00 USD'"),
    ]
    assert expected == problems(data, list[Money])


def test_missing_keys_are_each_named() -> None:
    expected = [
        ("id", "required key is missing"),
        ("period", "required key is missing"),
        ("issued_at", "required key is missing"),
        ("lines", "required key is missing"),
        ("total", "required key is missing"),
    ]

    assert expected == problems({}, Invoice)


def test_a_path_can_be_put_in_front_of_every_problem() -> None:
    assert [("invoices[3].total.amount", "required key is missing")] == problems(
        {"currency": "USD"}, Money, path="invoices[3].total"
    )
    data = unstructure(an_invoice()) | {"copies": "2"}
    assert [("invoices[3].copies", "expected an integer, got '2'")] == problems(
        data, Invoice, path="invoices[3]"
    )


def test_a_structure_error_is_a_validation_error_and_a_value_error() -> None:
    with pytest.raises(ValueError, match="lines: required key is missing"):
        structure({"period": "2026-11"}, Invoice)


# -- converters -------------------------------------------------------------------------------


def test_there_is_no_global_converter_each_one_is_new() -> None:
    first = make_converter()
    second = make_converter()
    first.register_unstructure_hook(Money, lambda m: str(m))

    assert first is not second
    assert "1.00 USD" == unstructure(Money.of("1", "USD"), converter=first)
    assert {"amount": "1.00", "currency": "USD"} == unstructure(
        Money.of("1", "USD"), converter=second
    )


def test_an_existing_converter_learns_the_library_types() -> None:
    converter = cattrs.Converter()

    assert converter is configure_converter(converter)
    assert Money.of("1", "USD") == converter.structure({"amount": "1", "currency": "USD"}, Money)
    assert "2026-11[Europe/Paris]" == converter.unstructure(BillingPeriod(2026, 11, "Europe/Paris"))


def test_unknown_keys_can_be_allowed() -> None:
    data = unstructure(an_invoice()) | {"colour": "red"}

    assert an_invoice() == structure(
        data, Invoice, converter=make_converter(forbid_extra_keys=False)
    )
    assert [("", "unknown key(s): colour")] == problems(data, Invoice)


def test_values_already_of_the_right_type_pass_through() -> None:
    money = Money.of("1", "USD")
    period = BillingPeriod(2026, 11)

    assert money == structure(money, Money)
    assert period == structure(period, BillingPeriod)
    assert Rounding.HALF_UP == structure(Rounding.HALF_UP, Rounding)
    assert date(2026, 11, 1) == structure(date(2026, 11, 1), date)
    assert timedelta(0) == structure(datetime(2026, 1, 1, tzinfo=UTC), datetime) - datetime(
        2026, 1, 1, tzinfo=UTC
    )


def test_a_problem_is_a_path_and_a_message() -> None:
    with pytest.raises(ValidationError) as caught:
        structure({"amount": "x", "currency": "USD"}, Money)

    assert (Problem("amount", "not a decimal number: 'x'"),) == caught.value.problems


def test_a_time_in_a_repeated_hour_comes_back_as_the_same_instant_in_utc() -> None:
    # 02:30 on 2026-10-25 happens twice in Paris; fold=1 is the second time (+01).
    second = datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Paris"), fold=1)

    back = structure(unstructure(second), datetime)

    assert "2026-10-25T01:30:00Z" == unstructure(second)
    assert datetime(2026, 10, 25, 1, 30, tzinfo=UTC) == back
    assert second.timestamp() == back.timestamp()
    assert second != back  # PEP 495: inter-zone == is False for a time in a fold
