"""The access index (§7): compiled decisions over time, kept as fresh as a caller asks from the
store's events, and the access-change feed.

How it works:

- **A copy, by revision.** The index keeps its own copy of what a decision reads, keyed as
  the access check looks it up: team records, users, a user's memberships (per team and all
  of them), a partner's grants per client and for every client, consent changes and team
  histories. ``revision`` is the store revision that copy is exactly. Catching up reads the
  events since ``revision`` and, for each record key they name, the store's current value of
  that key (nothing else: never a full rebuild), all inside one unit of work, then checks the
  store's revision did not move while it read (else it reads again). Earlier values are
  kept, stamped with the revision of the last event that changed them, for ``changes``.
- **Timelines.** For each (user, team) pair the decision depends on a known set of records;
  between the instants those records name (a grant's start, expiry and revocation, a
  membership's start and end, a transfer, a status or consent change, the team's creation)
  every decision is constant. A pair's timeline holds those instants, sorted, and for each
  interval and permission the decision, computed once by the access check itself
  (:func:`~partnercore.tenancy._access.decide`) over the copy, at the interval's first
  instant, when first asked. So a decision is the uncached check's, explanation included.
  Pairs related by a membership (the user's team, its partner's clients, through any partner
  the client ever had) are compiled when the index is built; others (strangers) when first
  asked, and dropped when too many.
- **Reach.** ``teams`` and ``who`` keep, per user and per team, the union of the intervals
  of the related pairs, and for each interval and permission the sorted answer.
- **Catching up** recompiles the timelines that depend on a changed record (every timeline
  of a user whose memberships changed, every timeline on a team whose record, history,
  consent or grants changed, and every timeline of the members of a team whose history
  changed, whose explanations name it), and forgets the reach of their users and teams.

Readers do not lock: a decision is read from one timeline (a tuple), which computing a
missing decision or catching up replaces whole. Those two, and the feed, hold one lock.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

import attrs

from partnercore._errors import (
    AccessDeniedError,
    ConflictError,
    NotFoundError,
    StoreError,
    ValidationError,
)
from partnercore.events import (
    ClientCreated,
    ClientOnboarded,
    ClientTransferred,
    ConsentRestored,
    ConsentRevoked,
    Event,
    GrantCreated,
    GrantRevoked,
    MembershipAdded,
    MembershipEnded,
    PartnerCreated,
    TeamStatusChanged,
    UserAdded,
    check_revision,
)
from partnercore.tenancy._access import decide, to_permission
from partnercore.tenancy._consent import ConsentChange
from partnercore.tenancy._decision import Decision, Holder
from partnercore.tenancy._grants import ALL, Grant
from partnercore.tenancy._history import TeamChange, Transfer
from partnercore.tenancy._people import Membership
from partnercore.tenancy._permissions import Permission
from partnercore.tenancy._ports import TenancyStore
from partnercore.tenancy._team import Team, TeamKind
from partnercore.time import ensure_aware

__all__ = ["AccessChange", "AccessIndex"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

_Pair = tuple[str, str]  # (user, team)

_PERMISSIONS = tuple(Permission)
# a permission (a member, or its text: a str-enum member hashes and compares as its value)
# to its place in a timeline's interval; keyed by the members, which a member finds at once
# (by identity) and a text by comparing (a key's text would cost every member a comparison)
_SLOT: dict[str, int] = {member: slot for slot, member in enumerate(_PERMISSIONS)}
_PARTNER = TeamKind.PARTNER
_MICROSECOND = timedelta(microseconds=1)

#: Timelines of unrelated (user, team) pairs kept at most; beyond, they are all dropped.
STRANGERS_KEPT = 200_000
#: Users looked up in the store and found missing, remembered at most.
ABSENT_KEPT = 10_000
#: How many times catching up reads again when the store moved on while it read.
ATTEMPTS = 20


@attrs.frozen(kw_only=True)
class AccessChange:
    """``user_id``'s decision for ``permission`` on ``team_id`` at the instant asked changed
    between two revisions: ``before`` (``None`` when the team or the user did not exist yet)
    and ``after``; ``revision`` is the revision that made it ``after``."""

    user_id: str
    team_id: str
    permission: Permission
    before: Decision | None
    after: Decision
    revision: int

    @property
    def allowed(self) -> bool:
        """Whether the permission is held after the change (it was not before, or the
        reverse)."""
        return self.after.allowed


# -- the copy of the store, by revision ----------------------------------------------------


class _Table(Generic[K, V]):
    """One kind of lookup: its current value per key, and earlier values by revision.

    ``versions[key]`` is ``(revisions, values)``: ``values[i]`` holds from ``revisions[i]``
    on; the first entry is the value the index started from (or kept, once older ones are
    forgotten). A key never changed since has no versions: its current value always held.
    """

    __slots__ = ("current", "empty", "versions")

    def __init__(self, empty: V) -> None:
        self.current: dict[K, V] = {}
        self.versions: dict[K, tuple[list[int], list[V]]] = {}
        self.empty = empty

    def get(self, key: K) -> V:
        return self.current.get(key, self.empty)

    def at(self, key: K, revision: int) -> V:
        versions = self.versions.get(key)
        if versions is None:
            return self.current.get(key, self.empty)
        revisions, values = versions
        return values[max(bisect_right(revisions, revision) - 1, 0)]

    def put(self, key: K, value: V, revision: int, base: int) -> bool:
        """Set ``key`` to ``value`` from ``revision`` on; whether it changed."""
        old = self.current.get(key, self.empty)
        if old == value:
            return False
        versions = self.versions.get(key)
        if versions is None:
            self.versions[key] = ([base, revision], [old, value])
        elif versions[0][-1] == revision:
            versions[1][-1] = value
        else:
            versions[0].append(revision)
            versions[1].append(value)
        self.current[key] = value
        return True

    def forget(self, key: K, horizon: int) -> None:
        """Drop the values no revision from ``horizon`` on can see."""
        versions = self.versions.get(key)
        if versions is None:
            return
        revisions, values = versions
        drop = max(bisect_right(revisions, horizon) - 1, 0)
        if drop:
            del revisions[:drop], values[:drop]
        if len(values) == 1:
            del self.versions[key]


class _Read(NamedTuple):
    """What catching up read: the value of ``key`` in ``table`` after revision ``stamp``."""

    table: str
    key: Hashable
    value: object
    stamp: int


_Memberships = tuple[Membership, ...]
_Grants = tuple[Grant, ...]


class _Tables:
    """Everything a decision reads, as the index holds it."""

    __slots__ = (
        "all_clients",
        "between",
        "consents",
        "for_user",
        "grants",
        "history",
        "teams",
        "users",
    )

    def __init__(self) -> None:
        self.teams: _Table[str, Team | None] = _Table(None)
        self.users: _Table[str, bool] = _Table(False)
        self.between: _Table[_Pair, _Memberships] = _Table(())
        self.for_user: _Table[str, _Memberships] = _Table(())
        self.grants: _Table[_Pair, _Grants] = _Table(())  # (partner, client)
        self.all_clients: _Table[str, _Grants] = _Table(())
        self.consents: _Table[str, tuple[ConsentChange, ...]] = _Table(())
        self.history: _Table[str, tuple[TeamChange, ...]] = _Table(())

    def table(self, name: str) -> _Table[Hashable, object]:
        found: _Table[Hashable, object] = getattr(self, name)
        return found


class _Lookup:
    """One repository of :class:`_Reader`: reads a table now, or as of a revision."""

    __slots__ = ("_revision", "_tables")

    def __init__(self, tables: _Tables, revision: int | None) -> None:
        self._tables = tables
        self._revision = revision

    def _read(self, table: _Table[K, V], key: K) -> V:
        """``key`` in ``table`` now, or as of the revision this lookup reads."""
        if self._revision is None:
            return table.current.get(key, table.empty)
        return table.at(key, self._revision)


class _Teams(_Lookup):
    __slots__ = ()

    def find(self, team_id: str) -> Team | None:
        return self._read(self._tables.teams, team_id)


class _Users(_Lookup):
    __slots__ = ()

    def find(self, user_id: str) -> object:
        return True if self._read(self._tables.users, user_id) else None


class _Members(_Lookup):
    __slots__ = ()

    def between(self, user_id: str, team_id: str) -> _Memberships:
        return self._read(self._tables.between, (user_id, team_id))

    def for_user(self, user_id: str) -> _Memberships:
        return self._read(self._tables.for_user, user_id)


class _GrantsLookup(_Lookup):
    __slots__ = ()

    def for_client(self, partner_id: str, client_id: str) -> _Grants:
        return self._read(self._tables.grants, (partner_id, client_id))

    def for_all_clients(self, partner_id: str) -> _Grants:
        return self._read(self._tables.all_clients, partner_id)


class _Consents(_Lookup):
    __slots__ = ()

    def for_client(self, client_id: str) -> tuple[ConsentChange, ...]:
        return self._read(self._tables.consents, client_id)


class _History(_Lookup):
    __slots__ = ()

    def for_team(self, team_id: str) -> tuple[TeamChange, ...]:
        return self._read(self._tables.history, team_id)


class _Reader:
    """The index's copy as an :class:`~partnercore.tenancy._access.AccessReader`: now
    (``revision=None``), or as it was at a revision."""

    __slots__ = ("consents", "grants", "history", "memberships", "teams", "users")

    def __init__(self, tables: _Tables, revision: int | None = None) -> None:
        self.teams = _Teams(tables, revision)
        self.users = _Users(tables, revision)
        self.memberships = _Members(tables, revision)
        self.grants = _GrantsLookup(tables, revision)
        self.consents = _Consents(tables, revision)
        self.history = _History(tables, revision)


# -- compiled decisions -------------------------------------------------------------------


# A (user, team) timeline is one flat tuple, found under the key ``user + _SEP + team`` (the
# hot path reaches as few places in memory as it can): ``row[0]`` is ``n + 1`` for the ``n``
# instants where a decision may change, ``row[1:n + 1]`` those instants, sorted, then one
# block of N decisions (N permissions; ``None`` until asked) per interval: from instant 1 to
# instant 2 (excluded), ..., from instant n on, and last the interval before instant 1.
# ``row[n + 1 + ((i or n + 1) - 1) * N + slot]`` is the decision for permission ``slot`` in
# interval ``i`` (``bisect_right(row, at, 1, n + 1) - 1``). Asking for a missing decision
# replaces the tuple. No id holds ``_SEP``.
_Timeline = tuple[Any, ...]
_N = len(_PERMISSIONS)
_SEP = "\x1f"


def _new_timeline(bounds: tuple[datetime, ...]) -> _Timeline:
    return (len(bounds) + 1, *bounds) + (None,) * ((len(bounds) + 1) * _N)


def _bounds(row: _Timeline) -> tuple[datetime, ...]:
    return tuple(row[1 : row[0]])


class _Reach:
    """The reach of one user (``teams``) or one team (``who``): ``bounds``, the union of the
    bounds of the related pairs, ``keys``, the related teams or users (sorted), and
    ``answers[i * N + slot]``, the answer (a tuple; ``None`` until asked) for interval ``i``
    (``bisect_right(bounds, at)``) and permission ``slot``."""

    __slots__ = ("answers", "bounds", "keys")

    def __init__(self, bounds: tuple[datetime, ...], keys: tuple[str, ...]) -> None:
        self.bounds = bounds
        self.keys = keys
        self.answers: list[Any] = [None] * ((len(bounds) + 1) * _N)


def _first_instant(bounds: Sequence[datetime], interval: int) -> datetime:
    """An instant of interval ``interval``: its start, or (the first) just before ``bounds``."""
    if interval:
        return bounds[interval - 1]
    if not bounds:
        return datetime(2000, 1, 1, tzinfo=UTC)
    try:
        return bounds[0] - _MICROSECOND
    except OverflowError:  # nothing is before the first instant there is: never asked
        return bounds[0]


def _partners_of(team: Team, history: Sequence[TeamChange]) -> set[str]:
    """Every partner a client has had (its parent, and both sides of its transfers)."""
    partners = {team.parent_id} if team.parent_id is not None else set()
    for change in history:
        if type(change) is Transfer:
            partners.add(change.from_partner)
            partners.add(change.to_partner)
    return partners


class _AsOf:
    """Decisions at one instant as of any revision of the index's copy (for the feed)."""

    __slots__ = ("_at", "_readers", "_tables")

    def __init__(self, tables: _Tables, at: datetime) -> None:
        self._tables = tables
        self._at = at
        self._readers: dict[int, _Reader] = {}

    def decision(self, revision: int, user: str, perm: Permission, team: str) -> Decision | None:
        """The decision at ``revision`` (``None`` when the team or the user did not exist)."""
        reader = self._readers.get(revision)
        if reader is None:
            reader = self._readers[revision] = _Reader(self._tables, revision)
        record = reader.teams.find(team)
        if record is None:
            return None
        try:
            return decide(reader, user, perm, record, self._at)
        except NotFoundError:
            return None

    def change(
        self, user: str, perm: Permission, team: str, since: int, last: int, revisions: set[int]
    ) -> AccessChange | None:
        """The change between revisions ``since`` and ``last``, if allowed at one and not at
        the other, with the revision (of ``revisions``, those that touched the pair) of the
        last flip."""
        before = self.decision(since, user, perm, team)
        after = self.decision(last, user, perm, team)
        was = before is not None and before.allowed
        if after is None or was == after.allowed:
            return None
        changed, state = last, was
        for revision in sorted(revisions):
            now = self.decision(revision, user, perm, team)
            held = now is not None and now.allowed
            if held != state:
                changed, state = revision, held
        return AccessChange(
            user_id=user, team_id=team, permission=perm, before=before, after=after,
            revision=changed,
        )  # fmt: skip


