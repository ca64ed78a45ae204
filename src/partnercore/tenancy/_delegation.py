"""Delegated grants (R3): granting and revoking an advisor's access to a partner's clients."""

from __future__ import annotations

from datetime import datetime

import attrs

from partnercore._errors import ConflictError, InvalidTransitionError, ValidationError
from partnercore._fields import check_id
from partnercore.tenancy._audit import AuditAction, record
from partnercore.tenancy._grants import ALL, Grant
from partnercore.tenancy._history import parent_at
from partnercore.tenancy._permissions import PARTNER_ROLES
from partnercore.tenancy._ports import TenancyPorts
from partnercore.tenancy._team import TeamKind, check_created_by
from partnercore.time import ensure_aware, format_instant

__all__ = ["grant_access", "revoke_grant"]


def grant_access(ports: TenancyPorts, grant: Grant) -> Grant:
    """Store a new delegated grant after checking it makes sense.

    The id must be new (:class:`ConflictError`). The partner must be a partner team; a named
    client must be a client of that partner at ``granted_at``; ``granted_at`` must not be
    before the partner (nor a named client) was created; a named advisor must hold
    ``advisor`` or ``partner_admin`` on the partner at ``granted_at`` or later
    (:class:`ValidationError`, :class:`NotFoundError` for unknown ids). A grant recorded with
    ``revoked_at`` already set is audited as granted and then revoked.
    """
    if ports.grants.find(grant.id) is not None:
        raise ConflictError(f"grant {grant.id!r} already exists", kind="grant", id=grant.id)
    partner = ports.teams.get(grant.partner_id)
    if partner.kind is not TeamKind.PARTNER:
        raise ValidationError.at("partner_id", f"{partner.id!r} is a client team, not a partner")
    check_created_by(partner, grant.granted_at, "granted_at")
    if grant.client_id != ALL:
        client = ports.teams.get(grant.client_id)
        if client.kind is not TeamKind.CLIENT:
            raise ValidationError.at("client_id", f"{client.id!r} is a partner team, not a client")
        check_created_by(client, grant.granted_at, "granted_at")
        parent = parent_at(client, ports.history.for_team(client.id), grant.granted_at)
        if parent != partner.id:
            raise ValidationError.at(
                "client_id",
                f"{client.id!r} is not a client of {partner.id!r} at "
                f"{format_instant(grant.granted_at)} (its partner then: {parent!r})",
            )
    if grant.advisor_id != ALL:
        ports.users.get(grant.advisor_id)
        memberships = ports.memberships.between(grant.advisor_id, partner.id)
        if not any(
            m.role in PARTNER_ROLES
            and (m.active_until is None or m.active_until > grant.granted_at)
            for m in memberships
        ):
            raise ValidationError.at(
                "advisor_id",
                f"{grant.advisor_id!r} holds no advisor or partner_admin membership in "
                f"{partner.id!r} at or after {format_instant(grant.granted_at)}",
            )
    ports.grants.add(grant)
    record(
        ports,
        grant.granted_at,
        grant.granted_by,
        AuditAction.GRANT_CREATED,
        grant.partner_id if grant.client_id == ALL else grant.client_id,
        grant.id,
        _describe(grant),
    )
    if grant.revoked_at is not None:
        record(
            ports,
            grant.revoked_at,
            grant.revoked_by or grant.granted_by,
            AuditAction.GRANT_REVOKED,
            grant.partner_id if grant.client_id == ALL else grant.client_id,
            grant.id,
            f"grant {grant.id} revoked",
        )
    return grant


def revoke_grant(ports: TenancyPorts, grant_id: str, *, at: datetime, by: str) -> Grant:
    """Revoke a grant at ``at``: it gives nothing from ``at`` on."""
    at = ensure_aware(at)
    check_id(by, "by")
    grant = ports.grants.get(grant_id)
    if grant.revoked_at is not None:
        raise InvalidTransitionError(
            "revoked",
            "revoke",
            f"grant {grant_id!r} was revoked at {format_instant(grant.revoked_at)}",
        )
    if at < grant.granted_at:
        raise ValidationError.at(
            "at",
            f"{format_instant(at)} is before the grant starts ({format_instant(grant.granted_at)})",
        )
    revoked = attrs.evolve(grant, revoked_at=at, revoked_by=by)
    ports.grants.save(revoked)
    record(
        ports,
        at,
        by,
        AuditAction.GRANT_REVOKED,
        grant.partner_id if grant.client_id == ALL else grant.client_id,
        grant.id,
        f"grant {grant.id} revoked",
    )
    return revoked


def _describe(grant: Grant) -> str:
    who = f"every advisor of {grant.partner_id}" if grant.advisor_id == ALL else grant.advisor_id
    where = f"every client of {grant.partner_id}" if grant.client_id == ALL else grant.client_id
    until = f" until {format_instant(grant.expires_at)}" if grant.expires_at is not None else ""
    return f"grant {grant.id}: {grant.role} on {where} to {who}{until}"
