"""Finalised documents (§5.2): legal numbers, issue and due dates, credit notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator, text_validator, to_enum
from partnercore.billing._policies import LineKind
from partnercore.billing._rounding import EXACT
from partnercore.billing._validation import money_field
from partnercore.money import Money, to_decimal
from partnercore.time import ensure_aware, format_instant, period_key

__all__ = [
    "CreditLine",
    "CreditNote",
    "IssuedInvoice",
    "ReferralCredit",
    "document_number",
]

INVOICE_SEQUENCE = "invoice"
CREDIT_NOTE_SEQUENCE = "credit_note"


def document_number(prefix: str, year: int, sequence: int) -> str:
    """A legal number: ``<prefix><YYYY>-<NNNNNN>`` (``INV-2026-000001``)."""
    return f"{prefix}{year:04d}-{sequence:06d}"


def _issued_at(value: object) -> datetime:
    return ensure_aware(value, "issued_at")


def _due_at(value: object) -> datetime:
    return ensure_aware(value, "due_at")


def _at(value: object) -> datetime:
    return ensure_aware(value, "at")


def _number(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    text_validator(_, attribute, value)


def _period(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    period_key(value, attribute.name)


def _days(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError.at(attribute.name, f"expected a whole number of days, got {value!r}")


@attrs.frozen(kw_only=True)
class IssuedInvoice:
    """What finalising gave an invoice: its legal number, issue and due instants."""

    number: str = attrs.field(validator=_number)
    invoice_id: str = attrs.field(validator=text_validator)
    partner_id: str = attrs.field(validator=id_validator)
    billed_to: str = attrs.field(validator=id_validator)
    period: str = attrs.field(validator=_period)
    issued_at: datetime = attrs.field(converter=_issued_at)
    due_at: datetime = attrs.field(converter=_due_at)
    payment_terms_days: int = attrs.field(validator=_days)

    def __attrs_post_init__(self) -> None:
        if self.due_at < self.issued_at:
            raise ValidationError.at("due_at", "is before issued_at")


def _kind(value: object) -> LineKind:
    return to_enum(LineKind, value, "kind")


def _optional_id(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        id_validator(_, attribute, value)


def _optional_metric(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError.at(attribute.name, f"expected a metric name, got {value!r}")


@attrs.frozen(kw_only=True)
class CreditLine:
    """An amount credited against the lines of one kind of one client on an invoice.

    ``client_id`` is ``None`` for the partner's own lines (advisor seats); ``metric`` names
    the usage metric of ``usage`` and ``adjustment`` lines.
    """

    kind: LineKind = attrs.field(converter=_kind)
    amount: Money = attrs.field(validator=money_field)
    client_id: str | None = attrs.field(default=None, validator=_optional_id)
    metric: str | None = attrs.field(default=None, validator=_optional_metric)

    @property
    def target(self) -> tuple[str, str, str]:
        """The key of the invoice lines it credits: (client, kind, metric)."""
        return (self.client_id or "", self.kind.value, self.metric or "")

    def describe(self) -> str:
        parts = [self.kind.value]
        if self.metric is not None:
            parts.append(self.metric)
        if self.client_id is not None:
            parts.append(f"of {self.client_id}")
        return " ".join(parts)


def _base(value: object) -> Decimal:
    return to_decimal(value, "base")


@attrs.frozen
class ReferralCredit:
    """The part of a credit note that was in a client's referral base (after its discount)."""

    client_id: str = attrs.field(validator=id_validator)
    base: Decimal = attrs.field(converter=_base)


def _lines(value: object) -> tuple[CreditLine, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError.at("lines", f"expected a sequence of credit lines, got {value!r}")
    for index, line in enumerate(value):
        if not isinstance(line, CreditLine):
            raise ValidationError.at(f"lines[{index}]", f"expected a CreditLine, got {line!r}")
    return tuple(value)


def _referral(value: object) -> tuple[ReferralCredit, ...]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(item, ReferralCredit) for item in value
    ):
        raise ValidationError.at("referral", "expected a sequence of ReferralCredit")
    return tuple(value)


@attrs.frozen(kw_only=True)
class CreditNote:
    """A correction of a finalised invoice (§5.2), never a change to it.

    ``lines`` are the amounts credited (for a ``full`` credit note: what remained of each
    line); ``subtotal`` is their sum, ``tax`` the invoice's rate on it (rounded once, or
    all the tax that remained when it brings the invoice to zero), ``total`` both.
    ``referral`` is what was in each client's referral base: the partner's statement for
    the period containing ``at`` takes the referral on it back.
    """

    number: str = attrs.field(validator=_number)
    request_id: str = attrs.field(validator=text_validator)
    invoice_id: str = attrs.field(validator=text_validator)
    invoice_number: str = attrs.field(validator=_number)
    partner_id: str = attrs.field(validator=id_validator)
    billed_to: str = attrs.field(validator=id_validator)
    period: str = attrs.field(validator=_period)
    at: datetime = attrs.field(converter=_at)
    reason: str = attrs.field(validator=text_validator)
    full: bool
    lines: tuple[CreditLine, ...] = attrs.field(converter=_lines)
    subtotal: Money = attrs.field(validator=money_field)
    tax: Money = attrs.field(validator=money_field)
    total: Money = attrs.field(validator=money_field)
    referral: tuple[ReferralCredit, ...] = attrs.field(default=(), converter=_referral)

    def __attrs_post_init__(self) -> None:
        if self.full.__class__ is not bool:
            raise ValidationError.at("full", f"expected true or false, got {self.full!r}")
        currency = self.subtotal.currency
        expected = Decimal(0)
        for line in self.lines:
            expected = EXACT.add(expected, line.amount.amount)
        if expected != self.subtotal.amount:
            raise ValidationError.at("subtotal", "is not the sum of the credited lines")
        if self.tax.currency != currency or self.total.currency != currency:
            raise ValidationError.at("total", "a credit note has one currency")
        if EXACT.add(self.subtotal.amount, self.tax.amount) != self.total.amount:
            raise ValidationError.at("total", "is not subtotal + tax")

    def same_request(
        self,
        invoice_id: str,
        at: datetime,
        reason: str,
        full: bool,
        lines: Sequence[CreditLine],
    ) -> bool:
        """Whether a request with this content is the one this note answered."""
        return (
            self.invoice_id == invoice_id
            and self.at == at
            and self.reason == reason
            and self.full == full
            and (full or self.lines == tuple(lines))
        )

    def to_dict(self) -> dict[str, Any]:
        """As in the ``invoices --format json`` document."""
        return {
            "number": self.number,
            "request_id": self.request_id,
            "invoice": self.invoice_number,
            "invoice_id": self.invoice_id,
            "billed_to": self.billed_to,
            "currency": self.total.currency.code,
            "at": format_instant(self.at),
            "reason": self.reason,
            "full": self.full,
            "lines": [
                {
                    "client": line.client_id,
                    "kind": line.kind.value,
                    "metric": line.metric,
                    "amount": line.amount.format_amount(),
                }
                for line in self.lines
            ],
            "subtotal": self.subtotal.format_amount(),
            "tax": self.tax.format_amount(),
            "total": self.total.format_amount(),
        }