_ORDER = {perm: n for n, perm in enumerate(_PERMISSIONS)}


# -- the index ------------------------------------------------------------------------------


class AccessIndex:
    """A compiled, in-process index of who holds which permission on which team over time,
    built from ``store`` and kept current from its events.

    Every decision (``check``, ``teams``, ``who``) is the one the uncached access check gives
    on the store at the index's ``revision``, explanation and ``via`` included, for any
    instant. ``check(..., at_least=N)`` first catches up to revision ``N`` if the index is
    older (the "new enemy" rule: a caller that saw revision ``N``, say by revoking a grant,
    never gets a decision made on an older one); ``refresh()`` catches up to the newest
    revision; with ``max_staleness`` every call first catches up when the last catch-up
    started longer ago than that. ``changes(since, until, at=...)`` is the access-change
    feed. ``history`` is how many revisions back ``changes`` can start (``None``: all since
    the index was built).

    The index reads the store only when it is built and when it catches up, inside a unit
    of work (a store opened read-only: plain reads), and never from inside a caller's unit of
    work: do not ask for a catch-up inside one open on the same store and thread.
    """

    def __init__(
        self,
        store: TenancyStore,
        *,
        max_staleness: timedelta | None = None,
        history: int | None = 10_000,
    ) -> None:
        if max_staleness is not None and (
            not isinstance(max_staleness, timedelta) or max_staleness < timedelta(0)
        ):
            raise ValidationError.at(
                "max_staleness", f"expected a duration >= 0 or None, got {max_staleness!r}"
            )
        if history is not None and (
            not isinstance(history, int) or isinstance(history, bool) or history < 0
        ):
            raise ValidationError.at(
                "history", f"expected a number of revisions >= 0 or None, got {history!r}"
            )
        self._store = store
        self._staleness = None if max_staleness is None else max_staleness.total_seconds()
        self._history = history
        self._clock: Callable[[], float] = time.monotonic
        self._lock = threading.RLock()
        self._units = True  # whether the store gives units of work (not when read-only)
        self._tables = _Tables()
        self._now = _Reader(self._tables)
        self._pairs: dict[str, _Timeline] = {}  # user + _SEP + team -> timeline
        self._by_user: dict[str, set[str]] = {}  # user -> teams with a timeline
        self._by_team: dict[str, set[str]] = {}  # team -> users with a timeline
        self._strangers: set[_Pair] = set()  # timelines of unrelated pairs
        self._members: dict[str, set[str]] = {}  # team -> users with a membership in it
        self._member_of: dict[str, set[str]] = {}  # user -> teams it has a membership in
        self._clients_ever: dict[str, set[str]] = {}  # partner -> every client it ever had
        self._user_reach: dict[str, _Reach] = {}
        self._team_reach: dict[str, _Reach] = {}
        self._instants: dict[datetime, datetime] = {}  # one object per instant of any timeline
        self._absent: set[str] = set()  # users the store did not have
        self._log: list[tuple[int, str, Hashable]] = []  # (revision, table, key) changed
        self._revision = 0
        self._horizon = 0
        self._caught_up: list[int] = []  # the revisions caught up to, from the horizon on
        self._fresh_until = 0.0
        began = self._clock()
        with self._lock:
            self._revision = self._consistently(self._load)
            self._horizon = self._revision
            self._caught_up.append(self._revision)
            self._fresh_until = began + (self._staleness or 0.0)
            for team_id in list(self._tables.teams.current):
                for user in self._related_users(team_id):
                    self._compile(user, team_id, related=True)

    # -- freshness --------------------------------------------------------------------------

    @property
    def revision(self) -> int:
        """The store revision the index reflects: every decision is the uncached check's
        at this revision (or a later one, when the index catches up meanwhile)."""
        return self._revision

    @property
    def horizon(self) -> int:
        """The oldest revision ``changes`` can start from."""
        return self._horizon

    def refresh(self) -> int:
        """Catch up with every revision the store has committed; the revision reached."""
        with self._lock:
            self._catch_up(None)
            return self._revision

    def _fresh(self, at_least: int | None) -> None:
        """Catch up to ``at_least``, and when the last catch-up is older than allowed."""
        if at_least is not None:
            if type(at_least) is not int or at_least < 0:
                check_revision(at_least, "at_least")
            if at_least > self._revision:
                with self._lock:
                    self._catch_up(at_least)
        if self._staleness is not None and self._clock() >= self._fresh_until:
            with self._lock:
                if self._clock() >= self._fresh_until:
                    self._catch_up(None)

    # -- decisions --------------------------------------------------------------------------

    def check(
        self,
        user: str,
        permission: Permission | str,
        team: str,
        at: datetime,
        *,
        at_least: int | None = None,
    ) -> Decision:
        """May ``user`` exercise ``permission`` on ``team`` at ``at``? The decision the
        uncached :func:`~partnercore.tenancy.check` gives at the index's revision (after
        catching up to ``at_least``, when given)."""
        if at_least is not None or self._staleness is not None:
            self._fresh(at_least)
        if type(at) is not datetime or at.tzinfo is not UTC:
            at = ensure_aware(at)
        try:
            slot = _SLOT[permission]
            row = self._pairs.get(user + _SEP + team)
        except (KeyError, TypeError):  # not a permission, or an id that is not text
            slot = _SLOT[to_permission(permission)]
            row = None
        if row is not None:
            end = row[0]
            block = (bisect_right(row, at, 1, end) - 1 or end) - 1
            decision: Decision | None = row[end + block * _N + slot]
            if decision is not None:
                return decision
        with self._lock:
            return self._decision(user, slot, team, at)

    def require(
        self,
        user: str,
        permission: Permission | str,
        team: str,
        at: datetime,
        *,
        at_least: int | None = None,
    ) -> Decision:
        """Like :meth:`check`, raising :class:`~partnercore.AccessDeniedError` (carrying the
        decision) on a denial."""
        decision = self.check(user, permission, team, at, at_least=at_least)
        if not decision.allowed:
            raise AccessDeniedError(
                f"{user} may not {to_permission(permission)} on {team}: {decision.explanation}",
                decision=decision,
            )
        return decision

    def teams(
        self, user: str, permission: Permission | str, at: datetime, *, at_least: int | None = None
    ) -> list[str]:
        """Every team ``user`` can reach with ``permission`` at ``at``, sorted: what the
        uncached :func:`~partnercore.tenancy.teams` gives at the index's revision."""
        if at_least is not None or self._staleness is not None:
            self._fresh(at_least)
        if type(at) is not datetime or at.tzinfo is not UTC:
            at = ensure_aware(at)
        try:
            slot = _SLOT[permission]
            reach = self._user_reach.get(user)
        except (KeyError, TypeError):  # not a permission, or an id that is not text
            slot = _SLOT[to_permission(permission)]
            reach = None
        if reach is not None:
            found = reach.answers[bisect_right(reach.bounds, at) * _N + slot]
            if found is not None:
                return list(found)
        with self._lock:
            return list(self._teams(user, slot, at))

    def who(
        self, team: str, permission: Permission | str, at: datetime, *, at_least: int | None = None
    ) -> list[Holder]:
        """Every user who can reach ``team`` with ``permission`` at ``at``, sorted by user
        id, with the rule and the membership or grant: what the uncached
        :func:`~partnercore.tenancy.who` gives at the index's revision."""
        if at_least is not None or self._staleness is not None:
            self._fresh(at_least)
        if type(at) is not datetime or at.tzinfo is not UTC:
            at = ensure_aware(at)
        try:
            slot = _SLOT[permission]
            reach = self._team_reach.get(team)
        except (KeyError, TypeError):  # not a permission, or an id that is not text
            slot = _SLOT[to_permission(permission)]
            reach = None
        if reach is not None:
            found = reach.answers[bisect_right(reach.bounds, at) * _N + slot]
            if found is not None:
                return list(found)
        with self._lock:
            return list(self._who(team, slot, at))

    # -- the feed ---------------------------------------------------------------------------

    def changes(self, since: int, until: int | None = None, *, at: datetime) -> list[AccessChange]:
        """Every (user, team, permission) whose decision at instant ``at`` is allowed at one
        of revisions ``since`` and ``until`` (default: the newest, caught up first) and
        denied at the other, with both decisions and the revision that made it what it is at
        ``until``; sorted by that revision, then user, team and permission.

        ``since`` must be at least :attr:`horizon`. Within one catch-up that read several
        commits at once, a record changed twice is known only as it was before and after:
        a change it made between them is reported at the later revision.
        """
        check_revision(since, "since")
        if until is not None:
            check_revision(until, "until")
        at = ensure_aware(at)
        with self._lock:
            if until is None or until > self._revision:
                self._catch_up(until, "until")
            last = self._revision if until is None else until
            if since < self._horizon:
                raise ValidationError.at(
                    "since",
                    f"the index keeps changes from revision {self._horizon} on, not from {since}",
                )
            if since > last:
                raise ValidationError.at("since", f"revision {since} is after until ({last})")
            stamp = itemgetter(0)
            first = bisect_right(self._log, since, key=stamp)
            end = bisect_right(self._log, last, key=stamp)
            touched: dict[_Pair, set[int]] = {}
            for revision, table, key in self._log[first:end]:
                for pair in self._touched(table, key):
                    touched.setdefault(pair, set()).add(revision)
            decided = _AsOf(self._tables, at)
            found = [
                change
                for (user, team), revisions in touched.items()
                for perm in _PERMISSIONS
                if (change := decided.change(user, perm, team, since, last, revisions))
            ]
        found.sort(key=lambda c: (c.revision, c.user_id, c.team_id, _ORDER[c.permission]))
        return found

    def __repr__(self) -> str:
        return f"<AccessIndex at revision {self._revision}: {len(self._pairs)} timelines>"

    # -- computing what is missing (under the lock) ------------------------------------------

    def _decision(self, user: str, slot: int, team: str, at: datetime) -> Decision:
        record = self._tables.teams.current.get(team) if isinstance(team, str) else None
        if record is None:
            raise NotFoundError("team", team)
        if not isinstance(user, str):
            raise NotFoundError("user", user)
        row = self._pairs.get(user + _SEP + team)
        if row is None:
            self._known(user)
            record = self._tables.teams.current.get(team)  # (caught up, perhaps)
            assert record is not None
            row = self._timeline(user, team)
        end = row[0]
        interval = bisect_right(row, at, 1, end) - 1
        place = end + ((interval or end) - 1) * _N + slot
        decision: Decision | None = row[place]
        if decision is None:
            instant = _first_instant(_bounds(row), interval)
            decision = decide(self._now, user, _PERMISSIONS[slot], record, instant)
            # a new tuple (items held inline: fewer places for the hot path to reach)
            self._pairs[user + _SEP + team] = (*row[:place], decision, *row[place + 1 :])
        return decision

    def _teams(self, user: str, slot: int, at: datetime) -> tuple[str, ...]:
        if not isinstance(user, str):
            raise NotFoundError("user", user)
        self._known(user)
        reach = self._user_reach.get(user)
        if reach is None:
            keys = tuple(sorted(self._related_teams(user)))
            bounds = self._union(_bounds(self._timeline(user, team)) for team in keys)
            reach = self._user_reach[user] = _Reach(bounds, keys)
        interval = bisect_right(reach.bounds, at)
        place = interval * _N + slot
        found: tuple[str, ...] | None = reach.answers[place]
        if found is None:
            instant = _first_instant(reach.bounds, interval)
            found = reach.answers[place] = tuple(
                team for team in reach.keys if self._decision(user, slot, team, instant).allowed
            )
        return found

    def _who(self, team: str, slot: int, at: datetime) -> tuple[Holder, ...]:
        if not isinstance(team, str) or team not in self._tables.teams.current:
            raise NotFoundError("team", team)
        reach = self._team_reach.get(team)
        if reach is None:
            keys = tuple(sorted(self._related_users(team)))
            bounds = self._union(_bounds(self._timeline(user, team)) for user in keys)
            reach = self._team_reach[team] = _Reach(bounds, keys)
        interval = bisect_right(reach.bounds, at)
        place = interval * _N + slot
        found: tuple[Holder, ...] | None = reach.answers[place]
        if found is None:
            instant = _first_instant(reach.bounds, interval)
            holders = []
            for user in reach.keys:
                decision = self._decision(user, slot, team, instant)
                if decision.allowed:
                    holders.append(Holder(user, decision.rule, decision.via))
            found = reach.answers[place] = tuple(holders)
        return found

    @staticmethod
    def _union(bounds: Iterable[tuple[datetime, ...]]) -> tuple[datetime, ...]:
        return tuple(sorted(set(chain.from_iterable(bounds))))

    def _timeline(self, user: str, team: str) -> _Timeline:
        return self._pairs.get(user + _SEP + team) or self._compile(user, team)

    def _known(self, user: str) -> None:
        """Make sure the index knows whether ``user`` exists: NotFoundError if not."""
        if self._tables.users.current.get(user):
            return
        if user in self._absent:
            raise NotFoundError("user", user)
        if self._store.users.find(user) is None:
            if len(self._absent) >= ABSENT_KEPT:
                self._absent.clear()
            self._absent.add(user)
            raise NotFoundError("user", user)
        # It exists now. Catch up first: if it was added since the index's revision, its
        # event records when; otherwise it existed before the index was built.
        self._catch_up(None)
        if not self._tables.users.current.get(user):
            self._tables.users.current[user] = True

    # -- relations --------------------------------------------------------------------------

    def _related_users(self, team_id: str) -> set[str]:
        """Users who may hold something on the team: its members and, for a client, the
        members of every partner it has had."""
        users = set(self._members.get(team_id, ()))
        record = self._tables.teams.current.get(team_id)
        if record is not None and record.kind is not _PARTNER:
            for partner in _partners_of(record, self._tables.history.get(team_id)):
                users.update(self._members.get(partner, ()))
        return users

    def _related_teams(self, user: str) -> set[str]:
        """Teams the user may hold something on: its teams and every client its partners
        ever had."""
        teams = set(self._member_of.get(user, ()))
        current = self._tables.teams.current
        for team_id in list(teams):
            record = current.get(team_id)
            if record is not None and record.kind is _PARTNER:
                teams.update(self._clients_ever.get(team_id, ()))
        return teams

    def _related(self, user: str, team_id: str) -> bool:
        return user in self._related_users(team_id)

    def _compile(self, user: str, team_id: str, *, related: bool | None = None) -> _Timeline:
        """The timeline of (user, team): every instant a record its decisions read names."""
        tables = self._tables
        record = tables.teams.current[team_id]
        assert record is not None
        history = tables.history.get(team_id)
        instants = {record.created_at}
        instants.update(change.at for change in history)
        for membership in tables.for_user.get(user):  # the user's, every team's
            instants.add(membership.active_from)
            if membership.active_until is not None:
                instants.add(membership.active_until)
            if membership.team_id != team_id:  # explains a denial by the user's other team
                instants.update(change.at for change in tables.history.get(membership.team_id))
        if record.kind is not _PARTNER:
            instants.update(change.at for change in tables.consents.get(team_id))
            for partner in _partners_of(record, history):
                for grant in chain(
                    tables.grants.get((partner, team_id)), tables.all_clients.get(partner)
                ):
                    if grant.advisor_id == user or grant.advisor_id == ALL:
                        instants.add(grant.granted_at)
                        if grant.expires_at is not None:
                            instants.add(grant.expires_at)
                        if grant.revoked_at is not None:
                            instants.add(grant.revoked_at)
        shared = self._instants.setdefault  # (fewer places in memory for the hot path to reach)
        timeline = _new_timeline(tuple(sorted(shared(instant, instant) for instant in instants)))
        key = (user, team_id)
        if user + _SEP + team_id not in self._pairs:
            self._by_user.setdefault(user, set()).add(team_id)
            self._by_team.setdefault(team_id, set()).add(user)
            if not (self._related(user, team_id) if related is None else related):
                if len(self._strangers) >= STRANGERS_KEPT:
                    self._drop_strangers()
                self._strangers.add(key)
        self._pairs[user + _SEP + team_id] = timeline
        return timeline

    def _drop(self, key: _Pair) -> None:
        user, team_id = key
        if self._pairs.pop(user + _SEP + team_id, None) is None:
            return
        self._by_user[user].discard(team_id)
        self._by_team[team_id].discard(user)
        self._strangers.discard(key)

    def _drop_strangers(self) -> None:
        for key in list(self._strangers):
            self._drop(key)

    # -- reading the store ------------------------------------------------------------------

    def _consistently(self, read: Callable[[], T | None]) -> T:
        """``read()`` inside a unit of work (plain reads on a store that gives none), again
        while it answers ``None`` (the store moved on while it read)."""
        for _ in range(ATTEMPTS):
            with ExitStack() as stack:
                if self._units:
                    try:
                        stack.enter_context(self._store.unit_of_work())
                    except StoreError:  # opened read-only: reads, checked by revision
                        self._units = False
                result = read()
            if result is not None:
                return result
        raise ConflictError(
            f"the store kept changing while the access index read it ({ATTEMPTS} attempts); "
            "try again",
            kind="access_index",
        )

    def _load(self) -> int | None:
        """Read everything a decision may read; the revision it is (None: moved on)."""
        store = self._store
        base = store.revision()
        tables = _Tables()
        teams: list[Team] = []
        for partner_team in store.teams.partners():
            teams.append(partner_team)
            teams.extend(store.teams.clients_of(partner_team.id))
        users: set[str] = set()
        for team in teams:
            tables.teams.current[team.id] = team
            history = tuple(store.history.for_team(team.id))
            if history:
                tables.history.current[team.id] = history
            if team.kind is _PARTNER:
                grants = store.grants.for_partner(team.id)
                all_clients = tuple(g for g in grants if g.client_id == ALL)
                if all_clients:
                    tables.all_clients.current[team.id] = all_clients
                per_client: dict[_Pair, list[Grant]] = {}
                for grant in grants:
                    if grant.client_id != ALL:
                        per_client.setdefault((team.id, grant.client_id), []).append(grant)
                for key, found in per_client.items():
                    tables.grants.current[key] = tuple(found)
            else:
                consents = tuple(store.consents.for_client(team.id))
                if consents:
                    tables.consents.current[team.id] = consents
            users.update(m.user_id for m in store.memberships.for_team(team.id))
        for user in users:
            memberships = tuple(store.memberships.for_user(user))
            tables.for_user.current[user] = memberships
            tables.users.current[user] = True
            per_team: dict[str, list[Membership]] = {}
            for membership in memberships:
                per_team.setdefault(membership.team_id, []).append(membership)
            for team_id, listed in per_team.items():
                tables.between.current[(user, team_id)] = tuple(listed)
        if store.revision() != base:
            return None
        self._tables = tables
        self._now = _Reader(tables)
        for (member, team_id), held in tables.between.current.items():
            if held:
                self._members.setdefault(team_id, set()).add(member)
                self._member_of.setdefault(member, set()).add(team_id)
        for team in teams:
            if team.kind is not _PARTNER:
                for partner in _partners_of(team, tables.history.get(team.id)):
                    self._clients_ever.setdefault(partner, set()).add(team.id)
        return base

    def _catch_up(self, at_least: int | None, name: str = "at_least") -> None:
        """Apply every event since ``revision`` (to at least ``at_least``, the argument
        ``name``: ValidationError if the store has not committed it); under the lock."""
        began = self._clock()
        latest = self._store.revision()
        if latest > self._revision:
            last, changes = self._consistently(self._read_changes)
            self._apply(changes)
            self._revision = last
            self._forget_old()
        self._fresh_until = began + (self._staleness or 0.0)
        if at_least is not None and at_least > self._revision:
            raise ValidationError.at(
                name,
                f"revision {at_least} is not committed: the store is at revision {self._revision}",
            )

    def _read_changes(self) -> tuple[int, list[_Read]] | None:
        store = self._store
        events = store.events.since(self._revision)
        if not events:
            return (self._revision, []) if store.revision() == self._revision else None
        last = events[-1].revision
        plan: dict[tuple[str, Hashable], int] = {}
        for event in events:
            for key in _keys(event):
                plan[key] = event.revision
        changes = [
            _Read(table, key, self._read(table, key), stamp) for (table, key), stamp in plan.items()
        ]
        if store.revision() != last:
            return None
        return last, changes

    def _read(self, table: str, key: Hashable) -> object:
        store = self._store
        if table == "teams":
            return store.teams.find(str(key))
        if table == "users":
            return store.users.find(str(key)) is not None
        if table == "history":
            return tuple(store.history.for_team(str(key)))
        if table == "consents":
            return tuple(store.consents.for_client(str(key)))
        if table == "for_user":
            return tuple(store.memberships.for_user(str(key)))
        if table == "all_clients":
            return tuple(store.grants.for_all_clients(str(key)))
        user_or_partner, team_id = _pair(key)
        if table == "between":
            return tuple(store.memberships.between(user_or_partner, team_id))
        return tuple(store.grants.for_client(user_or_partner, team_id))

    def _apply(self, changes: list[_Read]) -> None:
        """Put what catching up read into the copy; recompile what depends on it."""
        tables = self._tables
        users: set[str] = set()  # every timeline of these users
        teams: set[str] = set()  # every timeline on these teams
        logged = []
        for table, key, value, stamp in sorted(changes, key=attrgetter("stamp")):
            if not tables.table(table).put(key, value, stamp, self._horizon):
                continue
            logged.append((stamp, table, key))
            if table in ("teams", "history"):
                team_id = str(key)
                teams.add(team_id)
                users.update(self._members.get(team_id, ()))
                record = tables.teams.current.get(team_id)
                if record is not None and record.kind is not _PARTNER:
                    for partner in _partners_of(record, tables.history.get(team_id)):
                        self._clients_ever.setdefault(partner, set()).add(team_id)
            elif table == "consents":
                teams.add(str(key))
            elif table == "grants":
                teams.add(_pair(key)[1])
            elif table == "all_clients":
                teams.update(self._clients_ever.get(str(key), ()))
            elif table == "between":
                user, team_id = _pair(key)
                users.add(user)
                if value:
                    self._members.setdefault(team_id, set()).add(user)
                    self._member_of.setdefault(user, set()).add(team_id)
                if not tables.users.current.get(user):  # a member exists (since before)
                    tables.users.current[user] = True
            elif table == "for_user":
                users.add(str(key))
            elif table == "users":
                self._absent.discard(str(key))
        self._log.extend(logged)
        keys: set[_Pair] = set()
        for user in users:
            keys.update((user, team_id) for team_id in self._by_user.get(user, ()))
            keys.update((user, team_id) for team_id in self._related_teams(user))
        for team_id in teams:
            keys.update((user, team_id) for user in self._by_team.get(team_id, ()))
            keys.update((user, team_id) for user in self._related_users(team_id))
        related: dict[str, set[str]] = {}  # team -> its related users (asked once each)
        for key in keys:
            user, team_id = key
            users_of = related.get(team_id)
            if users_of is None:
                users_of = related[team_id] = self._related_users(team_id)
            if user in users_of:
                self._strangers.discard(key)
                self._compile(user, team_id, related=True)
            else:
                self._drop(key)
            self._user_reach.pop(user, None)
            self._team_reach.pop(team_id, None)

    def _forget_old(self) -> None:
        """Drop what ``changes`` can no longer be asked for: older than ``history`` revisions
        (the horizon is the newest revision caught up to that is at least that old)."""
        if self._history is None:
            return
        self._caught_up.append(self._revision)
        oldest = self._revision - self._history
        kept = bisect_right(self._caught_up, oldest) - 1
        if kept <= 0:
            return
        horizon = self._caught_up[kept]
        del self._caught_up[:kept]
        cut = bisect_right(self._log, horizon, key=itemgetter(0))
        for _, table, key in self._log[:cut]:
            self._tables.table(table).forget(key, horizon)
        del self._log[:cut]
        self._horizon = horizon

    def _touched(self, table: str, key: Hashable) -> Iterator[_Pair]:
        """The related pairs whose decisions a change of ``key`` in ``table`` may change
        (with today's relations, which only grow: a superset of those of any revision)."""
        if table in ("teams", "history", "consents"):
            team_id = str(key)
            for user in self._related_users(team_id):
                yield (user, team_id)
        elif table == "between":
            user, team_id = _pair(key)
            yield (user, team_id)
            for client in self._clients_ever.get(team_id, ()):
                if self._related(user, client):
                    yield (user, client)
        elif table == "grants":
            team_id = _pair(key)[1]
            for user in self._related_users(team_id):
                yield (user, team_id)
        elif table == "all_clients":
            for team_id in self._clients_ever.get(str(key), ()):
                for user in self._related_users(team_id):
                    yield (user, team_id)


