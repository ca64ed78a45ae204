"""Invoice documents (§5.2): tax on a run, legal numbers at finalisation, credit notes, and
the finalised-documents view."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import ConflictError, ValidationError
from partnercore.billing._deals import discount_in
from partnercore.billing._documents import (
    CREDIT_NOTE_SEQUENCE,
    INVOICE_SEQUENCE,
    CreditLine,
    CreditNote,
    IssuedInvoice,
    ReferralCredit,
    document_number,
)
from partnercore.billing._invoice import Invoice, InvoiceLine
from partnercore.billing._policies import LineKind, ReferralBase, ReferralSettlement
from partnercore.billing._ports import BillingStore
from partnercore.billing._pricebook import PriceBook
from partnercore.billing._referral import ReferralLine, ReferralStatement
from partnercore.billing._rounding import EXACT, from_minor, round_product
from partnercore.billing._run import BillingRun
from partnercore.billing._tax import InvoiceTax, Invoicing
from partnercore.events import Actor, CreditNoteIssued, actor_id
from partnercore.money import Money, Rounding
from partnercore.tenancy import Permission, Team, authorise
from partnercore.time import BillingPeriod, ensure_aware, format_instant, period_key

__all__ = [
    "FinalisedDocuments",
    "FinalisedInvoice",
    "credit_notes",
    "finalised_documents",
    "finalised_invoices",
    "issue_credit_note",
]

_ZERO = Decimal(0)
#: Lines whose amounts a partial credit note may not name (they are not charges).
_NOT_CREDITABLE = frozenset({LineKind.REFERRAL_CREDIT, LineKind.DISCOUNT})
_ALL_CHARGES = frozenset({LineKind.LICENSE, LineKind.USAGE, LineKind.ADJUSTMENT})
_USAGE_ONLY = frozenset({LineKind.USAGE, LineKind.ADJUSTMENT})


# -- tax and credit notes on a draft run -------------------------------------------------


def _book_of(store: BillingStore, invoice: Invoice, books: dict[str, PriceBook]) -> PriceBook:
    """The book whose rounding an invoice's tax uses: a deal client's own book for an
    invoice billed to that client, the partner's otherwise (§5.1)."""
    account = store.accounts.get(invoice.partner_id)
    book_id = account.price_book_id
    if not invoice.is_partner_invoice:
        agreed = account.terms_of(invoice.billed_to)
        if agreed is not None and agreed.price_book_id is not None:
            book_id = agreed.price_book_id
    book = books.get(book_id)
    if book is None:
        book = books[book_id] = store.price_books.get(book_id)
    return book


def tax_run(store: BillingStore, run: BillingRun, invoicing: Invoicing | None) -> BillingRun:
    """``run`` with each invoice's tax (§5.2); unchanged when no tax is configured."""
    if invoicing is None or not invoicing.taxed:
        return run
    books: dict[str, PriceBook] = {}
    teams: dict[str, Team] = {}
    taxed = []
    for invoice in run.invoices:
        team = teams.get(invoice.billed_to)
        if team is None:
            team = teams[invoice.billed_to] = store.teams.get(invoice.billed_to)
        rounding = _book_of(store, invoice, books).rounding
        tax = InvoiceTax.of(invoicing.treatment(team), invoice.subtotal, rounding)
        taxed.append(invoice.with_tax(tax))
    return attrs.evolve(run, invoices=tuple(taxed))


def credit_referrals(
    store: BillingStore,
    run: BillingRun,
    issued: Mapping[str, Sequence[CreditNote]] | None = None,
) -> BillingRun:
    """``run`` with the referral taken back on every credit note issued in its period.

    Each partner's statement gets one negative line per client and credit note issued in
    the period (the partner's time zone): −(credited base x the period's rate), rounded
    once. Under ``net_on_invoice`` the partner's ``referral_credit`` line follows.
    ``issued``: the credit notes issued in each partner's period, by partner id, when the
    caller has read them already (else they are read partner by partner).
    """
    year, month = int(run.period[:4]), int(run.period[5:])
    statements = []
    invoices = {invoice.id: invoice for invoice in run.invoices}
    changed = False
    for statement in run.referrals:
        partner_id = statement.partner_id
        if issued is not None:
            notes = issued.get(partner_id, ())
        else:
            local = BillingPeriod(year, month, store.teams.get(partner_id).timezone)
            notes = store.credit_notes.issued(partner_id, local.start, local.end)
        taken = [line for note in notes for line in _referral_lines(note)]
        if not taken:
            statements.append(statement)
            continue
        changed = True
        book = store.price_books.get(store.accounts.get(partner_id).price_book_id)
        extra = [_rounded(line, statement, book.rounding) for line in taken]
        updated = ReferralStatement.of(
            period=statement.period,
            partner_id=statement.partner_id,
            currency=statement.currency,
            rate=statement.rate,
            lines=[*statement.lines, *extra],
            content_revenue=statement.content_revenue.lines,
            tier=statement.tier,
            trailing_revenue=statement.trailing_revenue,
        )
        statements.append(updated)
        if book.referral_settlement is ReferralSettlement.NET_ON_INVOICE:
            own = invoices.get(f"inv-{partner_id}-{run.period}")
            if own is not None:
                invoices[own.id] = _net(own, updated.total)
    if not changed:
        return run
    return BillingRun(
        period=run.period, invoices=tuple(invoices.values()), referrals=tuple(statements)
    )


