"""In-memory reference adapters for the tenancy ports, indexed for the access check.

Every lookup the check makes is a dictionary access on a key (team, (user, team),
(partner, client), partner); lists kept per key are short and kept in chronological order.
A write given anything but the record it stores raises ``ValidationError``; a lookup by
anything but a string finds nothing, like a lookup by an id nobody has.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Callable, Collection
from datetime import datetime
from typing import TypeVar

from partnercore._errors import ConflictError, NotFoundError, ValidationError
from partnercore._fields import check_instance
from partnercore.memory._journal import Journal
from partnercore.tenancy import (
    ALL,
    ConsentChange,
    Grant,
    Membership,
    StatusChange,
    Team,
    TeamChange,
    TeamKind,
    Transfer,
    User,
)

__all__ = [
    "InMemoryConsents",
    "InMemoryGrants",
    "InMemoryMemberships",
    "InMemoryTeamHistory",
    "InMemoryTeams",
    "InMemoryUsers",
]

T = TypeVar("T")
K = TypeVar("K")


def _insert(index: dict[K, list[T]], key: K, item: T, when: Callable[[T], datetime]) -> None:
    items = index.get(key)
    if items is None:
        index[key] = [item]
    else:
        insort(items, item, key=when)


def _replace(index: dict[K, list[T]], key: K, old: T, new: T) -> None:
    items = index[key]
    items[next(i for i, item in enumerate(items) if item is old)] = new


# The indexes the access check reads hold tuples: returned as they are, never copied.


def _insert_tuple(
    index: dict[K, tuple[T, ...]], key: K, item: T, when: Callable[[T], datetime]
) -> None:
    items = index.get(key, ())
    at = bisect_right(items, when(item), key=when)
    index[key] = (*items[:at], item, *items[at:])


def _replace_tuple(index: dict[K, tuple[T, ...]], key: K, old: T, new: T) -> None:
    index[key] = tuple(new if item is old else item for item in index[key])


def _key(value: object) -> bool:
    """Whether ``value`` can be a stored key (ids are strings; anything else is absent)."""
    return isinstance(value, str)


# The lookups on the access check's path look a key up as given and catch the TypeError of
# an unhashable one: every stored key is a string (or a pair of strings), which anything but
# a string never equals, so they find nothing for anything else either; a `try` costs
# nothing when nothing is raised, an `isinstance` call a little on every check.


def _since(membership: Membership) -> datetime:
    return membership.active_from


def _granted(grant: Grant) -> datetime:
    return grant.granted_at


def _at(change: ConsentChange | TeamChange) -> datetime:
    return change.at


class InMemoryTeams:
    """Teams by id, with partners and each partner's current clients indexed."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._teams: dict[str, Team] = {}
        self._partners: set[str] = set()
        self._clients: dict[str, set[str]] = {}

    def get(self, team_id: str) -> Team:
        team = self.find(team_id)
        if team is None:
            raise NotFoundError("team", str(team_id))
        return team

    def find(self, team_id: str) -> Team | None:
        try:  # (on the check's path)
            return self._teams.get(team_id)
        except TypeError:
            return None

    def add(self, team: Team) -> None:
        check_instance(team, Team, "team")
        if team.id in self._teams:
            raise ConflictError(f"team {team.id!r} already exists", kind="team", id=team.id)
        self._journal.keep(self._teams, team.id)
        self._teams[team.id] = team
        self._index(team)

    def save(self, team: Team) -> None:
        check_instance(team, Team, "team")
        old = self._teams.get(team.id)
        if old is None:
            raise NotFoundError("team", team.id)
        self._journal.keep(self._teams, team.id)
        self._unindex(old)
        self._teams[team.id] = team
        self._index(team)

    def partners(self) -> list[Team]:
        return [self._teams[i] for i in sorted(self._partners)]

    def clients_of(self, partner_id: str) -> list[Team]:
        if not _key(partner_id):
            return []
        return [self._teams[i] for i in sorted(self._clients.get(partner_id, ()))]

    def clients_of_partners(self, partner_ids: Collection[str]) -> dict[str, list[Team]]:
        found: dict[str, list[Team]] = {}
        for partner_id in team_ids_of(partner_ids, "partner_ids"):
            clients = self._clients.get(partner_id)
            if clients:
                found[partner_id] = [self._teams[i] for i in sorted(clients)]
        return found

    def __len__(self) -> int:
        return len(self._teams)

    def _index(self, team: Team) -> None:
        if team.kind is TeamKind.PARTNER:
            self._journal.keep_member(self._partners, team.id)
            self._partners.add(team.id)
        elif team.parent_id is not None:
            self._journal.keep(self._clients, team.parent_id)
            self._clients.setdefault(team.parent_id, set()).add(team.id)

    def _unindex(self, team: Team) -> None:
        self._journal.keep_member(self._partners, team.id)
        self._partners.discard(team.id)
        if team.parent_id is not None and team.parent_id in self._clients:
            self._journal.keep(self._clients, team.parent_id)
            self._clients[team.parent_id].discard(team.id)


