"""Hierarchy operations (§2): creating partners and clients, transfers, status changes.

Each operation runs in one unit of work: it loads what it acts on, authorises its actor
(``by``), checks every invariant, and only then writes the change and its events, so a
violation or a refusal raises a clear error and leaves the store unchanged.

Who may (besides :data:`~partnercore.events.SYSTEM`): creating a partner is a platform
operation (SYSTEM only); creating a client needs ``client.create`` on its partner; a transfer
needs ``team.admin`` on both the client's partner and the receiving partner; a client's
status changes need ``team.admin`` on its partner; a partner's status is SYSTEM's only.
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
from partnercore._fields import check_instance
from partnercore.events import (
    Actor,
    ClientCreated,
    ClientTransferred,
    Event,
    PartnerCreated,
    TeamStatusChanged,
    actor_id,
    check_actor,
)
from partnercore.tenancy._actors import authorise, system_only
from partnercore.tenancy._history import StatusChange, TeamChange, Transfer, parent_at
from partnercore.tenancy._permissions import Permission
from partnercore.tenancy._ports import TenancyStore
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


def add_team(store: TenancyStore, team: Team, *, by: Actor) -> Team:
    """Store a new team after authorising ``by`` and checking the hierarchy invariants.

    The team is created at its ``created_at``. A partner is created by
    :data:`~partnercore.events.SYSTEM` only; a client by a user holding ``client.create``
    on its partner at ``created_at`` (its partner admins), or by SYSTEM; anyone else gets
    :class:`AccessDeniedError`. A duplicate id raises :class:`ConflictError`; a client whose
    parent is unknown raises :class:`NotFoundError`; a client whose parent is a client (or
    an archived partner) raises :class:`ValidationError`, and so does a client created
    before its partner. (A partner with a parent, or a client without one, is already
    rejected by :class:`Team`.) Appends :class:`~partnercore.events.PartnerCreated` or
    :class:`~partnercore.events.ClientCreated`.
    """
    actor = check_actor(by)
    check_instance(team, Team, "team")
    with store.unit_of_work():
        if team.kind is TeamKind.PARTNER:
            system_only(actor, f"create partner {team.id}")
            parent = None
        else:
            assert team.parent_id is not None  # guaranteed by Team
            parent = store.teams.find(team.parent_id)
            if parent is None:
                raise NotFoundError("team", team.parent_id)
            if parent.kind is not TeamKind.PARTNER:
                raise ValidationError.at(
                    "parent_id",
                    f"{parent.id!r} is a client team; a client's parent must be a partner "
                    "(clients have no children)",
                )
            authorise(
                store,
                actor,
                Permission.CLIENT_CREATE,
                parent.id,
                team.created_at,
                f"create client {team.id} under {parent.id}",
            )
        if store.teams.find(team.id) is not None:
            raise ConflictError(f"team {team.id!r} already exists", kind="team", id=team.id)
        if parent is not None:
            check_created_by(parent, team.created_at, "created_at")
            if parent.status is TeamStatus.ARCHIVED:
                raise ValidationError.at(
                    "parent_id", f"partner {parent.id!r} is archived: it takes no new clients"
                )
        store.teams.add(team)
        store.events.append([_created(team, actor_id(actor))])
        return team


def _created(team: Team, by: str) -> Event:
    if team.kind is TeamKind.PARTNER:
        return PartnerCreated(at=team.created_at, by=by, team_id=team.id, name=team.name)
    assert team.parent_id is not None
    assert team.operated_by is not None
    assert team.billing_model is not None
    return ClientCreated(
        at=team.created_at,
        by=by,
        team_id=team.id,
        partner_id=team.parent_id,
        name=team.name,
        operated_by=team.operated_by.value,
        billing_model=team.billing_model.value,
        organisation_key=team.organisation_key,
    )


def create_partner(
    store: TenancyStore,
    team_id: str,
    name: str,
    *,
    at: datetime,
    by: Actor,
    timezone: str = "UTC",
    country: str | None = None,
    tax_id: str | None = None,
) -> Team:
    """Create an active partner team at ``at`` (its ``timezone`` is its billing timezone).

    ``country`` and ``tax_id`` say how invoices billed to it are taxed (§5.2).
    A platform operation: only :data:`~partnercore.events.SYSTEM` may.
    """
    team = Team.partner(team_id, name, created_at=at, timezone=timezone)
    if country is not None or tax_id is not None:
        team = attrs.evolve(team, country=country, tax_id=tax_id)
    return add_team(store, team, by=by)


def create_client(
    store: TenancyStore,
    team_id: str,
    name: str,
    *,
    partner_id: str,
    operated_by: OperatedBy | str,
    billing_model: BillingModel | str,
    at: datetime,
    by: Actor,
    timezone: str = "UTC",
    organisation_key: str | None = None,
    status: TeamStatus | str = TeamStatus.ACTIVE,
    country: str | None = None,
    tax_id: str | None = None,
) -> Team:
    """Create a client team under partner ``partner_id`` at ``at``.

    ``by`` holds ``client.create`` on the partner at ``at`` (its partner admins), or is
    :data:`~partnercore.events.SYSTEM`. ``country`` and ``tax_id`` say how invoices billed
    to it are taxed (§5.2).
    """
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
    if country is not None or tax_id is not None:
        team = attrs.evolve(team, country=country, tax_id=tax_id)
    return add_team(store, team, by=by)


def transfer_client(
    store: TenancyStore, client_id: str, to_partner_id: str, *, at: datetime, by: Actor
) -> Team:
    """Move a client to another partner at ``at``; returns the updated client.

    ``by`` holds ``team.admin`` on the client's partner and on the receiving partner at
    ``at`` (a partner admin of both), or is :data:`~partnercore.events.SYSTEM`. ``at`` is not
    before the client's nor the new partner's ``created_at``.

    Every delegated grant of the old partner on this client ends at ``at`` (decisions at
    earlier instants still see the old partner). Memberships in the client stay. Appends
    :class:`~partnercore.events.ClientTransferred`.
    """
    at = ensure_aware(at)
    actor = check_actor(by)
    with store.unit_of_work():
        client = store.teams.get(client_id)
        if client.kind is not TeamKind.CLIENT:
            raise ValidationError.at("client_id", f"{client_id!r} is a partner; only clients move")
        target = store.teams.get(to_partner_id)
        if target.kind is not TeamKind.PARTNER:
            raise ValidationError.at(
                "to_partner_id",
                f"{to_partner_id!r} is a client team; a client's parent is a partner",
            )
        assert client.parent_id is not None
        doing = f"transfer client {client_id} from {client.parent_id} to {to_partner_id}"
        authorise(store, actor, Permission.TEAM_ADMIN, client.parent_id, at, doing)
        if to_partner_id != client.parent_id:
            authorise(store, actor, Permission.TEAM_ADMIN, to_partner_id, at, doing)
        if target.status is TeamStatus.ARCHIVED:
            raise ValidationError.at(
                "to_partner_id",
                f"partner {to_partner_id!r} is archived: it takes no new clients",
            )
        check_created_by(target, at, "at")
        if client.status is TeamStatus.ARCHIVED:
            raise InvalidTransitionError(
                "archived", "transfer", f"client {client_id!r} is archived"
            )
        history = store.history.for_team(client_id)
        _check_chronology(client, history, at)
        old = parent_at(client, history, at)
        assert old is not None
        if old == to_partner_id:
            raise ValidationError.at(
                "to_partner_id", f"client {client_id!r} already belongs to {to_partner_id!r}"
            )
        by_id = actor_id(actor)
        moved = attrs.evolve(client, parent_id=to_partner_id)
        store.history.add(
            Transfer(
                client_id=client_id, from_partner=old, to_partner=to_partner_id, at=at, by=by_id
            )
        )
        store.teams.save(moved)
        store.events.append(
            [
                ClientTransferred(
                    at=at, by=by_id, team_id=client_id, from_partner=old, to_partner=to_partner_id
                )
            ]
        )
        return moved


# (from statuses, to status)
_SUSPEND = (frozenset({TeamStatus.ACTIVE}), TeamStatus.SUSPENDED)
_ARCHIVE = (frozenset({TeamStatus.ACTIVE, TeamStatus.SUSPENDED}), TeamStatus.ARCHIVED)
_REACTIVATE = (frozenset({TeamStatus.SUSPENDED, TeamStatus.ARCHIVED}), TeamStatus.ACTIVE)


def suspend_team(store: TenancyStore, team_id: str, *, at: datetime, by: Actor) -> Team:
    """``active`` -> ``suspended`` at ``at`` (R6 then restricts the team).

    A client's status is changed by a user holding ``team.admin`` on its partner (its
    partner admins); a partner's only by :data:`~partnercore.events.SYSTEM`.
    """
    return _change_status(store, team_id, at, by, "suspend", *_SUSPEND)


def archive_team(store: TenancyStore, team_id: str, *, at: datetime, by: Actor) -> Team:
    """``active`` or ``suspended`` -> ``archived`` at ``at`` (who may: see :func:`suspend_team`).

    A partner can be archived only once all its clients are archived.
    """
    return _change_status(store, team_id, at, by, "archive", *_ARCHIVE)


def reactivate_team(store: TenancyStore, team_id: str, *, at: datetime, by: Actor) -> Team:
    """``suspended`` or ``archived`` -> ``active`` at ``at`` (who may: see :func:`suspend_team`).

    A client can be reactivated only while its partner is not archived.
    """
    return _change_status(store, team_id, at, by, "reactivate", *_REACTIVATE)


def _change_status(
    store: TenancyStore,
    team_id: str,
    at: datetime,
    by: Actor,
    event: str,
    sources: frozenset[TeamStatus],
    target: TeamStatus,
) -> Team:
    at = ensure_aware(at)
    actor = check_actor(by)
    with store.unit_of_work():
        team = store.teams.get(team_id)
        if team.kind is TeamKind.PARTNER:
            system_only(actor, f"{event} partner {team_id}")
        else:
            assert team.parent_id is not None
            authorise(
                store,
                actor,
                Permission.TEAM_ADMIN,
                team.parent_id,
                at,
                f"{event} client {team_id}",
            )
        if team.status not in sources:
            raise InvalidTransitionError(team.status.value, event, f"team {team_id!r}")
        _check_chronology(team, store.history.for_team(team_id), at)
        if target is TeamStatus.ARCHIVED and team.kind is TeamKind.PARTNER:
            open_clients = [
                c.id for c in store.teams.clients_of(team_id) if c.status is not TeamStatus.ARCHIVED
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
            if store.teams.get(team.parent_id).status is TeamStatus.ARCHIVED:
                raise InvalidTransitionError(
                    team.status.value, event, f"its partner {team.parent_id!r} is archived"
                )
        by_id = actor_id(actor)
        changed = attrs.evolve(team, status=target)
        store.history.add(
            StatusChange(
                team_id=team_id, from_status=team.status, to_status=target, at=at, by=by_id
            )
        )
        store.teams.save(changed)
        store.events.append(
            [
                TeamStatusChanged(
                    at=at,
                    by=by_id,
                    team_id=team_id,
                    status=target.value,
                    previous=team.status.value,
                )
            ]
        )
        return changed


def _check_chronology(team: Team, history: Sequence[TeamChange], at: datetime) -> None:
    check_created_by(team, at, "at")
    if history and at < history[-1].at:
        raise ValidationError.at(
            "at",
            f"{format_instant(at)} is before the last change of team {team.id!r} "
            f"({format_instant(history[-1].at)}); changes are recorded in order",
        )