def _referral_lines(note: CreditNote) -> list[tuple[str, Decimal, str]]:
    return [(credit.client_id, credit.base, note.number) for credit in note.referral if credit.base]


def _rounded(
    line: tuple[str, Decimal, str], statement: ReferralStatement, rounding: Rounding
) -> ReferralLine:
    client_id, base, number = line
    digits = statement.currency.minor_units
    shown = round_product((base,), digits, rounding)
    amount = round_product((base, statement.rate), digits, rounding)
    currency = statement.currency
    return ReferralLine(
        client_id,
        Money(shown.copy_negate(), currency),
        Money(amount.copy_negate(), currency),
        credit_note=number,
    )


def _net(invoice: Invoice, referral_total: Money) -> Invoice:
    lines = [
        attrs.evolve(line, unit_price=-referral_total, amount=-referral_total)
        if line.kind is LineKind.REFERRAL_CREDIT
        else line
        for line in invoice.lines
    ]
    return Invoice.of(
        period=invoice.period,
        partner_id=invoice.partner_id,
        billed_to=invoice.billed_to,
        currency=invoice.currency,
        lines=lines,
        clients=invoice.clients,
        tax=invoice.tax,
    )


# -- numbering ---------------------------------------------------------------------------


def number_invoices(
    store: BillingStore, invoices: Sequence[Invoice], at: datetime, invoicing: Invoicing
) -> list[IssuedInvoice]:
    """Number ``invoices`` (newly stored by one finalisation at ``at``) in ascending id order,
    from the year's gap-free sequence, inside the caller's unit of work; store the records."""
    if not invoices:
        return []
    year = at.astimezone(UTC).year
    first = store.numbers.next(INVOICE_SEQUENCE, year, len(invoices))
    terms = invoicing.payment_terms_days
    issued = []
    for offset, invoice in enumerate(sorted(invoices, key=lambda i: i.id)):
        record = IssuedInvoice(
            number=document_number(invoicing.number_prefix, year, first + offset),
            invoice_id=invoice.id,
            partner_id=invoice.partner_id,
            billed_to=invoice.billed_to,
            period=invoice.period,
            issued_at=at,
            due_at=at + timedelta(hours=24 * terms),
            payment_terms_days=terms,
        )
        store.issued_invoices.add(record)
        issued.append(record)
    return issued


# -- credit notes ------------------------------------------------------------------------

_Target = tuple[str, str, str]


def _targets(invoice: Invoice) -> dict[_Target, list[InvoiceLine]]:
    """The invoice's lines by (client, kind, metric): what a credit line names."""
    found: dict[_Target, list[InvoiceLine]] = defaultdict(list)
    own = "" if invoice.is_partner_invoice else invoice.billed_to
    for line in invoice.lines:
        found[(own, line.kind.value, line.metric or "")].append(line)
    for group in invoice.clients:
        for line in group.lines:
            found[(group.client_id, line.kind.value, line.metric or "")].append(line)
    return found


def _request_lines(lines: Sequence[CreditLine], invoice: Invoice) -> tuple[CreditLine, ...]:
    """The request's lines, checked; a non-reseller invoice's client is its billed team."""
    if isinstance(lines, str) or not isinstance(lines, Sequence):
        raise ValidationError.at("lines", f"expected a sequence of CreditLine, got {lines!r}")
    checked = []
    for index, line in enumerate(lines):
        if not isinstance(line, CreditLine):
            raise ValidationError.at(f"lines[{index}]", f"expected a CreditLine, got {line!r}")
        if line.amount.currency != invoice.currency:
            raise ValidationError.at(
                f"lines[{index}].amount",
                f"expected {invoice.currency.code}, the invoice's currency, "
                f"got {line.amount.currency.code}",
            )
        quantum = invoice.currency.quantum
        if line.amount.amount <= 0 or line.amount.amount != line.amount.amount.quantize(
            quantum, context=EXACT
        ):
            raise ValidationError.at(
                f"lines[{index}].amount",
                f"expected a positive amount in whole minor units, got {line.amount}",
            )
        if line.kind in _NOT_CREDITABLE:
            raise ValidationError.at(
                f"lines[{index}].kind", f"a {line.kind.value} line cannot be credited"
            )
        if not invoice.is_partner_invoice and line.client_id is None:
            line = attrs.evolve(line, client_id=invoice.billed_to)
        checked.append(line)
    return tuple(checked)