class InMemoryUsers:
    """Users by id."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._users: dict[str, User] = {}

    def get(self, user_id: str) -> User:
        user = self.find(user_id)
        if user is None:
            raise NotFoundError("user", str(user_id))
        return user

    def find(self, user_id: str) -> User | None:
        try:  # (on the check's path)
            return self._users.get(user_id)
        except TypeError:
            return None

    def add(self, user: User) -> None:
        check_instance(user, User, "user")
        if user.id in self._users:
            raise ConflictError(f"user {user.id!r} already exists", kind="user", id=user.id)
        self._journal.keep(self._users, user.id)
        self._users[user.id] = user

    def __len__(self) -> int:
        return len(self._users)


class InMemoryMemberships:
    """Memberships by id, by team, by user and by (user, team)."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._by_id: dict[str, Membership] = {}
        self._by_team: dict[str, list[Membership]] = {}
        self._by_user: dict[str, list[Membership]] = {}
        self._between: dict[tuple[str, str], tuple[Membership, ...]] = {}

    def get(self, membership_id: str) -> Membership:
        membership = self._by_id.get(membership_id) if _key(membership_id) else None
        if membership is None:
            raise NotFoundError("membership", str(membership_id))
        return membership

    def add(self, membership: Membership) -> None:
        check_instance(membership, Membership, "membership")
        if membership.id in self._by_id:
            raise ConflictError(
                f"membership {membership.id!r} already exists", kind="membership", id=membership.id
            )
        self._keep(membership)
        self._by_id[membership.id] = membership
        _insert(self._by_team, membership.team_id, membership, _since)
        _insert(self._by_user, membership.user_id, membership, _since)
        _insert_tuple(self._between, (membership.user_id, membership.team_id), membership, _since)

    def save(self, membership: Membership) -> None:
        check_instance(membership, Membership, "membership")
        old = self._by_id.get(membership.id)
        if old is None:
            raise NotFoundError("membership", membership.id)
        if (old.user_id, old.team_id, old.active_from) != (
            membership.user_id,
            membership.team_id,
            membership.active_from,
        ):
            raise ConflictError(
                f"membership {membership.id!r}: only role and active_until may change",
                kind="membership",
                id=membership.id,
            )
        self._keep(old)
        self._by_id[membership.id] = membership
        _replace(self._by_team, old.team_id, old, membership)
        _replace(self._by_user, old.user_id, old, membership)
        _replace_tuple(self._between, (old.user_id, old.team_id), old, membership)

    def for_team(self, team_id: str) -> list[Membership]:
        return list(self._by_team.get(team_id, ())) if _key(team_id) else []

    def for_user(self, user_id: str) -> list[Membership]:
        try:  # (on the check's path)
            return list(self._by_user.get(user_id, ()))
        except TypeError:
            return []

    def for_teams(self, team_ids: Collection[str]) -> dict[str, list[Membership]]:
        found: dict[str, list[Membership]] = {}
        for team_id in team_ids_of(team_ids):
            memberships = self._by_team.get(team_id)
            if memberships:
                found[team_id] = list(memberships)
        return found

    def _keep(self, membership: Membership) -> None:
        keep = self._journal.keep
        keep(self._by_id, membership.id)
        keep(self._by_team, membership.team_id)
        keep(self._by_user, membership.user_id)
        keep(self._between, (membership.user_id, membership.team_id))

    def between(self, user_id: str, team_id: str) -> tuple[Membership, ...]:
        try:  # (on the check's path)
            return self._between.get((user_id, team_id), ())
        except TypeError:
            return ()

    def __len__(self) -> int:
        return len(self._by_id)


