"""How invoices, statements and runs read: plain text, HTML tables, JSON-ready dicts, rows."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from partnercore.billing._rounding import EXACT

if TYPE_CHECKING:
    from partnercore.billing._invoice import Invoice, InvoiceLine
    from partnercore.billing._invoicing import FinalisedDocuments
    from partnercore.billing._pricing import PackageUse, TierUse
    from partnercore.billing._referral import ReferralLine, ReferralStatement
    from partnercore.billing._run import BillingRun

__all__ = [
    "ROW_COLUMNS",
    "format_quantity",
    "invoice_html",
    "invoice_rows",
    "invoice_text",
    "invoice_to_dict",
    "run_html",
    "run_rows",
    "run_text",
    "run_to_dict",
    "statement_html",
    "statement_rows",
    "statement_text",
    "statement_to_dict",
]

_ONE = Decimal(1)

ROW_COLUMNS = (
    "period",
    "document",
    "document_id",
    "partner",
    "billed_to",
    "client",
    "currency",
    "kind",
    "description",
    "metric",
    "item",
    "user",
    "original_period",
    "quantity",
    "unit_price",
    "rate",
    "base",
    "amount",
    "model",
    "tiers",
    "partner_tier",
    "trailing_revenue",
)


def format_quantity(value: Decimal) -> str:
    """A quantity as plain text without exponent: ``3``, ``2.5``."""
    if value == value.to_integral_value(context=EXACT):
        return str(value.quantize(_ONE, context=EXACT))
    return format(value.normalize(EXACT), "f")


# -- dicts -----------------------------------------------------------------------------


def tier_to_dict(tier: TierUse) -> dict[str, Any]:
    """One tier a usage line touched, as in the ``bill`` JSON document."""
    return {
        "from": tier.first,
        "to": tier.last,
        "quantity": format_quantity(tier.quantity),
        "unit_price": tier.unit_price.format_amount(),
        "flat_fee": None if tier.flat_fee is None else tier.flat_fee.format_amount(),
    }


def package_to_dict(package: PackageUse) -> dict[str, Any]:
    """The packages a package-priced line charged, as in the ``bill`` JSON document."""
    return {
        "packages": package.packages,
        "size": package.size,
        "package_price": package.package_price.format_amount(),
    }


def _tiers_text(line: InvoiceLine) -> str | None:
    """The tiers (or packages) of a tier-priced line, readably; ``None`` for other lines."""
    if line.model is None:
        return None
    if line.package is not None:
        return str(line.package)
    return "; ".join(str(tier) for tier in line.tiers)


def line_to_dict(line: InvoiceLine) -> dict[str, Any]:
    unit_price = line.unit_price
    data: dict[str, Any] = {
        "kind": line.kind.value,
        "description": line.description,
        "quantity": format_quantity(line.quantity),
        "unit_price": None if unit_price is None else unit_price.format_amount(),
        "amount": line.amount.format_amount(),
    }
    if line.metric is not None:
        data["metric"] = line.metric
    if line.item is not None:
        data["item"] = line.item
    if line.user is not None:
        data["user"] = line.user
    if line.share is not None:
        data["share"] = str(line.share)
    if line.original_period is not None:
        data["original_period"] = line.original_period
    if line.model is not None:
        data["model"] = line.model.value
        data["tiers"] = (
            [package_to_dict(line.package)]
            if line.package is not None
            else [tier_to_dict(tier) for tier in line.tiers]
        )
    if line.percent is not None:
        data["percent"] = str(line.percent)
    return data


def tax_to_dict(invoice: Invoice) -> dict[str, Any]:
    """The invoice's tax as in the JSON documents (rate "0", no name, zero when none)."""
    tax = invoice.tax
    if tax is None:
        return {
            "rate": "0",
            "name": None,
            "amount": invoice.tax_amount.format_amount(),
            "reverse_charge": False,
        }
    return {
        "rate": str(tax.rate),
        "name": tax.name,
        "amount": tax.amount.format_amount(),
        "reverse_charge": tax.reverse_charge,
    }


def invoice_to_dict(invoice: Invoice) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": invoice.id,
        "period": invoice.period,
        "partner": invoice.partner_id,
        "billed_to": invoice.billed_to,
        "currency": invoice.currency.code,
        "lines": [line_to_dict(line) for line in invoice.lines],
        "clients": [
            {
                "client": group.client_id,
                "lines": [line_to_dict(line) for line in group.lines],
                "subtotal": group.subtotal.format_amount(),
            }
            for group in invoice.clients
        ],
    }
    data["subtotal"] = invoice.subtotal.format_amount()
    data["tax"] = tax_to_dict(invoice)  # rate "0", no name, zero when none applies
    data["total"] = invoice.total.format_amount()
    return data


