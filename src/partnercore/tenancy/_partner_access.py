"""Client consent (R4): revoking and restoring the partner's data access to a client-run team."""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import AccessDeniedError, InvalidTransitionError, ValidationError
from partnercore._fields import check_id
from partnercore.tenancy._audit import AuditAction, record
from partnercore.tenancy._consent import ConsentChange, PartnerAccess, consent_at
from partnercore.tenancy._people import Membership
from partnercore.tenancy._permissions import Role
from partnercore.tenancy._ports import TenancyPorts
from partnercore.tenancy._team import OperatedBy, TeamKind, check_created_by
from partnercore.time import format_instant

__all__ = ["change_partner_access", "restore_partner_access", "revoke_partner_access"]


def revoke_partner_access(
    ports: TenancyPorts, client_id: str, *, at: datetime, by: str
) -> ConsentChange:
    """A client_admin of a client-run team revokes its partner's data access at ``at``."""
    return change_partner_access(ports, client_id, PartnerAccess.REVOKED, at=at, by=by)


def restore_partner_access(
    ports: TenancyPorts, client_id: str, *, at: datetime, by: str
) -> ConsentChange:
    """A client_admin of a client-run team restores its partner's data access at ``at``."""
    return change_partner_access(ports, client_id, PartnerAccess.RESTORED, at=at, by=by)


def change_partner_access(
    ports: TenancyPorts,
    client_id: str,
    partner_access: PartnerAccess | str,
    *,
    at: datetime,
    by: str,
) -> ConsentChange:
    """Record a consent change after checking who makes it and where.

    Only a client team run by the client can change it (:class:`ValidationError` otherwise),
    only a user holding ``client_admin`` on it at ``at`` may (:class:`AccessDeniedError`),
    changes are chronological (:class:`ValidationError`), and revoking twice or restoring
    what is not revoked is an :class:`InvalidTransitionError`.
    """
    change = ConsentChange(client_id=client_id, partner_access=partner_access, at=at, by=by)
    at = change.at
    check_id(by, "by")
    team = ports.teams.get(client_id)
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
    check_created_by(team, at, "at")
    if not any(_is_admin_at(m, at) for m in ports.memberships.between(by, client_id)):
        raise AccessDeniedError(
            f"{by!r} is not a client_admin of {client_id!r} at {format_instant(at)}: only a "
            "client_admin can revoke or restore the partner's data access"
        )
    changes = ports.consents.for_client(client_id)
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
    ports.consents.add(change)
    action = (
        AuditAction.PARTNER_ACCESS_REVOKED
        if change.partner_access is PartnerAccess.REVOKED
        else AuditAction.PARTNER_ACCESS_RESTORED
    )
    record(
        ports,
        at,
        by,
        action,
        client_id,
        client_id,
        f"partner data access {change.partner_access} by client {client_id}",
    )
    return change


def _is_admin_at(membership: Membership, at: datetime) -> bool:
    return membership.role is Role.CLIENT_ADMIN and membership.active_at(at)
