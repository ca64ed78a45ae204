"""Onboarding records: the request that created a client from a template, and what it made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from partnercore._errors import ValidationError
from partnercore.content._copies import CopyEvent
from partnercore.content._fields import enum_value, instant, user_id, valid_id, valid_text
from partnercore.licensing import LicenseState
from partnercore.tenancy import Grant
from partnercore.time import validate_timezone

__all__ = ["Onboarding", "OnboardingRequest"]


def _organisation_key(_: object, __: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError.at("organisation_key", f"expected non-blank text, got {value!r}")


@attrs.frozen(kw_only=True)
class OnboardingRequest:
    """A request to create client ``client_id`` named ``name`` from template ``template_id``.

    ``request_id`` makes the request idempotent: the same request twice creates one client.
    """

    request_id: str = attrs.field(validator=valid_id)
    template_id: str = attrs.field(validator=valid_id)
    client_id: str = attrs.field(validator=valid_id)
    name: str = attrs.field(validator=valid_text)
    at: datetime = attrs.field(converter=instant)
    by: str | None = attrs.field(default=None, converter=user_id)
    timezone: str = attrs.field(default="UTC", validator=validate_timezone)
    organisation_key: str | None = attrs.field(default=None, validator=_organisation_key)


def _license_state(value: object) -> LicenseState:
    return enum_value(LicenseState, value, "license")


def _events(value: Iterable[CopyEvent]) -> tuple[CopyEvent, ...]:
    return tuple(value)


def _grants(value: Iterable[Grant]) -> tuple[Grant, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Onboarding:
    """What an onboarding created: the client of ``partner_id``, its licence state at the
    request's ``at``, the copies installed and the grants given."""

    request: OnboardingRequest
    partner_id: str = attrs.field(validator=valid_id)
    license: LicenseState = attrs.field(converter=_license_state)
    installed: tuple[CopyEvent, ...] = attrs.field(default=(), converter=_events)
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=_grants)

    @property
    def request_id(self) -> str:
        return self.request.request_id

    @property
    def client_id(self) -> str:
        return self.request.client_id
