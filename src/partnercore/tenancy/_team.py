"""Teams: the partner (parent) and client (child) tenants of §2."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import (
    id_validator,
    optional_id_validator,
    optional_text_validator,
    text_validator,
    to_enum,
)
from partnercore.tenancy._countries import check_country
from partnercore.time import ensure_aware, format_instant, validate_timezone

__all__ = ["BillingModel", "OperatedBy", "Team", "TeamKind", "TeamStatus"]


class TeamKind(StrEnum):
    """A partner team (the parent) or a client team (a child)."""

    PARTNER = "partner"
    CLIENT = "client"


class TeamStatus(StrEnum):
    """The lifecycle status of a team (rule R6 restricts suspended and archived teams)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    ARCHIVED = "archived"


class OperatedBy(StrEnum):
    """Who runs a client team: the client itself, or its partner as a managed service."""

    CLIENT = "client"
    PARTNER = "partner"


class BillingModel(StrEnum):
    """Who pays for a client: its partner (``reseller``) or the client (``non_reseller``)."""

    RESELLER = "reseller"
    NON_RESELLER = "non_reseller"


def _kind(value: object) -> TeamKind:
    return to_enum(TeamKind, value, "kind")


def _status(value: object) -> TeamStatus:
    return to_enum(TeamStatus, value, "status")


def _operated_by(value: object) -> OperatedBy | None:
    return None if value is None else to_enum(OperatedBy, value, "operated_by")


def _billing_model(value: object) -> BillingModel | None:
    return None if value is None else to_enum(BillingModel, value, "billing_model")


def _created_at(value: object) -> datetime:
    return ensure_aware(value, "created_at")


def _country(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        check_country(value, attribute.name)


@attrs.frozen(kw_only=True)
class Team:
    """A tenant. Partners have no parent and no client-only fields; clients have all of them.

    ``parent_id`` and ``status`` are the team's current values; their history (transfers,
    status changes) is kept by the history port so that decisions at earlier instants stay
    exact.

    ``country`` (an upper-case ISO 3166-1 alpha-2 code) and ``tax_id`` say how the team's
    invoices are taxed (§5.2); both are optional.
    """

    id: str = attrs.field(validator=id_validator)
    name: str = attrs.field(validator=text_validator)
    kind: TeamKind = attrs.field(converter=_kind)
    parent_id: str | None = attrs.field(default=None, validator=optional_id_validator)
    organisation_key: str | None = attrs.field(default=None, validator=optional_text_validator)
    operated_by: OperatedBy | None = attrs.field(default=None, converter=_operated_by)
    billing_model: BillingModel | None = attrs.field(default=None, converter=_billing_model)
    status: TeamStatus = attrs.field(default=TeamStatus.ACTIVE, converter=_status)
    timezone: str = attrs.field(default="UTC", validator=validate_timezone)
    created_at: datetime = attrs.field(converter=_created_at)
    country: str | None = attrs.field(default=None, validator=_country)
    tax_id: str | None = attrs.field(default=None, validator=optional_text_validator)

    def __attrs_post_init__(self) -> None:
        if self.is_partner:
            for field in ("parent_id", "organisation_key", "operated_by", "billing_model"):
                if getattr(self, field) is not None:
                    message = (
                        "a partner has no parent"
                        if field == "parent_id"
                        else (f"{field} is for clients only; a partner has none")
                    )
                    raise ValidationError.at(field, message)
        else:
            if self.parent_id is None:
                raise ValidationError.at("parent_id", "a client needs its partner as parent")
            if self.parent_id == self.id:
                raise ValidationError.at("parent_id", "a team cannot be its own parent")
            if self.operated_by is None:
                raise ValidationError.at("operated_by", "a client needs operated_by")
            if self.billing_model is None:
                raise ValidationError.at("billing_model", "a client needs billing_model")

    @property
    def is_partner(self) -> bool:
        """Whether this is a partner team (the one spelling of ``kind is TeamKind.PARTNER``)."""
        return self.kind is TeamKind.PARTNER

    @property
    def is_client(self) -> bool:
        """Whether this is a client team (the one spelling of ``kind is TeamKind.CLIENT``)."""
        return self.kind is TeamKind.CLIENT

    # The client-only fields, typed for code that holds a client: a client always has them
    # (checked when the team is built), so these never guess; on a partner they raise.

    @property
    def client_partner_id(self) -> str:
        """A client's current partner (its ``parent_id``); :class:`ValidationError` on a partner."""
        parent = self.parent_id
        if parent is None:
            raise self._not_a_client("parent_id")
        return parent

    @property
    def client_operated_by(self) -> OperatedBy:
        """Who runs this client; :class:`ValidationError` on a partner team."""
        operated_by = self.operated_by
        if operated_by is None:
            raise self._not_a_client("operated_by")
        return operated_by

    @property
    def client_billing_model(self) -> BillingModel:
        """Who pays for this client; :class:`ValidationError` on a partner team."""
        model = self.billing_model
        if model is None:
            raise self._not_a_client("billing_model")
        return model

    def _not_a_client(self, field: str) -> ValidationError:
        return ValidationError.at(
            field, f"{self.id!r} is a partner team: {field} is for clients only"
        )

    @classmethod
    def partner(cls, id: str, name: str, *, created_at: datetime, timezone: str = "UTC") -> Team:
        """A new active partner team."""
        return cls(
            id=id, name=name, kind=TeamKind.PARTNER, created_at=created_at, timezone=timezone
        )

    @classmethod
    def client(
        cls,
        id: str,
        name: str,
        *,
        parent_id: str,
        operated_by: OperatedBy | str,
        billing_model: BillingModel | str,
        created_at: datetime,
        timezone: str = "UTC",
        organisation_key: str | None = None,
        status: TeamStatus | str = TeamStatus.ACTIVE,
    ) -> Team:
        """A new client team under ``parent_id``."""
        return cls(
            id=id,
            name=name,
            kind=TeamKind.CLIENT,
            parent_id=parent_id,
            operated_by=operated_by,
            billing_model=billing_model,
            created_at=created_at,
            timezone=timezone,
            organisation_key=organisation_key,
            status=status,
        )


def check_created_by(team: Team, at: datetime, field: str) -> None:
    """Raise :class:`ValidationError` naming ``field`` when ``at`` is before ``team`` existed.

    Nothing happens to a team (or through it) before its ``created_at``: memberships, grants,
    transfers, status and consent changes all start at or after it.
    """
    if at < team.created_at:
        raise ValidationError.at(
            field,
            f"{format_instant(at)} is before team {team.id!r} was created "
            f"({format_instant(team.created_at)})",
        )
