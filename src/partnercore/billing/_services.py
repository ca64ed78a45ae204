"""Billing services: load a period's inputs through the ports, calculate, finalise (§5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from partnercore._errors import ConflictError, NotFoundError, ValidationError
from partnercore.billing._calculation import (
    ClientBillingInput,
    PartnerBillingInput,
    calculate_run,
)
from partnercore.billing._content import ContentChargeSource
from partnercore.billing._documents import CreditNote
from partnercore.billing._invoice import Invoice, invoice_id
from partnercore.billing._invoicing import credit_referrals, number_invoices, tax_run
from partnercore.billing._policies import LineKind
from partnercore.billing._ports import BillingStore
from partnercore.billing._pricebook import BillingAccount, PriceBook
from partnercore.billing._rounding import EXACT
from partnercore.billing._run import BillingRun
from partnercore.billing._seats import SeatHolding
from partnercore.billing._tax import Invoicing
from partnercore.billing._terms import TermsCache
from partnercore.billing._trailing import (
    Candidates,
    Intervals,
    clip,
    full_spans,
    read_histories,
    trailing_revenues,
)
from partnercore.billing._transfers import SETTLING, Billers, billed_for, month_of
from partnercore.billing._usage import LateUsage, UsageTotal
from partnercore.events import Actor, InvoiceFinalised, actor_id
from partnercore.licensing import License
from partnercore.money import Money
from partnercore.tenancy import (
    Membership,
    Permission,
    Role,
    Team,
    TeamChange,
    TeamKind,
    authorise,
    system_only,
)
from partnercore.time import BillingPeriod, ensure_aware

__all__ = ["bill_period", "billing_inputs", "finalise"]

_SEAT_ROLES = frozenset({Role.ADVISOR, Role.PARTNER_ADMIN})


def _partners(store: BillingStore, partner_id: str | None) -> list[Team]:
    if partner_id is None:
        return store.teams.partners()
    team = store.teams.get(partner_id)
    if team.kind is not TeamKind.PARTNER:
        raise ValidationError.at("partner_id", f"{partner_id!r} is not a partner team")
    return [team]


def _seats(memberships: Sequence[Membership]) -> tuple[SeatHolding, ...]:
    return tuple(
        SeatHolding(m.user_id, m.active_from, m.active_until)
        for m in memberships
        if m.role in _SEAT_ROLES
    )


#: The histories (transfers and status changes, oldest first) of the clients looked up.
_Histories = dict[str, Sequence[TeamChange]]


def _clients_at_end(
    store: BillingStore,
    partners: Sequence[Team],
    periods: Mapping[str, BillingPeriod],
    candidates: Candidates,
    histories: _Histories,
    billers: Billers,
) -> dict[str, list[Team]]:
    """The clients each partner bills for its period (``periods``, by zone), sorted by id:
    usually those it had at the period's last instant
    (:func:`~partnercore.billing.billing_partner` says which).

    Its current clients, and the clients transferred away from it since shortly before the
    period's end (``candidates``); the histories of all the partners' clients are read at
    once (one call of the port per run, not one per partner or client) and kept in
    ``histories`` (an empty one too).
    """
    found_clients = {
        partner.id: candidates.of(partner.id, periods[partner.timezone].end - SETTLING)
        for partner in partners
    }
    read_histories(store, [c for clients in found_clients.values() for c in clients], histories)
    billed: dict[str, list[Team]] = {}
    for partner in partners:
        period = periods[partner.timezone]
        ends = billers.month(period.year, period.month)
        found = {
            client.id: client
            for client in found_clients[partner.id]
            if billed_for(client, histories[client.id], ends) == partner.id
        }
        billed[partner.id] = [found[client_id] for client_id in sorted(found)]
    return billed


def _previous(period: BillingPeriod, known: dict[BillingPeriod, BillingPeriod]) -> BillingPeriod:
    """The period before ``period`` (each computed once per run: partners share zones)."""
    earlier = known.get(period)
    if earlier is None:
        earlier = known[period] = period.previous()
    return earlier


#: The finalised periods immediately before a partner's period (newest first), with no open
#: period between, and the partner's invoices of each.
_Chain = list[tuple[BillingPeriod, Sequence[Invoice]]]


def _chains(
    store: BillingStore,
    partners: Sequence[Team],
    periods: Mapping[str, BillingPeriod],
    previous: dict[BillingPeriod, BillingPeriod],
) -> dict[str, _Chain]:
    """Each partner's chain of finalised periods (a partner with none is left out): the
    invoices of every partner still in its chain are read at once, one call of the port per
    period back (a period is finalised once the partner's own invoice is stored)."""
    chains: dict[str, _Chain] = {}
    pending = {p.id: periods[p.timezone] for p in partners if not periods[p.timezone].is_first}
    while pending:  # 0002-01 is never pending: no period before it
        earlier = {pid: _previous(local, previous) for pid, local in pending.items()}
        by_key: dict[str, list[str]] = defaultdict(list)
        for pid, finalised in earlier.items():
            by_key[finalised.key].append(pid)
        pending = {}
        for key, ids in by_key.items():
            found = store.invoices.for_partners(ids, key)
            for pid in ids:
                invoices = found.get(pid, ())
                own = invoice_id(pid, key)
                if not any(invoice.id == own for invoice in invoices):
                    continue
                chains.setdefault(pid, []).append((earlier[pid], invoices))
                if not earlier[pid].is_first:
                    pending[pid] = earlier[pid]
    return chains


def _late_usages(
    store: BillingStore,
    partners: Sequence[Team],
    periods: Mapping[str, BillingPeriod],
    clients_of: Mapping[str, list[Team]],
    histories: _Histories,
    previous: dict[BillingPeriod, BillingPeriod],
    billers: Billers,
) -> dict[str, dict[str, list[LateUsage]]]:
    """Usage of finalised periods not yet billed, by partner then client: due in the first
    open period after them (:func:`_late_usage`).

    In each finalised period only the clients the partner billed then (its clients at that
    period's last instant, as :func:`~partnercore.billing.billing_partner` says) are
    compared: a client that came from another partner since was billed there. The usage
    totals of each finalised period are read for all the partners at once.
    """
    chains = _chains(store, partners, periods, previous)
    currents: dict[str, list[set[str]]] = {}
    asked: dict[BillingPeriod, set[str]] = defaultdict(set)
    for pid, chain in chains.items():
        clients = clients_of[pid]
        currents[pid] = []
        for finalised, _ in chain:
            current = {
                client.id
                for client in clients
                if billers.of(client, histories.get(client.id, ()), finalised) == pid
            }
            currents[pid].append(current)
            asked[finalised] |= current
    totals: dict[BillingPeriod, dict[str, list[UsageTotal]]] = {}
    for finalised, ids in asked.items():
        by_client = totals[finalised] = defaultdict(list)
        for total in store.usage.totals(finalised, sorted(ids)) if ids else ():
            by_client[total.client_id].append(total)
    return {pid: _late_usage(chain, currents[pid], totals) for pid, chain in chains.items()}


def _billed_usage(
    chain: _Chain,
) -> tuple[dict[tuple[str, str, str], Decimal], dict[tuple[str, str, str], Money]]:
    """What the chain's invoices billed, by (client, metric, original period): the
    quantities and the amounts."""
    billed: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    amounts: dict[tuple[str, str, str], Money] = {}
    for finalised, invoices in chain:
        for invoice in invoices:
            for client_id, line in invoice.client_lines():
                if line.metric is None:
                    continue
                if line.kind is LineKind.USAGE:
                    key = (client_id, line.metric, finalised.key)
                elif line.kind is LineKind.ADJUSTMENT and line.original_period is not None:
                    key = (client_id, line.metric, line.original_period)
                else:
                    continue
                billed[key] = EXACT.add(billed[key], line.quantity)
                known = amounts.get(key)
                amounts[key] = line.amount if known is None else known + line.amount
    return billed, amounts


def _late_usage(
    chain: _Chain,
    currents: list[set[str]],
    totals: Mapping[BillingPeriod, Mapping[str, list[UsageTotal]]],
) -> dict[str, list[LateUsage]]:
    """One partner's usage of its finalised periods (``chain``) not yet billed: the
    difference between each period's usage totals (of the clients in ``currents``, the
    partner's clients in each) and what its invoices billed."""
    billed, amounts = _billed_usage(chain)
    late: dict[str, list[LateUsage]] = defaultdict(list)
    for (finalised, _), current in zip(reversed(chain), reversed(currents), strict=True):
        by_client = totals[finalised]
        seen: set[tuple[str, str, str]] = set()
        for total in (t for client_id in sorted(current) for t in by_client.get(client_id, ())):
            key = (total.client_id, total.metric, finalised.key)
            seen.add(key)
            already = billed.get(key, Decimal(0))
            difference = EXACT.subtract(total.quantity, already)
            if difference:
                late[total.client_id].append(
                    LateUsage(
                        client_id=total.client_id,
                        metric=total.metric,
                        original_period=finalised.key,
                        quantity=difference,
                        billed_quantity=already,
                        billed_amount=amounts.get(key),
                    )
                )
        for (client_id, metric, original), quantity in sorted(billed.items()):
            unbilled = (client_id, metric, original) not in seen
            if original == finalised.key and client_id in current and quantity and unbilled:
                late[client_id].append(
                    LateUsage(
                        client_id=client_id,
                        metric=metric,
                        original_period=original,
                        quantity=quantity.copy_negate(),  # exact: unary minus rounds
                        billed_quantity=quantity,
                        billed_amount=amounts.get((client_id, metric, original)),
                    )
                )
    return late


class _UsageIndex:
    """Usage totals kept in one list, each client's totals a contiguous run of it.

    (One list and a dict of index pairs instead of a list per client: billing many
    clients allocates far fewer long-lived objects.)
    """

    def __init__(self) -> None:
        self.totals: list[UsageTotal] = []
        self.runs: dict[str, tuple[int, int]] = {}

    def extend(self, totals: list[UsageTotal], client_ids: list[str]) -> None:
        """Add the totals of one port call for ``client_ids`` (totals of others are ignored)."""
        asked = set(client_ids)
        found = [total for total in totals if total.client_id in asked]
        if not self._contiguous(found):  # the port sorts by client: this is rare
            found.sort(key=_client_of)
        offset = len(self.totals)
        self.totals.extend(found)
        start = 0
        for index in range(1, len(found) + 1):
            if index == len(found) or found[index].client_id != found[start].client_id:
                self.runs[found[start].client_id] = (offset + start, offset + index)
                start = index

    def _contiguous(self, totals: list[UsageTotal]) -> bool:
        """Whether each client's totals are next to each other."""
        seen: set[str] = set()
        last = None
        for total in totals:
            client_id = total.client_id
            if client_id != last:
                if client_id in seen:
                    return False
                seen.add(client_id)
                last = client_id
        return True

    def of(self, client_id: str) -> tuple[UsageTotal, ...]:
        run = self.runs.get(client_id)
        return () if run is None else tuple(self.totals[run[0] : run[1]])


def _client_of(total: UsageTotal) -> str:
    return total.client_id


def billing_inputs(
    store: BillingStore,
    period: BillingPeriod | str,
    *,
    partner_id: str | None = None,
    content: ContentChargeSource | None = None,
) -> list[PartnerBillingInput]:
    """Everything :func:`calculate_run` needs for ``period``, loaded through the store.

    One record per partner (or only ``partner_id``): its price book, referral rate and
    time zone, its advisor seats, and per client the billing model, the spans of ``full``
    licence, the usage totals, late usage of finalised periods, content charges and the
    terms its partner's billing account records for it (deal price book, employee count,
    discounts). The clients are those the partner had at the period's last instant
    (``store.history``). A partner whose book has partner tiers gets its trailing revenue:
    its clients' referral bases over the twelve periods before, in one pass over its
    history (§5.1).
    """
    return list(_load_inputs(store, period, _partners(store, partner_id), content))


class _Books:
    """Price books by id, each read once per run."""

    __slots__ = ("_books", "_store")

    def __init__(self, store: BillingStore) -> None:
        self._store = store
        self._books: dict[str, PriceBook] = {}

    def __call__(self, price_book_id: str) -> PriceBook:
        book = self._books.get(price_book_id)
        if book is None:
            book = self._books[price_book_id] = self._store.price_books.get(price_book_id)
        return book


def _accounts(
    store: BillingStore, partners: Sequence[Team], book_of: _Books
) -> tuple[dict[str, BillingAccount], list[Team]]:
    """The partners' billing accounts (read at once), and the partners whose books have
    partner tiers; :class:`~partnercore.NotFoundError` for the first without an account."""
    found = store.accounts.for_partners([partner.id for partner in partners]) if partners else {}
    accounts: dict[str, BillingAccount] = {}
    tiered: list[Team] = []
    for partner in partners:
        account = found.get(partner.id)
        if account is None:
            raise NotFoundError("billing account", partner.id)
        accounts[partner.id] = account
        if book_of(account.price_book_id).partner_tiers:
            tiered.append(partner)
    return accounts, tiered


def _usage(
    store: BillingStore,
    partners: Sequence[Team],
    periods: Mapping[str, BillingPeriod],
    clients_of: Mapping[str, list[Team]],
) -> dict[str, _UsageIndex]:
    """The usage totals of the partners' clients, one index (and one read) per zone:
    partners in different zones have different months, and a client transferred near a
    month's end may belong to a partner in each."""
    by_zone: dict[str, list[str]] = defaultdict(list)
    for partner in partners:
        by_zone[partner.timezone].extend(client.id for client in clients_of[partner.id])
    usage: dict[str, _UsageIndex] = {}
    for zone, client_ids in sorted(by_zone.items()):
        usage[zone] = index = _UsageIndex()
        if client_ids:
            index.extend(store.usage.totals(periods[zone], client_ids), client_ids)
    return usage


def _load_inputs(
    store: BillingStore,
    period: BillingPeriod | str,
    partners: list[Team],
    content: ContentChargeSource | None,
) -> Iterator[PartnerBillingInput]:
    """The inputs of each partner in turn. Each port is called a constant number of times
    per run, whatever the number of partners and clients: clients, transfers, histories,
    accounts, licences, seats, finalised invoices and usage totals are read for all the
    partners at once (usage totals per time zone)."""
    periods = _periods(period, partners)
    ids = [partner.id for partner in partners]
    histories: _Histories = {}
    billers = Billers(store.teams, partners)
    candidates = Candidates(store, ids)
    clients_of = _clients_at_end(store, partners, periods, candidates, histories, billers)
    usage = _usage(store, partners, periods, clients_of)
    book_of = _Books(store)
    accounts, tiered = _accounts(store, partners, book_of)
    spans: dict[str, dict[str, Intervals]] = {}
    trailing = _trailing(
        store, tiered, periods, accounts, book_of, histories, spans, billers, candidates
    )
    late = _late_usages(store, partners, periods, clients_of, histories, {}, billers)
    licenses = _unread_licenses(store, partners, clients_of, spans)
    seats = store.memberships.for_teams(ids) if ids else {}
    for partner in partners:
        zone = partner.timezone
        clients = _client_inputs(
            clients_of.pop(partner.id),
            periods[zone],
            accounts[partner.id],
            _Sources(licenses, spans.get(zone, {}), usage[zone], late.get(partner.id, {})),
            book_of,
            content,
        )
        account = accounts.pop(partner.id)
        yield PartnerBillingInput(
            partner_id=partner.id,
            price_book=book_of(account.price_book_id),
            referral_rate=account.referral_rate,
            timezone=zone,
            seats=_seats(seats.get(partner.id, ())),
            clients=clients,
            trailing_revenue=trailing.get(partner.id),
            created_at=partner.created_at,
        )


def _trailing(
    store: BillingStore,
    tiered: list[Team],
    periods: dict[str, BillingPeriod],
    accounts: dict[str, BillingAccount],
    book_of: _Books,
    histories: _Histories,
    spans: dict[str, dict[str, Intervals]],
    billers: Billers,
    candidates: Candidates,
) -> dict[str, Money]:
    """The trailing revenue of each partner on a tiered book (none without one). Fills
    ``spans`` with the licence spans it read, by (zone, client): from the window's start to
    the period's end, so that the period itself reads none again."""
    if not tiered:
        return {}
    return trailing_revenues(
        store, tiered, periods, accounts, book_of, TermsCache(), histories, spans, billers,
        candidates,
    )  # fmt: skip


def _unread_licenses(
    store: BillingStore,
    partners: list[Team],
    clients_of: dict[str, list[Team]],
    spans: dict[str, dict[str, Intervals]],
) -> Mapping[str, License]:
    """The licences of the clients whose spans the trailing revenue did not read, at once."""
    unread = [
        client.id
        for partner in partners
        for client in clients_of[partner.id]
        if client.id not in spans.get(partner.timezone, {})
    ]
    return store.licenses.for_teams(unread) if unread else {}


class _Sources:
    """What was read for a partner's clients: licences (or the spans read for the trailing
    revenue), usage totals and late usage."""

    __slots__ = ("late", "licenses", "spans", "usage")

    def __init__(
        self,
        licenses: Mapping[str, License],
        spans: Mapping[str, Intervals],
        usage: _UsageIndex,
        late: Mapping[str, list[LateUsage]],
    ) -> None:
        self.licenses = licenses
        self.spans = spans
        self.usage = usage
        self.late = late


def _client_inputs(
    clients: list[Team],
    local: BillingPeriod,
    account: BillingAccount,
    sources: _Sources,
    book_of: _Books,
    content: ContentChargeSource | None,
) -> tuple[ClientBillingInput, ...]:
    """The inputs of a partner's clients for its period ``local``."""
    start, end = local.start, local.end
    inputs = []
    for client in clients:
        known = sources.spans.get(client.id)
        agreed = account.terms_of(client.id)
        late = sources.late.get(client.id)
        inputs.append(
            ClientBillingInput(
                client_id=client.id,
                billing_model=client.client_billing_model,
                full_intervals=full_spans(sources.licenses.get(client.id), start, end)
                if known is None
                else clip(known, start, end),
                usage=sources.usage.of(client.id),
                late_usage=tuple(late) if late else (),
                content=() if content is None else tuple(content.content_charges(client.id, local)),
                price_book=None
                if agreed is None or agreed.price_book_id is None
                else book_of(agreed.price_book_id),
                employee_count=None if agreed is None else agreed.employee_count,
                discounts=() if agreed is None else agreed.discounts,
            )
        )
    return tuple(inputs)


def bill_period(
    store: BillingStore,
    period: BillingPeriod | str,
    *,
    partner_id: str | None = None,
    content: ContentChargeSource | None = None,
    invoicing: Invoicing | None = None,
) -> BillingRun:
    """The invoices and referral statements of ``period`` for every partner (or one).

    ``period`` is ``YYYY-MM`` (or a ``BillingPeriod``, of which only the month is used):
    each partner is billed for that month in its own time zone, for the clients it had at
    the month's last instant (as ``store.history`` records transfers), so billing a past
    period after a transfer changes nothing. Reads through the ports and writes nothing:
    billing twice gives equal runs with the same ids.
    ``content`` supplies content charges (none without it). ``invoicing`` configures tax
    (§5.2; none without it). Each statement takes back the referral on the credit notes
    issued in its period. A run is always a draft: it carries no legal numbers, even for a
    finalised period (see :func:`finalised_invoices`).
    """
    year, month = month_of(period)
    partners = _partners(store, partner_id)
    inputs = _load_inputs(store, period, partners, content)
    run = calculate_run(f"{year:04d}-{month:02d}", inputs)
    issued = _credit_notes(store, _periods(period, partners), partners)
    return tax_run(store, credit_referrals(store, run, issued), invoicing)


def _periods(period: BillingPeriod | str, partners: Sequence[Team]) -> dict[str, BillingPeriod]:
    """The month of ``period`` in each of the partners' time zones, by zone."""
    year, month = month_of(period)
    periods: dict[str, BillingPeriod] = {}
    for partner in partners:
        if partner.timezone not in periods:
            periods[partner.timezone] = BillingPeriod(year, month, partner.timezone)
    return periods


def _credit_notes(
    store: BillingStore, periods: Mapping[str, BillingPeriod], partners: Sequence[Team]
) -> dict[str, Sequence[CreditNote]]:
    """The credit notes issued in each partner's period, by partner id: read for all the
    partners of a time zone at once."""
    by_zone: dict[str, list[str]] = defaultdict(list)
    for partner in partners:
        by_zone[partner.timezone].append(partner.id)
    issued: dict[str, Sequence[CreditNote]] = {}
    for zone, ids in sorted(by_zone.items()):
        local = periods[zone]
        issued.update(store.credit_notes.issued_for_partners(ids, local.start, local.end))
    return issued


def finalise(
    store: BillingStore,
    period: BillingPeriod | str,
    *,
    at: datetime,
    by: Actor,
    partner_id: str | None = None,
    content: ContentChargeSource | None = None,
    invoicing: Invoicing | None = None,
) -> BillingRun:
    """Bill ``period`` and store its invoices through the invoice port, all at once.

    The comparison with what is stored and the storing of every new invoice happen in one
    unit of work: concurrent finalisations leave either one complete run stored or a
    :class:`~partnercore.ConflictError` and nothing stored. Finalising again with identical
    results stores nothing (a no-op); with different results it is a conflict. Finalised
    invoices are never changed: usage that arrives later is billed in the next open period
    as an ``adjustment`` line naming the original period. Each newly stored invoice appends
    an ``invoice_finalised`` event.

    The invoices newly stored get legal numbers (§5.2), in ascending id order, from the
    gap-free sequence of the UTC year of ``at``, allocated in the same unit of work, with
    ``issued_at`` = ``at`` and ``due_at`` after ``invoicing.payment_terms_days``; a
    re-finalisation numbers nothing. Read them with :func:`finalised_invoices`.

    ``by`` is :data:`~partnercore.events.SYSTEM` (a billing run), or a user holding
    ``billing.manage`` on the partner team when ``partner_id`` names one partner.
    """
    with store.unit_of_work():
        if partner_id is None:
            system_only(by, "finalise every partner's invoices")
        else:
            authorise(
                store,
                by,
                Permission.BILLING_MANAGE,
                partner_id,
                at,
                f"finalise {partner_id}'s invoices",
            )
        at = ensure_aware(at, "at")
        settings = invoicing if invoicing is not None else Invoicing()
        run = bill_period(store, period, partner_id=partner_id, content=content, invoicing=settings)
        to_add = _unstored(store, run)
        for invoice in to_add:
            store.invoices.add(invoice)
        number_invoices(store, to_add, at, settings)
        store.events.append([_finalised(invoice, at, by) for invoice in to_add])
        return run


def _unstored(store: BillingStore, run: BillingRun) -> list[Invoice]:
    """The invoices of ``run`` not stored yet; ConflictError if any stored one differs."""
    to_add: list[Invoice] = []
    for pid in sorted({invoice.partner_id for invoice in run.invoices}):
        computed = {invoice.id: invoice for invoice in run.invoices_of(pid)}
        stored = {invoice.id: invoice for invoice in store.invoices.for_partner(pid, run.period)}
        complete = invoice_id(pid, run.period) in stored
        differing = sorted(
            invoice_id_
            for invoice_id_ in stored.keys() | (computed.keys() if complete else set())
            if stored.get(invoice_id_) != computed.get(invoice_id_)
        )
        if differing:
            raise ConflictError(
                f"period {run.period} of partner {pid!r} was finalised with different results "
                f"(invoices {', '.join(differing)})",
                kind="invoice",
                id=differing[0],
            )
        missing = [invoice for key, invoice in computed.items() if key not in stored]
        # The partner's own invoice goes last: once it is stored, the period is complete.
        missing.sort(key=lambda invoice: (invoice.is_partner_invoice, invoice.id))
        to_add.extend(missing)
    return to_add


def _finalised(invoice: Invoice, at: datetime, by: Actor) -> InvoiceFinalised:
    return InvoiceFinalised(
        at=at,
        by=actor_id(by),
        team_id=invoice.billed_to,
        invoice_id=invoice.id,
        partner_id=invoice.partner_id,
        period=invoice.period,
        total=str(invoice.total.amount),
        currency=invoice.total.currency.code,
    )
