"""Billing over a range of months: one billing run per month, summed per partner.

What a notebook needs to compare outcomes month by month (``reseller`` against
``non_reseller``, one policy against another): :meth:`BillingRange.to_rows` gives one
plain row per (month, partner), ready for ``pandas.DataFrame(rows)``. Sums run in the library's
own decimal context (that of :mod:`partnercore.money`), never in the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from html import escape
from typing import Any

import attrs

from partnercore._errors import ValidationError
from partnercore.billing import BillingRun, Invoice, ReferralStatement
from partnercore.money import DECIMAL_CONTEXT as DECIMAL

__all__ = ["AMOUNT_COLUMNS", "BillingRange", "month_rows"]

AMOUNT_COLUMNS = ("partner_invoice", "client_invoices", "billed", "referral", "content_revenue")
"""The money columns of a :class:`BillingRange` row."""

_HEADERS = (
    "period",
    "partner",
    "currency",
    "partner invoice",
    "client invoices",
    "billed",
    "referral",
    "content revenue",
)


def _amount(value: Decimal) -> str:
    return format(value, "f")


def _sum(values: Iterable[Decimal], start: Decimal) -> Decimal:
    """``start`` plus every value, exactly (``start`` gives the currency's decimal places)."""
    total = start
    for value in values:
        total = DECIMAL.add(total, value)
    return total


def month_rows(run: BillingRun) -> list[dict[str, Any]]:
    """The rows of one billing run: one per partner (see :meth:`BillingRange.to_rows`)."""
    by_partner: dict[str, list[Invoice]] = {}
    for invoice in run.invoices:  # one pass, not one per partner
        by_partner.setdefault(invoice.partner_id, []).append(invoice)
    statements: dict[str, ReferralStatement] = {}
    for found in run.referrals:
        statements.setdefault(found.partner_id, found)
    rows = []
    for partner in sorted(by_partner):
        invoices = by_partner[partner]
        currency = invoices[0].currency
        zero = Decimal(0).quantize(currency.quantum, context=DECIMAL)
        own = _sum((i.total.amount for i in invoices if i.is_partner_invoice), zero)
        clients = _sum((i.total.amount for i in invoices if not i.is_partner_invoice), zero)
        statement = statements.get(partner)
        referral = statement.total.amount if statement else Decimal(0)
        content = statement.content_revenue.total.amount if statement else Decimal(0)
        rows.append(
            {
                "period": run.period,
                "partner": partner,
                "currency": currency.code,
                "partner_invoice": own,
                "client_invoices": clients,
                "billed": DECIMAL.add(own, clients),
                "referral": _sum([referral], zero),
                "content_revenue": _sum([content], zero),
            }
        )
    return rows


@attrs.frozen
class BillingRange:
    """The billing of consecutive months, first to last (inclusive): a row per month and
    partner, and the months' whole billing runs when they were kept.

    :meth:`Scenario.bill_range <partnercore.scenario.Scenario.bill_range>` keeps only the
    rows unless asked (``keep_runs=True``): a year of runs is a great many objects to hold.
    :meth:`of` makes one from billing runs, keeping them.
    """

    periods: tuple[str, ...]
    rows: tuple[Mapping[str, Any], ...] = attrs.field(repr=False)
    kept_runs: tuple[BillingRun, ...] | None = attrs.field(default=None, repr=False)

    @classmethod
    def of(cls, runs: Iterable[BillingRun]) -> BillingRange:
        """The range of ``runs`` (consecutive months), keeping them."""
        kept = tuple(runs)
        rows = tuple(row for run in kept for row in month_rows(run))
        return cls(tuple(run.period for run in kept), rows, kept)

    @property
    def runs(self) -> tuple[BillingRun, ...]:
        """Every month's billing run, when they were kept; a
        :class:`~partnercore.ValidationError` naming ``keep_runs`` when they were not."""
        if self.kept_runs is None:
            raise ValidationError.at(
                "keep_runs",
                "this range kept its monthly rows only: "
                "bill it with bill_range(first, last, keep_runs=True) for the runs",
            )
        return self.kept_runs

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per month and partner, amounts as exact ``Decimal`` (new dicts each call).

        ``partner_invoice`` is the total of the partner's own (consolidated) invoice,
        ``client_invoices`` the sum of its non-reseller clients' own invoices, ``billed``
        both together (what the platform invoices for that partner's world), ``referral``
        the referral statement's total and ``content_revenue`` its content-revenue total.
        """
        return [dict(row) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """The ``bill --period FROM..TO --format json`` document: the monthly rows (amounts as
        strings) and every month's full billing run document (the runs must have been kept)."""
        months = [
            {k: _amount(v) if k in AMOUNT_COLUMNS else v for k, v in row.items()}
            for row in self.rows
        ]
        return {
            "from": self.periods[0] if self.periods else None,
            "to": self.periods[-1] if self.periods else None,
            "months": months,
            "runs": [run.to_dict() for run in self.runs],
        }

    def table(self) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        """Headers and text cells of the monthly table."""
        cells = [
            (
                row["period"],
                row["partner"],
                row["currency"],
                *(_amount(row[column]) for column in AMOUNT_COLUMNS),
            )
            for row in self.rows
        ]
        return _HEADERS, cells

    def __repr__(self) -> str:
        span = f"{self.periods[0]}..{self.periods[-1]}" if self.periods else "no months"
        kept = ", runs kept" if self.kept_runs is not None else ""
        return f"<BillingRange {span}: {len(self.rows)} rows{kept}>"

    def _repr_html_(self) -> str:
        headers, cells = self.table()
        head = "".join(f"<th>{escape(h)}</th>" for h in headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
