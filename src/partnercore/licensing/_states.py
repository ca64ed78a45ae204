"""Licence states, licence events and the §4 transition table."""

from __future__ import annotations

import enum
from types import MappingProxyType

from partnercore._errors import ValidationError

__all__ = ["TRANSITIONS", "LicenseEventKind", "LicenseState", "to_event_kind", "to_state"]


class LicenseState(enum.StrEnum):
    """The state of a client licence (§4)."""

    FREE = "free"
    TRIAL = "trial"
    FULL = "full"


class LicenseEventKind(enum.StrEnum):
    """The events a licence records (§4), spelled as in the specification."""

    REQUEST_UPGRADE = "request_upgrade"
    UPGRADE = "upgrade"
    CONVERT = "convert"
    CANCEL_TRIAL = "cancel_trial"
    DOWNGRADE = "downgrade"


#: The §4 table: for each state, the events it accepts and the states each may lead to.
#: Trial expiry is not an event: it is implied by the policy (see ``LicensePolicy``).
TRANSITIONS: MappingProxyType[
    LicenseState, MappingProxyType[LicenseEventKind, frozenset[LicenseState]]
] = MappingProxyType(
    {
        LicenseState.FREE: MappingProxyType(
            {
                LicenseEventKind.REQUEST_UPGRADE: frozenset(
                    {LicenseState.TRIAL, LicenseState.FULL}
                ),
                LicenseEventKind.UPGRADE: frozenset({LicenseState.FULL}),
            }
        ),
        LicenseState.TRIAL: MappingProxyType(
            {
                LicenseEventKind.CONVERT: frozenset({LicenseState.FULL}),
                LicenseEventKind.CANCEL_TRIAL: frozenset({LicenseState.FREE}),
            }
        ),
        LicenseState.FULL: MappingProxyType(
            {LicenseEventKind.DOWNGRADE: frozenset({LicenseState.FREE})}
        ),
    }
)


def to_state(value: object, path: str = "state") -> LicenseState:
    """``value`` (a ``LicenseState`` or its spelling) as a ``LicenseState``."""
    if isinstance(value, LicenseState):
        return value
    if isinstance(value, str):
        try:
            return LicenseState(value)
        except ValueError:
            pass
    choices = ", ".join(s.value for s in LicenseState)
    raise ValidationError.at(path, f"expected one of {choices}, got {value!r}")


def to_event_kind(value: object, path: str = "kind") -> LicenseEventKind:
    """``value`` (a ``LicenseEventKind`` or its spelling) as a ``LicenseEventKind``."""
    if isinstance(value, LicenseEventKind):
        return value
    if isinstance(value, str):
        try:
            return LicenseEventKind(value)
        except ValueError:
            pass
    choices = ", ".join(k.value for k in LicenseEventKind)
    raise ValidationError.at(path, f"expected one of {choices}, got {value!r}")
