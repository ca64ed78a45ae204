"""How invoices, statements and runs read: plain text, HTML tables, JSON-ready dicts, rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any, NamedTuple

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
    "html_table",
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
    "text_table",
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


# -- tables ----------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?%?$")

Cell = str | None
"""A table cell: text, or ``None`` (printed ``-``)."""


def _texts(rows: Sequence[Sequence[Cell]]) -> list[list[str]]:
    return [["-" if cell is None else cell for cell in row] for row in rows]


def _numeric(column: Sequence[str]) -> bool:
    values = [cell for cell in column if cell not in ("", "-")]
    return bool(values) and all(_NUMBER.match(cell) for cell in values)


def _right(width: int, cells: Sequence[Sequence[str]]) -> list[bool]:
    """Which columns are right-aligned: those whose cells are all numbers."""
    return [_numeric([row[index] for row in cells]) for index in range(width)]


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    right: Sequence[bool] | None = None,
    rule: bool = True,
) -> str:
    """``rows`` under ``headers`` (and a rule of dashes), every column as wide as its widest
    cell; numbers right-aligned, text left-aligned (``right`` says otherwise per column).

    ``None`` prints as ``-``; trailing spaces are never printed.
    """
    cells = _texts(rows)
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    aligned = _right(len(headers), cells) if right is None else list(right)

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if align else cell.ljust(width)
            for cell, width, align in zip(row, widths, aligned, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [line(headers)]
    if rule:
        lines.append(line(["-" * width for width in widths]))
    return "\n".join([*lines, *(line(row) for row in cells)])


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    caption: str = "",
    right: Sequence[bool] | None = None,
    strong: Sequence[int] = (),
) -> str:
    """The same table in HTML (escaped): every cell aligned explicitly, text to the left and
    numbers to the right (notebooks right-align every cell by default); the rows at the
    indexes ``strong`` (totals) as header cells."""
    cells = _texts(rows)
    aligned = _right(len(headers), cells) if right is None else list(right)
    styles = [f' style="text-align:{"right" if align else "left"}"' for align in aligned]

    def tr(row: Sequence[str], tag: str) -> str:
        out = "".join(
            f"<{tag}{style}>{escape(cell)}</{tag}>" for cell, style in zip(row, styles, strict=True)
        )
        return f"<tr>{out}</tr>"

    body = [tr(headers, "th")]
    body += [tr(row, "th" if index in strong else "td") for index, row in enumerate(cells)]
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{title}{''.join(body)}</table>"


class _Table(NamedTuple):
    """A titled table: what an invoice or a statement shows, as text or as HTML; ``right``
    says which columns hold amounts (right-aligned even when empty)."""

    title: str
    headers: tuple[str, ...]
    right: tuple[bool, ...]
    rows: list[list[Cell]]

    def text(self) -> str:
        return f"{self.title}\n{text_table(self.headers, self.rows, right=self.right)}"

    def html(self) -> str:
        last = len(self.rows) - 1  # the total
        return html_table(
            self.headers, self.rows, caption=self.title, right=self.right, strong=(last,)
        )


# -- invoices and statements as tables -------------------------------------------------

_INVOICE_HEADERS = ("client", "kind", "description", "quantity", "unit price", "amount")
_INVOICE_RIGHT = (False, False, False, True, True, True)


def _line_row(client: str, line: dict[str, Any]) -> list[Cell]:
    return [
        client,
        line["kind"],
        line["description"],
        line["quantity"],
        line["unit_price"],
        line["amount"],
    ]


def _document_tax_label(tax: dict[str, Any]) -> str:
    """``GST 0.10``, ``reverse charge`` or ``no tax``, from the document's tax."""
    if tax["reverse_charge"]:
        return "reverse charge"
    if tax["name"] is None or Decimal(tax["rate"]) == 0:
        return "no tax"
    return f"{tax['name']} {tax['rate']}"


