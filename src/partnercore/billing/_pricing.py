"""Pricing models and deal terms (§5.1): tiered usage, licence fees by client size, partner tiers.

A tier-priced metric turns a period's total quantity into one exact amount (rounded once by
the calculator) and records the tiers it touched, so that an invoice line can show how its
amount was made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import CurrencyMismatchError, ValidationError
from partnercore._fields import to_enum
from partnercore.billing._policies import PricingModel
from partnercore.billing._presentation import format_quantity
from partnercore.billing._rounding import EXACT
from partnercore.billing._validation import describe
from partnercore.money import Currency, Money, to_decimal

__all__ = [
    "PackageUse",
    "PartnerTier",
    "PriceTier",
    "PricedUsage",
    "SizeBand",
    "TierUse",
    "UsagePricing",
    "check_bands",
    "check_partner_tiers",
]

_ZERO = Decimal(0)


def _bound(value: object, path: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError.at(path, f"expected a whole number of units, got {describe(value)}")
    if value < 1:
        raise ValidationError.at(path, f"must be at least 1, got {value}")
    return value


def _up_to(value: object) -> int | None:
    return _bound(value, "up_to")


def _price(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.default is None:
        return
    if not isinstance(value, Money):
        raise ValidationError.at(attribute.name, f"expected Money, got {describe(value)}")
    if value.amount < 0:
        raise ValidationError.at(attribute.name, f"must not be negative, got {value}")


def _bands_in_order(bounds: Sequence[int | None], what: str) -> None:
    """Strictly ascending ``up_to`` bounds, only the last one unbounded."""
    if not bounds:
        raise ValidationError.at(what, "needs at least one tier")
    previous = 0
    for index, bound in enumerate(bounds):
        path = f"{what}[{index}].up_to"
        last = index == len(bounds) - 1
        if bound is None:
            if not last:
                raise ValidationError.at(path, "only the last tier may have no up_to")
            continue
        if last:
            raise ValidationError.at(path, "the last tier must have no up_to (it is unbounded)")
        if bound <= previous:
            raise ValidationError.at(
                path, f"must be greater than the previous tier's up_to ({previous}), got {bound}"
            )
        previous = bound


def _same_currency(amounts: Sequence[tuple[str, Money | None]], what: str) -> Currency | None:
    currency: Currency | None = None
    for path, money in amounts:
        if money is None:
            continue
        if currency is None:
            currency = money.currency
        elif money.currency != currency:
            raise CurrencyMismatchError(currency.code, money.currency.code, f"mix ({what}, {path})")
    return currency


def _money(value: object, currency: Currency, path: str) -> Money:
    if isinstance(value, Money):
        return value
    return Money(to_decimal(value, path), currency)


def _optional_money(value: object, currency: Currency, path: str) -> Money | None:
    return None if value is None else _money(value, currency, path)


def _plain(value: object, path: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError.at(path, f"expected a mapping of {', '.join(keys)}, got {value!r}")
    unknown = sorted(str(k) for k in value if k not in keys)
    if unknown:
        raise ValidationError.at(f"{path}.{unknown[0]}", f"unknown key; expected {', '.join(keys)}")
    return value


# -- usage tiers -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PriceTier:
    """A tier of a graduated or volume model: the units up to ``up_to`` (``None``: no bound)
    at ``unit_price`` each, and ``flat_fee`` charged once when the tier is used."""

    up_to: int | None = attrs.field(default=None, converter=_up_to)
    unit_price: Money = attrs.field(validator=_price)
    flat_fee: Money | None = attrs.field(default=None, validator=_price)

    @classmethod
    def of(cls, value: object, currency: Currency, path: str = "tier") -> PriceTier:
        """A tier from a mapping of plain values (``{"up_to": 10, "unit_price": "10.00"}``)."""
        if isinstance(value, PriceTier):
            return value
        data = _plain(value, path, ("up_to", "unit_price", "flat_fee"))
        if "unit_price" not in data:
            raise ValidationError.at(f"{path}.unit_price", "missing required key")
        try:
            return cls(
                up_to=data.get("up_to"),
                unit_price=_money(data["unit_price"], currency, f"{path}.unit_price"),
                flat_fee=_optional_money(data.get("flat_fee"), currency, f"{path}.flat_fee"),
            )
        except ValidationError as error:
            raise error.prefixed(path) from None


def _tiers(value: object) -> tuple[PriceTier, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError.at("tiers", f"expected a sequence of PriceTier, got {value!r}")
    for index, tier in enumerate(value):
        if not isinstance(tier, PriceTier):
            raise ValidationError.at(f"tiers[{index}]", f"expected a PriceTier, got {tier!r}")
    return tuple(value)


def _model(value: object) -> PricingModel:
    return to_enum(PricingModel, value, "model")


def _size(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError.at("size", f"expected a whole number of units, got {describe(value)}")
    if value < 1:
        raise ValidationError.at("size", f"must be at least 1, got {value}")
    return value


@attrs.frozen(kw_only=True)
class TierUse:
    """The part of a tier-priced quantity that fell in one tier: units ``first`` to ``last``
    (``None``: unbounded) of the tier, ``quantity`` of them at ``unit_price``, plus the
    tier's ``flat_fee``."""

    first: int
    last: int | None
    quantity: Decimal
    unit_price: Money
    flat_fee: Money | None = None

    def __str__(self) -> str:
        span = f"{self.first}+" if self.last is None else f"{self.first}-{self.last}"
        text = f"{span}: {format_quantity(self.quantity)} x {self.unit_price.format_amount()}"
        if self.flat_fee is not None:
            text += f" + {self.flat_fee.format_amount()}"
        return text


