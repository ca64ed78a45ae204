"""Price books and billing accounts: one currency, no floats, known metrics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnercore import CurrencyMismatchError, ValidationError
from partnercore.billing import (
    BillingAccount,
    Proration,
    ReferralBase,
    ReferralSettlement,
    SeatPolicy,
)
from partnercore.billing import PriceBook as Book
from partnercore.money import Currency, Money, Rounding
from partnercore.serialization import structure, unstructure


def _book(**changes: object) -> Book:
    values: dict[str, object] = {
        "advisor_monthly_fee": "50.00",
        "full_license_monthly_fee": "400.00",
        "usage": {"assessments": "5.00"},
    }
    values.update(changes)
    return Book.of("standard", "USD", **values)  # type: ignore[arg-type]


def test_a_price_book_has_the_specified_defaults() -> None:
    book = _book()
    assert Rounding.HALF_UP == book.rounding
    assert SeatPolicy.ANY_TIME == book.seat_policy
    assert Proration.DAILY == book.proration
    assert ReferralBase.ALL_CHARGES == book.referral_base
    assert ReferralSettlement.STATEMENT == book.referral_settlement
    assert Decimal("1.00") == book.content_revenue_share


def test_policies_are_given_with_the_specs_spelling() -> None:
    book = _book(seat_policy="prorated_daily", proration="exact", rounding="half_even")
    assert (SeatPolicy.PRORATED_DAILY, Proration.EXACT, Rounding.HALF_EVEN) == (
        book.seat_policy,
        book.proration,
        book.rounding,
    )


def test_an_unknown_policy_value_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="seat_policy: expected one of any_time, "):
        _book(seat_policy="sometimes")


def test_a_float_price_is_rejected() -> None:
    with pytest.raises(ValidationError, match="full_license_monthly_fee"):
        _book(full_license_monthly_fee=400.0)
    with pytest.raises(ValidationError, match="float"):
        _book(usage={"assessments": 5.0})


def test_a_float_given_where_money_is_expected_is_rejected() -> None:
    with pytest.raises(
        ValidationError, match=r"advisor_monthly_fee: expected Money, got the float"
    ):
        Book(
            id="b",
            currency="USD",
            advisor_monthly_fee=50.0,  # type: ignore[arg-type]
            full_license_monthly_fee=Money("400.00", "USD"),
        )


def test_a_price_in_another_currency_is_a_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatchError, match="advisor_monthly_fee"):
        _book(advisor_monthly_fee=Money("50.00", "EUR"))
    with pytest.raises(CurrencyMismatchError, match="assessments"):
        _book(usage={"assessments": Money("5.00", "EUR")})


def test_a_negative_price_is_rejected() -> None:
    with pytest.raises(ValidationError, match="negative"):
        _book(usage={"assessments": "-1"})


def test_an_unknown_metric_is_an_error_not_a_zero_price() -> None:
    with pytest.raises(ValidationError, match="unknown usage metric 'reports'"):
        _book().unit_price("reports")


def test_unit_prices_may_be_finer_than_the_minor_unit() -> None:
    assert Money("0.0125", "USD") == _book(usage={"api_calls": "0.0125"}).unit_price("api_calls")


def test_price_books_compare_and_hash_by_value() -> None:
    assert _book() == _book()
    assert hash(_book()) == hash(_book())
    assert _book() != _book(usage={"assessments": "6.00"})


def test_the_content_revenue_share_lies_within_zero_and_one() -> None:
    with pytest.raises(ValidationError, match="content_revenue_share"):
        _book(content_revenue_share="1.5")


def test_a_referral_rate_is_a_decimal_within_zero_and_one() -> None:
    assert Decimal("0.20") == BillingAccount("acme", "standard", "0.20").referral_rate
    with pytest.raises(ValidationError, match="referral_rate"):
        BillingAccount("acme", "standard", 0.2)
    with pytest.raises(ValidationError, match="referral_rate"):
        BillingAccount("acme", "standard", "2")


def test_a_billing_account_names_valid_ids() -> None:
    with pytest.raises(ValidationError, match="partner_id"):
        BillingAccount("not an id", "standard", "0.20")


@pytest.mark.parametrize(
    ("code", "successor"), [("ANG", "XCG"), ("BGN", "EUR"), ("SLL", "SLE"), ("ZWL", "ZWG")]
)
def test_a_new_price_book_refuses_a_withdrawn_currency_naming_its_successor(
    code: str, successor: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Book.of("standard", code, advisor_monthly_fee="50.00", full_license_monthly_fee="400.00")

    assert (
        f"currency: {code} is withdrawn from ISO 4217 (replaced by {successor}): "
        f"new prices must be in {successor}"
    ) == str(caught.value)
    assert successor == _book_in(successor).currency.code


def test_a_new_price_book_refuses_the_cuban_convertible_peso_which_has_no_successor() -> None:
    with pytest.raises(ValidationError) as caught:
        _book_in("CUC")

    assert (
        "currency: CUC is withdrawn from ISO 4217 without a successor (Cuba's currency is CUP): "
        "new prices cannot use it"
    ) == str(caught.value)


def _recoded(data: object, old: str, new: str) -> object:
    if isinstance(data, dict):
        return {key: _recoded(value, old, new) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_recoded(value, old, new) for value in data]
    return new if data == old else data


def test_a_price_book_stored_before_its_currency_was_withdrawn_still_loads() -> None:
    written_in_2025 = _recoded(unstructure(_book_in("EUR")), "EUR", "BGN")

    stored = structure(written_in_2025, Book)

    assert (Currency.of("BGN"), Money.of("50.00", "BGN"), Money.of("5.00", "BGN")) == (
        stored.currency,
        stored.advisor_monthly_fee,
        stored.unit_price("assessments"),
    )


def test_a_price_book_in_the_newest_codes_is_accepted() -> None:
    assert ["XAD", "XCG", "SLE", "ZWG"] == [
        _book_in(code).currency.code for code in ("XAD", "XCG", "SLE", "ZWG")
    ]


def _book_in(code: str) -> Book:
    return Book.of(
        "standard",
        code,
        advisor_monthly_fee="50.00",
        full_license_monthly_fee="400.00",
        usage={"assessments": "5.00"},
    )
