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
from partnercore.tenancy._history import (
    StatusChange,
    TeamChange,
    Transfer,
    client_partner_at,
)
from partnercore.tenancy._permissions import Permission
from partnercore.tenancy._ports import TenancyStore
from partnercore.tenancy._team import (
    BillingModel,
    OperatedBy,
    Team,
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
        if team.is_partner:
            system_only(actor, f"create partner {team.id}")
            parent = None
        else:
            parent = _partner_of_new_client(store, team)
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
            _check_takes_new_clients(parent, "parent_id")
        store.teams.add(team)
        store.events.append([_created(team, actor_id(actor))])
        return team


def _partner_of_new_client(store: TenancyStore, client: Team) -> Team:
    """The partner a new client is created under: it exists and is a partner (§2)."""
    parent = store.teams.find(client.client_partner_id)
    if parent is None:
        raise NotFoundError("team", client.client_partner_id)
    if not parent.is_partner:
        raise ValidationError.at(
            "parent_id",
            f"{parent.id!r} is a client team; a client's parent must be a partner "
            "(clients have no children)",
        )
    return parent


def _check_takes_new_clients(partner: Team, field: str) -> None:
    """An archived partner takes no new clients, created or transferred in."""
    if partner.status is TeamStatus.ARCHIVED:
        raise ValidationError.at(
            field, f"partner {partner.id!r} is archived: it takes no new clients"
        )


def _created(team: Team, by: str) -> Event:
    if team.is_partner:
        return PartnerCreated(at=team.created_at, by=by, team_id=team.id, name=team.name)
    return ClientCreated(
        at=team.created_at,
        by=by,
        team_id=team.id,
        partner_id=team.client_partner_id,
        name=team.name,
        operated_by=team.client_operated_by.value,
        billing_model=team.client_billing_model.value,
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
        client, target = _transfer_parties(store, client_id, to_partner_id)
        doing = f"transfer client {client_id} from {client.client_partner_id} to {to_partner_id}"
        authorise(store, actor, Permission.TEAM_ADMIN, client.client_partner_id, at, doing)
        if to_partner_id != client.client_partner_id:
            authorise(store, actor, Permission.TEAM_ADMIN, to_partner_id, at, doing)
        _check_takes_new_clients(target, "to_partner_id")
        check_created_by(target, at, "at")
        if client.status is TeamStatus.ARCHIVED:
            raise InvalidTransitionError(
                "archived", "transfer", f"client {client_id!r} is archived"
            )
        history = store.history.for_team(client_id)
        _check_chronology(client, history, at)
        old = client_partner_at(client, history, at)
        if old == to_partner_id:
            raise ValidationError.at(
                "to_partner_id", f"client {client_id!r} already belongs to {to_partner_id!r}"
            )
        return _record_transfer(store, client, old, to_partner_id, at, actor_id(actor))


def _transfer_parties(store: TenancyStore, client_id: str, to_partner_id: str) -> tuple[Team, Team]:
    """The client that moves and the partner it moves to: only a client moves, to a partner."""
    client = store.teams.get(client_id)
    if not client.is_client:
        raise ValidationError.at("client_id", f"{client_id!r} is a partner; only clients move")
    target = store.teams.get(to_partner_id)
    if not target.is_partner:
        raise ValidationError.at(
            "to_partner_id",
            f"{to_partner_id!r} is a client team; a client's parent is a partner",
        )
    return client, target


def _record_transfer(
    store: TenancyStore, client: Team, old: str, new: str, at: datetime, by: str
) -> Team:
    """Save the move and its history entry, and append its event; the moved client."""
    moved = attrs.evolve(client, parent_id=new)
    store.history.add(Transfer(client_id=client.id, from_partner=old, to_partner=new, at=at, by=by))
    store.teams.save(moved)
    store.events.append(
        [ClientTransferred(at=at, by=by, team_id=client.id, from_partner=old, to_partner=new)]
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
        _authorise_status_change(store, actor, team, at, event)
        if team.status not in sources:
            raise InvalidTransitionError(team.status.value, event, f"team {team_id!r}")
        _check_chronology(team, store.history.for_team(team_id), at)
        if target is TeamStatus.ARCHIVED and team.is_partner:
            _check_clients_archived(store, team, event)
        if target is TeamStatus.ACTIVE and team.is_client:
            _check_partner_not_archived(store, team, event)
        return _record_status(store, team, target, at, actor_id(actor))


def _authorise_status_change(
    store: TenancyStore, actor: Actor, team: Team, at: datetime, event: str
) -> None:
    """A partner's status is SYSTEM's; a client's needs ``team.admin`` on its partner."""
    if team.is_partner:
        system_only(actor, f"{event} partner {team.id}")
    else:
        authorise(
            store,
            actor,
            Permission.TEAM_ADMIN,
            team.client_partner_id,
            at,
            f"{event} client {team.id}",
        )


def _check_clients_archived(store: TenancyStore, partner: Team, event: str) -> None:
    """A partner is archived only after all its clients are."""
    open_clients = [
        c.id for c in store.teams.clients_of(partner.id) if c.status is not TeamStatus.ARCHIVED
    ]
    if open_clients:
        raise InvalidTransitionError(
            partner.status.value,
            event,
            f"partner {partner.id!r} still has clients that are not archived: "
            + ", ".join(open_clients),
        )


def _check_partner_not_archived(store: TenancyStore, client: Team, event: str) -> None:
    """A client is reactivated only while its partner is not archived."""
    if store.teams.get(client.client_partner_id).status is TeamStatus.ARCHIVED:
        raise InvalidTransitionError(
            client.status.value, event, f"its partner {client.client_partner_id!r} is archived"
        )


def _record_status(
    store: TenancyStore, team: Team, target: TeamStatus, at: datetime, by: str
) -> Team:
    """Save the new status and its history entry, and append its event; the changed team."""
    changed = attrs.evolve(team, status=target)
    store.history.add(
        StatusChange(team_id=team.id, from_status=team.status, to_status=target, at=at, by=by)
    )
    store.teams.save(changed)
    store.events.append(
        [
            TeamStatusChanged(
                at=at, by=by, team_id=team.id, status=target.value, previous=team.status.value
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
