"""Licence states, licence events and the §4 transition table."""

from __future__ import annotations

import enum
from types import MappingProxyType

__all__ = ["TRANSITIONS", "LicenseEventKind", "LicenseState"]


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
