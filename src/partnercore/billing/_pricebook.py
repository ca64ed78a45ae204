"""Price books and billing accounts: what a partner pays, and how it is computed (§5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import CurrencyMismatchError, ValidationError
from partnercore._fields import id_validator, to_enum
from partnercore.billing._deals import ClientTerms
from partnercore.billing._policies import Proration, ReferralBase, ReferralSettlement, SeatPolicy
from partnercore.billing._pricing import (
    PartnerTier,
    SizeBand,
    UsagePricing,
    check_bands,
    check_partner_tiers,
)
from partnercore.billing._validation import describe
from partnercore.money import (
    Currency,
    Money,
    Rounding,
    to_currency,
    to_current_currency,
    to_decimal,
)

__all__ = ["BillingAccount", "PriceBook"]

_NO_TERMS: dict[str, ClientTerms] = {}


def _money_field(_: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if value is None and attribute.default is None:
        return
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


def _usage_tiers(value: object) -> tuple[tuple[str, UsagePricing], ...]:
    if isinstance(value, Mapping):
        pairs: Iterable[Any] = value.items()
    elif isinstance(value, list | tuple):
        pairs = value
    else:
        raise ValidationError.at("usage_tiers", f"expected metric -> UsagePricing, got {value!r}")
    found: dict[str, UsagePricing] = {}
    for pair in pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValidationError.at(
                "usage_tiers", f"expected (metric, UsagePricing), got {pair!r}"
            )
        metric, pricing = pair
        if not isinstance(metric, str) or not metric.strip():
            raise ValidationError.at("usage_tiers", f"a metric needs a name, got {metric!r}")
        path = f"usage_tiers[{metric!r}]"
        if metric in found:
            raise ValidationError.at(path, "metric priced twice")
        if not isinstance(pricing, UsagePricing):
            raise ValidationError.at(path, f"expected a UsagePricing, got {describe(pricing)}")
        found[metric] = pricing
    return tuple(sorted(found.items()))


def _typed(value: object, kind: type[Any], field: str) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError.at(field, f"expected a sequence of {kind.__name__}, got {value!r}")
    for index, item in enumerate(value):
        if not isinstance(item, kind):
            raise ValidationError.at(
                f"{field}[{index}]", f"expected a {kind.__name__}, got {describe(item)}"
            )
    return tuple(value)


def _bands(value: object) -> tuple[SizeBand, ...]:
    bands = _typed(value, SizeBand, "full_license_fee_by_size")
    if bands:
        check_bands(bands, "full_license_fee_by_size")
    return bands


def _partner_tiers(value: object) -> tuple[PartnerTier, ...]:
    tiers = _typed(value, PartnerTier, "partner_tiers")
    check_partner_tiers(tiers, "partner_tiers")
    return tiers


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

    A full licence costs ``full_license_monthly_fee``, or, with ``full_license_fee_by_size``
    instead, the fee of the client's size band. A usage metric is priced per unit
    (``usage_prices``) or by a tier model (``usage_tiers``), never both. ``partner_tiers``
    replace a fixed referral rate by one that follows the partner's trailing revenue (§5.1).
    """

    id: str = attrs.field(validator=id_validator)
    currency: Currency = attrs.field(converter=to_currency)
    advisor_monthly_fee: Money = attrs.field(validator=_money_field)
    full_license_monthly_fee: Money | None = attrs.field(default=None, validator=_money_field)
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
    usage_tiers: tuple[tuple[str, UsagePricing], ...] = attrs.field(
        default=(), converter=_usage_tiers
    )
    full_license_fee_by_size: tuple[SizeBand, ...] = attrs.field(default=(), converter=_bands)
    partner_tiers: tuple[PartnerTier, ...] = attrs.field(default=(), converter=_partner_tiers)
    _prices: dict[str, Money] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _models: dict[str, UsagePricing] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        banded = bool(self.full_license_fee_by_size)
        if banded == (self.full_license_monthly_fee is not None):
            raise ValidationError.at(
                "full_license_monthly_fee",
                "give either full_license_monthly_fee or full_license_fee_by_size"
                + (", not both" if banded else ""),
            )
        amounts: list[tuple[str, Money]] = [("advisor_monthly_fee", self.advisor_monthly_fee)]
        if self.full_license_monthly_fee is not None:
            amounts.append(("full_license_monthly_fee", self.full_license_monthly_fee))
        amounts += [
            (f"full_license_fee_by_size[{index}].fee", band.fee)
            for index, band in enumerate(self.full_license_fee_by_size)
        ]
        amounts += [(f"usage_prices[{m!r}]", price) for m, price in self.usage_prices]
        for metric, pricing in self.usage_tiers:
            amounts += [(f"usage_tiers[{metric!r}].{path}", m) for path, m in pricing.amounts()]
        amounts += [
            (f"partner_tiers[{index}].from_trailing_revenue", tier.from_trailing_revenue)
            for index, tier in enumerate(self.partner_tiers)
        ]
        for field, money in amounts:
            if money.currency != self.currency:
                raise CurrencyMismatchError(
                    self.currency.code,
                    money.currency.code,
                    f"mix (price book {self.id!r}, {field})",
                )
        prices = dict(self.usage_prices)
        for metric, _ in self.usage_tiers:
            if metric in prices:
                raise ValidationError.at(
                    f"usage_tiers[{metric!r}]",
                    "metric priced both per unit (usage_prices) and by a tier model",
                )
        object.__setattr__(self, "_prices", prices)
        object.__setattr__(self, "_models", dict(self.usage_tiers))

    @classmethod
    def of(
        cls,
        id: str,
        currency: str | Currency,
        *,
        advisor_monthly_fee: object,
        full_license_monthly_fee: object = None,
        usage: Mapping[str, object] | None = None,
        usage_tiers: Mapping[str, object] | None = None,
        full_license_fee_by_size: Sequence[object] = (),
        partner_tiers: Sequence[object] = (),
        **policies: Any,
    ) -> PriceBook:
        """A price book from plain amounts (decimal strings, integers or Decimals; no floats).

        This is how a new book is made, so a currency ISO 4217 has withdrawn (``BGN``, ...)
        is refused, naming its successor; a stored book built directly still loads.

        ``PriceBook.of("standard", "USD", advisor_monthly_fee="50.00",
        full_license_monthly_fee="400.00", usage={"assessments": "5.00"}, rounding="half_even")``

        The wave-2 terms take plain values as a scenario file writes them:
        ``usage_tiers={"reviews": {"model": "package", "size": 100, "package_price": "2.95"}}``,
        ``full_license_fee_by_size=[{"up_to": 10, "fee": "100.00"}, {"fee": "250.00"}]``,
        ``partner_tiers=[{"name": "silver", "from_trailing_revenue": "0",
        "referral_rate": "0.10"}, ...]`` (or the records themselves).
        """
        code = to_current_currency(currency)  # a new book: no withdrawn ISO 4217 code
        prices = {
            metric: _money(price, f"usage[{metric!r}]", code)
            for metric, price in (usage or {}).items()
        }
        _check_plain_terms(usage_tiers, full_license_fee_by_size, partner_tiers)
        return cls(
            id=id,
            currency=code,
            advisor_monthly_fee=_money(advisor_monthly_fee, "advisor_monthly_fee", code),
            full_license_monthly_fee=None
            if full_license_monthly_fee is None
            else _money(full_license_monthly_fee, "full_license_monthly_fee", code),
            usage_prices=prices,
            usage_tiers={
                metric: UsagePricing.of(model, code, f"usage_tiers[{metric!r}]")
                for metric, model in (usage_tiers or {}).items()
            },
            full_license_fee_by_size=[
                SizeBand.of(band, code, f"full_license_fee_by_size[{index}]")
                for index, band in enumerate(full_license_fee_by_size)
            ],
            partner_tiers=[
                PartnerTier.of(tier, code, f"partner_tiers[{index}]")
                for index, tier in enumerate(partner_tiers)
            ],
            **policies,
        )

    @property
    def metrics(self) -> tuple[str, ...]:
        """The priced usage metrics (per unit or by a tier model), sorted."""
        return tuple(sorted([*self._prices, *self._models]))

    def unit_price(self, metric: str) -> Money:
        """The unit price of ``metric``; an unknown metric, or one priced by a tier model,
        is a :class:`ValidationError`."""
        price = self._prices.get(metric)
        if price is None:
            model = self._models.get(metric)
            if model is not None:
                raise ValidationError.at(
                    "metric",
                    f"usage metric {metric!r} is priced by a {model.model.value} model in "
                    f"price book {self.id!r}: it has no unit price",
                )
            raise self._unknown(metric)
        return price

    def pricing(self, metric: str) -> Money | UsagePricing:
        """How ``metric`` is priced: its unit price, or its tier model; an unknown metric is
        a :class:`ValidationError`."""
        price = self._prices.get(metric)
        if price is not None:
            return price
        model = self._models.get(metric)
        if model is None:
            raise self._unknown(metric)
        return model

    def _unknown(self, metric: str) -> ValidationError:
        known = ", ".join(self.metrics) or "none"
        return ValidationError.at(
            "metric",
            f"unknown usage metric {metric!r} in price book {self.id!r} (priced: {known})",
        )

    @property
    def is_banded(self) -> bool:
        """Whether full licences are priced by client size (``full_license_fee_by_size``)."""
        return bool(self.full_license_fee_by_size)

    def license_band(self, employee_count: int | None) -> SizeBand | None:
        """The size band of a client with ``employee_count`` employees (``None`` when the
        book has one fee for every client); a banded book needs the count."""
        if not self.full_license_fee_by_size:
            return None
        if employee_count is None:
            raise ValidationError.at(
                "employee_count",
                f"required: price book {self.id!r} prices full licences by employee count",
            )
        for band in self.full_license_fee_by_size:
            if band.up_to is None or employee_count <= band.up_to:
                return band
        raise AssertionError("unreachable: the last band is unbounded")  # pragma: no cover

    def license_fee(self, employee_count: int | None = None) -> Money:
        """The monthly full-licence fee of a client with ``employee_count`` employees."""
        band = self.license_band(employee_count)
        if band is not None:
            return band.fee
        assert self.full_license_monthly_fee is not None
        return self.full_license_monthly_fee

    def partner_tier(self, trailing_revenue: Money) -> PartnerTier:
        """The partner tier for ``trailing_revenue``: the highest whose threshold it reaches.

        A book without partner tiers is a :class:`ValidationError`.
        """
        if not self.partner_tiers:
            raise ValidationError.at(
                "partner_tiers", f"price book {self.id!r} has no partner tiers"
            )
        if trailing_revenue.currency != self.currency:
            raise CurrencyMismatchError(
                self.currency.code, trailing_revenue.currency.code, "compare (trailing revenue)"
            )
        found = self.partner_tiers[0]
        for tier in self.partner_tiers[1:]:
            if tier.from_trailing_revenue.amount <= trailing_revenue.amount:
                found = tier
        return found


