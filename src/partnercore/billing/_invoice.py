"""Invoices: lines, per-client groups with subtotals, totals that are exact sums (§5)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import CurrencyMismatchError, NotFoundError, ValidationError
from partnercore._fields import check_id, id_validator, to_enum
from partnercore._trusted import trusted
from partnercore.billing._policies import LineKind, PricingModel
from partnercore.billing._presentation import (
    invoice_html,
    invoice_rows,
    invoice_text,
    invoice_to_dict,
)
from partnercore.billing._pricing import PackageUse, TierUse
from partnercore.billing._proration import ProratedShare
from partnercore.billing._rounding import EXACT, from_minor
from partnercore.billing._tax import InvoiceTax
from partnercore.billing._validation import describe, money_field, to_quantity
from partnercore.money import Currency, Money, to_currency
from partnercore.time import period_key

__all__ = [
    "ClientGroup",
    "Invoice",
    "InvoiceLine",
    "assemble_group",
    "assemble_invoice",
    "invoice_id",
    "sum_lines",
]


def invoice_id(billed_to: str, period: str) -> str:
    """The deterministic invoice id ``inv-<billed team>-<YYYY-MM>``."""
    return f"inv-{check_id(billed_to, 'billed_to')}-{period_key(period)}"


def _kind(value: object) -> LineKind:
    return to_enum(LineKind, value, "kind")


def _model(value: object) -> PricingModel | None:
    return None if value is None else to_enum(PricingModel, value, "model")


def _tier_uses(value: object) -> tuple[TierUse, ...]:
    if value == ():
        return ()
    if not isinstance(value, list | tuple):
        raise ValidationError.at("tiers", f"expected a sequence of TierUse, got {value!r}")
    for index, use in enumerate(value):
        if not isinstance(use, TierUse):
            raise ValidationError.at(f"tiers[{index}]", f"expected a TierUse, got {use!r}")
    return tuple(value)


def _text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError.at(attribute.name, f"expected text, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class InvoiceLine:
    """One charge: ``amount`` is rounded once to the currency's minor unit.

    ``metric`` names the usage metric (usage and adjustment lines), ``item`` the content
    item, ``user`` the advisor of a prorated seat line, ``share`` the prorated part of the
    period, and ``original_period`` the finalised period a late-usage adjustment belongs to.

    A line of a tier-priced metric names its ``model`` and has no ``unit_price``; ``tiers``
    are the tiers its quantity touched (graduated, volume) and ``package`` the packages it
    was charged (package). A ``discount`` line carries its ``percent``.
    """

    kind: LineKind = attrs.field(converter=_kind)
    description: str
    quantity: Decimal = attrs.field(converter=to_quantity)
    unit_price: Money | None
    amount: Money
    metric: str | None = None
    item: str | None = None
    user: str | None = None
    share: ProratedShare | None = None
    original_period: str | None = None
    model: PricingModel | None = attrs.field(default=None, converter=_model)
    tiers: tuple[TierUse, ...] = attrs.field(default=(), converter=_tier_uses)
    package: PackageUse | None = None
    percent: Decimal | None = None

    def __attrs_post_init__(self) -> None:
        # One check of every field (lines are many: one call instead of one per field).
        if (
            self.unit_price.__class__ is not Money
            or self.amount.__class__ is not Money
            or self.description.__class__ is not str
            or (self.metric is not None and self.metric.__class__ is not str)
            or (self.item is not None and self.item.__class__ is not str)
            or self.user is not None
            or self.share is not None
            or self.original_period is not None
            or self.model is not None
            or self.package is not None
            or self.percent is not None
        ):
            self._check_fields()

    def _check_fields(self) -> None:
        if self.unit_price is None:
            if self.model is None:
                raise ValidationError.at(
                    "unit_price", "expected Money (only a tier-priced line has none), got None"
                )
        elif not isinstance(self.unit_price, Money):
            raise ValidationError.at(
                "unit_price", f"expected Money, got {describe(self.unit_price)}"
            )
        if not isinstance(self.amount, Money):
            raise ValidationError.at("amount", f"expected Money, got {describe(self.amount)}")
        if self.package is not None and not isinstance(self.package, PackageUse):
            raise ValidationError.at("package", f"expected a PackageUse, got {self.package!r}")
        if (self.tiers or self.package is not None) and self.model is None:
            raise ValidationError.at("model", "a line with tiers or packages names its model")
        if self.percent is not None and (
            not isinstance(self.percent, Decimal) or not 0 < self.percent <= 1
        ):
            raise ValidationError.at(
                "percent", f"expected a Decimal fraction within (0, 1], got {self.percent!r}"
            )
        for name in ("description", "metric", "item"):
            value = getattr(self, name)
            if not isinstance(value, str) and (name == "description" or value is not None):
                raise ValidationError.at(name, f"expected text, got {type(value).__name__}")
        if self.user is not None:
            check_id(self.user, "user")
        if self.share is not None and not isinstance(self.share, ProratedShare):
            raise ValidationError.at("share", f"expected a ProratedShare, got {self.share!r}")
        if self.original_period is not None:
            period_key(self.original_period, "original_period")


def _total(
    lines: Sequence[InvoiceLine], groups: Sequence[ClientGroup], currency: Currency
) -> Decimal:
    """The exact sum of the lines' amounts and the groups' subtotals (with the currency's
    digits when there are none)."""
    total = from_minor(0, currency.minor_units)
    for line in lines:
        total = EXACT.add(total, line.amount.amount)
    for group in groups:
        total = EXACT.add(total, group.subtotal.amount)
    return total


def sum_lines(lines: Sequence[InvoiceLine], currency: Currency) -> Money:
    """The exact sum of the lines' amounts (zero with the currency's digits when empty)."""
    return Money(_total(lines, (), currency), currency)


def _lines(value: object) -> tuple[InvoiceLine, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError.at("lines", f"expected a sequence of lines, got {value!r}")
    for index, line in enumerate(value):
        if not isinstance(line, InvoiceLine):
            raise ValidationError.at(f"lines[{index}]", f"expected an InvoiceLine, got {line!r}")
    return tuple(value)


def _check_lines(lines: Sequence[InvoiceLine], currency: Currency, path: str) -> None:
    quantum = currency.quantum
    for index, line in enumerate(lines):
        fields = [line.amount] if line.unit_price is None else [line.amount, line.unit_price]
        fields += [tier.unit_price for tier in line.tiers]
        if line.package is not None:
            fields.append(line.package.package_price)
        for field in fields:
            if field.currency is not currency and field.currency != currency:
                raise CurrencyMismatchError(
                    currency.code, field.currency.code, f"put on one invoice ({path}[{index}])"
                )
        amount = line.amount.amount
        if amount != amount.quantize(quantum, context=EXACT):
            raise ValidationError.at(
                f"{path}[{index}].amount",
                f"{amount} is not rounded to {currency.code}'s {currency.minor_units} minor digits",
            )


@attrs.frozen(kw_only=True)
class ClientGroup:
    """A reseller client's lines on its partner's consolidated invoice, with their subtotal."""

    client_id: str = attrs.field(validator=id_validator)
    lines: tuple[InvoiceLine, ...] = attrs.field(converter=_lines)
    subtotal: Money = attrs.field(validator=money_field)

    def __attrs_post_init__(self) -> None:
        expected = Decimal(0)
        for line in self.lines:
            expected = EXACT.add(expected, line.amount.amount)
        if expected != self.subtotal.amount:
            raise ValidationError.at(
                f"clients[{self.client_id}].subtotal",
                f"{self.subtotal} is not the sum of its lines ({expected})",
            )

    @classmethod
    def of(cls, client_id: str, lines: Sequence[InvoiceLine], currency: Currency) -> ClientGroup:
        """A group whose subtotal is the exact sum of ``lines``."""
        return cls(client_id=client_id, lines=tuple(lines), subtotal=sum_lines(lines, currency))


def _groups(value: object) -> tuple[ClientGroup, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError.at("clients", f"expected a sequence of client groups, got {value!r}")
    for index, group in enumerate(value):
        if not isinstance(group, ClientGroup):
            raise ValidationError.at(f"clients[{index}]", f"expected a ClientGroup, got {group!r}")
    return tuple(value)


def _period(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    period_key(value, attribute.name)


@attrs.frozen(kw_only=True)
class Invoice:
    """One invoice of one period, billed to a partner team or to a non-reseller client.

    A partner's invoice carries its own lines (advisor seats, a referral credit) and one
    group per reseller client; a non-reseller client's invoice carries its lines and no
    groups. The invoice guards its invariant: one currency, every amount rounded to the
    minor unit, every subtotal and the total the exact sum of their lines.

    ``tax`` is the invoice's tax (§5.2), ``None`` when no tax is configured at all;
    ``subtotal`` is the sum of every line except a ``referral_credit`` and ``total`` is
    ``subtotal + tax + referral credit``.
    """

    id: str = attrs.field(validator=_text)
    period: str = attrs.field(validator=_period)
    partner_id: str = attrs.field(validator=id_validator)
    billed_to: str = attrs.field(validator=id_validator)
    currency: Currency = attrs.field(converter=to_currency)
    lines: tuple[InvoiceLine, ...] = attrs.field(converter=_lines)
    clients: tuple[ClientGroup, ...] = attrs.field(default=(), converter=_groups)
    total: Money = attrs.field(validator=money_field)
    tax: InvoiceTax | None = None

    def __attrs_post_init__(self) -> None:
        expected_id = invoice_id(self.billed_to, self.period)
        if self.id != expected_id:
            raise ValidationError.at("id", f"expected {expected_id!r}, got {self.id!r}")
        _check_lines(self.lines, self.currency, "lines")
        seen: set[str] = set()
        for group in self.clients:
            if group.client_id in seen:
                raise ValidationError.at("clients", f"client {group.client_id!r} listed twice")
            seen.add(group.client_id)
            _check_lines(group.lines, self.currency, f"clients[{group.client_id}].lines")
            subtotal = group.subtotal.currency
            if subtotal is not self.currency and subtotal != self.currency:
                raise CurrencyMismatchError(
                    self.currency.code, subtotal.code, f"put on one invoice ({group.client_id})"
                )
        if self.clients and self.billed_to != self.partner_id:
            raise ValidationError.at("clients", "only a partner's invoice groups clients")
        expected = _total(self.lines, self.clients, self.currency)
        if self.tax is not None:
            if not isinstance(self.tax, InvoiceTax):
                raise ValidationError.at("tax", f"expected an InvoiceTax, got {self.tax!r}")
            if self.tax.amount.currency != self.currency:
                raise CurrencyMismatchError(
                    self.currency.code, self.tax.amount.currency.code, "tax"
                )
            expected = EXACT.add(expected, self.tax.amount.amount)
        if self.total.currency is not self.currency and self.total.currency != self.currency:
            raise CurrencyMismatchError(self.currency.code, self.total.currency.code, "total")
        if self.total.amount != expected:
            raise ValidationError.at(
                "total", f"{self.total} is not the sum of the lines ({expected} {self.currency})"
            )

    @classmethod
    def of(
        cls,
        *,
        period: str,
        partner_id: str,
        billed_to: str,
        currency: Currency | str,
        lines: Sequence[InvoiceLine] = (),
        clients: Sequence[ClientGroup] = (),
        tax: InvoiceTax | None = None,
    ) -> Invoice:
        """An invoice with its deterministic id and a total that is the exact sum of its lines
        (and its tax)."""
        code = Currency.of(currency)
        total = _total(lines, clients, code)
        if tax is not None:
            total = EXACT.add(total, tax.amount.amount)
        return cls(
            id=invoice_id(billed_to, period),
            period=period,
            partner_id=partner_id,
            billed_to=billed_to,
            currency=code,
            lines=tuple(lines),
            clients=tuple(clients),
            total=Money(total, code),
            tax=tax,
        )

    # -- reading ----------------------------------------------------------------------

    @property
    def subtotal(self) -> Money:
        """The sum of every line (client groups included) except a ``referral_credit``."""
        lines = [line for line in self.lines if line.kind is not LineKind.REFERRAL_CREDIT]
        return Money(_total(lines, self.clients, self.currency), self.currency)

    @property
    def referral_credit(self) -> Money:
        """The ``referral_credit`` line's amount (zero when the invoice has none)."""
        lines = [line for line in self.lines if line.kind is LineKind.REFERRAL_CREDIT]
        return sum_lines(lines, self.currency)

    @property
    def tax_amount(self) -> Money:
        """The tax (zero, with the currency's digits, when the invoice has none)."""
        if self.tax is None:
            return Money(from_minor(0, self.currency.minor_units), self.currency)
        return self.tax.amount

    def with_tax(self, tax: InvoiceTax | None) -> Invoice:
        """This invoice with ``tax`` instead of its own, and its total to match."""
        return Invoice.of(
            period=self.period,
            partner_id=self.partner_id,
            billed_to=self.billed_to,
            currency=self.currency,
            lines=self.lines,
            clients=self.clients,
            tax=tax,
        )

    @property
    def is_partner_invoice(self) -> bool:
        """Whether this is the partner's own (consolidated) invoice."""
        return self.billed_to == self.partner_id

    def group(self, client_id: str) -> ClientGroup:
        """The group of ``client_id``; :class:`NotFoundError` if it has none here."""
        for group in self.clients:
            if group.client_id == client_id:
                return group
        raise NotFoundError("client group", client_id)

    def client_lines(self) -> Iterator[tuple[str, InvoiceLine]]:
        """Every line charged for a client, with that client's id."""
        if not self.is_partner_invoice:
            for line in self.lines:
                yield self.billed_to, line
        for group in self.clients:
            for line in group.lines:
                yield group.client_id, line

    # -- presentation -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The invoice as in the ``bill --format json`` document (money as strings)."""
        return invoice_to_dict(self)

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat dict per line, ready for ``pandas.DataFrame`` (amounts as Decimal)."""
        return invoice_rows(self)

    def __str__(self) -> str:
        return invoice_text(self)

    def _repr_html_(self) -> str:
        return invoice_html(self)


# -- assembled by the calculator --------------------------------------------------------
#
# The calculator builds its groups and invoices from inputs checked at their boundary
# (``ClientBillingInput``, ``PartnerBillingInput``), with amounts made of whole minor units
# of one currency and totals summed as integers: they hold the invariants by construction,
# so they are assembled without checking them again. Everything else (a host, the
# converter, a test) goes through the checking constructors.


def assemble_group(client_id: str, lines: tuple[InvoiceLine, ...], subtotal: Money) -> ClientGroup:
    """A group the calculator built: ``subtotal`` is already the exact sum of ``lines``."""
    return trusted(ClientGroup, client_id=client_id, lines=lines, subtotal=subtotal)


def assemble_invoice(
    *,
    period: str,
    partner_id: str,
    billed_to: str,
    currency: Currency,
    lines: tuple[InvoiceLine, ...],
    clients: tuple[ClientGroup, ...],
    total: Money,
) -> Invoice:
    """An invoice the calculator built: one currency, rounded lines, exact sums, no tax."""
    return trusted(
        Invoice,
        id=f"inv-{billed_to}-{period}",
        period=period,
        partner_id=partner_id,
        billed_to=billed_to,
        currency=currency,
        lines=lines,
        clients=clients,
        total=total,
        tax=None,
    )