class InMemoryGrants:
    """Grants by id, by (partner, client), by partner for ``"*"`` clients, by advisor."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._by_id: dict[str, Grant] = {}
        self._by_client: dict[tuple[str, str], tuple[Grant, ...]] = {}
        self._all_clients: dict[str, tuple[Grant, ...]] = {}
        self._by_advisor: dict[str, list[Grant]] = {}
        self._by_partner: dict[str, list[Grant]] = {}

    def get(self, grant_id: str) -> Grant:
        grant = self.find(grant_id)
        if grant is None:
            raise NotFoundError("grant", str(grant_id))
        return grant

    def find(self, grant_id: str) -> Grant | None:
        return self._by_id.get(grant_id) if _key(grant_id) else None

    def add(self, grant: Grant) -> None:
        check_instance(grant, Grant, "grant")
        if grant.id in self._by_id:
            raise ConflictError(f"grant {grant.id!r} already exists", kind="grant", id=grant.id)
        self._keep(grant)
        self._by_id[grant.id] = grant
        if grant.client_id == ALL:
            _insert_tuple(self._all_clients, grant.partner_id, grant, _granted)
        else:
            _insert_tuple(self._by_client, (grant.partner_id, grant.client_id), grant, _granted)
        for index, key in self._lists(grant):
            _insert(index, key, grant, _granted)

    def save(self, grant: Grant) -> None:
        check_instance(grant, Grant, "grant")
        old = self._by_id.get(grant.id)
        if old is None:
            raise NotFoundError("grant", grant.id)
        old.check_replaceable_by(grant)
        self._keep(old)
        self._by_id[grant.id] = grant
        if grant.client_id == ALL:
            _replace_tuple(self._all_clients, old.partner_id, old, grant)
        else:
            _replace_tuple(self._by_client, (old.partner_id, old.client_id), old, grant)
        for index, key in self._lists(old):
            _replace(index, key, old, grant)

    def for_client(self, partner_id: str, client_id: str) -> tuple[Grant, ...]:
        try:  # (on the check's path)
            return self._by_client.get((partner_id, client_id), ())
        except TypeError:
            return ()

    def for_all_clients(self, partner_id: str) -> tuple[Grant, ...]:
        try:  # (on the check's path)
            return self._all_clients.get(partner_id, ())
        except TypeError:
            return ()

    def for_advisor(self, advisor_id: str) -> list[Grant]:
        return list(self._by_advisor.get(advisor_id, ())) if _key(advisor_id) else []

    def for_partner(self, partner_id: str) -> list[Grant]:
        return list(self._by_partner.get(partner_id, ())) if _key(partner_id) else []

    def __len__(self) -> int:
        return len(self._by_id)

    def _keep(self, grant: Grant) -> None:
        keep = self._journal.keep
        keep(self._by_id, grant.id)
        if grant.client_id == ALL:
            keep(self._all_clients, grant.partner_id)
        else:
            keep(self._by_client, (grant.partner_id, grant.client_id))
        for index, key in self._lists(grant):
            keep(index, key)

    def _lists(self, grant: Grant) -> list[tuple[dict[str, list[Grant]], str]]:
        lists = [(self._by_partner, grant.partner_id)]
        if grant.advisor_id != ALL:
            lists.append((self._by_advisor, grant.advisor_id))
        return lists


class InMemoryConsents:
    """Consent changes per client, oldest first."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._by_client: dict[str, tuple[ConsentChange, ...]] = {}

    def add(self, change: ConsentChange) -> None:
        check_instance(change, ConsentChange, "change")
        self._journal.keep(self._by_client, change.client_id)
        _insert_tuple(self._by_client, change.client_id, change, _at)

    def for_client(self, client_id: str) -> tuple[ConsentChange, ...]:
        try:  # (on the check's path)
            return self._by_client.get(client_id, ())
        except TypeError:
            return ()


class InMemoryTeamHistory:
    """Transfers and status changes per team, and transfers out of each partner."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._by_team: dict[str, tuple[TeamChange, ...]] = {}
        self._transfers_from: dict[str, list[Transfer]] = {}

    def add(self, change: TeamChange) -> None:
        if not isinstance(change, Transfer | StatusChange):
            raise ValidationError.at(
                "change", f"expected a Transfer or a StatusChange, got {change!r}"
            )
        self._journal.keep(self._by_team, change.team_id)
        _insert_tuple(self._by_team, change.team_id, change, _at)
        if isinstance(change, Transfer):
            self._journal.keep(self._transfers_from, change.from_partner)
            _insert(self._transfers_from, change.from_partner, change, _at)

    def for_team(self, team_id: str) -> tuple[TeamChange, ...]:
        try:  # (on the check's path)
            return self._by_team.get(team_id, ())
        except TypeError:
            return ()

    def for_teams(self, team_ids: Collection[str]) -> dict[str, tuple[TeamChange, ...]]:
        by_team = self._by_team
        found: dict[str, tuple[TeamChange, ...]] = {}
        for team_id in team_ids_of(team_ids):
            changes = by_team.get(team_id)
            if changes:
                found[team_id] = changes
        return found

    def transfers_from(self, partner_id: str) -> list[Transfer]:
        return list(self._transfers_from.get(partner_id, ())) if _key(partner_id) else []

    def transfers_from_partners(self, partner_ids: Collection[str]) -> dict[str, list[Transfer]]:
        found: dict[str, list[Transfer]] = {}
        for partner_id in team_ids_of(partner_ids, "partner_ids"):
            transfers = self._transfers_from.get(partner_id)
            if transfers:
                found[partner_id] = list(transfers)
        return found


def team_ids_of(team_ids: object, field: str = "team_ids") -> list[str]:
    """The distinct ids of ``team_ids`` (a collection of ids) that can be stored keys, in
    the order given; anything but a collection (text too) is a ``ValidationError`` naming
    ``field``."""
    if isinstance(team_ids, str | bytes) or not isinstance(team_ids, Collection):
        raise ValidationError.at(field, f"expected a collection of team ids, got {team_ids!r}")
    return list(dict.fromkeys(team_id for team_id in team_ids if _key(team_id)))
