"""The append-only audit trail: who did what, to which team, when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import attrs

from partnercore._fields import to_enum
from partnercore.time import ensure_aware

if TYPE_CHECKING:
    from partnercore.tenancy._ports import TenancyPorts

__all__ = ["AuditAction", "AuditEntry", "record"]


class AuditAction(StrEnum):
    """What an audit entry records."""

    TEAM_CREATED = "team_created"
    MEMBERSHIP_ADDED = "membership_added"
    MEMBERSHIP_ENDED = "membership_ended"
    GRANT_CREATED = "grant_created"
    GRANT_REVOKED = "grant_revoked"
    PARTNER_ACCESS_REVOKED = "partner_access_revoked"
    PARTNER_ACCESS_RESTORED = "partner_access_restored"
    CLIENT_TRANSFERRED = "client_transferred"
    TEAM_SUSPENDED = "team_suspended"
    TEAM_ARCHIVED = "team_archived"
    TEAM_REACTIVATED = "team_reactivated"


def _action(value: object) -> AuditAction:
    return to_enum(AuditAction, value, "action")


@attrs.frozen(kw_only=True)
class AuditEntry:
    """One thing that happened: ``actor`` did ``action`` to ``subject`` in ``team_id`` at ``at``.

    ``actor`` is ``None`` when the caller did not name one (for example when a host
    application loads its existing teams). ``detail`` is a human sentence.
    """

    at: datetime = attrs.field(converter=ensure_aware)
    actor: str | None
    action: AuditAction = attrs.field(converter=_action)
    team_id: str
    subject: str
    detail: str


def record(
    ports: TenancyPorts,
    at: datetime,
    actor: str | None,
    action: AuditAction,
    team_id: str,
    subject: str,
    detail: str,
) -> None:
    """Append one entry to the audit trail."""
    ports.audit.append(
        AuditEntry(
            at=at, actor=actor, action=action, team_id=team_id, subject=subject, detail=detail
        )
    )
