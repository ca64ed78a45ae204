"""Delegated grants (R3): an advisor of a partner reaching a client of that partner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from partnercore._errors import ConflictError, ValidationError
from partnercore._fields import check_id, id_validator, optional_instant, to_enum
from partnercore.tenancy._permissions import GrantRole
from partnercore.time import ensure_aware, format_instant

__all__ = ["ALL", "Grant"]

#: The wildcard a grant uses for "every client of the partner" or "every advisor of the partner".
ALL = "*"


def _id_or_all(_: object, attribute: Any, value: str) -> None:
    if value != ALL:
        check_id(value, attribute.name)


def _role(value: object) -> GrantRole:
    return to_enum(GrantRole, value, "role")


def _granted_at(value: object) -> datetime:
    return ensure_aware(value, "granted_at")


def _expires_at(value: object) -> datetime | None:
    return optional_instant(value, "expires_at")


def _revoked_at(value: object) -> datetime | None:
    return optional_instant(value, "revoked_at")


@attrs.frozen(kw_only=True)
class Grant:
    """A delegated grant of ``role`` on ``client_id`` (or ``"*"``: every client of the
    partner, present and future) to ``advisor_id`` (or ``"*"``: every user holding
    ``advisor`` or ``partner_admin`` on the partner at the time of the check).

    Active from ``granted_at`` until the earliest of ``expires_at``, ``revoked_at``, the
    advisor leaving the partner, or a transfer of the client to another partner.
    """

    id: str = attrs.field(validator=id_validator)
    partner_id: str = attrs.field(validator=id_validator)
    client_id: str = attrs.field(validator=_id_or_all)
    advisor_id: str = attrs.field(validator=_id_or_all)
    role: GrantRole = attrs.field(converter=_role)
    granted_at: datetime = attrs.field(converter=_granted_at)
    expires_at: datetime | None = attrs.field(default=None, converter=_expires_at)
    revoked_at: datetime | None = attrs.field(default=None, converter=_revoked_at)
    granted_by: str = attrs.field(validator=id_validator)
    revoked_by: str | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        for field in ("expires_at", "revoked_at"):
            value = getattr(self, field)
            if value is not None and value < self.granted_at:
                raise ValidationError.at(
                    field,
                    f"must not be before granted_at ({format_instant(self.granted_at)}), "
                    f"got {format_instant(value)}",
                )
        if self.revoked_by is not None:
            check_id(self.revoked_by, "revoked_by")

    def check_replaceable_by(self, new: Grant) -> None:
        """Raise :class:`~partnercore.ConflictError` unless ``new`` may replace this grant.

        A stored grant changes only by ending (expiry, revocation): its partner, client,
        advisor and start are its identity. Stores call this before saving a grant.
        """
        if (self.partner_id, self.client_id, self.advisor_id, self.granted_at) != (
            new.partner_id,
            new.client_id,
            new.advisor_id,
            new.granted_at,
        ):
            raise ConflictError(
                f"grant {self.id!r}: partner, client, advisor and granted_at cannot change",
                kind="grant",
                id=self.id,
            )

    @property
    def all_clients(self) -> bool:
        """Whether the grant names every client of the partner (``client_id == "*"``)."""
        return self.client_id == ALL

    @property
    def all_advisors(self) -> bool:
        """Whether the grant names every advisor of the partner (``advisor_id == "*"``)."""
        return self.advisor_id == ALL
