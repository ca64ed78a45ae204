"""Users and their memberships in teams (§2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator, optional_instant, text_validator, to_enum
from partnercore.events import SYSTEM_ID
from partnercore.tenancy._permissions import Role
from partnercore.time import ensure_aware, format_instant

__all__ = ["Membership", "User"]


def _email_validator(_: object, attribute: Any, value: str) -> None:
    text_validator(_, attribute, value)
    assert isinstance(value, str)
    local, at, domain = value.partition("@")
    if not at or not local or not domain or any(c.isspace() for c in value):
        raise ValidationError.at(attribute.name, f"not an email address: {value!r}")


def _user_id_validator(_: object, attribute: Any, value: str) -> None:
    id_validator(_, attribute, value)
    if value == SYSTEM_ID:
        raise ValidationError.at(
            attribute.name,
            f"{SYSTEM_ID!r} is reserved: events name the platform (SYSTEM) with it",
        )


@attrs.frozen
class User:
    """A person who logs in. ``name`` defaults to the id.

    The id ``"system"`` is reserved: events and scenario files name the platform actor
    (:data:`~partnercore.events.SYSTEM`) with it, so no user may have it.
    """

    id: str = attrs.field(validator=_user_id_validator)
    email: str = attrs.field(validator=_email_validator)
    name: str = attrs.field(validator=text_validator)

    @name.default
    def _name_default(self) -> str:
        return self.id


def _role(value: object) -> Role:
    return to_enum(Role, value, "role")


def _active_from(value: object) -> datetime:
    return ensure_aware(value, "active_from")


def _active_until(value: object) -> datetime | None:
    return optional_instant(value, "active_until")


def _membership_id(membership: Membership) -> str:
    return (
        f"{membership.team_id}/{membership.user_id}/{membership.role.value}"
        f"@{format_instant(membership.active_from)}"
    )


@attrs.frozen(kw_only=True)
class Membership:
    """A user holding ``role`` in a team during ``[active_from, active_until)``.

    ``id`` is stable: by default ``team/user/role@active_from`` (ending a membership keeps
    it). Decisions name it in ``via``.
    """

    user_id: str = attrs.field(validator=id_validator)
    team_id: str = attrs.field(validator=id_validator)
    role: Role = attrs.field(converter=_role)
    active_from: datetime = attrs.field(converter=_active_from)
    active_until: datetime | None = attrs.field(default=None, converter=_active_until)
    id: str = attrs.field(
        default=attrs.Factory(_membership_id, takes_self=True), validator=text_validator
    )

    def __attrs_post_init__(self) -> None:
        if self.active_until is not None and self.active_until <= self.active_from:
            raise ValidationError.at(
                "active_until",
                f"must be after active_from ({format_instant(self.active_from)}), "
                f"got {format_instant(self.active_until)}",
            )

    def active_at(self, at: datetime) -> bool:
        """Whether the membership holds at ``at`` (half-open interval)."""
        until = self.active_until
        return self.active_from <= at and (until is None or at < until)
