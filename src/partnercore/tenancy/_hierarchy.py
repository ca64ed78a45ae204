"""Hierarchy operations (§2): creating partners and clients, transfers, status changes.

Each operation checks every invariant before it writes anything, so a violation raises a
clear error and leaves the store unchanged. Every change is written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from partnercore._errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
)
from partnercore._fields import check_id
from partnercore.tenancy._audit import AuditAction, record
from partnercore.tenancy._history import StatusChange, TeamChange, Transfer, parent_at
from partnercore.tenancy._ports import TenancyPorts
from partnercore.tenancy._team import (
    BillingModel,
    OperatedBy,
    Team,
    TeamKind,
    TeamStatus,
    check_created_by,
)
from partnercore.time import ensure_aware, format_instant

__all__ = [
    "add_team",
    "archive_team",
    "create_client",
    "create_partner",
    "reactivate_team",
    "suspend_team",
    "transfer_client",
]


def add_team(ports: TenancyPorts, team: Team, *, by: str | None = None) -> Team:
    """Store a new team after checking the hierarchy invariants.

    A duplicate id raises :class:`ConflictError`; a client whose parent is unknown raises
    :class:`NotFoundError`; a client whose parent is a client (or an archived partner)
    raises :class:`ValidationError`, and so does a client created before its partner. (A
    partner with a parent, or a client without one, is already rejected by :class:`Team`.)
    """
    if by is not None:
        check_id(by, "by")
    if ports.teams.find(team.id) is not None:
        raise ConflictError(f"team {team.id!r} already exists", kind="team", id=team.id)
    if team.kind is TeamKind.CLIENT:
        assert team.parent_id is not None  # guaranteed by Team
        parent = ports.teams.find(team.parent_id)
        if parent is None:
            raise NotFoundError("team", team.parent_id)
        if parent.kind is not TeamKind.PARTNER:
            raise ValidationError.at(
                "parent_id",
                f"{parent.id!r} is a client team; a client's parent must be a partner "
                "(clients have no children)",
            )
        check_created_by(parent, team.created_at, "created_at")
        if parent.status is TeamStatus.ARCHIVED:
            raise ValidationError.at(
                "parent_id", f"partner {parent.id!r} is archived: it takes no new clients"
            )
    ports.teams.add(team)
    detail = (
        f"partner {team.id} created"
        if team.kind is TeamKind.PARTNER
        else f"client {team.id} created under partner {team.parent_id} "
        f"({team.operated_by}-operated, {team.billing_model}, {team.status})"
    )
    record(ports, team.created_at, by, AuditAction.TEAM_CREATED, team.id, team.id, detail)
    return team


def create_partner(
    ports: TenancyPorts,
    team_id: str,
    name: str,
    *,
    at: datetime,
    timezone: str = "UTC",
    by: str | None = None,
) -> Team:
    """Create an active partner team (its ``timezone`` is its billing timezone)."""
    return add_team(ports, Team.partner(team_id, name, created_at=at, timezone=timezone), by=by)


def create_client(
    ports: TenancyPorts,
    team_id: str,
    name: str,
    *,
    partner_id: str,
    operated_by: OperatedBy | str,
    billing_model: BillingModel | str,
    at: datetime,
    timezone: str = "UTC",
    organisation_key: str | None = None,
    status: TeamStatus | str = TeamStatus.ACTIVE,
    by: str | None = None,
) -> Team:
    """Create a client team under partner ``partner_id``."""
    team = Team.client(
        team_id,
        name,
        parent_id=partner_id,
        operated_by=operated_by,
        billing_model=billing_model,
        created_at=at,
        timezone=timezone,
        organisation_key=organisation_key,
        status=status,
    )
    return add_team(ports, team, by=by)


def transfer_client(
    ports: TenancyPorts, client_id: str, to_partner_id: str, *, at: datetime, by: str
) -> Team:
    """Move a client to another partner at ``at``; returns the updated client.

    ``at`` is not before the client's nor the new partner's ``created_at``.

    Every delegated grant of the old partner on this client ends at ``at`` (decisions at
    earlier instants still see the old partner). Memberships in the client stay.
    """
    at = ensure_aware(at)
    check_id(by, "by")
    client = ports.teams.get(client_id)
    if client.kind is not TeamKind.CLIENT:
        raise ValidationError.at("client_id", f"{client_id!r} is a partner; only clients move")
    target = ports.teams.get(to_partner_id)
    if target.kind is not TeamKind.PARTNER:
        raise ValidationError.at(
            "to_partner_id", f"{to_partner_id!r} is a client team; a client's parent is a partner"
        )
    if target.status is TeamStatus.ARCHIVED:
        raise ValidationError.at(
            "to_partner_id", f"partner {to_partner_id!r} is archived: it takes no new clients"
        )
    check_created_by(target, at, "at")
    if client.status is TeamStatus.ARCHIVED:
        raise InvalidTransitionError("archived", "transfer", f"client {client_id!r} is archived")
    history = ports.history.for_team(client_id)
    _check_chronology(client, history, at)
    old = parent_at(client, history, at)
    assert old is not None
    if old == to_partner_id:
        raise ValidationError.at(
            "to_partner_id", f"client {client_id!r} already belongs to {to_partner_id!r}"
        )
    ended = [
        g.id
        for g in ports.grants.for_client(old, client_id)
        if g.granted_at <= at
        and (g.expires_at is None or at < g.expires_at)
        and (g.revoked_at is None or at < g.revoked_at)
    ]
    moved = attrs.evolve(client, parent_id=to_partner_id)
    ports.history.add(
        Transfer(client_id=client_id, from_partner=old, to_partner=to_partner_id, at=at, by=by)
    )
    ports.teams.save(moved)
    detail = f"client {client_id} transferred from {old} to {to_partner_id}"
    if ended:
        detail += f"; delegated grants of {old} ended: {', '.join(ended)}"
    record(ports, at, by, AuditAction.CLIENT_TRANSFERRED, client_id, client_id, detail)
    return moved


# (from statuses, to status, audit action, event name)
_SUSPEND = (frozenset({TeamStatus.ACTIVE}), TeamStatus.SUSPENDED, AuditAction.TEAM_SUSPENDED)
_ARCHIVE = (
    frozenset({TeamStatus.ACTIVE, TeamStatus.SUSPENDED}),
    TeamStatus.ARCHIVED,
    AuditAction.TEAM_ARCHIVED,
)
_REACTIVATE = (
    frozenset({TeamStatus.SUSPENDED, TeamStatus.ARCHIVED}),
    TeamStatus.ACTIVE,
    AuditAction.TEAM_REACTIVATED,
)


def suspend_team(ports: TenancyPorts, team_id: str, *, at: datetime, by: str) -> Team:
    """``active`` -> ``suspended`` at ``at`` (R6 then restricts the team)."""
    return _change_status(ports, team_id, at, by, "suspend", *_SUSPEND)


def archive_team(ports: TenancyPorts, team_id: str, *, at: datetime, by: str) -> Team:
    """``active`` or ``suspended`` -> ``archived`` at ``at``.

    A partner can be archived only once all its clients are archived.
    """
    return _change_status(ports, team_id, at, by, "archive", *_ARCHIVE)


def reactivate_team(ports: TenancyPorts, team_id: str, *, at: datetime, by: str) -> Team:
    """``suspended`` or ``archived`` -> ``active`` at ``at``.

    A client can be reactivated only while its partner is not archived.
    """
    return _change_status(ports, team_id, at, by, "reactivate", *_REACTIVATE)


def _change_status(
    ports: TenancyPorts,
    team_id: str,
    at: datetime,
    by: str,
    event: str,
    sources: frozenset[TeamStatus],
    target: TeamStatus,
    action: AuditAction,
) -> Team:
    at = ensure_aware(at)
    check_id(by, "by")
    team = ports.teams.get(team_id)
    if team.status not in sources:
        raise InvalidTransitionError(team.status.value, event, f"team {team_id!r}")
    _check_chronology(team, ports.history.for_team(team_id), at)
    if target is TeamStatus.ARCHIVED and team.kind is TeamKind.PARTNER:
        open_clients = [
            c.id for c in ports.teams.clients_of(team_id) if c.status is not TeamStatus.ARCHIVED
        ]
        if open_clients:
            raise InvalidTransitionError(
                team.status.value,
                event,
                f"partner {team_id!r} still has clients that are not archived: "
                + ", ".join(open_clients),
            )
    if target is TeamStatus.ACTIVE and team.kind is TeamKind.CLIENT:
        assert team.parent_id is not None
        if ports.teams.get(team.parent_id).status is TeamStatus.ARCHIVED:
            raise InvalidTransitionError(
                team.status.value, event, f"its partner {team.parent_id!r} is archived"
            )
    changed = attrs.evolve(team, status=target)
    ports.history.add(
        StatusChange(team_id=team_id, from_status=team.status, to_status=target, at=at, by=by)
    )
    ports.teams.save(changed)
    detail = f"team {team_id} {team.status} -> {target}"
    record(ports, at, by, action, team_id, team_id, detail)
    return changed


def _check_chronology(team: Team, history: Sequence[TeamChange], at: datetime) -> None:
    check_created_by(team, at, "at")
    if history and at < history[-1].at:
        raise ValidationError.at(
            "at",
            f"{format_instant(at)} is before the last change of team {team.id!r} "
            f"({format_instant(history[-1].at)}); changes are recorded in order",
        )
