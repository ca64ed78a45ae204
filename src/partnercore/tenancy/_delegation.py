"""Delegated grants (R3): granting and revoking an advisor's access to a partner's clients.

Who may (besides :data:`~partnercore.events.SYSTEM`): a user holding ``team.admin`` on the
grant's partner team at ``at``, that is one of its partner admins.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from partnercore._errors import ConflictError, InvalidTransitionError, ValidationError
from partnercore._fields import check_instance
from partnercore.events import (
    SYSTEM,
    Actor,
    Event,
    GrantCreated,
    GrantRevoked,
    actor_id,
    check_actor,
)
from partnercore.tenancy._actors import authorise
from partnercore.tenancy._grants import ALL, Grant
from partnercore.tenancy._history import client_partner_at
from partnercore.tenancy._permissions import PARTNER_ROLES, Permission
from partnercore.tenancy._ports import TenancyStore
from partnercore.tenancy._team import Team, check_created_by
from partnercore.time import ensure_aware, format_instant

__all__ = ["grant_access", "revoke_grant"]


def grant_access(store: TenancyStore, grant: Grant, *, at: datetime, by: Actor) -> Grant:
    """Store a new delegated grant after authorising ``by`` and checking it makes sense.

    ``by`` holds ``team.admin`` on the grant's partner at ``at`` (a partner admin; the grant
    itself may start at another instant, ``granted_at``) and is the grant's ``granted_by``,
    or is :data:`~partnercore.events.SYSTEM` (which may record a grant made by anyone, as an
    import does). The id must be new (:class:`ConflictError`). The partner must be a partner
    team; a named client must be a client of that partner at ``granted_at``; ``granted_at``
    must not be before the partner (nor a named client) was created; a named advisor must
    hold ``advisor`` or ``partner_admin`` on the partner at ``granted_at`` or later
    (:class:`ValidationError`, :class:`NotFoundError` for unknown ids).

    Appends :class:`~partnercore.events.GrantCreated`; a grant recorded with ``revoked_at``
    already set also appends :class:`~partnercore.events.GrantRevoked` (at ``revoked_at``).
    """
    at = ensure_aware(at)
    actor = check_actor(by)
    check_instance(grant, Grant, "grant")
    with store.unit_of_work():
        partner = _grant_partner(store, grant)
        authorise(
            store,
            actor,
            Permission.TEAM_ADMIN,
            partner.id,
            at,
            f"grant {grant.role} on {_where(grant)} to {_who(grant)}",
        )
        _check_granted_by(grant, actor)
        if store.grants.find(grant.id) is not None:
            raise ConflictError(f"grant {grant.id!r} already exists", kind="grant", id=grant.id)
        check_created_by(partner, grant.granted_at, "granted_at")
        if grant.client_id != ALL:
            _check_client_of_partner(store, grant, partner)
        if grant.advisor_id != ALL:
            _check_advisor_of_partner(store, grant, partner)
        store.grants.add(grant)
        store.events.append(_grant_events(grant, at, actor_id(actor)))
        return grant


def _grant_partner(store: TenancyStore, grant: Grant) -> Team:
    """The partner team that delegates (R3: a grant is a partner's)."""
    partner = store.teams.get(grant.partner_id)
    if not partner.is_partner:
        raise ValidationError.at("partner_id", f"{partner.id!r} is a client team, not a partner")
    return partner


def _check_granted_by(grant: Grant, actor: Actor) -> None:
    """A user records the grants they make themselves; SYSTEM may record anyone's."""
    if actor is not SYSTEM and grant.granted_by != actor:
        raise ValidationError.at(
            "granted_by",
            f"{grant.granted_by!r} is not the acting user {actor!r}: a user records "
            "the grants they make themselves",
        )


def _check_client_of_partner(store: TenancyStore, grant: Grant, partner: Team) -> None:
    """A named client is a client of the grant's partner when the grant starts."""
    client = store.teams.get(grant.client_id)
    if not client.is_client:
        raise ValidationError.at("client_id", f"{client.id!r} is a partner team, not a client")
    check_created_by(client, grant.granted_at, "granted_at")
    parent = client_partner_at(client, store.history.for_team(client.id), grant.granted_at)
    if parent != partner.id:
        raise ValidationError.at(
            "client_id",
            f"{client.id!r} is not a client of {partner.id!r} at "
            f"{format_instant(grant.granted_at)} (its partner then: {parent!r})",
        )


def _check_advisor_of_partner(store: TenancyStore, grant: Grant, partner: Team) -> None:
    """A named advisor holds ``advisor`` or ``partner_admin`` on the partner at
    ``granted_at`` or later."""
    store.users.get(grant.advisor_id)
    memberships = store.memberships.between(grant.advisor_id, partner.id)
    if not any(
        m.role in PARTNER_ROLES and (m.active_until is None or m.active_until > grant.granted_at)
        for m in memberships
    ):
        raise ValidationError.at(
            "advisor_id",
            f"{grant.advisor_id!r} holds no advisor or partner_admin membership in "
            f"{partner.id!r} at or after {format_instant(grant.granted_at)}",
        )


def _grant_events(grant: Grant, at: datetime, by: str) -> list[Event]:
    """A grant's creation, and its revocation when it is recorded already revoked."""
    events: list[Event] = [_created(grant, at, by)]
    if grant.revoked_at is not None:
        events.append(_revoked(grant, grant.revoked_at, grant.revoked_by or by))
    return events


def revoke_grant(store: TenancyStore, grant_id: str, *, at: datetime, by: Actor) -> Grant:
    """Revoke a grant at ``at``: it gives nothing from ``at`` on.

    ``by`` holds ``team.admin`` on the grant's partner at ``at`` (a partner admin), or is
    :data:`~partnercore.events.SYSTEM`. Appends :class:`~partnercore.events.GrantRevoked`.
    """
    at = ensure_aware(at)
    actor = check_actor(by)
    with store.unit_of_work():
        grant = store.grants.get(grant_id)
        authorise(
            store, actor, Permission.TEAM_ADMIN, grant.partner_id, at, f"revoke grant {grant_id}"
        )
        if grant.revoked_at is not None:
            raise InvalidTransitionError(
                "revoked",
                "revoke",
                f"grant {grant_id!r} was revoked at {format_instant(grant.revoked_at)}",
            )
        if at < grant.granted_at:
            raise ValidationError.at(
                "at",
                f"{format_instant(at)} is before the grant starts "
                f"({format_instant(grant.granted_at)})",
            )
        by_id = actor_id(actor)
        revoked = attrs.evolve(grant, revoked_at=at, revoked_by=by_id)
        store.grants.save(revoked)
        store.events.append([_revoked(grant, at, by_id)])
        return revoked


def _team(grant: Grant) -> str:
    """The team a grant's events are about: its client, or its partner for every client."""
    return grant.partner_id if grant.client_id == ALL else grant.client_id


def _created(grant: Grant, at: datetime, by: str) -> GrantCreated:
    return GrantCreated(
        at=at,
        by=by,
        team_id=_team(grant),
        grant_id=grant.id,
        partner_id=grant.partner_id,
        client_id=grant.client_id,
        advisor_id=grant.advisor_id,
        role=grant.role.value,
        granted_at=grant.granted_at,
        expires_at=grant.expires_at,
    )


def _revoked(grant: Grant, at: datetime, by: str) -> GrantRevoked:
    return GrantRevoked(
        at=at,
        by=by,
        team_id=_team(grant),
        grant_id=grant.id,
        partner_id=grant.partner_id,
        client_id=grant.client_id,
        advisor_id=grant.advisor_id,
    )


def _who(grant: Grant) -> str:
    return f"every advisor of {grant.partner_id}" if grant.advisor_id == ALL else grant.advisor_id


def _where(grant: Grant) -> str:
    return f"every client of {grant.partner_id}" if grant.client_id == ALL else grant.client_id
