"""What content decisions read from the tenancy world: a client's partner over time, its
transfers and status, and the access check for acting users."""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import AccessDeniedError, InvalidTransitionError, ValidationError
from partnercore.content._ports import ContentPorts
from partnercore.tenancy import (
    Permission,
    Team,
    TeamKind,
    TeamStatus,
    Transfer,
    check,
    parent_at,
    status_at,
)
from partnercore.time import format_instant

__all__ = [
    "client_team",
    "departures",
    "partner_at",
    "partner_team",
    "require",
    "require_active",
]


def client_team(ports: ContentPorts, client_id: str, path: str = "client_id") -> Team:
    """The client team ``client_id`` (NotFoundError; ValidationError for a partner)."""
    team = ports.tenancy.teams.get(client_id)
    if team.kind is not TeamKind.CLIENT:
        raise ValidationError.at(path, f"{client_id!r} is a partner team, not a client")
    return team


def partner_team(ports: ContentPorts, partner_id: str, path: str = "partner_id") -> Team:
    """The partner team ``partner_id`` (NotFoundError; ValidationError for a client)."""
    team = ports.tenancy.teams.get(partner_id)
    if team.kind is not TeamKind.PARTNER:
        raise ValidationError.at(path, f"{partner_id!r} is a client team, not a partner")
    return team


def partner_at(ports: ContentPorts, client: Team, at: datetime) -> str | None:
    """The partner ``client`` belonged to at ``at``; ``None`` before the client existed."""
    if at < client.created_at:
        return None
    return parent_at(client, ports.tenancy.history.for_team(client.id), at)


def departures(ports: ContentPorts, client: Team) -> list[tuple[datetime, str]]:
    """The client's transfers as ``(instant, partner it left)``, oldest first."""
    return [
        (change.at, change.from_partner)
        for change in ports.tenancy.history.for_team(client.id)
        if isinstance(change, Transfer)
    ]


def require_active(ports: ContentPorts, client: Team, at: datetime, event: str) -> str:
    """The client's partner at ``at``, provided the client exists then and is active."""
    partner = partner_at(ports, client, at)
    if partner is None:
        raise ValidationError.at(
            "at",
            f"client {client.id!r} does not exist before {format_instant(client.created_at)}",
        )
    status = status_at(client, ports.tenancy.history.for_team(client.id), at)
    if status is not TeamStatus.ACTIVE:
        raise InvalidTransitionError(status.value, event, f"client {client.id!r} is {status}")
    return partner


def require(
    ports: ContentPorts,
    by: str | None,
    permission: Permission,
    team_id: str,
    at: datetime,
    doing: str,
) -> None:
    """Raise :class:`AccessDeniedError` unless user ``by`` holds ``permission`` on the team.

    ``by=None`` is an act of the host system itself (loading a scenario, a migration): no
    user is involved and no check is made.
    """
    if by is None:
        return
    decision = check(ports.tenancy, by, permission, team_id, at)
    if not decision.allowed:
        raise AccessDeniedError(f"{by} may not {doing}: {decision.explanation}", decision=decision)