def _referral_line_to_dict(line: ReferralLine) -> dict[str, Any]:
    data = {
        "client": line.client_id,
        "base": line.base.format_amount(),
        "amount": line.amount.format_amount(),
    }
    if line.credit_note is not None:
        data["credit_note"] = line.credit_note
    return data


def statement_to_dict(statement: ReferralStatement) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": statement.id,
        "period": statement.period,
        "partner": statement.partner_id,
        "currency": statement.currency.code,
        "rate": str(statement.rate),
    }
    if statement.tier is not None and statement.trailing_revenue is not None:
        data["tier"] = statement.tier
        data["trailing_revenue"] = statement.trailing_revenue.format_amount()
    return data | {
        "lines": [_referral_line_to_dict(line) for line in statement.lines],
        "total": statement.total.format_amount(),
        "content_revenue": {
            "lines": [
                {
                    "client": line.client_id,
                    "item": line.item_id,
                    "charge": line.charge.format_amount(),
                    "amount": line.amount.format_amount(),
                }
                for line in statement.content_revenue.lines
            ],
            "total": statement.content_revenue.total.format_amount(),
        },
    }


def run_to_dict(run: BillingRun) -> dict[str, Any]:
    return {
        "period": run.period,
        "invoices": [invoice_to_dict(invoice) for invoice in run.invoices],
        "referrals": [statement_to_dict(statement) for statement in run.referrals],
    }


# -- rows ------------------------------------------------------------------------------


def _row(**values: Any) -> dict[str, Any]:
    return {column: values.get(column) for column in ROW_COLUMNS}


def invoice_rows(invoice: Invoice) -> list[dict[str, Any]]:
    rows = []
    code = invoice.currency.code
    own = None if invoice.is_partner_invoice else invoice.billed_to
    sections = [(own, invoice.lines)] + [(g.client_id, g.lines) for g in invoice.clients]
    for client, lines in sections:
        for line in lines:
            rows.append(
                _row(
                    period=invoice.period,
                    document="invoice",
                    document_id=invoice.id,
                    partner=invoice.partner_id,
                    billed_to=invoice.billed_to,
                    client=client,
                    currency=code,
                    kind=line.kind.value,
                    description=line.description,
                    metric=line.metric,
                    item=line.item,
                    user=line.user,
                    original_period=line.original_period,
                    quantity=line.quantity,
                    unit_price=None if line.unit_price is None else line.unit_price.amount,
                    rate=line.percent,
                    amount=line.amount.amount,
                    model=None if line.model is None else line.model.value,
                    tiers=_tiers_text(line),
                )
            )
    return rows


def _referral_label(line: ReferralLine) -> str:
    if line.credit_note is None:
        return f"Referral on {line.client_id}"
    return f"Referral on {line.client_id}, credit note {line.credit_note}"


def _referral_client(line: ReferralLine) -> str:
    """The client column of a statement line: ``c1``, or ``c1 (CN-2026-000001)``."""
    if line.credit_note is None:
        return line.client_id
    return f"{line.client_id} ({line.credit_note})"


def statement_rows(statement: ReferralStatement) -> list[dict[str, Any]]:
    common = {
        "period": statement.period,
        "document": "referral_statement",
        "document_id": statement.id,
        "partner": statement.partner_id,
        "billed_to": statement.partner_id,
        "currency": statement.currency.code,
        "partner_tier": statement.tier,
        "trailing_revenue": None
        if statement.trailing_revenue is None
        else statement.trailing_revenue.amount,
    }
    rows = [
        _row(
            **common,
            client=line.client_id,
            kind="referral",
            description=_referral_label(line),
            rate=statement.rate,
            base=line.base.amount,
            amount=line.amount.amount,
        )
        for line in statement.lines
    ]
    rows += [
        _row(
            **common,
            client=line.client_id,
            kind="content_revenue",
            description=f"Content revenue: {line.item_id}",
            item=line.item_id,
            base=line.charge.amount,
            amount=line.amount.amount,
        )
        for line in statement.content_revenue.lines
    ]
    return rows


def run_rows(run: BillingRun) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for invoice in run.invoices:
        rows.extend(invoice_rows(invoice))
    for statement in run.referrals:
        rows.extend(statement_rows(statement))
    return rows


# -- text ------------------------------------------------------------------------------