def _invoice_table(data: dict[str, Any], *, taxed: bool) -> _Table:
    """An invoice document as a table: its own lines, then each client's lines and
    subtotal, the subtotal and tax when tax is configured (``taxed``), the total."""
    title = (
        f"Invoice {data['id']}, billed to {data['billed_to']}, "
        f"partner {data['partner']}, {data['currency']}"
    )
    rows = [_line_row("", line) for line in data["lines"]]
    for group in data["clients"]:
        rows.extend(_line_row(group["client"], line) for line in group["lines"])
        rows.append([group["client"], "subtotal", "", "", "", group["subtotal"]])
    if taxed:
        tax = data["tax"]
        rows.append(["", "subtotal", "", "", "", data["subtotal"]])
        rows.append(["", "tax", _document_tax_label(tax), "", "", tax["amount"]])
    rows.append(["", "total", "", "", "", data["total"]])
    return _Table(title, _INVOICE_HEADERS, _INVOICE_RIGHT, rows)


def _statement_client(line: dict[str, Any]) -> str:
    """The client column of a statement line: ``c1``, or ``c1 (CN-2026-000001)``."""
    note = line.get("credit_note")
    return line["client"] if note is None else f"{line['client']} ({note})"


def _statement_tables(data: dict[str, Any]) -> list[_Table]:
    """A referral statement document as a table, and its content revenue (if any)."""
    title = (
        f"Referral statement {data['id']}, partner {data['partner']}, "
        f"{data['currency']}, rate {data['rate']}"
    )
    if "tier" in data:  # partner tiers
        title += f", tier {data['tier']} (trailing revenue {data['trailing_revenue']})"
    rows: list[list[Cell]] = [
        [_statement_client(line), line["base"], line["amount"]] for line in data["lines"]
    ]
    rows.append(["total", "", data["total"]])
    tables = [_Table(title, ("client", "base", "referral"), (False, True, True), rows)]
    content = data["content_revenue"]
    if content["lines"]:
        earned: list[list[Cell]] = [
            [line["client"], line["item"], line["charge"], line["amount"]]
            for line in content["lines"]
        ]
        earned.append(["total", "", "", content["total"]])
        headers = ("client", "item", "charge", "earned")
        tables.append(_Table("Content revenue", headers, (False, False, True, True), earned))
    return tables


# -- text ------------------------------------------------------------------------------


def invoice_text(invoice: Invoice) -> str:
    """The invoice as an aligned table, made from :func:`invoice_to_dict` (what
    ``partnercore bill`` prints)."""
    return _invoice_table(invoice_to_dict(invoice), taxed=invoice.tax is not None).text()


def tax_label(invoice: Invoice) -> str:
    """``GST 0.10``, ``reverse charge`` or ``no tax``."""
    return _document_tax_label(tax_to_dict(invoice))


def statement_text(statement: ReferralStatement) -> str:
    """The statement as an aligned table (and its content revenue under it), made from
    :func:`statement_to_dict`."""
    return "\n".join(table.text() for table in _statement_tables(statement_to_dict(statement)))


def run_text(run: BillingRun) -> str:
    """The whole run: every invoice, then every referral statement."""
    parts = [f"Billing period {run.period}"]
    parts += [invoice_text(invoice) for invoice in run.invoices]
    parts += [statement_text(statement) for statement in run.referrals]
    return "\n\n".join(parts)


# -- HTML ------------------------------------------------------------------------------


def invoice_html(invoice: Invoice) -> str:
    """The invoice as an HTML table: the same rows as :func:`invoice_text`."""
    return _invoice_table(invoice_to_dict(invoice), taxed=invoice.tax is not None).html()


def statement_html(statement: ReferralStatement) -> str:
    """The statement as HTML tables: the same rows as :func:`statement_text`."""
    return "".join(table.html() for table in _statement_tables(statement_to_dict(statement)))


def run_html(run: BillingRun) -> str:
    """The whole run as HTML: a heading, every invoice, every referral statement."""
    parts = [f"<h4>Billing period {escape(run.period)}</h4>"]
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
        parts.append(text_table(_DOC_HEADER, invoices, right=_DOC_RIGHT, rule=False))
    parts.append(f"Credit notes: {len(notes)}")
    if notes:
        parts.append(text_table(_NOTE_HEADER, notes, right=_NOTE_RIGHT, rule=False))
    return "\n".join(parts)


def documents_html(documents: FinalisedDocuments) -> str:
    invoices, notes = _document_rows(documents)
    first = html_table(_DOC_HEADER, invoices, caption="Finalised invoices", right=_DOC_RIGHT)
    second = html_table(_NOTE_HEADER, notes, caption="Credit notes", right=_NOTE_RIGHT)
    return f"{first}\n{second}"
