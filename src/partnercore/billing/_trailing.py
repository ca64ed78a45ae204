"""A partner's trailing revenue (§5.1): its clients' referral bases over the twelve periods
before the billed one, in one pass over its history.

Billing the twelve periods in full would compute seats, invoices, content and statements the
tier does not need. Here each client of the window is looked up once (its history, its
licence timeline over the whole window), each period's usage totals are read once for every
tiered partner of a time zone, and only the referral bases are computed, with the same code
as the calculator (``Terms``): licence, usage, discount. A client whose licence was ``full``
over the whole window and that used nothing costs a multiplication.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from partnercore._errors import CurrencyMismatchError, ValidationError
from partnercore._trusted import trusted_builder
from partnercore.billing._deals import ClientTerms, Discount, discount_in
from partnercore.billing._ports import BillingStore
from partnercore.billing._pricebook import BillingAccount, PriceBook
from partnercore.billing._proration import PeriodFrame, checked_license_share
from partnercore.billing._rounding import EXACT
from partnercore.billing._terms import Terms, TermsCache
from partnercore.billing._transfers import SETTLING, Billers, MonthEnds, billed_for
from partnercore.billing._usage import UsageTotal
from partnercore.licensing import License, LicenseState
from partnercore.money import Money
from partnercore.tenancy import Team, TeamChange
from partnercore.time import BillingPeriod, Span

__all__ = [
    "WINDOW",
    "Candidates",
    "Intervals",
    "clip",
    "full_intervals",
    "full_spans",
    "read_histories",
    "trailing_revenues",
]

WINDOW = 12
"""How many periods before the billed one make the trailing revenue."""

_STEP = timedelta(microseconds=1)

Intervals = tuple[Span, ...]

#: Spans built from bounds already checked (a licence interval's, or a span's narrowed).
_span = trusted_builder(Span)


class _Client:
    """One client of one partner in the window: in which periods it was the partner's, and
    what its usage in them comes to. ``other`` chains the entry of another partner of the
    same zone that had the client in other periods of the window (rare: a transfer)."""

    __slots__ = ("discounts", "employees", "id", "member", "other", "own", "partner", "usage")

    def __init__(
        self,
        client_id: str,
        partner_id: str,
        member: list[bool],
        own: Terms,
        terms: ClientTerms | None,
    ) -> None:
        self.id = client_id
        self.partner = partner_id
        self.member = member
        self.own = own
        self.employees = None if terms is None else terms.employee_count
        self.discounts: tuple[Discount, ...] = () if terms is None else terms.discounts
        self.usage: list[int] | None = None
        self.other: _Client | None = None

    @property
    def path(self) -> str:
        """Where an error about this client is: ``partners[p].trailing_revenue.clients[c]``."""
        return f"partners[{self.partner}].trailing_revenue.clients[{self.id}]"


_ALWAYS = [True] * WINDOW
_NEVER = [False] * WINDOW


def _member(
    client: Team, changes: Sequence[TeamChange], partner_id: str, months: list[MonthEnds]
) -> list[bool]:
    """For each period of the window, whether the partner billed ``client`` for it (had it at
    its last instant, as ``billing_partner`` says; the lists of a client that always or never
    was are shared: never change them)."""
    if not changes:
        if client.parent_id != partner_id:
            return _NEVER
        created = client.created_at
        if created < months[0](partner_id):
            return _ALWAYS
        return [created < month(partner_id) for month in months]
    return [billed_for(client, changes, month) == partner_id for month in months]


class Candidates:
    """The clients each partner of a billing run may have billed: its current clients and
    those transferred away from it, read for all the run's partners at once (one call of
    ``teams.clients_of_partners`` and one of ``history.transfers_from_partners``)."""

    __slots__ = ("_by_id", "_clients", "_teams", "_transfers")

    def __init__(self, store: BillingStore, partner_ids: Sequence[str]) -> None:
        self._clients = store.teams.clients_of_partners(partner_ids) if partner_ids else {}
        self._transfers = store.history.transfers_from_partners(partner_ids) if partner_ids else {}
        self._teams = store.teams
        self._by_id: dict[str, Team] | None = None

    def of(self, partner_id: str, since: datetime) -> list[Team]:
        """The clients ``partner_id`` may have billed since ``since``: its current clients,
        then those transferred away from it at or after ``since`` (newest transfers first,
        stopping there), each once; looked up by key, never by scanning."""
        clients = list(self._clients.get(partner_id, ()))
        looked = {client.id for client in clients}
        for transfer in reversed(self._transfers.get(partner_id, ())):  # newest first
            if transfer.at < since:
                break
            if transfer.client_id in looked:
                continue
            looked.add(transfer.client_id)
            clients.append(self._team(transfer.client_id))
        return clients

    def _team(self, client_id: str) -> Team:
        """A client transferred away: found among the run's current clients (it is another
        partner's now), else looked up by key (a partner billed alone)."""
        by_id = self._by_id
        if by_id is None:  # indexed when first needed: transfers are rare
            by_id = self._by_id = {
                client.id: client for clients in self._clients.values() for client in clients
            }
        found = by_id.get(client_id)
        if found is None:
            found = by_id[client_id] = self._teams.get(client_id)
        return found


