"""Money: exact amounts, one currency at a time, explicit rounding, allocation that sums."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from partnercore import CurrencyMismatchError, ValidationError
from partnercore.money import Currency, Money, Rounding, to_decimal
from tests.strategies.time import currencies, moneys, ratio_lists

roundings = st.sampled_from(list(Rounding))

# -- construction and validation --------------------------------------------------------------


def test_money_holds_an_exact_decimal_and_a_currency() -> None:
    money = Money.of("12.50", "USD")

    assert Decimal("12.50") == money.amount
    assert Currency.of("USD") == money.currency
    assert money == Money(Decimal("12.5"), Currency.of("USD"))


@pytest.mark.parametrize("amount", [12, "12", " 12.00 ", Decimal("12.000"), "1.2e1"])
def test_integers_decimal_strings_and_decimals_are_accepted(amount: object) -> None:
    assert Money.of("12", "USD") == Money.of(amount, "USD")


def test_a_float_amount_is_rejected_with_a_readable_message() -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of(12.5, "USD")

    assert "amount: expected a decimal string or an integer, got the float 12.5" == str(
        caught.value
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("NaN"), "amount: must be a finite number, got Decimal('NaN')"),
        ("NaN", "amount: must be a finite number, got 'NaN'"),
        ("-Infinity", "amount: must be a finite number, got '-Infinity'"),
        (Decimal("sNaN"), "amount: must be a finite number, got Decimal('sNaN')"),
        ("twelve", "amount: not a decimal number: 'twelve'"),
        ("", "amount: not a decimal number: ''"),
        (True, "amount: expected a decimal string or an integer, got the boolean True"),
        (None, "amount: expected a decimal string or an integer, got NoneType"),
        ("1e30", "amount: must be below 10**30 in magnitude, got '1e30'"),
        ("١٢.٥٠", "amount: not a decimal number: '١٢.٥٠'"),
        ("１２", "amount: not a decimal number: '１２'"),
        ("1_000", "amount: not a decimal number: '1_000'"),
        ("\u200312", "amount: not a decimal number: '\\u200312'"),
        ("12\x00", "amount: not a decimal number: '12\\x00'"),
        ("1e99999999999999999999", "amount: not a decimal number: '1e99999999999999999999'"),
    ],
)
def test_amounts_that_are_not_finite_exact_numbers_are_rejected(
    amount: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of(amount, "USD")

    assert message == str(caught.value)


@pytest.mark.parametrize("text", ["twelve", "1e99999999999999999999", "١٢"])
def test_text_that_is_not_a_number_is_rejected_whatever_the_callers_decimal_traps(
    text: str,
) -> None:
    with decimal.localcontext() as context:
        context.traps[decimal.InvalidOperation] = False
        with pytest.raises(ValidationError) as caught:
            Money.of(text, "USD")

    assert f"amount: not a decimal number: {text!r}" == str(caught.value)


def test_an_unknown_currency_is_rejected_with_a_readable_message() -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of("1.00", "ABC")

    assert "currency: unknown ISO 4217 currency code 'ABC'" == str(caught.value)


def test_to_decimal_names_the_path_it_is_given() -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal(0.1, "lines[3].quantity")

    assert "lines[3].quantity" == caught.value.problems[0].path


def test_zero_is_zero_in_its_currency() -> None:
    zero = Money.zero("JPY")

    assert zero.is_zero
    assert Money.of(0, "JPY") == zero
    assert not Money.of("0.01", "USD").is_zero


# -- arithmetic -------------------------------------------------------------------------------


def test_amounts_in_one_currency_add_and_subtract_exactly() -> None:
    a = Money.of("0.10", "USD")
    b = Money.of("0.20", "USD")

    assert Money.of("0.30", "USD") == a + b
    assert Money.of("-0.10", "USD") == a - b
    assert Money.of("0.10", "USD") == -(a - b)
    assert Money.of("0.10", "USD") == abs(a - b)


def test_money_multiplies_by_integers_and_decimals_on_either_side() -> None:
    fee = Money.of("50.00", "USD")

    assert Money.of("150.00", "USD") == fee * 3
    assert Money.of("150.00", "USD") == 3 * fee
    assert Money.of("10.00", "USD") == fee * Decimal("0.2")
    assert Money.of("27.4193548387096774193548387", "USD") == fee * Decimal(
        "0.548387096774193548387096774"
    )


def test_multiplying_by_a_float_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of("50.00", "USD") * 0.2

    assert "factor: expected a decimal string or an integer, got the float 0.2" == str(caught.value)


def test_multiplying_two_amounts_is_not_defined() -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of("1", "USD") * Money.of("1", "USD")

    assert "factor: expected a decimal string or an integer, got Money" == str(caught.value)


def test_combining_two_currencies_raises_a_currency_mismatch_naming_both() -> None:
    usd = Money.of("1.00", "USD")
    eur = Money.of("1.00", "EUR")

    with pytest.raises(CurrencyMismatchError) as added:
        usd + eur
    with pytest.raises(CurrencyMismatchError) as subtracted:
        eur - usd
    with pytest.raises(CurrencyMismatchError) as compared:
        usd < eur  # noqa: B015

    assert ("USD", "EUR", "add") == (added.value.left, added.value.right, added.value.operation)
    assert "cannot add USD and EUR: currencies differ" == str(added.value)
    assert "cannot subtract EUR and USD: currencies differ" == str(subtracted.value)
    assert "cannot compare USD and EUR: currencies differ" == str(compared.value)


@given(currencies(), currencies(), st.data())
def test_adding_amounts_in_different_currencies_always_raises(
    left: Currency, right: Currency, data: st.DataObject
) -> None:
    assume(left != right)
    a = data.draw(moneys(st.just(left)))
    b = data.draw(moneys(st.just(right)))

    with pytest.raises(CurrencyMismatchError):
        a + b
    with pytest.raises(CurrencyMismatchError):
        sum([a, b])


def test_amounts_in_different_currencies_are_never_equal() -> None:
    assert Money.of("1.00", "USD") != Money.of("1.00", "EUR")


def test_comparisons_order_amounts_of_one_currency() -> None:
    small = Money.of("1.00", "USD")
    large = Money.of("2.00", "USD")

    assert (True, True, False, False) == (
        small < large,
        small <= large,
        small > large,
        small >= large,
    )
    assert [small, large] == sorted([large, small])
    assert small == Money.of("1", "USD")
    assert hash(small) == hash(Money.of("1", "USD"))


FEE = Money.of("50.00", "USD")


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda: FEE + 5, "other: cannot add money and 5: expected Money"),
        (lambda: 5 + FEE, "other: cannot add money and 5: expected Money"),
        (lambda: FEE + 1, "other: cannot add money and 1: expected Money"),
        (lambda: FEE + True, "other: cannot add money and True: expected Money"),
        (lambda: FEE + False, "other: cannot add money and False: expected Money"),
        (lambda: FEE + 0.0, "other: cannot add money and 0.0: expected Money"),
        (
            lambda: Decimal("0") + FEE,
            "other: cannot add money and Decimal('0'): expected Money",
        ),
        (lambda: FEE + "1", "other: cannot add money and '1': expected Money"),
        (lambda: FEE + None, "other: cannot add money and None: expected Money"),
        (lambda: FEE - 5, "other: cannot subtract money and 5: expected Money"),
        (lambda: FEE - 0, "other: cannot subtract money and 0: expected Money"),
        (lambda: 5 - FEE, "other: cannot subtract money and 5: expected Money"),
        (lambda: FEE < 5, "other: cannot compare money and 5: expected Money"),
        (lambda: FEE <= 5, "other: cannot compare money and 5: expected Money"),
        (lambda: FEE > 5, "other: cannot compare money and 5: expected Money"),
        (lambda: FEE >= 5, "other: cannot compare money and 5: expected Money"),
        (lambda: 5 < FEE, "other: cannot compare money and 5: expected Money"),
        (lambda: sorted([FEE, None]), "other: cannot compare money and None: expected Money"),
        (
            lambda: FEE / 2,
            "other: money is not divided: split it with allocate(), which always sums exactly",
        ),
        (
            lambda: FEE // 2,
            "other: money is not divided: split it with allocate(), which always sums exactly",
        ),
        (
            lambda: 2 / FEE,
            "other: money is not divided: split it with allocate(), which always sums exactly",
        ),
    ],
)
def test_arithmetic_with_what_is_not_money_is_a_validation_error_never_a_type_error(
    operation: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        operation()

    assert message == str(caught.value)
    assert not isinstance(caught.value, TypeError)


def test_adding_the_integer_zero_gives_back_the_same_amount_for_sum() -> None:
    assert FEE is FEE + 0
    assert FEE is 0 + FEE


def test_money_is_never_equal_to_a_plain_number() -> None:
    assert (False, True) == (Money.of("0", "USD") == 0, Money.of("5", "USD") != 5)


def test_sum_adds_a_list_of_amounts() -> None:
    lines = [Money.of("33.34", "EUR"), Money.of("33.33", "EUR"), Money.of("33.33", "EUR")]

    assert Money.of("100.00", "EUR") == sum(lines)
    assert Money.of("100.00", "EUR") == sum(lines, Money.zero("EUR"))
    assert 0 == sum([])


@given(st.lists(moneys(st.just(Currency.of("KWD")), extra_places=2), min_size=1))
def test_sum_of_amounts_is_the_amount_of_the_exact_sum(amounts: list[Money]) -> None:
    assert Money(sum((m.amount for m in amounts), Decimal(0)), "KWD") == sum(amounts)


@given(moneys(extra_places=3), st.data())
def test_adding_then_subtracting_gives_back_the_amount_exactly(
    a: Money, data: st.DataObject
) -> None:
    b = data.draw(moneys(st.just(a.currency), extra_places=5))

    assert a == (a + b) - b
    assert a + b == b + a


@given(moneys(extra_places=2), st.integers(0, 20))
def test_multiplying_by_n_equals_adding_n_times(money: Money, n: int) -> None:
    assert money * n == sum([money] * n, Money.zero(money.currency))


@given(moneys(extra_places=4), moneys(extra_places=4))
def test_arithmetic_does_not_depend_on_the_callers_decimal_context(a: Money, b: Money) -> None:
    b = Money(b.amount, a.currency)
    expected = (a + b, a - b, a * Decimal("1.0001"), a.rounded(Rounding.HALF_EVEN))

    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        actual = (a + b, a - b, a * Decimal("1.0001"), a.rounded(Rounding.HALF_EVEN))

    assert expected == actual


# -- rounding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "half_up", "half_even"),
    [
        ("14.925", "USD", "14.93", "14.92"),
        ("14.935", "USD", "14.94", "14.94"),
        ("-14.925", "USD", "-14.93", "-14.92"),
        ("14.92500001", "USD", "14.93", "14.93"),
        ("2.5", "JPY", "3", "2"),
        ("3.5", "JPY", "4", "4"),
        ("1.0005", "KWD", "1.001", "1.000"),
        ("0.00005", "CLF", "0.0001", "0.0000"),
    ],
)
def test_rounding_to_the_minor_unit_follows_the_chosen_mode(
    amount: str, currency: str, half_up: str, half_even: str
) -> None:
    money = Money.of(amount, currency)

    assert Money.of(half_up, currency) == money.rounded(Rounding.HALF_UP)
    assert Money.of(half_even, currency) == money.rounded(Rounding.HALF_EVEN)
    assert half_up == money.rounded("half_up").format_amount()
    assert half_even == money.rounded("half_even").format_amount()


def test_rounding_defaults_to_half_up() -> None:
    assert Money.of("14.93", "USD") == Money.of("14.925", "USD").rounded()


def test_an_unknown_rounding_mode_is_rejected_listing_the_modes() -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of("1", "USD").rounded("bankers")

    assert "rounding: expected one of half_up, half_even, got 'bankers'" == str(caught.value)


@given(moneys(extra_places=1) | moneys(extra_places=2) | moneys(extra_places=3))
def test_half_up_and_half_even_differ_exactly_on_ties_to_an_even_digit(money: Money) -> None:
    units = money.amount.copy_abs().scaleb(money.currency.minor_units)
    whole = int(units)
    is_tie = units - whole == Decimal("0.5")

    up = money.rounded(Rounding.HALF_UP)
    even = money.rounded(Rounding.HALF_EVEN)

    assert (is_tie and whole % 2 == 0) == (up != even)
    if is_tie:
        assert abs(up.amount) > abs(money.amount)  # half_up goes away from zero on a tie
        assert 0 == int(abs(even.amount).scaleb(money.currency.minor_units)) % 2


@given(moneys(extra_places=3), roundings)
def test_rounding_moves_an_amount_by_at_most_half_a_minor_unit(
    money: Money, rounding: Rounding
) -> None:
    rounded = money.rounded(rounding)

    assert rounded.is_rounded
    assert abs(rounded.amount - money.amount) <= money.currency.quantum / 2
    assert rounded == rounded.rounded(rounding)


def test_is_rounded_tells_whether_an_amount_is_whole_minor_units() -> None:
    assert Money.of("12.50", "USD").is_rounded
    assert Money.of("12.5", "USD").is_rounded
    assert not Money.of("12.505", "USD").is_rounded
    assert not Money.of("0.5", "JPY").is_rounded


# -- allocation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("100.00", "EUR", ["33.34", "33.33", "33.33"]),
        ("1000", "JPY", ["334", "333", "333"]),
        ("10.000", "KWD", ["3.334", "3.333", "3.333"]),
        ("-100.00", "EUR", ["-33.34", "-33.33", "-33.33"]),
        ("0.05", "USD", ["0.02", "0.02", "0.01"]),
        ("0.00", "USD", ["0.00", "0.00", "0.00"]),
    ],
)
def test_an_amount_splits_in_three_with_the_extra_unit_going_first(
    amount: str, currency: str, expected: list[str]
) -> None:
    parts = Money.of(amount, currency).allocate([1, 1, 1])

    assert [Money.of(e, currency) for e in expected] == parts
    assert expected == [p.format_amount() for p in parts]


def test_allocation_follows_the_ratios_by_largest_remainder() -> None:
    parts = Money.of("100.00", "USD").allocate([Decimal("0.5"), Decimal("0.3"), Decimal("0.2")])

    assert [Money.of("50.00", "USD"), Money.of("30.00", "USD"), Money.of("20.00", "USD")] == parts
    # 10.00 over 1:1:1:3 -> exact 1.666.., 1.666.., 1.666.., 5.00: the three ties share two cents
    assert [
        Money.of("1.67", "USD"),
        Money.of("1.67", "USD"),
        Money.of("1.66", "USD"),
        Money.of("5.00", "USD"),
    ] == Money.of("10.00", "USD").allocate([1, 1, 1, 3])
    # the largest remainder wins even when it is not first: 0.10 over 1:2 -> 0.033.., 0.066..
    assert [Money.of("0.03", "USD"), Money.of("0.07", "USD")] == Money.of("0.10", "USD").allocate(
        [1, 2]
    )


def test_allocation_rounds_the_amount_first_with_the_given_mode() -> None:
    assert [Money.of("7.47", "USD"), Money.of("7.46", "USD")] == Money.of("14.925", "USD").allocate(
        [1, 1], Rounding.HALF_UP
    )
    assert [Money.of("7.46", "USD"), Money.of("7.46", "USD")] == Money.of("14.925", "USD").allocate(
        [1, 1], Rounding.HALF_EVEN
    )


def test_a_zero_ratio_gets_nothing() -> None:
    assert [Money.of("0.01", "USD"), Money.of("0.00", "USD")] == Money.of("0.01", "USD").allocate(
        [1, 0]
    )
    assert [Money.of("0.00", "USD"), Money.of("0.01", "USD")] == Money.of("0.01", "USD").allocate(
        [0, 1]
    )


def test_allocation_accepts_any_iterable_of_ratios() -> None:
    weights = {"a": 1, "b": 1}

    assert [Money.of("0.51", "USD"), Money.of("0.50", "USD")] == Money.of("1.01", "USD").allocate(
        weights.values()
    )


@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        ([], "ratios: at least one ratio is needed"),
        ([0, 0], "ratios: ratios must not all be zero"),
        ([1, -1], "ratios[1]: ratios must not be negative"),
        ([1, 0.5], "ratios[1]: expected a decimal string or an integer, got the float 0.5"),
        ([1, "1e-5000"], "ratios[1]: ratio out of range: 1E-5000"),
        ("123", "ratios: expected a sequence of numbers, got '123'"),
        (5, "ratios: expected a sequence of numbers, got 5"),
    ],
)
def test_bad_ratios_are_rejected_naming_the_ratio(ratios: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of("1.00", "USD").allocate(ratios)  # type: ignore[arg-type]

    assert message == str(caught.value)


@given(moneys(extra_places=2), ratio_lists(), roundings)
def test_allocation_always_sums_exactly_for_any_ratios_and_currency(
    money: Money, ratios: list[Decimal], rounding: Rounding
) -> None:
    parts = money.allocate(ratios, rounding)

    assert len(ratios) == len(parts)
    assert money.rounded(rounding) == sum(parts)
    assert all(p.currency == money.currency and p.is_rounded for p in parts)


@given(moneys(extra_places=2), ratio_lists(), roundings)
def test_each_part_is_within_one_minor_unit_of_its_exact_share(
    money: Money, ratios: list[Decimal], rounding: Rounding
) -> None:
    whole = Fraction(money.rounded(rounding).amount)
    total = sum(Fraction(r) for r in ratios)
    quantum = Fraction(money.currency.quantum)

    for part, ratio in zip(money.allocate(ratios, rounding), ratios, strict=True):
        share = whole * Fraction(ratio) / total
        assert abs(Fraction(part.amount) - share) < quantum
        if ratio == 0:
            assert part.is_zero


@given(moneys(), st.integers(1, 12))
def test_equal_ratios_give_parts_that_differ_by_at_most_one_unit_largest_first(
    money: Money, n: int
) -> None:
    parts = money.allocate([1] * n)
    sizes = [abs(p.amount) for p in parts]

    assert sorted(sizes, reverse=True) == sizes
    assert sizes[0] - sizes[-1] <= money.currency.quantum


@given(moneys(), ratio_lists(), st.integers(1, 1000))
def test_scaling_the_ratios_does_not_change_the_split(
    money: Money, ratios: list[Decimal], factor: int
) -> None:
    assert money.allocate(ratios) == money.allocate([r * factor for r in ratios])


@given(moneys(), ratio_lists())
def test_a_negative_amount_splits_like_its_absolute_value(
    money: Money, ratios: list[Decimal]
) -> None:
    assert [-p for p in money.allocate(ratios)] == (-money).allocate(ratios)


# -- display ----------------------------------------------------------------------------------


def test_an_amount_prints_with_exactly_its_currencys_minor_digits() -> None:
    assert "12.50 USD" == str(Money.of("12.5", "USD"))
    assert "1000 JPY" == str(Money.of("1000", "JPY"))
    assert "1000 JPY" == str(Money.of("1E+3", "JPY"))
    assert "3.330 KWD" == str(Money.of("3.33", "KWD"))
    assert "-0.10 EUR" == str(Money.of("-0.1", "EUR"))


def test_an_unrounded_amount_prints_all_its_digits_never_silently_rounded() -> None:
    assert "12.505 USD" == str(Money.of("12.505", "USD"))


def test_repr_to_dict_and_format() -> None:
    money = Money.of("12.5", "USD")

    assert "Money('12.5', 'USD')" == repr(money)
    assert {"amount": "12.50", "currency": "USD"} == money.to_dict()
    assert "   12.50 USD" == f"{money:>12}"