_RIGHT = (False, False, True, True, True)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [len(cell) for cell in header]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]

    def fit(row: Sequence[str]) -> str:
        cells = [
            cell.rjust(width) if align else cell.ljust(width)
            for cell, width, align in zip(row, widths, right, strict=True)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([fit(header), *(fit(row) for row in rows)])


def _line_cells(line: InvoiceLine, indent: str) -> list[str]:
    unit_price = line.unit_price
    return [
        indent + line.kind.value,
        line.description,
        format_quantity(line.quantity),
        "" if unit_price is None else unit_price.format_amount(),
        line.amount.format_amount(),
    ]


def invoice_text(invoice: Invoice) -> str:
    title = (
        f"Invoice {invoice.id}  period {invoice.period}  billed to {invoice.billed_to}"
        f"  ({invoice.currency.code})"
    )
    rows: list[list[str]] = [_line_cells(line, "") for line in invoice.lines]
    for group in invoice.clients:
        rows.append([f"client {group.client_id}", "", "", "", ""])
        rows.extend(_line_cells(line, "  ") for line in group.lines)
        rows.append(["", f"subtotal {group.client_id}", "", "", group.subtotal.format_amount()])
    rows.extend(_tax_cells(invoice))
    rows.append(["total", "", "", "", invoice.total.format_amount()])
    header = ["kind", "description", "quantity", "unit price", "amount"]
    return f"{title}\n{_table(header, rows, _RIGHT)}"


def tax_label(invoice: Invoice) -> str:
    """``GST 0.10``, ``reverse charge`` or ``no tax``."""
    tax = invoice.tax
    if tax is None or (not tax.rate and not tax.reverse_charge):
        return "no tax"
    if tax.reverse_charge:
        return "reverse charge"
    return f"{tax.name} {tax.rate}"


def _tax_cells(invoice: Invoice) -> list[list[str]]:
    """The subtotal and tax rows of a taxed invoice (none without tax configured)."""
    if invoice.tax is None:
        return []
    return [
        ["subtotal", "", "", "", invoice.subtotal.format_amount()],
        ["tax", tax_label(invoice), "", "", invoice.tax_amount.format_amount()],
    ]


def _tier_text(statement: ReferralStatement) -> str:
    """``tier gold (trailing revenue 5200.00)``, or nothing without partner tiers."""
    if statement.tier is None or statement.trailing_revenue is None:
        return ""
    revenue = statement.trailing_revenue.format_amount()
    return f"tier {statement.tier} (trailing revenue {revenue})"


def statement_text(statement: ReferralStatement) -> str:
    tier = _tier_text(statement)
    title = (
        f"Referral statement {statement.id}  period {statement.period}  partner "
        f"{statement.partner_id}  rate {statement.rate}  {tier + '  ' if tier else ''}"
        f"({statement.currency.code})"
    )
    rows = [
        [_referral_client(line), line.base.format_amount(), line.amount.format_amount()]
        for line in statement.lines
    ]
    rows.append(["total", "", statement.total.format_amount()])
    text = f"{title}\n{_table(['client', 'base', 'referral'], rows, (False, True, True))}"
    revenue = statement.content_revenue
    if revenue.lines:
        content_rows = [
            [line.client_id, line.item_id, line.charge.format_amount(), line.amount.format_amount()]
            for line in revenue.lines
        ]
        content_rows.append(["total", "", "", revenue.total.format_amount()])
        header = ["client", "item", "charge", "share"]
        table = _table(header, content_rows, (False, False, True, True))
        text += f"\nContent revenue\n{table}"
    return text


def run_text(run: BillingRun) -> str:
    parts = [f"Billing run {run.period}: {len(run.invoices)} invoice(s)"]
    parts += [invoice_text(invoice) for invoice in run.invoices]
    parts += [statement_text(statement) for statement in run.referrals]
    return "\n\n".join(parts)


# -- HTML ------------------------------------------------------------------------------


def _cells(values: Sequence[str], tag: str = "td", right: Sequence[bool] = _RIGHT) -> str:
    out = []
    for value, align in zip(values, right, strict=True):
        style = ' style="text-align:right"' if align else ""
        out.append(f"<{tag}{style}>{escape(value)}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def invoice_html(invoice: Invoice) -> str:
    caption = escape(
        f"Invoice {invoice.id} · {invoice.period} · billed to {invoice.billed_to} "
        f"({invoice.currency.code})"
    )
    header = ["kind", "description", "quantity", "unit price", "amount"]
    rows = [_cells(header, "th")]
    rows += [_cells(_line_cells(line, "")) for line in invoice.lines]
    for group in invoice.clients:
        rows.append(
            f'<tr><th colspan="5" style="text-align:left">{escape(group.client_id)}</th></tr>'
        )
        rows += [_cells(_line_cells(line, "")) for line in group.lines]
        rows.append(
            _cells(["", f"subtotal {group.client_id}", "", "", group.subtotal.format_amount()])
        )
    rows += [_cells(cells) for cells in _tax_cells(invoice)]
    rows.append(_cells(["total", "", "", "", invoice.total.format_amount()], "th"))
    return f"<table><caption>{caption}</caption>{''.join(rows)}</table>"


def statement_html(statement: ReferralStatement) -> str:
    tier = _tier_text(statement)
    caption = escape(
        f"Referral statement {statement.id} · {statement.period} · rate {statement.rate} "
        f"{'· ' + tier + ' ' if tier else ''}({statement.currency.code})"
    )
    right = (False, True, True)
    rows = [_cells(["client", "base", "referral"], "th", right)]
    rows += [
        _cells(
            [_referral_client(line), line.base.format_amount(), line.amount.format_amount()],
            right=right,
        )
        for line in statement.lines
    ]
    rows.append(_cells(["total", "", statement.total.format_amount()], "th", right))
    html = f"<table><caption>{caption}</caption>{''.join(rows)}</table>"
    revenue = statement.content_revenue
    if revenue.lines:
        right4 = (False, False, True, True)
        content = [_cells(["client", "item", "charge", "share"], "th", right4)]
        content += [
            _cells(
                [
                    line.client_id,
                    line.item_id,
                    line.charge.format_amount(),
                    line.amount.format_amount(),
                ],
                right=right4,
            )
            for line in revenue.lines
        ]
        content.append(_cells(["total", "", "", revenue.total.format_amount()], "th", right4))
        html += f"<table><caption>Content revenue</caption>{''.join(content)}</table>"
    return html


def run_html(run: BillingRun) -> str:
    parts = [f"<h4>Billing run {escape(run.period)}</h4>"]
    parts += [invoice_html(invoice) for invoice in run.invoices]
    parts += [statement_html(statement) for statement in run.referrals]
    return "\n".join(parts)


# -- finalised documents ---------------------------------------------------------------

_DOC_HEADER = (
    "number",
    "invoice",
    "billed to",
    "issued",
    "due",
    "subtotal",
    "tax",
    "total",
    "credited",
    "balance",
)
_DOC_RIGHT = (False, False, False, False, False, True, False, True, True, True)
_NOTE_HEADER = ("number", "invoice", "at", "reason", "subtotal", "tax", "total")
_NOTE_RIGHT = (False, False, False, False, True, True, True)


def _document_rows(documents: FinalisedDocuments) -> tuple[list[list[str]], list[list[str]]]:
    from partnercore.time import format_instant

    invoices = [
        [
            item.issued.number,
            item.invoice.id,
            item.invoice.billed_to,
            format_instant(item.issued.issued_at),
            format_instant(item.issued.due_at),
            item.invoice.subtotal.format_amount(),
            f"{item.invoice.tax_amount.format_amount()} ({tax_label(item.invoice)})",
            f"{item.invoice.total.format_amount()} {item.invoice.currency.code}",
            item.credited.format_amount(),
            item.balance.format_amount(),
        ]
        for item in documents.invoices
    ]
    notes = [
        [
            note.number,
            note.invoice_number,
            format_instant(note.at),
            note.reason,
            note.subtotal.format_amount(),
            note.tax.format_amount(),
            f"{note.total.format_amount()} {note.total.currency.code}",
        ]
        for note in documents.credit_notes
    ]
    return invoices, notes


def documents_text(documents: FinalisedDocuments) -> str:
    invoices, notes = _document_rows(documents)
    parts = [f"Finalised invoices: {len(invoices)}"]
    if invoices:
        parts.append(_table(_DOC_HEADER, invoices, _DOC_RIGHT))
    parts.append(f"Credit notes: {len(notes)}")
    if notes:
        parts.append(_table(_NOTE_HEADER, notes, _NOTE_RIGHT))
    return "\n".join(parts)


def documents_html(documents: FinalisedDocuments) -> str:
    invoices, notes = _document_rows(documents)
    first = [_cells(_DOC_HEADER, "th", _DOC_RIGHT)]
    first += [_cells(row, right=_DOC_RIGHT) for row in invoices]
    second = [_cells(_NOTE_HEADER, "th", _NOTE_RIGHT)]
    second += [_cells(row, right=_NOTE_RIGHT) for row in notes]
    return (
        f"<table><caption>Finalised invoices</caption>{''.join(first)}</table>\n"
        f"<table><caption>Credit notes</caption>{''.join(second)}</table>"
    )