def _pair(key: Hashable) -> _Pair:
    assert isinstance(key, tuple)
    first, second = key
    return str(first), str(second)


def _keys(event: Event) -> list[tuple[str, Hashable]]:
    """The keys of the index's copy an event may have changed."""
    kind = type(event)
    team_id = event.team_id
    if kind is MembershipAdded or kind is MembershipEnded:
        assert isinstance(event, MembershipAdded | MembershipEnded)
        assert team_id is not None
        return [("between", (event.user_id, team_id)), ("for_user", event.user_id)]
    if kind is GrantCreated or kind is GrantRevoked:
        assert isinstance(event, GrantCreated | GrantRevoked)
        if event.client_id == ALL:
            return [("all_clients", event.partner_id)]
        return [("grants", (event.partner_id, event.client_id))]
    if kind is ConsentRevoked or kind is ConsentRestored:
        return [("consents", team_id)] if team_id is not None else []
    if kind is UserAdded:
        assert isinstance(event, UserAdded)
        return [("users", event.user_id)]
    if kind in (
        PartnerCreated,
        ClientCreated,
        ClientTransferred,
        TeamStatusChanged,
        ClientOnboarded,
    ):
        if team_id is None:
            return []
        keys: list[tuple[str, Hashable]] = [("teams", team_id), ("history", team_id)]
        if kind is not PartnerCreated:
            keys.append(("consents", team_id))
        return keys
    return []