@attrs.frozen(kw_only=True)
class PackageUse:
    """The packages a package-priced quantity was charged: ``packages`` of ``size`` units."""

    packages: int
    size: int
    package_price: Money

    def __str__(self) -> str:
        noun = "package" if self.packages == 1 else "packages"
        return f"{self.packages} {noun} of {self.size} at {self.package_price.format_amount()}"


@attrs.frozen
class PricedUsage:
    """A tier-priced quantity: its exact (unrounded) amount and how it was made."""

    amount: Decimal
    tiers: tuple[TierUse, ...] = ()
    package: PackageUse | None = None

    def summary(self) -> str:
        """The tiers touched, readably (``1-10: 10 x 10.00 + 2.00; 11-20: 2 x 5.00``)."""
        if self.package is not None:
            return str(self.package)
        return "; ".join(str(tier) for tier in self.tiers)


@attrs.frozen(kw_only=True)
class UsagePricing:
    """How one usage metric is priced by a tier model (§5.1).

    ``graduated`` and ``volume`` take ``tiers`` (strictly ascending ``up_to``, the last one
    unbounded); ``package`` takes ``size`` (units per package, at least 1) and
    ``package_price``. Build one from plain values with :meth:`of`.
    """

    model: PricingModel = attrs.field(converter=_model)
    tiers: tuple[PriceTier, ...] = attrs.field(default=(), converter=_tiers)
    size: int | None = attrs.field(default=None, converter=_size)
    package_price: Money | None = attrs.field(default=None, validator=_price)

    def __attrs_post_init__(self) -> None:
        if self.model is PricingModel.PACKAGE:
            if self.tiers:
                raise ValidationError.at("tiers", "a package model has no tiers")
            if self.size is None:
                raise ValidationError.at("size", "required by the package model")
            if self.package_price is None:
                raise ValidationError.at("package_price", "required by the package model")
            return
        for name in ("size", "package_price"):
            if getattr(self, name) is not None:
                raise ValidationError.at(name, f"only the package model has a {name}")
        _bands_in_order([tier.up_to for tier in self.tiers], "tiers")
        amounts: list[tuple[str, Money | None]] = []
        for index, tier in enumerate(self.tiers):
            amounts.append((f"tiers[{index}].unit_price", tier.unit_price))
            amounts.append((f"tiers[{index}].flat_fee", tier.flat_fee))
        _same_currency(amounts, "a tier model")

    @classmethod
    def of(cls, value: object, currency: Currency | str, path: str = "") -> UsagePricing:
        """A model from plain values, as a scenario file writes it: ``{"model": "package",
        "size": 100, "package_price": "2.95"}`` or ``{"model": "graduated", "tiers":
        [{"up_to": 10, "unit_price": "10.00", "flat_fee": "2.00"}, {"unit_price": "5.00"}]}``.
        """
        if isinstance(value, UsagePricing):
            return value
        code = Currency.of(currency)
        data = _plain(value, path or "pricing", ("model", "tiers", "size", "package_price"))
        try:
            raw_tiers = data.get("tiers", ())
            if not isinstance(raw_tiers, list | tuple):
                raise ValidationError.at(
                    "tiers", f"expected a sequence of tiers, got {raw_tiers!r}"
                )
            return cls(
                model=data.get("model"),
                tiers=tuple(
                    PriceTier.of(tier, code, f"tiers[{index}]")
                    for index, tier in enumerate(raw_tiers)
                ),
                size=data.get("size"),
                package_price=_optional_money(data.get("package_price"), code, "package_price"),
            )
        except ValidationError as error:
            raise error.prefixed(path) if path else error from None

    @property
    def currency(self) -> Currency:
        if self.package_price is not None:
            return self.package_price.currency
        return self.tiers[0].unit_price.currency

    def amounts(self) -> list[tuple[str, Money]]:
        """Every amount of the model with its path (for currency checks)."""
        if self.package_price is not None:
            return [("package_price", self.package_price)]
        found: list[tuple[str, Money]] = []
        for index, tier in enumerate(self.tiers):
            found.append((f"tiers[{index}].unit_price", tier.unit_price))
            if tier.flat_fee is not None:
                found.append((f"tiers[{index}].flat_fee", tier.flat_fee))
        return found

    def price(self, quantity: Decimal) -> PricedUsage:
        """The exact amount of ``quantity`` units (never rounded here) and the tiers touched.

        Zero costs nothing and touches no tier; a negative quantity is a ValidationError.
        """
        if quantity < 0:
            raise ValidationError.at(
                "quantity", f"a tier-priced quantity must not be negative, got {quantity}"
            )
        if not quantity:
            return PricedUsage(_ZERO)
        if self.model is PricingModel.PACKAGE:
            return self._package(quantity)
        if self.model is PricingModel.VOLUME:
            return self._volume(quantity)
        return self._graduated(quantity)

    def _package(self, quantity: Decimal) -> PricedUsage:
        size, price = self.size, self.package_price
        assert size is not None
        assert price is not None
        top, bottom = quantity.as_integer_ratio()
        packages = -(-top // (bottom * size))
        amount = EXACT.multiply(Decimal(packages), price.amount)
        return PricedUsage(
            amount, package=PackageUse(packages=packages, size=size, package_price=price)
        )

    def _volume(self, quantity: Decimal) -> PricedUsage:
        first = 1
        for tier in self.tiers:
            if tier.up_to is None or quantity <= tier.up_to:
                amount = EXACT.multiply(quantity, tier.unit_price.amount)
                if tier.flat_fee is not None:
                    amount = EXACT.add(amount, tier.flat_fee.amount)
                use = TierUse(
                    first=first,
                    last=tier.up_to,
                    quantity=quantity,
                    unit_price=tier.unit_price,
                    flat_fee=tier.flat_fee,
                )
                return PricedUsage(amount, (use,))
            first = tier.up_to + 1
        raise AssertionError("unreachable: the last tier is unbounded")  # pragma: no cover

    def _graduated(self, quantity: Decimal) -> PricedUsage:
        amount = _ZERO
        used: list[TierUse] = []
        lower = 0
        for tier in self.tiers:
            upper = tier.up_to
            top = quantity if upper is None or quantity <= upper else Decimal(upper)
            units = EXACT.subtract(top, Decimal(lower))
            amount = EXACT.add(amount, EXACT.multiply(units, tier.unit_price.amount))
            if tier.flat_fee is not None:
                amount = EXACT.add(amount, tier.flat_fee.amount)
            used.append(
                TierUse(
                    first=lower + 1,
                    last=upper,
                    quantity=units,
                    unit_price=tier.unit_price,
                    flat_fee=tier.flat_fee,
                )
            )
            if upper is None or quantity <= upper:
                break
            lower = upper
        return PricedUsage(amount, tuple(used))


# -- licence fees by client size -------------------------------------------------------


@attrs.frozen(kw_only=True)
class SizeBand:
    """A band of client sizes: clients of up to ``up_to`` employees (``None``: any larger)
    pay ``fee`` a month for a full licence."""

    up_to: int | None = attrs.field(default=None, converter=_up_to)
    fee: Money = attrs.field(validator=_price)

    @classmethod
    def of(cls, value: object, currency: Currency, path: str = "band") -> SizeBand:
        """A band from a mapping of plain values (``{"up_to": 10, "fee": "100.00"}``)."""
        if isinstance(value, SizeBand):
            return value
        data = _plain(value, path, ("up_to", "fee"))
        if "fee" not in data:
            raise ValidationError.at(f"{path}.fee", "missing required key")
        try:
            return cls(up_to=data.get("up_to"), fee=_money(data["fee"], currency, f"{path}.fee"))
        except ValidationError as error:
            raise error.prefixed(path) from None

    def __str__(self) -> str:
        return "any size" if self.up_to is None else f"up to {self.up_to} employees"


def check_bands(bands: Sequence[SizeBand], what: str) -> None:
    """Size bands in order: strictly ascending ``up_to``, only the last unbounded."""
    _bands_in_order([band.up_to for band in bands], what)


# -- partner tiers ---------------------------------------------------------------------


def _tier_name(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.at(attribute.name, f"expected a non-blank name, got {value!r}")


def _rate(value: object) -> Decimal:
    rate = to_decimal(value, "referral_rate")
    if not 0 <= rate <= 1:
        raise ValidationError.at("referral_rate", f"must be within 0..1, got {rate}")
    return rate


@attrs.frozen(kw_only=True)
class PartnerTier:
    """A partner program tier (``gold``): from ``from_trailing_revenue`` of trailing revenue
    on, the partner earns ``referral_rate``."""

    name: str = attrs.field(validator=_tier_name)
    from_trailing_revenue: Money = attrs.field(validator=_price)
    referral_rate: Decimal = attrs.field(converter=_rate)

    @classmethod
    def of(cls, value: object, currency: Currency, path: str = "tier") -> PartnerTier:
        """A tier from a mapping of plain values."""
        if isinstance(value, PartnerTier):
            return value
        data = _plain(value, path, ("name", "from_trailing_revenue", "referral_rate"))
        for key in ("name", "from_trailing_revenue", "referral_rate"):
            if key not in data:
                raise ValidationError.at(f"{path}.{key}", "missing required key")
        try:
            return cls(
                name=data["name"],
                from_trailing_revenue=_money(
                    data["from_trailing_revenue"], currency, f"{path}.from_trailing_revenue"
                ),
                referral_rate=data["referral_rate"],
            )
        except ValidationError as error:
            raise error.prefixed(path) from None


def check_partner_tiers(tiers: Sequence[PartnerTier], what: str) -> None:
    """Partner tiers in order: the first from 0, thresholds strictly ascending, names unique."""
    names: set[str] = set()
    previous: Money | None = None
    for index, tier in enumerate(tiers):
        path = f"{what}[{index}]"
        if tier.name in names:
            raise ValidationError.at(f"{path}.name", f"tier {tier.name!r} named twice")
        names.add(tier.name)
        threshold = tier.from_trailing_revenue.amount
        if previous is None and threshold != 0:
            raise ValidationError.at(
                f"{path}.from_trailing_revenue", f"the first tier starts at 0, got {threshold}"
            )
        if previous is not None and threshold <= previous.amount:
            raise ValidationError.at(
                f"{path}.from_trailing_revenue",
                f"must be greater than the previous tier's ({previous.amount}), got {threshold}",
            )
        previous = tier.from_trailing_revenue
