"""The price book's policies and the kinds of invoice line (§5), spelled as the spec spells them."""

from __future__ import annotations

import enum

__all__ = [
    "LineKind",
    "PricingModel",
    "Proration",
    "ReferralBase",
    "ReferralSettlement",
    "SeatPolicy",
]


class SeatPolicy(enum.StrEnum):
    """Who counts as an advisor seat in a period."""

    ANY_TIME = "any_time"
    """Everyone holding ``advisor`` or ``partner_admin`` for at least one instant: a seat each."""
    PRORATED_DAILY = "prorated_daily"
    """Each advisor pays for the local days on which they held the role: one line per advisor."""
    PERIOD_END = "period_end"
    """Only those holding the role at the period's last instant."""


class Proration(enum.StrEnum):
    """How a full licence held for part of a period is charged."""

    DAILY = "daily"
    """Local days on which the licence was full at any time / days in the period."""
    EXACT = "exact"
    """Seconds in full / seconds in the period, measured in UTC."""
    THIRTY_DAY = "thirty_day"
    """The whole fee when full on every local day, else min(30, local days full) / 30."""


class PricingModel(enum.StrEnum):
    """How a tier-priced usage metric turns a period's quantity into an amount (§5.1)."""

    GRADUATED = "graduated"
    """Each unit at the price of the tier it falls in, plus each used tier's flat fee."""
    VOLUME = "volume"
    """Every unit at the price of the one tier the total falls in, plus its flat fee."""
    PACKAGE = "package"
    """``ceil(quantity / size)`` packages at the package price (a started package is whole)."""


class ReferralBase(enum.StrEnum):
    """Which of a client's charges the referral rate applies to."""

    ALL_CHARGES = "all_charges"
    """Licence and usage (the platform's own charges)."""
    USAGE_ONLY = "usage_only"
    """Usage only."""


class ReferralSettlement(enum.StrEnum):
    """How referral income reaches the partner."""

    STATEMENT = "statement"
    """Paid out on the referral statement."""
    NET_ON_INVOICE = "net_on_invoice"
    """Also deducted as one negative ``referral_credit`` line on the partner's invoice."""


class LineKind(enum.StrEnum):
    """What an invoice line charges for."""

    ADVISOR_SEATS = "advisor_seats"
    LICENSE = "license"
    USAGE = "usage"
    CONTENT = "content"
    ADJUSTMENT = "adjustment"
    DISCOUNT = "discount"
    REFERRAL_CREDIT = "referral_credit"
