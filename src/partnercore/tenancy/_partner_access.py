"""Client consent (R4): revoking and restoring the partner's data access to a client-run team.

Who may: a user holding ``client_admin`` on the client at ``at`` (R4: not its partner's
admins, not its other members), or :data:`~partnercore.events.SYSTEM`.
"""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import AccessDeniedError, InvalidTransitionError, ValidationError
from partnercore.events import (
    SYSTEM,
    Actor,
    ConsentRestored,
    ConsentRevoked,
    actor_id,
    check_actor,
)
from partnercore.tenancy._consent import ConsentChange, PartnerAccess, consent_at
from partnercore.tenancy._decision import Decision
from partnercore.tenancy._history import parent_at
from partnercore.tenancy._people import Membership
from partnercore.tenancy._permissions import Role, Rule
from partnercore.tenancy._ports import TenancyStore
from partnercore.tenancy._team import OperatedBy, TeamKind, check_created_by
from partnercore.time import ensure_aware, format_instant

__all__ = ["change_partner_access", "restore_partner_access", "revoke_partner_access"]


def revoke_partner_access(
    store: TenancyStore, client_id: str, *, at: datetime, by: Actor
) -> ConsentChange:
    """A client_admin of a client-run team revokes its partner's data access at ``at``."""
    return change_partner_access(store, client_id, PartnerAccess.REVOKED, at=at, by=by)


def restore_partner_access(
    store: TenancyStore, client_id: str, *, at: datetime, by: Actor
) -> ConsentChange:
    """A client_admin of a client-run team restores its partner's data access at ``at``."""
    return change_partner_access(store, client_id, PartnerAccess.RESTORED, at=at, by=by)


def change_partner_access(
    store: TenancyStore,
    client_id: str,
    partner_access: PartnerAccess | str,
    *,
    at: datetime,
    by: Actor,
) -> ConsentChange:
    """Record a consent change after checking who makes it and where.

    Only a client team run by the client can change it (:class:`ValidationError` otherwise);
    only a user holding ``client_admin`` on it at ``at`` (or
    :data:`~partnercore.events.SYSTEM`) may: anyone else gets :class:`AccessDeniedError`
    carrying an R4 decision. Changes are chronological (:class:`ValidationError`), and
    revoking twice or restoring what is not revoked is an :class:`InvalidTransitionError`.
    Appends :class:`~partnercore.events.ConsentRevoked` or
    :class:`~partnercore.events.ConsentRestored`.
    """
    at = ensure_aware(at)
    actor = check_actor(by)
    change = ConsentChange(
        client_id=client_id, partner_access=partner_access, at=at, by=actor_id(actor)
    )
    with store.unit_of_work():
        team = store.teams.get(client_id)
        if team.kind is not TeamKind.CLIENT:
            raise ValidationError.at(
                "client_id", f"{client_id!r} is a partner team; consent belongs to client teams"
            )
        if team.operated_by is not OperatedBy.CLIENT:
            raise ValidationError.at(
                "operated_by",
                f"{client_id!r} is operated by its partner: it cannot revoke or restore the "
                "partner's data access",
            )
        if actor is not SYSTEM:
            assert isinstance(actor, str)
            _authorise_client_admin(store, actor, client_id, change.partner_access, at)
        check_created_by(team, at, "at")
        changes = store.consents.for_client(client_id)
        if changes and at < changes[-1].at:
            raise ValidationError.at(
                "at",
                f"{format_instant(at)} is before the last consent change of {client_id!r} "
                f"({format_instant(changes[-1].at)}); changes are recorded in order",
            )
        revoked = consent_at(changes, at) is not None
        if change.partner_access is PartnerAccess.REVOKED and revoked:
            raise InvalidTransitionError(
                "revoked", "revoke partner access", f"{client_id!r} already revoked it"
            )
        if change.partner_access is PartnerAccess.RESTORED and not revoked:
            raise InvalidTransitionError(
                "granted", "restore partner access", f"{client_id!r} has not revoked it"
            )
        store.consents.add(change)
        partner_id = parent_at(team, store.history.for_team(client_id), at) or ""
        kind = ConsentRevoked if change.partner_access is PartnerAccess.REVOKED else ConsentRestored
        store.events.append([kind(at=at, by=change.by, team_id=client_id, partner_id=partner_id)])
        return change


def _authorise_client_admin(
    store: TenancyStore, user: str, client_id: str, access: PartnerAccess, at: datetime
) -> None:
    """Let ``user`` go on only if it holds ``client_admin`` on ``client_id`` at ``at``."""
    for membership in store.memberships.between(user, client_id):
        if _is_admin_at(membership, at):
            return
    verb = "revoke" if access is PartnerAccess.REVOKED else "restore"
    decision = Decision(
        False,
        Rule.R4,
        f"{user} is not a client_admin of {client_id} at {format_instant(at)}: only a "
        "client_admin can revoke or restore the partner's data access",
    )
    raise AccessDeniedError(
        f"{user} may not {verb} partner access to {client_id}: {decision.explanation}",
        decision=decision,
    )


def _is_admin_at(membership: Membership, at: datetime) -> bool:
    return membership.role is Role.CLIENT_ADMIN and membership.active_at(at)
