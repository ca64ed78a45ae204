"""Price books and billing accounts: what a partner pays, and how it is computed (§5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import CurrencyMismatchError, ValidationError
from partnercore._fields import id_validator, to_enum
from partnercore.billing._policies import Proration, ReferralBase, ReferralSettlement, SeatPolicy
from partnercore.billing._validation import describe
from partnercore.money import Currency, Money, Rounding, to_currency, to_decimal

__all__ = ["BillingAccount", "PriceBook"]


def _money_field(_: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if not isinstance(value, Money):
        raise ValidationError.at(attribute.name, f"expected Money, got {describe(value)}")
    if value.amount < 0:
        raise ValidationError.at(attribute.name, f"must not be negative, got {value}")


def _usage_prices(value: object) -> tuple[tuple[str, Money], ...]:
    if isinstance(value, Mapping):
        pairs: Iterable[Any] = value.items()
    elif isinstance(value, list | tuple):
        pairs = value
    else:
        raise ValidationError.at("usage_prices", f"expected metric -> Money, got {value!r}")
    found: dict[str, Money] = {}
    for pair in pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValidationError.at("usage_prices", f"expected (metric, Money), got {pair!r}")
        metric, price = pair
        path = f"usage_prices[{metric!r}]"
        if not isinstance(metric, str) or not metric.strip():
            raise ValidationError.at("usage_prices", f"a metric needs a name, got {metric!r}")
        if metric in found:
            raise ValidationError.at(path, "metric priced twice")
        if not isinstance(price, Money):
            raise ValidationError.at(path, f"expected Money, got {describe(price)}")
        if price.amount < 0:
            raise ValidationError.at(path, f"must not be negative, got {price}")
        found[metric] = price
    return tuple(sorted(found.items()))


def _share(value: object) -> Decimal:
    share = to_decimal(value, "content_revenue_share")
    if not 0 <= share <= 1:
        raise ValidationError.at("content_revenue_share", f"must be within 0..1, got {share}")
    return share


def _rounding(value: object) -> Rounding:
    return to_enum(Rounding, value, "rounding")


def _seat_policy(value: object) -> SeatPolicy:
    return to_enum(SeatPolicy, value, "seat_policy")


def _proration(value: object) -> Proration:
    return to_enum(Proration, value, "proration")


def _referral_base(value: object) -> ReferralBase:
    return to_enum(ReferralBase, value, "referral_base")


def _referral_settlement(value: object) -> ReferralSettlement:
    return to_enum(ReferralSettlement, value, "referral_settlement")


@attrs.frozen(kw_only=True)
class PriceBook:
    """A partner's prices and billing policies, all in one currency.

    Build one from plain values with :meth:`of`. Every amount must be :class:`Money` in the
    book's currency (another currency raises :class:`~partnercore.CurrencyMismatchError`);
    floats are rejected. Unit prices may carry more digits than the currency's minor unit
    (``0.0125`` per call): each line is rounded once.
    """

    id: str = attrs.field(validator=id_validator)
    currency: Currency = attrs.field(converter=to_currency)
    advisor_monthly_fee: Money = attrs.field(validator=_money_field)
    full_license_monthly_fee: Money = attrs.field(validator=_money_field)
    usage_prices: tuple[tuple[str, Money], ...] = attrs.field(default=(), converter=_usage_prices)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)
    seat_policy: SeatPolicy = attrs.field(default=SeatPolicy.ANY_TIME, converter=_seat_policy)
    proration: Proration = attrs.field(default=Proration.DAILY, converter=_proration)
    referral_base: ReferralBase = attrs.field(
        default=ReferralBase.ALL_CHARGES, converter=_referral_base
    )
    referral_settlement: ReferralSettlement = attrs.field(
        default=ReferralSettlement.STATEMENT,
        converter=_referral_settlement,
    )
    content_revenue_share: Decimal = attrs.field(default=Decimal("1.00"), converter=_share)
    _prices: dict[str, Money] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        amounts = [
            ("advisor_monthly_fee", self.advisor_monthly_fee),
            ("full_license_monthly_fee", self.full_license_monthly_fee),
        ]
        amounts += [(f"usage_prices[{m!r}]", price) for m, price in self.usage_prices]
        for field, money in amounts:
            if money.currency != self.currency:
                raise CurrencyMismatchError(
                    self.currency.code,
                    money.currency.code,
                    f"mix (price book {self.id!r}, {field})",
                )
        object.__setattr__(self, "_prices", dict(self.usage_prices))

    @classmethod
    def of(
        cls,
        id: str,
        currency: str | Currency,
        *,
        advisor_monthly_fee: object,
        full_license_monthly_fee: object,
        usage: Mapping[str, object] | None = None,
        **policies: Any,
    ) -> PriceBook:
        """A price book from plain amounts (decimal strings, integers or Decimals; no floats).

        ``PriceBook.of("standard", "USD", advisor_monthly_fee="50.00",
        full_license_monthly_fee="400.00", usage={"assessments": "5.00"}, rounding="half_even")``
        """
        code = Currency.of(currency)

        def money(value: object, path: str) -> Money:
            if isinstance(value, Money):
                return value
            return Money(to_decimal(value, path), code)

        prices = {
            metric: money(price, f"usage[{metric!r}]") for metric, price in (usage or {}).items()
        }
        return cls(
            id=id,
            currency=code,
            advisor_monthly_fee=money(advisor_monthly_fee, "advisor_monthly_fee"),
            full_license_monthly_fee=money(full_license_monthly_fee, "full_license_monthly_fee"),
            usage_prices=prices,
            **policies,
        )

    @property
    def metrics(self) -> tuple[str, ...]:
        """The priced usage metrics, sorted."""
        return tuple(metric for metric, _ in self.usage_prices)

    def unit_price(self, metric: str) -> Money:
        """The unit price of ``metric``; an unknown metric is a :class:`ValidationError`."""
        price = self._prices.get(metric)
        if price is None:
            known = ", ".join(self.metrics) or "none"
            raise ValidationError.at(
                "metric",
                f"unknown usage metric {metric!r} in price book {self.id!r} (priced: {known})",
            )
        return price


def _rate(value: object) -> Decimal:
    rate = to_decimal(value, "referral_rate")
    if not 0 <= rate <= 1:
        raise ValidationError.at("referral_rate", f"must be within 0..1, got {rate}")
    return rate


@attrs.frozen
class BillingAccount:
    """How one partner is billed: its price book and its referral rate.

    The billing time zone is the partner team's own time zone.
    """

    partner_id: str = attrs.field(validator=id_validator)
    price_book_id: str = attrs.field(validator=id_validator)
    referral_rate: Decimal = attrs.field(default=Decimal("0"), converter=_rate)
