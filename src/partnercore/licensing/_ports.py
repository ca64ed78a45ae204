"""The licence port: where licences are stored. Host applications implement it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

from partnercore.events import Transactional
from partnercore.licensing._license import License
from partnercore.tenancy import TenancyReader

__all__ = ["LicenseRepository", "LicensingStore"]


class LicenseRepository(Protocol):
    """A collection of licences, one per client team, with optimistic concurrency.

    Every stored licence has a ``version`` (``1`` once added, one more on every save).
    ``save`` accepts a licence only if its ``version`` is the stored one; otherwise the copy
    is stale, :class:`~partnercore.StaleWriteError` is raised and nothing is written.
    """

    def get(self, team_id: str) -> License:
        """The licence of ``team_id``; :class:`~partnercore.NotFoundError` if there is none."""
        ...

    def find(self, team_id: str) -> License | None:
        """The licence of ``team_id``, or ``None``."""
        ...

    def add(self, license: License) -> License:
        """Store a new licence; returns the stored copy (version 1).

        :class:`~partnercore.ConflictError` if the team already has a licence.
        """
        ...

    def save(self, license: License) -> License:
        """Replace the stored licence of ``license.team_id``; returns the stored copy.

        :class:`~partnercore.NotFoundError` if there is none;
        :class:`~partnercore.StaleWriteError` (writing nothing) if ``license.version`` is
        not the stored version.
        """
        ...

    def for_organisation(self, organisation_key: str) -> tuple[License, ...]:
        """Every licence whose ``organisation_key`` is exactly ``organisation_key``,
        sorted by ``team_id`` (empty when there is none)."""
        ...

    def for_teams(self, team_ids: Collection[str]) -> Mapping[str, License]:
        """The licences of ``team_ids``, by team id, read at once (one query, not one per
        team): a team without a licence, or an id no team can have, is left out."""
        ...


class LicensingStore(TenancyReader, Transactional, Protocol):
    """What the licence services work through: licences, the teams they belong to (and the
    repositories the access check reads, to authorise the actor), events, units of work."""

    @property
    def licenses(self) -> LicenseRepository: ...