def read_histories(
    store: BillingStore, clients: Sequence[Team], histories: dict[str, Sequence[TeamChange]]
) -> None:
    """Keep in ``histories`` the history of each of ``clients`` not in it yet (an empty one
    too), read with one call of the port for all of them."""
    missing = [client.id for client in clients if client.id not in histories]
    if not missing:
        return
    found = store.history.for_teams(missing)
    for client_id in missing:
        histories[client_id] = found.get(client_id, ())


def _window_clients(
    clients: Sequence[Team],
    partner_id: str,
    histories: dict[str, Sequence[TeamChange]],
    months: list[MonthEnds],
) -> list[tuple[Team, list[bool]]]:
    """Every client of ``clients`` (the partner's candidates for the window, their
    histories read) the partner billed for a period of the window, sorted by id."""
    found: dict[str, tuple[Team, list[bool]]] = {}
    for client in clients:
        member = _member(client, histories[client.id], partner_id, months)
        if any(member):
            found[client.id] = (client, member)
    return [found[client_id] for client_id in sorted(found)]


def full_intervals(
    store: BillingStore, client_id: str, start: datetime, end: datetime
) -> Intervals:
    """The ``[start, end)`` spans of ``[start, end)`` in which the client's licence was full."""
    return full_spans(store.licenses.find(client_id), start, end)


def full_spans(license: License | None, start: datetime, end: datetime) -> Intervals:
    """The ``[start, end)`` spans of ``[start, end)`` in which ``license`` was full (none
    without a licence)."""
    if license is None:
        return ()
    return tuple(
        _span(start=interval.start, end=interval.end)  # a licence interval's own bounds
        for interval in license.timeline(start, end)
        if interval.state is LicenseState.FULL
    )


def _whole(client: _Client, intervals: Intervals, first: datetime, last: datetime) -> bool:
    """Whether the client's licence was full from ``first`` to ``last`` without a break."""
    if len(intervals) != 1:
        return False
    span = intervals[0]
    return span.start <= first and (span.end is None or span.end >= last)


def _licence_units(
    client: _Client, intervals: Intervals, frames: list[PeriodFrame]
) -> list[int] | None:
    """The client's licence charge in each period of the window (``None``: nothing)."""
    if not intervals:
        return None
    first, last = frames[0].start, frames[-1].end
    own = client.own
    member = client.member
    if _whole(client, intervals, first, last):  # full all along: the common case
        whole = own.fee(client.employees, "").units
        return [whole if is_member else 0 for is_member in member]
    spans = [
        span for span in intervals if span.start < last and (span.end is None or span.end > first)
    ]
    if not spans:
        return None
    units: list[int] = []
    for frame, is_member in zip(frames, member, strict=True):
        if not is_member:
            units.append(0)
            continue
        inside = [
            span
            for span in spans
            if span.start < frame.end and (span.end is None or span.end > frame.start)
        ]
        if not inside:
            units.append(0)
            continue
        share = checked_license_share(inside, frame, own.proration)
        if share.is_zero:
            units.append(0)
            continue
        units.append(own.license_line(own.fee(client.employees, ""), share)[1])
    return units


def _licence_total(client: _Client, intervals: Intervals, frames: list[PeriodFrame]) -> int:
    """The client's licence charges over the partner's periods of the window, summed."""
    if not intervals:
        return 0
    if _whole(client, intervals, frames[0].start, frames[-1].end):
        member = client.member
        periods = WINDOW if member is _ALWAYS else sum(member)
        return periods * client.own.fee(client.employees, "").units
    units = _licence_units(client, intervals, frames)
    return 0 if units is None else sum(units)


def _base(client: _Client, licence: int, usage: int, period: str, usage_only: bool) -> int:
    """The client's referral base for one period, after its discount (as the calculator)."""
    charges = licence + usage
    discount = discount_in(client.discounts, period) if client.discounts else None
    if discount is None or charges <= 0:
        return usage if usage_only else charges
    if usage_only:
        return usage - client.own.discounted(usage, discount) if usage > 0 else usage
    return charges - client.own.discounted(charges, discount)


