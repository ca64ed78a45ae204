"""A billing run: every invoice and referral statement of one period."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from partnercore._errors import NotFoundError, ValidationError
from partnercore.billing._invoice import Invoice
from partnercore.billing._presentation import run_html, run_rows, run_text, run_to_dict
from partnercore.billing._referral import ReferralStatement
from partnercore.time import period_key

__all__ = ["BillingRun"]


def _invoices(value: object) -> tuple[Invoice, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(i, Invoice) for i in value):
        raise ValidationError.at("invoices", "expected a sequence of Invoice")
    return tuple(sorted(value, key=lambda i: (i.partner_id, not i.is_partner_invoice, i.id)))


def _statements(value: object) -> tuple[ReferralStatement, ...]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(s, ReferralStatement) for s in value
    ):
        raise ValidationError.at("referrals", "expected a sequence of ReferralStatement")
    return tuple(sorted(value, key=lambda s: s.partner_id))


@attrs.frozen
class BillingRun:
    """The invoices and referral statements of one period (``YYYY-MM``).

    Invoices are ordered by partner, each partner's own invoice first, then its
    non-reseller clients' invoices by id; statements by partner.
    """

    period: str = attrs.field()
    invoices: tuple[Invoice, ...] = attrs.field(converter=_invoices)
    referrals: tuple[ReferralStatement, ...] = attrs.field(default=(), converter=_statements)
    _by_id: dict[str, Invoice] = attrs.field(init=False, eq=False, hash=False, repr=False)

    @period.validator
    def _check_period(self, _: attrs.Attribute[str], value: object) -> None:
        period_key(value, "period")

    def __attrs_post_init__(self) -> None:
        by_id: dict[str, Invoice] = {}
        for invoice in self.invoices:
            if invoice.period != self.period:
                raise ValidationError.at(
                    "invoices", f"invoice {invoice.id!r} is not of period {self.period}"
                )
            if invoice.id in by_id:
                raise ValidationError.at("invoices", f"invoice {invoice.id!r} listed twice")
            by_id[invoice.id] = invoice
        object.__setattr__(self, "_by_id", by_id)

    def invoice(self, invoice_id: str) -> Invoice:
        """The invoice with ``invoice_id``; :class:`NotFoundError` if the run has none."""
        try:
            return self._by_id[invoice_id]
        except KeyError:
            raise NotFoundError("invoice", invoice_id) from None

    def invoice_of(self, team_id: str) -> Invoice | None:
        """The invoice billed to ``team_id`` (a partner or a non-reseller client), if any."""
        return self._by_id.get(f"inv-{team_id}-{self.period}")

    def invoices_of(self, partner_id: str) -> tuple[Invoice, ...]:
        """The partner's own invoice and its non-reseller clients' invoices."""
        return tuple(i for i in self.invoices if i.partner_id == partner_id)

    def referral(self, partner_id: str) -> ReferralStatement:
        """The partner's referral statement; :class:`NotFoundError` if the run has none."""
        for statement in self.referrals:
            if statement.partner_id == partner_id:
                return statement
        raise NotFoundError("referral statement", partner_id)

    def to_dict(self) -> dict[str, Any]:
        """Exactly the ``partnercore bill --format json`` document."""
        return run_to_dict(self)

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat dict per invoice line and per statement line (``pandas.DataFrame(rows)``)."""
        return run_rows(self)

    def to_frame(
        self,
        table: Literal["invoices", "referrals", "content_revenue"] = "invoices",
        *,
        numbers: Literal["decimal", "float"] = "decimal",
    ) -> Any:
        """A ``pandas.DataFrame`` of the run's invoice lines (charges only), or of its
        referral or content-revenue lines, each in its own frame; money as exact
        ``Decimal`` or, with ``numbers="float"``, ``float64``. Needs the ``pandas`` extra;
        see :func:`partnercore.notebook.to_frame`."""
        from partnercore.notebook import to_frame

        return to_frame(self, table, numbers=numbers)

    def __str__(self) -> str:
        return run_text(self)

    def _repr_html_(self) -> str:
        return run_html(self)
