"""What content decisions read from the tenancy world: a client's partner over time, its
transfers and status, and who acts."""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import InvalidTransitionError, ValidationError
from partnercore.content._ports import ContentStore
from partnercore.events import SYSTEM, Actor, check_actor
from partnercore.tenancy import (
    Permission,
    Team,
    TeamStatus,
    Transfer,
    authorise,
    parent_at,
    status_at,
)
from partnercore.time import format_instant

__all__ = [
    "client_team",
    "departures",
    "partner_at",
    "partner_team",
    "recorded_by",
    "require_active",
    "viewer",
]


def client_team(store: ContentStore, client_id: str, path: str = "client_id") -> Team:
    """The client team ``client_id`` (NotFoundError; ValidationError for a partner)."""
    team = store.teams.get(client_id)
    if not team.is_client:
        raise ValidationError.at(path, f"{client_id!r} is a partner team, not a client")
    return team


def partner_team(store: ContentStore, partner_id: str, path: str = "partner_id") -> Team:
    """The partner team ``partner_id`` (NotFoundError; ValidationError for a client)."""
    team = store.teams.get(partner_id)
    if not team.is_partner:
        raise ValidationError.at(path, f"{partner_id!r} is a client team, not a partner")
    return team


def partner_at(store: ContentStore, client: Team, at: datetime) -> str | None:
    """The partner ``client`` belonged to at ``at``; ``None`` before the client existed."""
    if at < client.created_at:
        return None
    return parent_at(client, store.history.for_team(client.id), at)


def departures(store: ContentStore, client: Team) -> list[tuple[datetime, str]]:
    """The client's transfers as ``(instant, partner it left)``, oldest first."""
    return [
        (change.at, change.from_partner)
        for change in store.history.for_team(client.id)
        if isinstance(change, Transfer)
    ]


def require_active(store: ContentStore, client: Team, at: datetime, event: str) -> str:
    """The client's partner at ``at``, provided the client exists then and is active."""
    partner = partner_at(store, client, at)
    if partner is None:
        raise ValidationError.at(
            "at",
            f"client {client.id!r} does not exist before {format_instant(client.created_at)}",
        )
    status = status_at(client, store.history.for_team(client.id), at)
    if status is not TeamStatus.ACTIVE:
        raise InvalidTransitionError(status.value, event, f"client {client.id!r} is {status}")
    return partner


def viewer(
    store: ContentStore,
    by: Actor | None,
    permission: Permission,
    team_id: str,
    at: datetime,
    doing: str,
) -> None:
    """For the read services: let ``by`` read only if it holds ``permission`` on the team.

    ``by=None`` (or :data:`~partnercore.events.SYSTEM`) is the host reading for itself: no
    check is made.
    """
    if by is not None:
        authorise(store, by, permission, team_id, at, doing)


def recorded_by(by: Actor) -> str | None:
    """How an actor is written in content records (``by`` of a copy, a template's pin): the
    user id, or ``None`` for :data:`~partnercore.events.SYSTEM` (the platform)."""
    actor = check_actor(by)
    return None if actor is SYSTEM else str(actor)