def _window(current: BillingPeriod) -> list[BillingPeriod]:
    """The twelve periods before ``current``, oldest first."""
    window = [current.previous()]
    while len(window) < WINDOW:
        window.append(window[-1].previous())
    window.reverse()
    return window


def _owner(client: _Client | None, index: int) -> _Client | None:
    """The entry of the partner that had the client at the end of period ``index``."""
    while client is not None and not client.member[index]:
        client = client.other
    return client


class _Zone:
    """The window of one time zone's tiered partners, and their clients in it."""

    __slots__ = ("by_id", "clients_of", "end", "frames", "group", "keys", "spans", "window")

    def __init__(
        self, current: BillingPeriod, group: list[Team], spans: dict[str, Intervals]
    ) -> None:
        self.group = group
        self.window = _window(current)
        self.keys = [period.key for period in self.window]
        self.frames = [PeriodFrame.of(period) for period in self.window]
        self.end = current.end
        self.spans = spans
        #: The clients of the zone's tiered partners in the window, by id (a client two of
        #: them had, in different periods, is chained through ``other``).
        self.by_id: dict[str, _Client] = {}
        self.clients_of: dict[str, list[_Client]] = {}

    @property
    def since(self) -> datetime:
        """Shortly before the window's first period ended: transfers before it do not count."""
        return self.frames[0].end - _STEP - SETTLING


def trailing_revenues(
    store: BillingStore,
    partners: Sequence[Team],
    periods: dict[str, BillingPeriod],
    accounts: dict[str, BillingAccount],
    book_of: Callable[[str], PriceBook],
    books: TermsCache,
    histories: dict[str, Sequence[TeamChange]],
    intervals: dict[str, dict[str, Intervals]],
    billers: Billers,
    candidates: Candidates,
) -> dict[str, Money]:
    """The trailing revenue of each of ``partners`` (whose books have partner tiers) for the
    period of its zone in ``periods``: the sum of its clients' referral bases, after
    discounts, over the twelve periods before it.

    A client counts in the periods for which the partner billed it (``billers``). The
    histories of every partner's candidates (``candidates``) are read at once, and so are the
    licences of every client, whatever its partner: a constant number of calls of the ports
    per run. The licence spans read for a client are kept in ``intervals`` (by zone, then
    client), from the window's start to the billed period's end, so the billed period reads
    none again. Few objects are made per client: a full collection of a large heap is costly.
    """
    by_zone: dict[str, list[Team]] = defaultdict(list)
    for partner in partners:
        by_zone[partner.timezone].append(partner)
    zones = [
        _Zone(periods[zone], group, intervals.setdefault(zone, {}))
        for zone, group in sorted(by_zone.items())
    ]
    found = {
        partner.id: candidates.of(partner.id, zone.since)
        for zone in zones
        for partner in zone.group
    }
    read_histories(store, [client for clients in found.values() for client in clients], histories)
    window_clients: dict[str, list[tuple[Team, list[bool]]]] = {}
    for zone in zones:
        months = [billers.month(period.year, period.month) for period in zone.window]
        for partner in zone.group:
            window_clients[partner.id] = _window_clients(
                found[partner.id], partner.id, histories, months
            )
    _read_spans(store, zones, window_clients)
    revenues: dict[str, Money] = {}
    for zone in zones:
        moving = False
        for partner in zone.group:
            account = accounts[partner.id]
            entered = _enter(zone, partner.id, window_clients[partner.id], account, book_of, books)
            moving = entered or moving
        _add_usage(store, zone, moving)
        for partner in zone.group:
            terms = books.of(book_of(accounts[partner.id].price_book_id))
            revenues[partner.id] = terms.money(_partner_total(zone, partner.id, terms.usage_only))
    return revenues


def _read_spans(
    store: BillingStore, zones: list[_Zone], clients: dict[str, list[tuple[Team, list[bool]]]]
) -> None:
    """Keep in each zone's ``spans`` the full-licence spans of its window clients, from the
    window's start to the billed period's end: their licences read with one call for all."""
    unread = sorted(
        {
            team.id
            for zone in zones
            for partner in zone.group
            for team, _ in clients[partner.id]
            if team.id not in zone.spans
        }
    )
    licenses = store.licenses.for_teams(unread) if unread else {}
    for zone in zones:
        start = zone.frames[0].start
        for partner in zone.group:
            for team, _ in clients[partner.id]:
                if team.id not in zone.spans:
                    zone.spans[team.id] = full_spans(licenses.get(team.id), start, zone.end)


