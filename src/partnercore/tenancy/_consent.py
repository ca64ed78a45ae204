"""Client consent (R4): a client-run team revoking, and restoring, its partner's data access."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import attrs

from partnercore._fields import id_validator, to_enum
from partnercore.time import ensure_aware

__all__ = ["ConsentChange", "PartnerAccess", "consent_at"]


class PartnerAccess(StrEnum):
    """What a consent change does to the partner's data access."""

    REVOKED = "revoked"
    RESTORED = "restored"


_REVOKED = PartnerAccess.REVOKED


def _partner_access(value: object) -> PartnerAccess:
    return to_enum(PartnerAccess, value, "partner_access")


@attrs.frozen(kw_only=True)
class ConsentChange:
    """Client ``client_id`` set its partner's data access to ``partner_access`` at ``at``."""

    client_id: str = attrs.field(validator=id_validator)
    partner_access: PartnerAccess = attrs.field(converter=_partner_access)
    at: datetime = attrs.field(converter=ensure_aware)
    by: str = attrs.field(validator=id_validator)


def consent_at(changes: Sequence[ConsentChange], at: datetime) -> ConsentChange | None:
    """The revocation in force at ``at``, or ``None`` when partner access is not revoked.

    ``changes`` are one client's consent changes, oldest first.
    """
    current: ConsentChange | None = None
    for change in changes:
        if change.at > at:
            break
        current = change
    if current is not None and current.partner_access is _REVOKED:
        return current
    return None
