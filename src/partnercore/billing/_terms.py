"""A price book's values for one run, and the client charges computed from them.

Shared by the calculator (a period's lines) and the services (a partner's trailing revenue,
§5.1): both turn licence time, usage totals and discounts into whole minor units with the
same code, so the trailing revenue is the sum of the referral bases billing would give.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import attrs

from partnercore._errors import CurrencyMismatchError, ValidationError
from partnercore._trusted import trusted
from partnercore.billing._deals import Discount
from partnercore.billing._invoice import InvoiceLine
from partnercore.billing._policies import LineKind, ReferralBase, ReferralSettlement
from partnercore.billing._presentation import format_quantity
from partnercore.billing._pricebook import PriceBook
from partnercore.billing._pricing import PricedUsage, UsagePricing
from partnercore.billing._proration import ProratedShare
from partnercore.billing._rounding import EXACT, from_minor, round_ratio
from partnercore.money import Currency, Money

__all__ = ["Fee", "Late", "Terms", "TermsCache", "UnitPrice", "discount_text"]

_ONE = Decimal(1)


@attrs.frozen
class UnitPrice:
    """A metric's unit price in one run, with its exact ratio and its lines' description."""

    money: Money
    numerator: int
    denominator: int
    description: str

    @classmethod
    def of(cls, metric: str, money: Money) -> UnitPrice:
        numerator, denominator = money.amount.as_integer_ratio()
        return cls(money, numerator, denominator, f"Usage: {metric}")


class Late(NamedTuple):
    """Late usage of one metric for one finalised period: the quantity not yet billed, and
    what the finalised invoices billed (their quantity, and their amount if known)."""

    quantity: Decimal
    billed_quantity: Decimal
    billed_amount: Money | None


#: How a metric is priced in one run: per unit, or by its tier model.
_Price = UnitPrice | UsagePricing


class Fee:
    """A monthly full-licence fee: its amount, exact ratio, and its whole-month line."""

    __slots__ = ("money", "ratio", "units", "whole")

    def __init__(self, terms: Terms, money: Money) -> None:
        self.money = money
        self.ratio = money.amount.as_integer_ratio()
        self.units = terms.units(*self.ratio)
        self.whole = InvoiceLine(
            kind=LineKind.LICENSE,
            description="Full licence",
            quantity=_ONE,
            unit_price=money,
            amount=terms.money(self.units),
        )


def discount_text(discount: Discount) -> str:
    """``10 %`` (the percent of a discount, without trailing zeros)."""
    percent = EXACT.multiply(discount.percent, Decimal(100))
    return f"{format_quantity(percent)} %"


def _span(discount: Discount) -> str:
    if discount.last_period is None:
        return f"from {discount.first_period}"
    if discount.last_period == discount.first_period:
        return discount.first_period
    return f"{discount.first_period} to {discount.last_period}"


class Terms:
    """A price book's values for one run, computed once however many partners use the book.

    Equal lines are one shared (immutable) object: the whole-month licence line of each fee,
    and each usage line of a given metric and quantity.
    """

    def __init__(self, book: PriceBook, amounts: dict[int, Money]) -> None:
        self.book = book
        self.currency: Currency = book.currency
        self.digits = book.currency.minor_units
        self.scale = 10**self.digits
        #: Money is below 10**30 in magnitude: this many minor units.
        self.limit = 10**30 * self.scale
        self.rounding = book.rounding
        # Equal amounts share one immutable Money (one cache per currency and run).
        self.amounts = amounts
        self.prices: dict[str, _Price] = {
            metric: UnitPrice.of(metric, price) for metric, price in book.usage_prices
        }
        self.prices.update(book.usage_tiers)
        self.advisor_fee = book.advisor_monthly_fee
        self.advisor_ratio = book.advisor_monthly_fee.amount.as_integer_ratio()
        self.fees: dict[int | None, Fee] = {}
        self.single_fee = (
            None
            if book.full_license_monthly_fee is None
            else Fee(self, book.full_license_monthly_fee)
        )
        self.proration = book.proration
        self.seat_policy = book.seat_policy
        self.usage_only = book.referral_base is ReferralBase.USAGE_ONLY
        self.net_on_invoice = book.referral_settlement is ReferralSettlement.NET_ON_INVOICE
        self.revenue_ratio = book.content_revenue_share.as_integer_ratio()
        # (metric, the quantity's exact text) -> the usage line and its amount in minor units
        self.usage_lines: dict[tuple[str, str], tuple[InvoiceLine, int]] = {}
        # (metric, the quantity's exact text) -> a tier-priced quantity and its minor units
        self.priced: dict[tuple[str, str], tuple[PricedUsage, int]] = {}
        # metric -> quantity -> its amount in minor units (equal quantities cost the same)
        self.unit_amounts: dict[str, dict[Decimal, int]] = {}

    def units(self, numerator: int, denominator: int) -> int:
        """``numerator / denominator`` (in major units) rounded once, in minor units."""
        return round_ratio(numerator * self.scale, denominator, self.rounding)

    def money(self, units: int) -> Money:
        """``units`` minor units as Money (equal amounts share one immutable Money)."""
        money = self.amounts.get(units)
        if money is None:
            amount = from_minor(units, self.digits)
            if -self.limit < units < self.limit:  # a whole number of minor units: valid
                money = trusted(Money, amount=amount, currency=self.currency)
            else:
                money = Money(amount, self.currency)  # refused, naming the bound
            self.amounts[units] = money
        return money

    def per_unit(self, price: UnitPrice, quantity: Decimal) -> int:
        """``quantity`` at ``price``, rounded once, in minor units."""
        top, bottom = quantity.as_integer_ratio()
        return self.units(price.numerator * top, price.denominator * bottom)

    def prorated(self, fee: tuple[int, int], share: ProratedShare) -> int:
        top, bottom = share.fraction
        return self.units(fee[0] * top, fee[1] * bottom)

    # -- licences ---------------------------------------------------------------------

    def fee(self, employee_count: int | None, path: str) -> Fee:
        """The monthly full-licence fee of a client of ``employee_count`` employees."""
        if self.single_fee is not None:
            return self.single_fee
        key = employee_count
        fee = self.fees.get(key)
        if fee is None:
            try:
                money = self.book.license_fee(employee_count)
            except ValidationError as error:
                raise error.prefixed(path) from None
            fee = self.fees[key] = Fee(self, money)
        return fee

    def license_line(self, fee: Fee, share: ProratedShare) -> tuple[InvoiceLine | None, int]:
        """The licence line for ``share`` of the period (none for nothing), and its units."""
        if share.is_whole:
            return fee.whole, fee.units
        if share.is_zero:
            return None, 0
        units = self.prorated(fee.ratio, share)
        line = InvoiceLine(
            kind=LineKind.LICENSE,
            description=f"Full licence, {share}",
            quantity=_ONE,
            unit_price=fee.money,
            amount=self.money(units),
            share=share,
        )
        return line, units

    # -- usage ------------------------------------------------------------------------

    def price(self, metric: str, path: str) -> _Price:
        price = self.prices.get(metric)
        if price is None:
            try:
                self.book.pricing(metric)
            except ValidationError as error:
                raise error.prefixed(path) from None
            raise AssertionError("unreachable")  # pragma: no cover
        return price

    def tiered(
        self, metric: str, pricing: UsagePricing, quantity: Decimal, path: str
    ) -> tuple[PricedUsage, int]:
        """``quantity`` of a tier-priced metric: how it was priced, and its minor units."""
        key = (metric, str(quantity))
        found = self.priced.get(key)
        if found is None:
            try:
                priced = pricing.price(quantity)
            except ValidationError as error:
                raise error.prefixed(path) from None
            top, bottom = priced.amount.as_integer_ratio()
            found = self.priced[key] = (priced, self.units(top, bottom))
        return found

    def usage_units(self, metric: str, quantity: Decimal, path: str) -> int:
        """The amount of ``quantity`` of ``metric`` in minor units (no line is made)."""
        amounts = self.unit_amounts.get(metric)
        if amounts is None:
            self.price(metric, path)  # an unknown metric is an error
            amounts = self.unit_amounts[metric] = {}
        units = amounts.get(quantity)
        if units is None:
            price = self.prices[metric]
            if isinstance(price, UsagePricing):
                units = self.tiered(metric, price, quantity, path)[1]
            else:
                units = self.per_unit(price, quantity)
            amounts[quantity] = units
        return units

    def usage_line(self, metric: str, quantity: Decimal, path: str) -> tuple[InvoiceLine, int]:
        """The usage line of ``quantity`` of ``metric``, and its amount in minor units."""
        # The text keeps the exponent: 3 and 3.0 are equal Decimals but different lines.
        key = (metric, str(quantity))
        found = self.usage_lines.get(key)
        if found is None:
            price = self.price(metric, path)
            if isinstance(price, UsagePricing):
                priced, units = self.tiered(metric, price, quantity, path)
                line = InvoiceLine(
                    kind=LineKind.USAGE,
                    description=f"Usage: {metric}, {price.model.value} ({priced.summary()})",
                    quantity=quantity,
                    unit_price=None,
                    amount=self.money(units),
                    metric=metric,
                    model=price.model,
                    tiers=priced.tiers,
                    package=priced.package,
                )
            else:
                units = self.per_unit(price, quantity)
                line = InvoiceLine(
                    kind=LineKind.USAGE,
                    description=price.description,
                    quantity=quantity,
                    unit_price=price.money,
                    amount=self.money(units),
                    metric=metric,
                )
            found = self.usage_lines[key] = (line, units)
        return found

    def late_line(
        self,
        metric: str,
        original: str,
        late: Late,
        path: str,
    ) -> tuple[InvoiceLine, int]:
        """The adjustment for usage of ``original`` billed late, and its minor units.

        A per-unit metric charges the late quantity at its unit price; a tier-priced one the
        amount of everything now known less what was billed (§5.1).
        """
        quantity, billed_quantity, billed_amount = late
        price = self.price(metric, path)
        if not isinstance(price, UsagePricing):
            units = self.per_unit(price, quantity)
            line = InvoiceLine(
                kind=LineKind.ADJUSTMENT,
                description=f"Late usage: {metric} for {original}",
                quantity=quantity,
                unit_price=price.money,
                amount=self.money(units),
                metric=metric,
                original_period=original,
            )
            return line, units
        known = EXACT.add(billed_quantity, quantity)
        priced, now = self.tiered(metric, price, known, path)
        if billed_amount is None:
            billed = self.tiered(metric, price, billed_quantity, path)[1]
        else:
            if billed_amount.currency != self.currency:
                raise CurrencyMismatchError(
                    self.currency.code,
                    billed_amount.currency.code,
                    f"adjust ({path}: {metric} billed for {original})",
                )
            top, bottom = billed_amount.amount.as_integer_ratio()
            billed = self.units(top, bottom)
        units = now - billed
        line = InvoiceLine(
            kind=LineKind.ADJUSTMENT,
            description=(
                f"Late usage: {metric} for {original}, {price.model.value}: "
                f"{format_quantity(known)} units cost {self.money(now).format_amount()}, "
                f"{self.money(billed).format_amount()} billed"
            ),
            quantity=quantity,
            unit_price=None,
            amount=self.money(units),
            metric=metric,
            original_period=original,
            model=price.model,
            tiers=priced.tiers,
            package=priced.package,
        )
        return line, units

    # -- discounts --------------------------------------------------------------------

    def discounted(self, charges: int, discount: Discount) -> int:
        """``charges x percent`` rounded once (what a discount takes off), in minor units."""
        top, bottom = discount.percent.as_integer_ratio()
        return round_ratio(charges * top, bottom, self.rounding)

    def discount_line(self, charges: int, discount: Discount) -> tuple[InvoiceLine, int]:
        """The negative ``discount`` line on ``charges`` minor units, and its units."""
        units = -self.discounted(charges, discount)
        amount = self.money(units)
        line = InvoiceLine(
            kind=LineKind.DISCOUNT,
            description=(
                f"Discount: {discount_text(discount)} of {self.money(charges).format_amount()}"
                f" ({_span(discount)})"
            ),
            quantity=_ONE,
            unit_price=amount,
            amount=amount,
            percent=discount.percent,
        )
        return line, units


class TermsCache:
    """One :class:`Terms` per price book, with one cache of amounts per currency."""

    def __init__(self) -> None:
        self.terms: dict[PriceBook, Terms] = {}
        self.amounts: dict[Currency, dict[int, Money]] = {}
        # Books seen, by identity (kept alive for the run, so an id is never reused): most
        # lookups are of the same few objects, and hashing a book is not free.
        self.seen: dict[int, tuple[PriceBook, Terms]] = {}

    def of(self, book: PriceBook) -> Terms:
        seen = self.seen.get(id(book))
        if seen is not None and seen[0] is book:
            return seen[1]
        terms = self.terms.get(book)
        if terms is None:
            terms = self.terms[book] = Terms(book, self.amounts.setdefault(book.currency, {}))
        self.seen[id(book)] = (book, terms)
        return terms
