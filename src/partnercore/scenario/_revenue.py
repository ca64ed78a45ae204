"""Billing over a range of months: one billing run per month, summed per partner.

What a notebook needs to compare outcomes month by month (``reseller`` against
``non_reseller``, one policy against another): :meth:`BillingRange.to_rows` gives one
plain row per (month, partner), ready for ``pandas.DataFrame(rows)``. Sums run in the library's
own decimal context (that of :mod:`partnercore.money`), never in the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from html import escape
from typing import Any

import attrs

from partnercore.billing import BillingRun
from partnercore.money import DECIMAL_CONTEXT as DECIMAL

__all__ = ["AMOUNT_COLUMNS", "BillingRange"]

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


@attrs.frozen
class BillingRange:
    """The billing runs of consecutive months, first to last (inclusive)."""

    runs: tuple[BillingRun, ...]

    @property
    def periods(self) -> tuple[str, ...]:
        return tuple(run.period for run in self.runs)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per month and partner, amounts as exact ``Decimal``.

        ``partner_invoice`` is the total of the partner's own (consolidated) invoice,
        ``client_invoices`` the sum of its non-reseller clients' own invoices, ``billed``
        both together (what the platform invoices for that partner's world), ``referral``
        the referral statement's total and ``content_revenue`` its content-revenue total.
        """
        rows = []
        for run in self.runs:
            partners = sorted({invoice.partner_id for invoice in run.invoices})
            for partner in partners:
                invoices = run.invoices_of(partner)
                currency = invoices[0].currency
                zero = Decimal(0).quantize(currency.quantum, context=DECIMAL)
                own = _sum((i.total.amount for i in invoices if i.is_partner_invoice), zero)
                clients = _sum((i.total.amount for i in invoices if not i.is_partner_invoice), zero)
                statement = next((s for s in run.referrals if s.partner_id == partner), None)
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

    def to_dict(self) -> dict[str, Any]:
        """The ``bill --period FROM..TO --format json`` document: the monthly rows (amounts as
        strings) and every month's full billing run document."""
        months = [
            {k: _amount(v) if k in AMOUNT_COLUMNS else v for k, v in row.items()}
            for row in self.to_rows()
        ]
        return {
            "from": self.runs[0].period if self.runs else None,
            "to": self.runs[-1].period if self.runs else None,
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
            for row in self.to_rows()
        ]
        return _HEADERS, cells

    def _repr_html_(self) -> str:
        headers, cells = self.table()
        head = "".join(f"<th>{escape(h)}</th>" for h in headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