def _credited_by_target(notes: Sequence[CreditNote]) -> dict[_Target, Decimal]:
    credited: dict[_Target, Decimal] = defaultdict(Decimal)
    for note in notes:
        for line in note.lines:
            credited[line.target] = EXACT.add(credited[line.target], line.amount.amount)
    return credited


def _sum(amounts: Sequence[Decimal], digits: int) -> Decimal:
    total = from_minor(0, digits)
    for amount in amounts:
        total = EXACT.add(total, amount)
    return total


def _referral_credits(
    store: BillingStore, invoice: Invoice, lines: Sequence[CreditLine]
) -> tuple[ReferralCredit, ...]:
    """What of ``lines`` was in each client's referral base, after its discount (§5.2)."""
    account = store.accounts.get(invoice.partner_id)
    book = store.price_books.get(account.price_book_id)
    kinds = _USAGE_ONLY if book.referral_base is ReferralBase.USAGE_ONLY else _ALL_CHARGES
    bases: dict[str, Decimal] = {}
    for line in lines:
        if line.client_id is None or line.kind not in kinds:
            continue
        bases[line.client_id] = EXACT.add(bases.get(line.client_id, _ZERO), line.amount.amount)
    credits = []
    for client_id, base in sorted(bases.items()):
        agreed = account.terms_of(client_id)
        discount = None if agreed is None else discount_in(agreed.discounts, invoice.period)
        if discount is not None:
            base = EXACT.multiply(base, EXACT.subtract(Decimal(1), discount.percent))
        credits.append(ReferralCredit(client_id, base))
    return tuple(credits)


def issue_credit_note(
    store: BillingStore,
    request_id: str,
    invoice_id: str,
    *,
    reason: str,
    full: bool = False,
    lines: Sequence[CreditLine] = (),
    at: datetime,
    by: Actor,
    invoicing: Invoicing | None = None,
) -> CreditNote:
    """Credit a finalised invoice, fully (``full=True``) or by ``lines`` (§5.2).

    Never more than what remains on a line or on the invoice after earlier credit notes:
    that, crediting an invoice that is not finalised, or a request id already used with
    other content (invoice, instant, reason, full, lines) is an error and stores nothing.
    The same request again is a no-op that returns the note issued the first time. The
    note is numbered from the gap-free sequence of the UTC year of ``at``, and appends a
    ``credit_note_issued`` event. ``by`` is SYSTEM or a user holding ``billing.manage`` on
    the invoice's partner team.
    """
    at = ensure_aware(at, "at")
    settings = invoicing if invoicing is not None else Invoicing()
    _check_request(reason, full, lines)
    with store.unit_of_work():
        invoice, issued = _finalised(store, invoice_id)
        authorise(
            store,
            by,
            Permission.BILLING_MANAGE,
            invoice.partner_id,
            at,
            f"credit {invoice.partner_id}'s invoice {invoice_id}",
        )
        requested = _request_lines(lines, invoice)
        known = store.credit_notes.find(request_id)
        if known is not None:  # the same request again, or a conflict
            return _same_request(known, request_id, invoice_id, at, reason, full, requested)
        if at < issued.issued_at:
            raise ValidationError.at(
                "at",
                f"{format_instant(at)} is before invoice {issued.number} was issued "
                f"({format_instant(issued.issued_at)})",
            )
        earlier = store.credit_notes.for_invoice(invoice_id)
        note = _credit(store, invoice, issued, earlier, requested, full)
        year = at.astimezone(UTC).year
        sequence = store.numbers.next(CREDIT_NOTE_SEQUENCE, year, 1)
        note = attrs.evolve(
            note,
            number=document_number(settings.credit_note_prefix, year, sequence),
            request_id=request_id,
            at=at,
            reason=reason,
        )
        store.credit_notes.add(note)
        store.events.append([_issued_event(note, invoice, by)])
        return note


