"""Client licences (§4): free, trial and full, one trial per organisation, entitlements.

A :class:`License` is an immutable aggregate holding a client team's recorded events; its
state at any instant and its timeline follow from those events, the team's time zone and
the :class:`LicensePolicy`. Services take a :class:`LicensingStore`, authorise the actor,
load, decide in the aggregate, save, append events and return the new licence, all in one
unit of work.
"""

from partnercore.licensing._entitlements import (
    EXAMPLE_CATALOG,
    EntitlementCatalog,
    Entitlements,
    LicenseEntitlements,
)
from partnercore.licensing._events import LicenseEvent
from partnercore.licensing._intervals import LicenseInterval
from partnercore.licensing._license import License
from partnercore.licensing._policy import MAX_TRIAL_DAYS, LicensePolicy
from partnercore.licensing._ports import LicenseRepository, LicensingStore
from partnercore.licensing._services import (
    cancel_trial,
    convert,
    downgrade,
    open_license,
    organisation_trial_used,
    request_upgrade,
    trial_available,
    upgrade,
)
from partnercore.licensing._states import TRANSITIONS, LicenseEventKind, LicenseState
from partnercore.licensing._trials import TrialEnding, trials_ending

__all__ = [
    "EXAMPLE_CATALOG",
    "MAX_TRIAL_DAYS",
    "TRANSITIONS",
    "EntitlementCatalog",
    "Entitlements",
    "License",
    "LicenseEntitlements",
    "LicenseEvent",
    "LicenseEventKind",
    "LicenseInterval",
    "LicensePolicy",
    "LicenseRepository",
    "LicenseState",
    "LicensingStore",
    "TrialEnding",
    "cancel_trial",
    "convert",
    "downgrade",
    "open_license",
    "organisation_trial_used",
    "request_upgrade",
    "trial_available",
    "trials_ending",
    "upgrade",
]
