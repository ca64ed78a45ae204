"""Billing a period as a pure function: from one record of inputs per partner to a BillingRun.

Nothing here reads a store. Each line is rounded once, with exact integer arithmetic on the
exact ratio it stands for; every subtotal and total is the exact sum of rounded lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import CurrencyMismatchError, ValidationError
from partnercore._fields import id_validator, optional_instant, to_enum
from partnercore.billing._content import ContentCharge
from partnercore.billing._deals import Discount, check_discounts, discount_in
from partnercore.billing._invoice import (
    ClientGroup,
    Invoice,
    InvoiceLine,
    assemble_group,
    assemble_invoice,
)
from partnercore.billing._policies import LineKind, SeatPolicy
from partnercore.billing._pricebook import PriceBook
from partnercore.billing._pricing import PartnerTier
from partnercore.billing._proration import (
    PeriodFrame,
    ProratedShare,
    ShareUnit,
    checked_license_share,
    days_touched,
    merge_checked,
)
from partnercore.billing._referral import (
    ContentRevenue,
    ContentRevenueLine,
    ReferralLine,
    ReferralStatement,
    assemble_referral,
    assemble_statement,
)
from partnercore.billing._rounding import EXACT, round_ratio
from partnercore.billing._run import BillingRun
from partnercore.billing._seats import SeatHolding
from partnercore.billing._terms import Late, Terms, TermsCache
from partnercore.billing._usage import LateUsage, UsageTotal
from partnercore.billing._validation import describe, money_field
from partnercore.money import Currency, Money, to_decimal
from partnercore.tenancy import BillingModel
from partnercore.time import BillingPeriod, Span, period_key, validate_timezone

__all__ = ["ClientBillingInput", "PartnerBillingInput", "calculate_run"]

_ONE = Decimal(1)


def _billing_model(value: object) -> BillingModel:
    return to_enum(BillingModel, value, "billing_model")


def _typed_tuple(value: object, kind: type[Any], field: str) -> tuple[Any, ...]:
    if value.__class__ is tuple:  # as the services build them: nothing to convert
        for item in value:
            if item.__class__ is not kind:
                break
        else:
            return value
    if not isinstance(value, list | tuple):
        raise ValidationError.at(field, f"expected a sequence of {kind.__name__}, got {value!r}")
    for index, item in enumerate(value):
        if not isinstance(item, kind):
            raise ValidationError.at(
                f"{field}[{index}]", f"expected a {kind.__name__}, got {item!r}"
            )
    return tuple(value)


def _intervals(value: object) -> tuple[Span, ...]:
    return _typed_tuple(value, Span, "full_intervals")


def _usage(value: object) -> tuple[UsageTotal, ...]:
    return _typed_tuple(value, UsageTotal, "usage")


def _late_usage(value: object) -> tuple[LateUsage, ...]:
    return _typed_tuple(value, LateUsage, "late_usage")


def _content(value: object) -> tuple[ContentCharge, ...]:
    return _typed_tuple(value, ContentCharge, "content")


def _seats(value: object) -> tuple[SeatHolding, ...]:
    return _typed_tuple(value, SeatHolding, "seats")


def _optional_book(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, PriceBook):
        raise ValidationError.at(attribute.name, f"expected a PriceBook, got {describe(value)}")


def _employee_count(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError.at(
            "employee_count", f"expected a positive integer, got {describe(value)}"
        )
    if value < 1:
        raise ValidationError.at("employee_count", f"must be at least 1, got {value}")
    return value


def _discounts(value: object) -> tuple[Discount, ...]:
    if value == ():
        return ()
    discounts = _typed_tuple(value, Discount, "discounts")
    check_discounts(discounts)
    return discounts


@attrs.frozen(kw_only=True)
class ClientBillingInput:
    r"""What billing needs to know about one client for one period.

    ``full_intervals`` are the :class:`~partnercore.time.Span`\ s in which its licence was
    ``full`` (parts outside the period are ignored); ``usage`` its usage
    totals for the period; ``late_usage`` unbilled usage of finalised periods; ``content``
    its content charges. Its deal terms (§5.1): ``price_book``, a deal price book in the
    partner's currency that prices its licence and usage instead of the partner's;
    ``employee_count``, its size under a book with fees by size; ``discounts``, of which
    the one covering the period (if any) applies.
    """

    client_id: str = attrs.field(validator=id_validator)
    billing_model: BillingModel = attrs.field(converter=_billing_model)
    full_intervals: tuple[Span, ...] = attrs.field(default=(), converter=_intervals)
    usage: tuple[UsageTotal, ...] = attrs.field(default=(), converter=_usage)
    late_usage: tuple[LateUsage, ...] = attrs.field(default=(), converter=_late_usage)
    content: tuple[ContentCharge, ...] = attrs.field(default=(), converter=_content)
    price_book: PriceBook | None = attrs.field(default=None, validator=_optional_book)
    employee_count: int | None = attrs.field(default=None, converter=_employee_count)
    discounts: tuple[Discount, ...] = attrs.field(default=(), converter=_discounts)


def _rate(value: object) -> Decimal | None:
    if value is None:
        return None
    rate = to_decimal(value, "referral_rate")
    if not 0 <= rate <= 1:
        raise ValidationError.at("referral_rate", f"must be within 0..1, got {rate}")
    return rate


def _optional_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        money_field(instance, attribute, value)


def _price_book(_: object, attribute: attrs.Attribute[PriceBook], value: object) -> None:
    if not isinstance(value, PriceBook):
        raise ValidationError.at(attribute.name, f"expected a PriceBook, got {value!r}")


def _created_at(value: object) -> datetime | None:
    return optional_instant(value, "created_at")


def _clients(value: object) -> tuple[ClientBillingInput, ...]:
    return _typed_tuple(value, ClientBillingInput, "clients")


@attrs.frozen(kw_only=True)
class PartnerBillingInput:
    """What billing needs to know about one partner: prices, rate, zone, seats and clients.

    ``referral_rate`` is the partner's fixed rate (``None``: 0). A price book with partner
    tiers sets the rate instead, from ``trailing_revenue`` (the sum of the partner's
    clients' referral bases over the twelve periods before the billed one, §5.1): such a
    partner needs ``trailing_revenue`` and must not have a ``referral_rate``.
    ``created_at`` is when the partner team was created (``None``: unknown, always billed):
    a partner is not billed for a period it did not exist in.
    """

    partner_id: str = attrs.field(validator=id_validator)
    price_book: PriceBook = attrs.field(validator=_price_book)
    referral_rate: Decimal | None = attrs.field(default=None, converter=_rate)
    timezone: str = attrs.field(default="UTC", validator=validate_timezone)
    seats: tuple[SeatHolding, ...] = attrs.field(default=(), converter=_seats)
    clients: tuple[ClientBillingInput, ...] = attrs.field(default=(), converter=_clients)
    trailing_revenue: Money | None = attrs.field(default=None, validator=_optional_money)
    created_at: datetime | None = attrs.field(default=None, converter=_created_at)

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for client in self.clients:
            if client.client_id in seen:
                raise ValidationError.at("clients", f"client {client.client_id!r} listed twice")
            seen.add(client.client_id)
        book = self.price_book
        if book.partner_tiers:
            if self.referral_rate is not None:
                raise ValidationError.at(
                    "referral_rate",
                    f"not allowed: price book {book.id!r} sets the rate by partner tiers",
                )
            if self.trailing_revenue is None:
                raise ValidationError.at(
                    "trailing_revenue",
                    f"required: price book {book.id!r} sets the rate by partner tiers",
                )
            if self.trailing_revenue.currency != book.currency:
                raise CurrencyMismatchError(
                    book.currency.code, self.trailing_revenue.currency.code, "trailing_revenue"
                )
        elif self.trailing_revenue is not None:
            raise ValidationError.at(
                "trailing_revenue", f"price book {book.id!r} has no partner tiers"
            )

    @property
    def tier(self) -> PartnerTier | None:
        """The partner tier its trailing revenue reaches (``None`` without partner tiers)."""
        if self.trailing_revenue is None:
            return None
        return self.price_book.partner_tier(self.trailing_revenue)

    @property
    def rate(self) -> Decimal:
        """The referral rate of the period: the tier's, or the fixed rate (0 if none)."""
        tier = self.tier
        if tier is not None:
            return tier.referral_rate
        return Decimal(0) if self.referral_rate is None else self.referral_rate


@attrs.frozen
class _Claim:
    """A content charge whose owner earns a share of it."""

    owner_id: str
    client_id: str
    item_id: str
    charge: Money


def _client_id(client: ClientBillingInput) -> str:
    return client.client_id


class _PartnerCalculator:
    """One partner's period: its price book's terms, its period frame, its content claims."""

    def __init__(
        self,
        partner: PartnerBillingInput,
        key: str,
        books: TermsCache,
        frame: PeriodFrame,
    ) -> None:
        # Only what the statements need is kept: the inputs can go once billed.
        self.partner_id = partner.partner_id
        self.tier = partner.tier
        self.trailing_revenue = partner.trailing_revenue
        self.referral_rate = partner.rate
        self.rate_ratio = self.referral_rate.as_integer_ratio()
        self.period_key = key
        self.books = books
        self.terms = terms = books.of(partner.price_book)
        self.frame = frame
        self.currency = terms.currency
        self.claims: list[_Claim] = []
        self.usage_period = frame.period

    def _check_total(self, cid: str, index: int, total: UsageTotal) -> None:
        if total.client_id != cid:
            raise ValidationError.at(
                f"clients[{cid}].usage[{index}].client_id",
                f"a usage total of {total.client_id!r} given for {cid!r}",
            )
        period = self.frame.period
        if total.period != period:
            raise ValidationError.at(
                f"clients[{cid}].usage[{index}].period",
                f"a usage total of {total.period.isoformat()} given for {period.isoformat()}",
            )
        # Equal to the period: later totals that share this very object need no comparison.
        self.usage_period = total.period

    # -- seats ------------------------------------------------------------------------

    def seat_lines(self, holdings: tuple[SeatHolding, ...]) -> tuple[list[InvoiceLine], int]:
        """The advisor seat lines, and their sum in minor units."""
        terms = self.terms
        fee = terms.advisor_fee
        frame = self.frame
        by_user: dict[str, list[tuple[datetime, datetime | None]]] = defaultdict(list)
        for holding in holdings:
            by_user[holding.user_id].append((holding.start, holding.end))
        policy = terms.seat_policy
        if policy is SeatPolicy.PRORATED_DAILY:
            lines = []
            charged = 0
            for user in sorted(by_user):
                merged = merge_checked(by_user[user], frame)
                days = days_touched(merged, frame)
                if days == 0:
                    continue
                share = ProratedShare(Decimal(days), Decimal(frame.days), ShareUnit.DAYS)
                units = terms.prorated(terms.advisor_ratio, share)
                charged += units
                lines.append(
                    InvoiceLine(
                        kind=LineKind.ADVISOR_SEATS,
                        description=f"Advisor seat: {user}, {share}",
                        quantity=_ONE,
                        unit_price=fee,
                        amount=terms.money(units),
                        user=user,
                        share=share,
                    )
                )
            if lines:
                return lines, charged
            seats = 0
            description = "Advisor seats (prorated daily)"
        elif policy is SeatPolicy.PERIOD_END:
            end_utc = frame.utc_end
            seats = sum(
                1
                for spans in by_user.values()
                if any(start < end_utc and (end is None or end >= end_utc) for start, end in spans)
            )
            description = "Advisor seats held at the end of the period"
        else:
            seats = sum(1 for spans in by_user.values() if merge_checked(spans, frame))
            description = "Advisor seats held at any time in the period"
        fee_top, fee_bottom = terms.advisor_ratio
        units = terms.units(fee_top * seats, fee_bottom)
        line = InvoiceLine(
            kind=LineKind.ADVISOR_SEATS,
            description=description,
            quantity=Decimal(seats),
            unit_price=fee,
            amount=terms.money(units),
        )
        return [line], units

    # -- clients ----------------------------------------------------------------------

    def _usage(self, cid: str, usage: tuple[UsageTotal, ...]) -> list[tuple[str, Decimal]]:
        """The client's quantity per metric, sorted by metric (totals of a metric added)."""
        period = self.usage_period
        last = ""
        ordered = True
        for index, total in enumerate(usage):
            if total.client_id != cid or total.period is not period:
                self._check_total(cid, index, total)
                period = self.usage_period
            if total.metric <= last:
                ordered = False
            last = total.metric
        if ordered:  # one total per metric, in order: the common case
            return [(total.metric, total.quantity) for total in usage]
        quantities: dict[str, Decimal] = {}
        for total in usage:
            metric = total.metric
            quantities[metric] = (
                EXACT.add(quantities[metric], total.quantity)
                if metric in quantities
                else total.quantity
            )
        return sorted(quantities.items())

    def _client_terms(self, client: ClientBillingInput) -> Terms:
        """The terms of the client's licence and usage: its deal book's, or the partner's."""
        book = client.price_book
        if book is None:
            return self.terms
        if book.currency != self.currency:
            raise CurrencyMismatchError(
                self.currency.code,
                book.currency.code,
                f"bill (deal price book {book.id!r} of {client.client_id!r})",
            )
        return self.books.of(book)

    def client_lines(self, client: ClientBillingInput) -> tuple[list[InvoiceLine], int, int]:
        """The client's lines, its referral base and its total charges, in minor units."""
        terms = self.terms
        own = self._client_terms(client) if client.price_book is not None else terms
        lines: list[InvoiceLine] = []
        cid = client.client_id
        platform = self._license(client, own, lines) if client.full_intervals else 0
        usage_charges = 0
        if client.usage:
            usage_charges = self._usage_lines(cid, client.usage, own, lines)
        if client.late_usage:
            usage_charges += self._late_lines(cid, client.late_usage, own, lines)
        discounted = 0
        usage_discount = 0
        if client.discounts:
            discount = discount_in(client.discounts, self.period_key)
            charges = platform + usage_charges
            if discount is not None and charges > 0:
                line, units = own.discount_line(charges, discount)
                lines.append(line)
                discounted = -units
                if terms.usage_only and usage_charges > 0:
                    usage_discount = own.discounted(usage_charges, discount)
        content_charges = self._content_lines(cid, client.content, lines) if client.content else 0
        if terms.usage_only:
            base = usage_charges - usage_discount
        else:
            base = platform + usage_charges - discounted
        return lines, base, platform + usage_charges - discounted + content_charges

    def _license(self, client: ClientBillingInput, own: Terms, lines: list[InvoiceLine]) -> int:
        """Adds the client's licence line (if any) to ``lines``; its minor units."""
        share = checked_license_share(client.full_intervals, self.frame, own.proration)
        if share.is_zero:
            return 0
        fee = own.single_fee or own.fee(client.employee_count, f"clients[{client.client_id}]")
        line, units = own.license_line(fee, share)
        if line is not None:
            lines.append(line)
        return units

    def _usage_lines(
        self, cid: str, usage: tuple[UsageTotal, ...], own: Terms, lines: list[InvoiceLine]
    ) -> int:
        """Adds one line per metric used to ``lines``; their sum in minor units."""
        known = own.usage_lines  # the path is written out only when a line is first made
        charged = 0
        for metric, quantity in self._usage(cid, usage):
            if not quantity:
                own.price(metric, f"clients[{cid}].usage")  # an unknown metric is an error
                continue
            found = known.get((metric, str(quantity)))
            if found is None:
                found = own.usage_line(metric, quantity, f"clients[{cid}].usage")
            lines.append(found[0])
            charged += found[1]
        return charged

    def _late_lines(
        self, cid: str, late_usage: tuple[LateUsage, ...], own: Terms, lines: list[InvoiceLine]
    ) -> int:
        """Adds one adjustment per (original period, metric) to ``lines``; their minor units."""
        path = f"clients[{cid}].late_usage"
        charged = 0
        for (original, metric), late in _late(late_usage, path):
            if not late.quantity:
                own.price(metric, path)
                continue
            line, units = own.late_line(metric, original, late, path)
            lines.append(line)
            charged += units
        return charged

    def _content_lines(
        self, cid: str, content: tuple[ContentCharge, ...], lines: list[InvoiceLine]
    ) -> int:
        """Adds the client's content lines to ``lines`` and their claims to the owners'
        revenue; their sum in minor units."""
        terms = self.terms
        currency = terms.currency
        charged = 0
        for charge in sorted(content, key=lambda c: c.item_id):
            if charge.amount.currency != currency:
                raise CurrencyMismatchError(
                    currency.code,
                    charge.amount.currency.code,
                    f"bill (content item {charge.item_id!r} on {cid!r})",
                )
            units = terms.units(*charge.amount.amount.as_integer_ratio())
            charged += units
            amount = terms.money(units)
            lines.append(
                InvoiceLine(
                    kind=LineKind.CONTENT,
                    description=charge.description,
                    quantity=_ONE,
                    unit_price=charge.amount,
                    amount=amount,
                    item=charge.item_id,
                )
            )
            self.claims.append(_Claim(charge.owner_id, cid, charge.item_id, amount))
        return charged

    # -- the partner's documents ------------------------------------------------------

    def bill(
        self, partner: PartnerBillingInput
    ) -> tuple[list[Invoice], tuple[ReferralLine, ...], int]:
        """The partner's invoices, its referral lines and their sum in minor units.

        Groups and invoices are assembled without checking them again: every amount is a
        whole number of minor units of the book's currency and every total the integer sum
        of its lines.
        """
        groups: list[ClientGroup] = []
        invoices: list[Invoice] = []
        referrals: list[ReferralLine] = []
        referred, grouped = self._clients(partner.clients, groups, invoices, referrals)
        terms = self.terms
        partner_lines, charged = self.seat_lines(partner.seats)
        if terms.net_on_invoice:
            credit = terms.money(-referred)
            charged -= referred
            partner_lines.append(
                InvoiceLine(
                    kind=LineKind.REFERRAL_CREDIT,
                    description=f"Referral credit at {self.referral_rate}",
                    quantity=_ONE,
                    unit_price=credit,
                    amount=credit,
                )
            )
        pid = self.partner_id
        partner_invoice = assemble_invoice(
            period=self.period_key,
            partner_id=pid,
            billed_to=pid,
            currency=self.currency,
            lines=tuple(partner_lines),
            clients=tuple(groups),
            total=terms.money(charged + grouped),
        )
        return [partner_invoice, *invoices], tuple(referrals), referred

    def _clients(
        self,
        clients: tuple[ClientBillingInput, ...],
        groups: list[ClientGroup],
        invoices: list[Invoice],
        referrals: list[ReferralLine],
    ) -> tuple[int, int]:
        """Bills each client: adds its group (reseller) or invoice (non-reseller), and its
        referral line. Returns the sum of the referrals and of the groups, in minor units."""
        money = self.terms.money
        rounding = self.terms.rounding
        rate_top, rate_bottom = self.rate_ratio
        referred = 0
        grouped = 0
        for client in sorted(clients, key=_client_id):
            lines, base, total = self.client_lines(client)
            cid = client.client_id
            referral = round_ratio(base * rate_top, rate_bottom, rounding)
            referred += referral
            referrals.append(assemble_referral(cid, money(base), money(referral)))
            if not lines:
                continue
            if client.billing_model is BillingModel.RESELLER:
                groups.append(assemble_group(cid, tuple(lines), money(total)))
                grouped += total
            else:
                invoices.append(
                    assemble_invoice(
                        period=self.period_key,
                        partner_id=self.partner_id,
                        billed_to=cid,
                        currency=self.currency,
                        lines=tuple(lines),
                        clients=(),
                        total=money(total),
                    )
                )
        return referred, grouped


def _late(entries: tuple[LateUsage, ...], path: str) -> list[tuple[tuple[str, str], Late]]:
    """Late usage per (original period, metric), sorted. Entries of one key must agree on
    what was billed."""
    late: dict[tuple[str, str], Late] = {}
    for index, entry in enumerate(entries):
        key = (entry.original_period, entry.metric)
        found = late.get(key)
        if found is None:
            late[key] = Late(entry.quantity, entry.billed_quantity, entry.billed_amount)
            continue
        if (found.billed_quantity, found.billed_amount) != (
            entry.billed_quantity,
            entry.billed_amount,
        ):
            raise ValidationError.at(
                f"{path}[{index}]",
                f"late usage of {entry.metric!r} for {entry.original_period} disagrees with an "
                "earlier entry on what was billed",
            )
        late[key] = found._replace(quantity=EXACT.add(found.quantity, entry.quantity))
    return sorted(late.items())


def _period_parts(period: BillingPeriod | str) -> tuple[int, int]:
    if isinstance(period, BillingPeriod):
        return period.year, period.month
    key = period_key(period)
    return int(key[:4]), int(key[5:])


def calculate_run(
    period: BillingPeriod | str, partners: Iterable[PartnerBillingInput]
) -> BillingRun:
    """Bill ``period`` (``YYYY-MM``, in each partner's own time zone) for ``partners``.

    A pure function: equal inputs give equal invoices and statements with the same ids.
    ``partners`` may be a generator: each input is released once its partner is billed.
    A partner created at or after the period's end (``created_at``) did not exist in it
    and is not billed: no invoice, no statement.
    """
    year, month = _period_parts(period)
    key = f"{year:04d}-{month:02d}"
    invoices: list[Invoice] = []
    calculators: list[_PartnerCalculator] = []
    referral_lines: dict[str, tuple[tuple[ReferralLine, ...], int]] = {}
    books = TermsCache()
    frames: dict[str, PeriodFrame] = {}
    for partner in partners:
        if not isinstance(partner, PartnerBillingInput):
            raise ValidationError.at("partners", f"expected a PartnerBillingInput, got {partner!r}")
        if partner.partner_id in referral_lines:
            raise ValidationError.at("partners", f"partner {partner.partner_id!r} given twice")
        frame = frames.get(partner.timezone)
        if frame is None:
            frame = frames[partner.timezone] = PeriodFrame.of(
                BillingPeriod(year, month, partner.timezone)
            )
        if partner.created_at is not None and partner.created_at >= frame.utc_end:
            referral_lines[partner.partner_id] = ((), 0)  # seen, not billed
            continue
        try:
            calculator = _PartnerCalculator(partner, key, books, frame)
            partner_invoices, lines, referred = calculator.bill(partner)
        except ValidationError as error:
            raise error.prefixed(f"partners[{partner.partner_id}]") from None
        invoices.extend(partner_invoices)
        referral_lines[partner.partner_id] = (lines, referred)
        calculators.append(calculator)
    statements = _statements(key, calculators, referral_lines)
    return BillingRun(period=key, invoices=tuple(invoices), referrals=tuple(statements))


def _statements(
    key: str,
    calculators: list[_PartnerCalculator],
    referral_lines: dict[str, tuple[tuple[ReferralLine, ...], int]],
) -> list[ReferralStatement]:
    """Each billed partner's statement: its referral lines, and the revenue its content
    earned from the clients of every partner billed."""
    by_partner = {calc.partner_id: calc for calc in calculators}
    revenue: dict[str, list[ContentRevenueLine]] = defaultdict(list)
    for calc in calculators:
        for claim in calc.claims:
            owner = by_partner.get(claim.owner_id)
            if owner is None:
                continue
            revenue[claim.owner_id].append(_revenue_line(owner.terms, claim))
    no_revenue: dict[Currency, ContentRevenue] = {}
    statements = []
    for calc in calculators:
        lines, referred = referral_lines[calc.partner_id]
        earned = revenue.get(calc.partner_id)
        if earned:
            section = ContentRevenue.of(
                sorted(earned, key=lambda r: (r.client_id, r.item_id)), calc.currency
            )
        else:
            section = no_revenue.get(calc.currency) or no_revenue.setdefault(
                calc.currency, ContentRevenue.of((), calc.currency)
            )
        statements.append(
            assemble_statement(
                period=key,
                partner_id=calc.partner_id,
                currency=calc.currency,
                rate=calc.referral_rate,
                lines=lines,
                total=calc.terms.money(referred),
                content_revenue=section,
                tier=None if calc.tier is None else calc.tier.name,
                trailing_revenue=calc.trailing_revenue,
            )
        )
    return statements


def _revenue_line(owner: Terms, claim: _Claim) -> ContentRevenueLine:
    if claim.charge.currency != owner.currency:
        raise CurrencyMismatchError(
            owner.currency.code, claim.charge.currency.code, f"share content item {claim.item_id!r}"
        )
    share_top, share_bottom = owner.revenue_ratio
    charge_top, charge_bottom = claim.charge.amount.as_integer_ratio()
    return ContentRevenueLine(
        client_id=claim.client_id,
        item_id=claim.item_id,
        charge=claim.charge,
        amount=owner.money(owner.units(charge_top * share_top, charge_bottom * share_bottom)),
    )