def _same_request(
    known: CreditNote,
    request_id: str,
    invoice_id: str,
    at: datetime,
    reason: str,
    full: bool,
    requested: tuple[CreditLine, ...],
) -> CreditNote:
    """``known``, issued for ``request_id`` before, if this request has its content."""
    if known.same_request(invoice_id, at, reason, full, requested):
        return known
    raise ConflictError(
        f"credit note request {request_id!r} was already issued with other content "
        f"({known.number} against {known.invoice_id})",
        kind="credit note",
        id=request_id,
    )


def _check_request(reason: object, full: object, lines: Sequence[CreditLine]) -> None:
    """A credit note request gives a reason, and either ``full`` or some lines."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError.at("reason", f"expected text, got {reason!r}")
    if full.__class__ is not bool:
        raise ValidationError.at("full", f"expected true or false, got {full!r}")
    if full and lines:
        raise ValidationError.at("lines", "a full credit note names no lines")
    if not full and not lines:
        raise ValidationError.at("lines", "a partial credit note names at least one line")


def _finalised(store: BillingStore, invoice_id: str) -> tuple[Invoice, IssuedInvoice]:
    """The finalised invoice ``invoice_id`` and its issue; only those are credited."""
    invoice = store.invoices.find(invoice_id)
    issued = store.issued_invoices.find(invoice_id)
    if invoice is None or issued is None:
        raise ValidationError.at(
            "invoice",
            f"{invoice_id!r} is not a finalised invoice: only a finalised invoice can be credited",
        )
    return invoice, issued


def _issued_event(note: CreditNote, invoice: Invoice, by: Actor) -> CreditNoteIssued:
    return CreditNoteIssued(
        at=note.at,
        by=actor_id(by),
        team_id=invoice.billed_to,
        number=note.number,
        request_id=note.request_id,
        invoice_id=invoice.id,
        partner_id=invoice.partner_id,
        total=str(note.total.amount),
        currency=note.total.currency.code,
    )


def _credit(
    store: BillingStore,
    invoice: Invoice,
    issued: IssuedInvoice,
    earlier: Sequence[CreditNote],
    requested: tuple[CreditLine, ...],
    full: bool,
) -> CreditNote:
    """The note's amounts (number, request id, instant and reason are placeholders)."""
    currency = invoice.currency
    digits = currency.minor_units
    targets = _targets(invoice)
    credited = _credited_by_target(earlier)
    remaining_subtotal = EXACT.subtract(
        invoice.subtotal.amount, _sum([note.subtotal.amount for note in earlier], digits)
    )
    if full:
        if remaining_subtotal <= 0:
            raise ValidationError.at(
                "full", f"nothing remains to credit on invoice {issued.number}"
            )
        chosen = _all_remaining(targets, credited, invoice)
    else:
        _check_remaining(requested, targets, credited, issued, digits)
        chosen = requested
    subtotal = _sum([line.amount.amount for line in chosen], digits)
    if subtotal > remaining_subtotal:
        raise ValidationError.at(
            "lines",
            f"credits {subtotal} on invoice {issued.number}, but only {remaining_subtotal} remains",
        )
    if invoice.tax is None:
        tax = from_minor(0, digits)
    elif subtotal == remaining_subtotal:  # the last credit note takes all remaining tax
        tax = EXACT.subtract(
            invoice.tax.amount.amount, _sum([note.tax.amount for note in earlier], digits)
        )
    else:
        tax = invoice.tax.on(Money(subtotal, currency)).amount
    return CreditNote(
        number=issued.number,  # placeholder: numbered once checked
        request_id="pending",
        invoice_id=invoice.id,
        invoice_number=issued.number,
        partner_id=invoice.partner_id,
        billed_to=invoice.billed_to,
        period=invoice.period,
        at=issued.issued_at,
        reason="pending",
        full=full,
        lines=chosen,
        subtotal=Money(subtotal, currency),
        tax=Money(tax, currency),
        total=Money(EXACT.add(subtotal, tax), currency),
        referral=_referral_credits(store, invoice, chosen),
    )


def _all_remaining(
    targets: dict[_Target, list[InvoiceLine]], credited: dict[_Target, Decimal], invoice: Invoice
) -> tuple[CreditLine, ...]:
    """A full credit note's lines: what remains of every charged line of the invoice."""
    currency = invoice.currency
    digits = currency.minor_units
    lines = []
    for target, found in sorted(targets.items()):
        if target[1] == LineKind.REFERRAL_CREDIT.value:
            continue
        left = EXACT.subtract(
            _sum([line.amount.amount for line in found], digits), credited.get(target, _ZERO)
        )
        if left:
            client, kind, metric = target
            lines.append(
                CreditLine(
                    kind=kind,
                    amount=Money(left, currency),
                    client_id=client or None,
                    metric=metric or None,
                )
            )
    return tuple(lines)


