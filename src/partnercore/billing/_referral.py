"""Referral statements: what a partner earns on its clients' charges and on its content (§5, §6)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import CurrencyMismatchError, ValidationError
from partnercore._fields import id_validator
from partnercore._trusted import trusted
from partnercore.billing._presentation import (
    statement_html,
    statement_rows,
    statement_text,
    statement_to_dict,
)
from partnercore.billing._rounding import EXACT, from_minor
from partnercore.billing._validation import money_field
from partnercore.money import Currency, Money, to_currency, to_decimal
from partnercore.time import period_key

__all__ = [
    "ContentRevenue",
    "ContentRevenueLine",
    "ReferralLine",
    "ReferralStatement",
    "assemble_referral",
    "assemble_statement",
    "statement_id",
]


def _rate(value: object) -> Decimal:
    return to_decimal(value, "rate")


def statement_id(partner_id: str, period: str) -> str:
    """The deterministic statement id ``ref-<partner>-<YYYY-MM>``."""
    return f"ref-{partner_id}-{period}"


def _optional_text(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError.at(attribute.name, f"expected text or None, got {value!r}")


@attrs.frozen
class ReferralLine:
    """One client's referral: ``amount`` is ``base x rate``, rounded once.

    A line with a ``credit_note`` (its number) takes back the referral on what that credit
    note credited: its base and amount are negative (§5.2).
    """

    client_id: str = attrs.field(validator=id_validator)
    base: Money = attrs.field(validator=money_field)
    amount: Money = attrs.field(validator=money_field)
    credit_note: str | None = attrs.field(default=None, validator=_optional_text)


@attrs.frozen(kw_only=True)
class ContentRevenueLine:
    """The owner's share of one content charge, rounded once."""

    client_id: str = attrs.field(validator=id_validator)
    item_id: str
    charge: Money = attrs.field(validator=money_field)
    amount: Money = attrs.field(validator=money_field)


def _sum(amounts: Sequence[Money], currency: Currency, path: str) -> Decimal:
    total = from_minor(0, currency.minor_units)
    quantum = currency.quantum
    for index, money in enumerate(amounts):
        if money.currency is not currency and money.currency != currency:
            raise CurrencyMismatchError(currency.code, money.currency.code, f"add up {path} in")
        if money.amount != money.amount.quantize(quantum, context=EXACT):
            raise ValidationError.at(f"{path}[{index}]", f"{money} is not rounded")
        total = EXACT.add(total, money.amount)
    return total


@attrs.frozen
class ContentRevenue:
    """The content-revenue section of a statement: its lines and their exact total."""

    lines: tuple[ContentRevenueLine, ...]
    total: Money = attrs.field(validator=money_field)

    def __attrs_post_init__(self) -> None:
        expected = _sum(
            [line.amount for line in self.lines], self.total.currency, "content_revenue.lines"
        )
        if expected != self.total.amount:
            raise ValidationError.at("content_revenue.total", "is not the sum of its lines")

    @classmethod
    def of(cls, lines: Sequence[ContentRevenueLine], currency: Currency) -> ContentRevenue:
        total = _sum([line.amount for line in lines], currency, "content_revenue.lines")
        return cls(tuple(lines), Money(total, currency))