def _money(value: object, path: str, currency: Currency) -> Money:
    """``value`` (Money, or a plain amount in ``currency``) as Money."""
    if isinstance(value, Money):
        return value
    return Money(to_decimal(value, path), currency)


def _check_plain_terms(
    usage_tiers: object, full_license_fee_by_size: object, partner_tiers: object
) -> None:
    """The wave-2 terms :meth:`PriceBook.of` takes have the right shapes."""
    if usage_tiers is not None and not isinstance(usage_tiers, Mapping):
        raise ValidationError.at(
            "usage_tiers", f"expected metric -> tier model, got {describe(usage_tiers)}"
        )
    for name, value in (
        ("full_license_fee_by_size", full_license_fee_by_size),
        ("partner_tiers", partner_tiers),
    ):
        if not isinstance(value, list | tuple):
            raise ValidationError.at(name, f"expected a sequence, got {describe(value)}")


def _rate(value: object) -> Decimal:
    rate = to_decimal(value, "referral_rate")
    if not 0 <= rate <= 1:
        raise ValidationError.at("referral_rate", f"must be within 0..1, got {rate}")
    return rate


def _optional_rate(value: object) -> Decimal | None:
    return None if value is None else _rate(value)


def _terms(value: object) -> tuple[ClientTerms, ...]:
    terms = _typed(value, ClientTerms, "clients")
    seen: set[str] = set()
    for entry in terms:
        if entry.client_id in seen:
            raise ValidationError.at("clients", f"client {entry.client_id!r} listed twice")
        seen.add(entry.client_id)
    return tuple(sorted(terms, key=lambda entry: entry.client_id))


@attrs.frozen
class BillingAccount:
    """How one partner is billed: its price book, its referral rate, and the terms it agreed
    with its clients (``clients``: deal price books, employee counts, discounts).

    ``referral_rate`` is ``None`` when the price book's partner tiers decide the rate (a
    partner on a tiered book must not have one); without tiers, ``None`` means 0. The
    billing time zone is the partner team's own time zone.
    """

    partner_id: str = attrs.field(validator=id_validator)
    price_book_id: str = attrs.field(validator=id_validator)
    referral_rate: Decimal | None = attrs.field(default=None, converter=_optional_rate)
    clients: tuple[ClientTerms, ...] = attrs.field(default=(), converter=_terms, kw_only=True)
    _by_client: dict[str, ClientTerms] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_client = (
            {entry.client_id: entry for entry in self.clients} if self.clients else _NO_TERMS
        )
        object.__setattr__(self, "_by_client", by_client)

    def terms_of(self, client_id: str) -> ClientTerms | None:
        """The terms agreed with ``client_id``, if any."""
        return self._by_client.get(client_id)
