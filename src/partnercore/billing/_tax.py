"""Tax on invoices (§5.2): rates by country, the issuer's settings, one rounding per invoice."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import text_validator, to_enum
from partnercore.billing._rounding import round_product
from partnercore.money import Money, Rounding, to_decimal
from partnercore.tenancy import Team
from partnercore.tenancy._countries import check_country

__all__ = [
    "InvoiceTax",
    "Invoicing",
    "TaxRate",
    "TaxRates",
    "TaxTable",
    "TaxTreatment",
]

_ZERO = Decimal(0)


def _country(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_country(value, attribute.name)


def _tax_rate(value: object) -> Decimal:
    rate = to_decimal(value, "rate")
    if not _ZERO <= rate < 1:
        raise ValidationError.at("rate", f"must be a fraction within [0, 1), got {rate}")
    return rate


@attrs.frozen(kw_only=True)
class TaxRate:
    """A country's tax: ``rate`` is a fraction (``0.10`` = 10 %), ``name`` what invoices call it."""

    country: str = attrs.field(validator=_country)
    rate: Decimal = attrs.field(converter=_tax_rate)
    name: str = attrs.field(validator=text_validator)


class TaxRates(Protocol):
    """The port billing asks for a country's tax rate: a host may plug its own tax service."""

    def rate_for(self, country: str) -> TaxRate | None:
        """The rate of ``country`` (an ISO 3166-1 alpha-2 code), or ``None`` when it has none."""
        ...


class TaxTable:
    """Tax rates held in memory (what a scenario's ``[[tax_rates]]`` builds)."""

    def __init__(self, rates: Iterable[TaxRate] = ()) -> None:
        self._rates: dict[str, TaxRate] = {}
        for index, rate in enumerate(rates):
            if not isinstance(rate, TaxRate):
                raise ValidationError.at(f"rates[{index}]", f"expected a TaxRate, got {rate!r}")
            if rate.country in self._rates:
                raise ValidationError.at(
                    f"rates[{index}].country", f"{rate.country} has a rate already"
                )
            self._rates[rate.country] = rate

    def rate_for(self, country: str) -> TaxRate | None:
        return self._rates.get(country) if isinstance(country, str) else None

    def rates(self) -> list[TaxRate]:
        """Every rate, by country."""
        return [self._rates[country] for country in sorted(self._rates)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TaxTable) and self._rates == other._rates

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._rates)))

    def __repr__(self) -> str:
        return f"TaxTable({self.rates()!r})"


@attrs.frozen
class TaxTreatment:
    """How one invoice is taxed: its rate, the tax's name, and whether it is reverse charged."""

    rate: Decimal
    name: str | None
    reverse_charge: bool = False


_NONE = TaxTreatment(_ZERO, None)
_REVERSE = TaxTreatment(_ZERO, None, True)


def _zone(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError.at("reverse_charge_zone", f"expected country codes, got {value!r}")
    codes = list(value)
    for index, code in enumerate(codes):
        check_country(code, f"reverse_charge_zone[{index}]")
    return frozenset(codes)


def _optional_country(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        check_country(value, attribute.name)


def _prefix(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or len(value) > 20 or any(c.isspace() for c in value):
        raise ValidationError.at(
            attribute.name, f"expected a prefix of at most 20 characters, got {value!r}"
        )


def _terms(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
        raise ValidationError.at(
            attribute.name, f"expected a whole number of days within 0..3650, got {value!r}"
        )


def _rates(_: object, attribute: attrs.Attribute[TaxRates], value: object) -> None:
    if not callable(getattr(value, "rate_for", None)):
        raise ValidationError.at(attribute.name, f"expected a TaxRates port, got {value!r}")


@attrs.frozen(kw_only=True)
class Invoicing:
    """The issuer's invoicing settings (§5.2), the scenario's ``[invoicing]`` table.

    ``issuer_country`` ``None`` (the default) means no tax at all: invoices carry no tax
    and read exactly as without these settings. ``tax_rates`` is the rate port (a
    :class:`TaxTable`, or a host's own tax service).
    """

    number_prefix: str = attrs.field(default="INV-", validator=_prefix)
    credit_note_prefix: str = attrs.field(default="CN-", validator=_prefix)
    payment_terms_days: int = attrs.field(default=30, validator=_terms)
    issuer_country: str | None = attrs.field(default=None, validator=_optional_country)
    reverse_charge_zone: frozenset[str] = attrs.field(default=frozenset(), converter=_zone)
    tax_rates: TaxRates = attrs.field(factory=TaxTable, validator=_rates)

    @property
    def taxed(self) -> bool:
        """Whether invoices carry tax (an issuer country is configured)."""
        return self.issuer_country is not None

    def treatment(self, team: Team) -> TaxTreatment:
        """How an invoice billed to ``team`` is taxed.

        Reverse charge (rate 0, no name) when the team has a tax id, its country differs
        from the issuer's and both are in the reverse-charge zone; otherwise the rate of
        the team's country (0 when the table has none, or the team has no country).
        """
        issuer = self.issuer_country
        country = team.country
        if issuer is None or country is None:
            return _NONE
        zone = self.reverse_charge_zone
        if team.tax_id is not None and country != issuer and country in zone and issuer in zone:
            return _REVERSE
        rate = self.tax_rates.rate_for(country)
        if rate is None:
            return _NONE
        return TaxTreatment(rate.rate, rate.name)


def _rounding(value: object) -> Rounding:
    return to_enum(Rounding, value, "rounding")


@attrs.frozen(kw_only=True)
class InvoiceTax:
    """The tax of one invoice: ``amount`` = subtotal x ``rate``, rounded once with ``rounding``.

    ``name`` is ``None`` and ``rate`` 0 when no tax applies (or under reverse charge).
    """

    rate: Decimal = attrs.field(converter=_tax_rate)
    name: str | None
    amount: Money
    reverse_charge: bool = False
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.amount, Money):
            raise ValidationError.at("tax.amount", f"expected Money, got {self.amount!r}")
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise ValidationError.at("tax.name", f"expected text or None, got {self.name!r}")
        if self.reverse_charge and (self.rate or self.name is not None):
            raise ValidationError.at("tax", "a reverse-charged invoice has rate 0 and no name")

    @classmethod
    def of(cls, treatment: TaxTreatment, subtotal: Money, rounding: Rounding) -> InvoiceTax:
        """The tax of ``subtotal`` under ``treatment``, rounded once."""
        digits = subtotal.currency.minor_units
        amount = round_product((subtotal.amount, treatment.rate), digits, rounding)
        return cls(
            rate=treatment.rate,
            name=treatment.name,
            amount=Money(amount, subtotal.currency),
            reverse_charge=treatment.reverse_charge,
            rounding=rounding,
        )

    def on(self, subtotal: Money) -> Money:
        """The tax of ``subtotal`` at this invoice's rate, rounded once as the invoice was."""
        digits = subtotal.currency.minor_units
        amount = round_product((subtotal.amount, self.rate), digits, self.rounding)
        return Money(amount, subtotal.currency)
