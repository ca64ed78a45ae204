"""Onboarding records: the request that created a client from a template, and what it made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from partnercore._fields import id_validator, optional_text_validator, to_enum
from partnercore.content._checks import user_id, valid_text
from partnercore.content._copies import CopyEvent
from partnercore.licensing import LicenseState
from partnercore.tenancy import Grant
from partnercore.time import ensure_aware, validate_timezone

__all__ = ["Onboarding", "OnboardingRequest"]


@attrs.frozen(kw_only=True)
class OnboardingRequest:
    """A request to create client ``client_id`` named ``name`` from template ``template_id``.

    ``request_id`` makes the request idempotent: the same request twice creates one client.
    """

    request_id: str = attrs.field(validator=id_validator)
    template_id: str = attrs.field(validator=id_validator)
    client_id: str = attrs.field(validator=id_validator)
    name: str = attrs.field(validator=valid_text)
    at: datetime = attrs.field(converter=ensure_aware)
    by: str | None = attrs.field(default=None, converter=user_id)
    timezone: str = attrs.field(default="UTC", validator=validate_timezone)
    organisation_key: str | None = attrs.field(default=None, validator=optional_text_validator)


def _license_state(value: object) -> LicenseState:
    return to_enum(LicenseState, value, "license")


def _events(value: Iterable[CopyEvent]) -> tuple[CopyEvent, ...]:
    return tuple(value)


def _grants(value: Iterable[Grant]) -> tuple[Grant, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Onboarding:
    """What an onboarding created: the client of ``partner_id``, its licence state at the
    request's ``at``, the copies installed and the grants given."""

    request: OnboardingRequest
    partner_id: str = attrs.field(validator=id_validator)
    license: LicenseState = attrs.field(converter=_license_state)
    installed: tuple[CopyEvent, ...] = attrs.field(default=(), converter=_events)
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=_grants)

    @property
    def request_id(self) -> str:
        return self.request.request_id

    @property
    def client_id(self) -> str:
        return self.request.client_id