def _enter(
    zone: _Zone,
    partner_id: str,
    clients: list[tuple[Team, list[bool]]],
    account: BillingAccount,
    book_of: Callable[[str], PriceBook],
    books: TermsCache,
) -> bool:
    """Enter the partner's window clients in ``zone``; whether any of them moved (was the
    partner's in some periods of the window only)."""
    terms = books.of(book_of(account.price_book_id))
    own_clients: list[_Client] = []
    moving = False
    for team, member in clients:
        agreed = account.terms_of(team.id)
        own = terms
        if agreed is not None and agreed.price_book_id is not None:
            deal = book_of(agreed.price_book_id)
            if deal.currency != terms.currency:
                raise CurrencyMismatchError(
                    terms.currency.code,
                    deal.currency.code,
                    f"bill (deal price book {deal.id!r} of {team.id!r})",
                )
            own = books.of(deal)
        client = _Client(team.id, partner_id, member, own, agreed)
        own_clients.append(client)
        client.other = zone.by_id.get(team.id)
        zone.by_id[team.id] = client
        moving = moving or member is not _ALWAYS
    zone.clients_of[partner_id] = own_clients
    return moving


def _add_usage(store: BillingStore, zone: _Zone, moving: bool) -> None:
    """Each client's usage charges in each period of the window: one read per period for
    all the zone's clients then."""
    by_id, keys = zone.by_id, zone.keys
    everyone = sorted(by_id)
    for index, period in enumerate(zone.window):
        asked = (
            everyone
            if not moving
            else [cid for cid in everyone if _owner(by_id[cid], index) is not None]
        )
        if not asked:
            continue
        for client_id, metric, quantity in _quantities(store.usage.totals(period, asked)):
            user = _owner(by_id.get(client_id), index)
            if user is None:
                continue
            if user.usage is None:
                user.usage = [0] * WINDOW
            try:
                user.usage[index] += user.own.usage_units(metric, quantity, "")
            except ValidationError as error:
                raise error.prefixed(f"{user.path}.usage[{keys[index]}]") from None


def _partner_total(zone: _Zone, partner_id: str, usage_only: bool) -> int:
    """The partner's clients' referral bases over the window, summed (minor units)."""
    total = 0
    for client in zone.clients_of[partner_id]:
        try:
            total += _client_total(
                client, zone.spans[client.id], zone.frames, zone.keys, usage_only
            )
        except ValidationError as error:
            raise error.prefixed(client.path) from None
    return total


def _quantities(totals: list[UsageTotal]) -> Iterator[tuple[str, str, Decimal]]:
    """(client, metric, quantity) of each total; the totals of one client and metric added
    (the port sorts them by client and metric: anything else is summed through a dict)."""
    previous_client = previous_metric = ""
    for total in totals:
        client_id, metric = total.client_id, total.metric
        if client_id < previous_client or (
            client_id == previous_client and metric <= previous_metric
        ):
            break
        previous_client, previous_metric = client_id, metric
    else:
        for total in totals:
            yield total.client_id, total.metric, total.quantity
        return
    sums: dict[tuple[str, str], Decimal] = {}
    for total in totals:
        key = (total.client_id, total.metric)
        had = sums.get(key)
        sums[key] = total.quantity if had is None else EXACT.add(had, total.quantity)
    for (client_id, metric), quantity in sums.items():
        yield client_id, metric, quantity


def _client_total(
    client: _Client,
    spans: Intervals,
    frames: list[PeriodFrame],
    keys: list[str],
    usage_only: bool,
) -> int:
    """The client's referral bases over the partner's periods of the window, summed."""
    usage = client.usage
    if usage is None and not client.discounts:  # the licence alone
        return 0 if usage_only else _licence_total(client, spans, frames)
    licence = _licence_units(client, spans, frames)
    member = client.member
    total = 0
    for index in range(WINDOW):
        if member[index]:
            total += _base(
                client,
                0 if licence is None else licence[index],
                0 if usage is None else usage[index],
                keys[index],
                usage_only,
            )
    return total


def clip(spans: Intervals, start: datetime, end: datetime) -> Intervals:
    """``spans`` clipped to ``[start, end)``, empty ones left out."""
    clipped: list[Span] = []
    for span in spans:
        low, high = span.start, span.end
        if low >= end or (high is not None and high <= start):
            continue
        if low >= start and high is not None and high <= end:
            clipped.append(span)
            continue
        clipped.append(
            _span(  # bounds of a valid span, narrowed: still start <= end, still UTC
                start=low if low > start else start,
                end=end if high is None or high > end else high,
            )
        )
    return tuple(clipped)