def _check_remaining(
    requested: tuple[CreditLine, ...],
    targets: dict[_Target, list[InvoiceLine]],
    credited: dict[_Target, Decimal],
    issued: IssuedInvoice,
    digits: int,
) -> None:
    """Each requested line names a line of the invoice and credits no more than remains."""
    asked: dict[_Target, Decimal] = defaultdict(Decimal)
    for index, line in enumerate(requested):
        matching = targets.get(line.target)
        if matching is None:
            raise ValidationError.at(
                f"lines[{index}]", f"invoice {issued.number} has no {line.describe()} line"
            )
        asked[line.target] = EXACT.add(asked[line.target], line.amount.amount)
        left = EXACT.subtract(
            _sum([item.amount.amount for item in matching], digits),
            credited.get(line.target, _ZERO),
        )
        if asked[line.target] > left:
            raise ValidationError.at(
                f"lines[{index}].amount",
                f"credits {asked[line.target]} on {line.describe()} of invoice "
                f"{issued.number}, but only {left} remains",
            )


# -- the finalised-documents view --------------------------------------------------------


@attrs.frozen(kw_only=True)
class FinalisedInvoice:
    """A finalised invoice with its number and dates, what credit notes took off it
    (``credited``: the sum of their totals) and what is left to pay (``balance``)."""

    invoice: Invoice
    issued: IssuedInvoice
    credited: Money
    balance: Money

    @property
    def number(self) -> str:
        return self.issued.number

    def to_dict(self) -> dict[str, Any]:
        """As in the ``invoices --format json`` document."""
        from partnercore.billing._presentation import tax_to_dict

        invoice = self.invoice
        return {
            "number": self.issued.number,
            "id": invoice.id,
            "period": invoice.period,
            "partner": invoice.partner_id,
            "billed_to": invoice.billed_to,
            "currency": invoice.currency.code,
            "issued_at": format_instant(self.issued.issued_at),
            "due_at": format_instant(self.issued.due_at),
            "payment_terms_days": self.issued.payment_terms_days,
            "subtotal": invoice.subtotal.format_amount(),
            "tax": tax_to_dict(invoice),
            "referral_credit": invoice.referral_credit.format_amount(),
            "total": invoice.total.format_amount(),
            "credited": self.credited.format_amount(),
            "balance": self.balance.format_amount(),
        }


def _view(store: BillingStore, issued: IssuedInvoice) -> FinalisedInvoice:
    invoice = store.invoices.get(issued.invoice_id)
    notes = store.credit_notes.for_invoice(invoice.id)
    digits = invoice.currency.minor_units
    credited = _sum([note.total.amount for note in notes], digits)
    return FinalisedInvoice(
        invoice=invoice,
        issued=issued,
        credited=Money(credited, invoice.currency),
        balance=Money(EXACT.subtract(invoice.total.amount, credited), invoice.currency),
    )


def finalised_invoices(store: BillingStore, period: str | None = None) -> list[FinalisedInvoice]:
    """Every finalised invoice (or those of ``period``), in number order."""
    if period is not None:
        period = period_key(period, "period")
    return [_view(store, issued) for issued in store.issued_invoices.list(period)]


def credit_notes(store: BillingStore, period: str | None = None) -> list[CreditNote]:
    """Every credit note (or those against the invoices of ``period``), in number order."""
    return [
        note
        for note in store.credit_notes.list()
        if period is None or note.period == period_key(period, "period")
    ]


@attrs.frozen
class FinalisedDocuments:
    """The finalised invoices and credit notes (of one period, or all), in number order."""

    invoices: tuple[FinalisedInvoice, ...]
    credit_notes: tuple[CreditNote, ...]

    def to_dict(self) -> dict[str, Any]:
        """Exactly the ``partnercore invoices --format json`` document."""
        return {
            "invoices": [invoice.to_dict() for invoice in self.invoices],
            "credit_notes": [note.to_dict() for note in self.credit_notes],
        }

    def __str__(self) -> str:
        from partnercore.billing._presentation import documents_text

        return documents_text(self)

    def _repr_html_(self) -> str:
        from partnercore.billing._presentation import documents_html

        return documents_html(self)


def finalised_documents(store: BillingStore, period: str | None = None) -> FinalisedDocuments:
    """The finalised invoices and their credit notes (of ``period``, or all)."""
    return FinalisedDocuments(
        tuple(finalised_invoices(store, period)), tuple(credit_notes(store, period))
    )