@attrs.frozen(kw_only=True)
class ReferralStatement:
    """A partner's referral statement for one period.

    ``lines`` hold one referral per client of the partner (under either billing model),
    ``total`` is their exact sum, and ``content_revenue`` lists the partner's share of its
    content charges, apart from the referral lines and total. Under partner tiers (§5.1),
    ``tier`` names the partner's tier for the period and ``trailing_revenue`` the trailing
    revenue that put it there (both ``None`` otherwise); ``rate`` is the tier's rate.
    """

    id: str
    period: str = attrs.field()
    partner_id: str = attrs.field(validator=id_validator)
    currency: Currency = attrs.field(converter=to_currency)
    rate: Decimal = attrs.field(converter=_rate)
    lines: tuple[ReferralLine, ...]
    total: Money = attrs.field(validator=money_field)
    content_revenue: ContentRevenue
    tier: str | None = None
    trailing_revenue: Money | None = None

    @period.validator
    def _check_period(self, _: attrs.Attribute[str], value: object) -> None:
        period_key(value, "period")

    def __attrs_post_init__(self) -> None:
        if self.id != statement_id(self.partner_id, self.period):
            raise ValidationError.at(
                "id", f"expected {statement_id(self.partner_id, self.period)!r}"
            )
        bases = [line.base for line in self.lines]
        _sum(bases, self.currency, "lines.base")
        expected = _sum([line.amount for line in self.lines], self.currency, "lines.amount")
        if self.total.currency is not self.currency and self.total.currency != self.currency:
            raise CurrencyMismatchError(
                self.currency.code, self.total.currency.code, "pair a statement and its total in"
            )
        if expected != self.total.amount:
            raise ValidationError.at("total", f"{self.total} is not the sum of the referral lines")
        if self.content_revenue.total.currency != self.currency:
            raise CurrencyMismatchError(
                self.currency.code,
                self.content_revenue.total.currency.code,
                "pair a statement and its content revenue in",
            )
        if (self.tier is None) != (self.trailing_revenue is None):
            raise ValidationError.at("tier", "a tier and its trailing revenue go together")
        if self.tier is not None and (not isinstance(self.tier, str) or not self.tier.strip()):
            raise ValidationError.at("tier", f"expected a tier name, got {self.tier!r}")
        if self.trailing_revenue is not None:
            if not isinstance(self.trailing_revenue, Money):
                raise ValidationError.at(
                    "trailing_revenue", f"expected Money, got {self.trailing_revenue!r}"
                )
            if self.trailing_revenue.currency != self.currency:
                raise CurrencyMismatchError(
                    self.currency.code,
                    self.trailing_revenue.currency.code,
                    "pair a statement and its trailing revenue in",
                )

    @classmethod
    def of(
        cls,
        *,
        period: str,
        partner_id: str,
        currency: Currency | str,
        rate: Decimal,
        lines: Sequence[ReferralLine],
        content_revenue: Sequence[ContentRevenueLine] = (),
        tier: str | None = None,
        trailing_revenue: Money | None = None,
    ) -> ReferralStatement:
        """A statement whose totals are the exact sums of its lines."""
        code = Currency.of(currency)
        total = _sum([line.amount for line in lines], code, "lines.amount")
        return cls(
            id=statement_id(partner_id, period),
            period=period,
            partner_id=partner_id,
            currency=code,
            rate=rate,
            lines=tuple(lines),
            total=Money(total, code),
            content_revenue=ContentRevenue.of(content_revenue, code),
            tier=tier,
            trailing_revenue=trailing_revenue,
        )

    def line(self, client_id: str) -> ReferralLine | None:
        """The referral line of ``client_id``, if the partner has that client."""
        for line in self.lines:
            if line.client_id == client_id:
                return line
        return None

    def to_dict(self) -> dict[str, Any]:
        """The statement as in the ``bill --format json`` document."""
        return statement_to_dict(self)

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat dict per referral line and per content-revenue line."""
        return statement_rows(self)

    def __str__(self) -> str:
        return statement_text(self)

    def _repr_html_(self) -> str:
        return statement_html(self)


def assemble_referral(client_id: str, base: Money, amount: Money) -> ReferralLine:
    """A referral line the calculator built from a checked client id and rounded amounts."""
    return trusted(ReferralLine, client_id=client_id, base=base, amount=amount, credit_note=None)


def assemble_statement(
    *,
    period: str,
    partner_id: str,
    currency: Currency,
    rate: Decimal,
    lines: tuple[ReferralLine, ...],
    total: Money,
    content_revenue: ContentRevenue,
    tier: str | None = None,
    trailing_revenue: Money | None = None,
) -> ReferralStatement:
    """A statement the calculator built from checked inputs, with amounts made of whole
    minor units of ``currency`` and ``total`` their exact sum: assembled without checking
    again (see ``assemble_invoice``)."""
    return trusted(
        ReferralStatement,
        id=statement_id(partner_id, period),
        period=period,
        partner_id=partner_id,
        currency=currency,
        rate=rate,
        lines=lines,
        total=total,
        content_revenue=content_revenue,
        tier=tier,
        trailing_revenue=trailing_revenue,
    )
