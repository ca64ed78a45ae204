"""Which partner bills a client for a month, whatever its transfers (§5).

Each partner's month ends at its own local midnight. A client is billed for a month by
exactly one partner, settled as the month ends: following the client's partners in time
order, the first one whose month ends while it has the client bills it (for partners of one
time zone: the partner it has at the month's last instant). A client that arrives at a partner
whose month has already ended is billed for that month by the partner it left, whose month
was still running when it left; the new partner bills it from the next month. So every month
of a client is billed once, and a partner's month, once ended, never changes: a later
transfer cannot add a client to it or take one from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from partnercore._errors import ValidationError
from partnercore.tenancy import (
    Team,
    TeamChange,
    TeamKind,
    TeamRepository,
    TenancyReader,
    Transfer,
)
from partnercore.time import BillingPeriod, period_key

__all__ = ["SETTLING", "Billers", "MonthEnds", "billed_for", "billing_partner", "month_of"]

SETTLING = timedelta(days=2)
"""Longer than any two time zones' month ends lie apart: a partner bills, for a month, only
clients it had at some instant less than this before its own month's end."""


class MonthEnds:
    """The end of one month (the next month's first instant) in each partner's time zone,
    each computed once."""

    __slots__ = ("_ends", "_month", "_partners", "_year", "_zone_of")

    def __init__(self, year: int, month: int, zone_of: Callable[[str], str]) -> None:
        self._year = year
        self._month = month
        self._zone_of = zone_of
        self._ends: dict[str, datetime] = {}
        self._partners: dict[str, datetime] = {}

    def of_zone(self, zone: str) -> datetime:
        """The month's end in ``zone``."""
        end = self._ends.get(zone)
        if end is None:
            end = self._ends[zone] = BillingPeriod(self._year, self._month, zone).end
        return end

    def __call__(self, partner_id: str) -> datetime:
        """The month's end in the time zone of partner ``partner_id``."""
        end = self._partners.get(partner_id)
        if end is None:
            end = self._partners[partner_id] = self.of_zone(self._zone_of(partner_id))
        return end


class Billers:
    """Who bills which client, month by month, in one billing run: each partner's time zone
    is looked up once (by key), each month's end in each zone computed once."""

    __slots__ = ("_months", "_teams", "_zones")

    def __init__(self, teams: TeamRepository, partners: Iterable[Team] = ()) -> None:
        self._teams = teams
        self._zones = {partner.id: partner.timezone for partner in partners}
        self._months: dict[tuple[int, int], MonthEnds] = {}

    def _zone(self, partner_id: str) -> str:
        zone = self._zones.get(partner_id)
        if zone is None:
            zone = self._zones[partner_id] = self._teams.get(partner_id).timezone
        return zone

    def month(self, year: int, month: int) -> MonthEnds:
        """The ends of month ``year-month`` in the partners' zones."""
        ends = self._months.get((year, month))
        if ends is None:
            ends = self._months[(year, month)] = MonthEnds(year, month, self._zone)
        return ends

    def of(self, client: Team, changes: Sequence[TeamChange], period: BillingPeriod) -> str | None:
        """The partner that bills ``client`` for the month of ``period``."""
        return billed_for(client, changes, self.month(period.year, period.month))


def month_of(period: BillingPeriod | str) -> tuple[int, int]:
    """The year and month of ``period`` (``YYYY-MM``, or a ``BillingPeriod``)."""
    if isinstance(period, BillingPeriod):
        return period.year, period.month
    parsed = BillingPeriod.parse(period_key(period))
    return parsed.year, parsed.month


def billed_for(client: Team, changes: Sequence[TeamChange], ends: MonthEnds) -> str | None:
    """The partner that bills ``client`` for the month of ``ends`` (``None``: nobody, the
    client was created after its partner's month had ended). ``changes``: its history,
    oldest first."""
    created = client.created_at
    transfers = [change for change in changes if type(change) is Transfer]
    if not transfers:
        partner = client.parent_id
        if partner is None:
            return None
        return partner if created < ends(partner) else None
    # The partners that had it, in turn: (partner, from, until).
    holdings: list[tuple[str, datetime, datetime | None]] = []
    holder, since = transfers[0].from_partner, created
    for transfer in transfers:
        holdings.append((holder, since, transfer.at))
        holder, since = transfer.to_partner, transfer.at
    holdings.append((holder, since, None))
    previous: str | None = None
    for partner, start, until in holdings:
        start = max(start, created)
        if until is not None and until <= start:  # left at once (or before it existed)
            continue
        end = ends(partner)
        if start >= end:  # arrived after its month had ended: the partner it left bills
            return previous
        if until is None or end <= until:  # had it at its month's last instant
            return partner
        previous = partner
    return None  # not reached: the last holding never ends


def billing_partner(
    store: TenancyReader, client_id: str, period: BillingPeriod | str
) -> str | None:
    """The partner that bills client ``client_id`` for the month of ``period`` (``YYYY-MM``
    or a ``BillingPeriod``, of which only the month is used), or ``None`` when nobody does
    (the client was created after its partner's month ended).

    Usually the partner it has at the last instant of that month in the partner's time zone;
    around month ends, between partners of different time zones, the partner whose month
    ended first while it had the client (see ``docs/billing.md``, "Clients that change
    partner"). Reads the client, its history and the time zones of its partners.
    """
    year, month = month_of(period)
    teams = store.teams
    client = teams.get(client_id)
    if client.kind is not TeamKind.CLIENT:
        raise ValidationError.at("client_id", f"{client_id!r} is a partner team, not a client")
    ends = Billers(teams).month(year, month)
    return billed_for(client, store.history.for_team(client_id), ends)
