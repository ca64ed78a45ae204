"""The content hook: charges for monetised content that billing puts on invoices (§6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator
from partnercore.billing._validation import money_field
from partnercore.money import Money
from partnercore.time import BillingPeriod

__all__ = ["ContentCharge", "ContentChargeSource"]


def _owner(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError.at(attribute.name, f"expected the owning team's id, got {value!r}")


def _text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError.at(attribute.name, f"expected text, got {value!r}")


@attrs.frozen(kw_only=True)
class ContentCharge:
    """One charge for a priced content item installed on a client in a period.

    ``owner_id`` is the partner team that owns the item; it earns the price book's
    ``content_revenue_share`` of the charge on its referral statement.
    """

    client_id: str = attrs.field(validator=id_validator)
    item_id: str = attrs.field(validator=_text)
    owner_id: str = attrs.field(validator=_owner)
    amount: Money = attrs.field(validator=money_field)
    description: str = attrs.field(validator=_text)


@runtime_checkable
class ContentChargeSource(Protocol):
    """Where billing finds the content charges of a client in a period."""

    def content_charges(self, client_id: str, period: BillingPeriod) -> Sequence[ContentCharge]:
        """The content charges of ``client_id`` in ``period`` (in the billing time zone)."""
        ...
