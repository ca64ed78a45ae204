"""Ports: the narrow, collection-like repositories tenancy needs from a host application.

Every lookup the access check makes is keyed (by team, by user and team, by partner and
client, ...) so that an implementation can answer it from an index; nothing needs to scan
all teams or all grants. Results are the caller's to keep: a ``list`` is a fresh list, a
``Sequence`` is a fresh list or an immutable tuple (the lookups on the access check's path
return ``Sequence`` so that an implementation need not copy). Results documented as "oldest
first" are in chronological order of their instants (ties keep the order in which they
were added).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from partnercore.events import Transactional
from partnercore.tenancy._consent import ConsentChange
from partnercore.tenancy._grants import Grant
from partnercore.tenancy._history import TeamChange, Transfer
from partnercore.tenancy._people import Membership, User
from partnercore.tenancy._team import Team

__all__ = [
    "ConsentRepository",
    "GrantRepository",
    "MembershipRepository",
    "TeamHistory",
    "TeamRepository",
    "TenancyReader",
    "TenancyStore",
    "UserRepository",
]


class TeamRepository(Protocol):
    """Teams by id, partners, and the current clients of a partner."""

    def get(self, team_id: str) -> Team:
        """The team; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def find(self, team_id: str) -> Team | None:
        """The team, or ``None``."""
        ...

    def add(self, team: Team) -> None:
        """Store a new team; :class:`~partnercore.ConflictError` if the id is taken."""
        ...

    def save(self, team: Team) -> None:
        """Replace a stored team; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def partners(self) -> list[Team]:
        """Every partner team, sorted by id."""
        ...

    def clients_of(self, partner_id: str) -> list[Team]:
        """The clients whose current parent is ``partner_id``, sorted by id."""
        ...

    def clients_of_partners(self, partner_ids: Collection[str]) -> Mapping[str, Sequence[Team]]:
        """The current clients of each of ``partner_ids`` (sorted by id), by partner id, read
        at once (one query, not one per partner): a partner without clients, or an id no
        team can have, is left out."""
        ...


class UserRepository(Protocol):
    """Users by id."""

    def get(self, user_id: str) -> User:
        """The user; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def find(self, user_id: str) -> User | None:
        """The user, or ``None``."""
        ...

    def add(self, user: User) -> None:
        """Store a new user; :class:`~partnercore.ConflictError` if the id is taken."""
        ...


class MembershipRepository(Protocol):
    """Memberships by id, by team, by user, and by (user, team)."""

    def get(self, membership_id: str) -> Membership:
        """The membership; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def add(self, membership: Membership) -> None:
        """Store a new membership; :class:`~partnercore.ConflictError` if the id is taken."""
        ...

    def save(self, membership: Membership) -> None:
        """Replace a stored membership (same id); NotFoundError if there is none."""
        ...

    def for_team(self, team_id: str) -> list[Membership]:
        """Every membership (past, present and future) in the team, oldest first."""
        ...

    def for_user(self, user_id: str) -> list[Membership]:
        """Every membership (past, present and future) of the user, oldest first."""
        ...

    def between(self, user_id: str, team_id: str) -> Sequence[Membership]:
        """The user's memberships in the team, oldest first."""
        ...

    def for_teams(self, team_ids: Collection[str]) -> Mapping[str, Sequence[Membership]]:
        """Every membership in each of ``team_ids`` (oldest first), by team id, read at once
        (one query, not one per team): a team without any is left out."""
        ...


class GrantRepository(Protocol):
    """Delegated grants by id, by (partner, client), by partner for ``"*"``, by advisor."""

    def get(self, grant_id: str) -> Grant:
        """The grant; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def find(self, grant_id: str) -> Grant | None:
        """The grant, or ``None``."""
        ...

    def add(self, grant: Grant) -> None:
        """Store a new grant; :class:`~partnercore.ConflictError` if the id is taken."""
        ...

    def save(self, grant: Grant) -> None:
        """Replace a stored grant (same id, partner, client and advisor); NotFoundError if none."""
        ...

    def for_client(self, partner_id: str, client_id: str) -> Sequence[Grant]:
        """Grants of ``partner_id`` naming exactly ``client_id`` (not ``"*"``), oldest first."""
        ...

    def for_all_clients(self, partner_id: str) -> Sequence[Grant]:
        """Grants of ``partner_id`` with ``client_id == "*"``, oldest first."""
        ...

    def for_advisor(self, advisor_id: str) -> list[Grant]:
        """Grants naming exactly ``advisor_id`` (not ``"*"``), oldest first."""
        ...

    def for_partner(self, partner_id: str) -> list[Grant]:
        """Every grant of ``partner_id``, oldest first."""
        ...


class ConsentRepository(Protocol):
    """Consent changes (R4) per client."""

    def add(self, change: ConsentChange) -> None:
        """Append a consent change."""
        ...

    def for_client(self, client_id: str) -> Sequence[ConsentChange]:
        """The client's consent changes, oldest first."""
        ...


class TeamHistory(Protocol):
    """Transfers and status changes per team, and the transfers out of a partner."""

    def add(self, change: TeamChange) -> None:
        """Append a transfer or a status change."""
        ...

    def for_team(self, team_id: str) -> Sequence[TeamChange]:
        """The team's transfers and status changes, oldest first."""
        ...

    def for_teams(self, team_ids: Collection[str]) -> Mapping[str, Sequence[TeamChange]]:
        """The transfers and status changes of each of ``team_ids`` (oldest first), by team
        id, read at once (one query, not one per team): a team without any is left out."""
        ...

    def transfers_from(self, partner_id: str) -> list[Transfer]:
        """Transfers of clients away from ``partner_id``, oldest first."""
        ...

    def transfers_from_partners(
        self, partner_ids: Collection[str]
    ) -> Mapping[str, Sequence[Transfer]]:
        """The transfers of clients away from each of ``partner_ids`` (oldest first), by
        partner id, read at once (one query, not one per partner): a partner no client left
        is left out."""
        ...


class TenancyReader(Protocol):
    """The repositories the access check reads (``check``, ``require``, ``teams``, ``who``)."""

    @property
    def teams(self) -> TeamRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def memberships(self) -> MembershipRepository: ...
    @property
    def grants(self) -> GrantRepository: ...
    @property
    def consents(self) -> ConsentRepository: ...
    @property
    def history(self) -> TeamHistory: ...


class TenancyStore(TenancyReader, Transactional, Protocol):
    """What the tenancy write services work through: the tenancy repositories, the event
    log and units of work (every :class:`~partnercore.store.Store` is one)."""
