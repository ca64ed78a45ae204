"""Client templates: what a new client of an engagement type starts with (domain.md §6)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator, optional_instant, to_enum
from partnercore.content._checks import user_id, valid_flag, valid_text, version_number
from partnercore.tenancy import ALL, BillingModel, GrantRole, OperatedBy

__all__ = ["ClientTemplate", "InitialLicense", "TemplateContent", "TemplateGrant"]


class InitialLicense(enum.StrEnum):
    """The licence a client created from a template starts with."""

    FREE = "free"
    TRIAL = "trial"
    FULL = "full"


def _optional_version(value: object) -> int | None:
    return None if value is None else version_number(value)


@attrs.frozen(kw_only=True)
class TemplateContent:
    """An item a template installs on every client onboarded from it.

    ``version`` is ``None`` for "the version current at onboarding"; a push to the template
    pins the version it pushed and records ``pushed_by`` and ``pushed_at``. A ``locked``
    copy cannot be changed or removed by the client.
    """

    item_id: str = attrs.field(validator=id_validator)
    locked: bool = attrs.field(default=False, validator=valid_flag)
    version: int | None = attrs.field(default=None, converter=_optional_version)
    pushed_by: str | None = attrs.field(default=None, converter=user_id)
    pushed_at: datetime | None = attrs.field(default=None, converter=optional_instant)


def _grant_role(value: object) -> GrantRole:
    return to_enum(GrantRole, value, "role")


def _advisor(_: object, attribute: Any, value: Any) -> None:
    if value != ALL:
        id_validator(_, attribute, value)


@attrs.frozen
class TemplateGrant:
    """A default grant: ``advisor`` (a user id, or ``"*"`` for every advisor of the partner)
    gets ``role`` on the new client from its onboarding."""

    advisor: str = attrs.field(validator=_advisor)
    role: GrantRole = attrs.field(converter=_grant_role)


def _content(value: Iterable[TemplateContent | str]) -> tuple[TemplateContent, ...]:
    if isinstance(value, str):
        raise ValidationError.at("content", "expected a list of items, got one string")
    entries = tuple(
        TemplateContent(item_id=entry) if isinstance(entry, str) else entry for entry in value
    )
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, TemplateContent):
            raise ValidationError.at(f"content[{index}]", f"expected an item id, got {entry!r}")
        if entry.item_id in seen:
            raise ValidationError.at(f"content[{index}]", f"{entry.item_id!r} is listed twice")
        seen.add(entry.item_id)
    return entries


def _grants(value: Iterable[TemplateGrant]) -> tuple[TemplateGrant, ...]:
    grants = tuple(value)
    for index, grant in enumerate(grants):
        if not isinstance(grant, TemplateGrant):
            raise ValidationError.at(f"grants[{index}]", f"expected a TemplateGrant, got {grant!r}")
    return grants


def _license(value: object) -> InitialLicense:
    return to_enum(InitialLicense, value, "license")


def _billing_model(value: object) -> BillingModel:
    return to_enum(BillingModel, value, "billing_model")


def _operated_by(value: object) -> OperatedBy:
    return to_enum(OperatedBy, value, "operated_by")


def _revision(_: object, __: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.at("revision", f"expected an integer from 1, got {value!r}")


@attrs.frozen(kw_only=True)
class ClientTemplate:
    """A partner's template for an engagement type ("ISO 27001 readiness", "risk review").

    ``content`` accepts item ids or :class:`TemplateContent`; ``revision`` counts the
    template's changes (stores use it to detect stale writes).
    """

    id: str = attrs.field(validator=id_validator)
    partner_id: str = attrs.field(validator=id_validator)
    name: str = attrs.field(validator=valid_text)
    license: InitialLicense = attrs.field(default=InitialLicense.FREE, converter=_license)
    billing_model: BillingModel = attrs.field(converter=_billing_model)
    operated_by: OperatedBy = attrs.field(converter=_operated_by)
    content: tuple[TemplateContent, ...] = attrs.field(default=(), converter=_content)
    grants: tuple[TemplateGrant, ...] = attrs.field(default=(), converter=_grants)
    revision: int = attrs.field(default=1, validator=_revision)

    def entry(self, item_id: str) -> TemplateContent | None:
        """The template's entry for ``item_id``, if it installs that item."""
        return next((entry for entry in self.content if entry.item_id == item_id), None)

    def with_entry(self, entry: TemplateContent) -> ClientTemplate:
        """The next revision, installing ``entry`` (replacing the item's previous entry)."""
        if self.entry(entry.item_id) is None:
            content = (*self.content, entry)
        else:
            content = tuple(entry if o.item_id == entry.item_id else o for o in self.content)
        return attrs.evolve(self, content=content, revision=self.revision + 1)
