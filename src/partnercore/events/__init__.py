"""Events, actors and units of work: what every store and every write service shares.

Write services take the acting user (``by``, a user id checked against the access rules) or
:data:`SYSTEM`, run inside one unit of work, and append the domain events of what they did;
a host reads them back with ``store.events.since(revision)``.
"""

from partnercore.events._actor import SYSTEM, SYSTEM_ID, Actor, SystemActor, actor_id, check_actor
from partnercore.events._event import (
    Event,
    check_limit,
    check_revision,
    event_from_dict,
    event_types,
)
from partnercore.events._kinds import (
    ClientCreated,
    ClientOnboarded,
    ClientTransferred,
    ConsentRestored,
    ConsentRevoked,
    ContentInstalled,
    ContentItemChanged,
    ContentPushed,
    ContentUninstalled,
    CreditNoteIssued,
    GrantCreated,
    GrantRevoked,
    InvoiceFinalised,
    LibraryChanged,
    LicenseChanged,
    MembershipAdded,
    MembershipEnded,
    PartnerCreated,
    PriceBookChanged,
    TeamStatusChanged,
    TemplateChanged,
    TrialStarted,
    UsageRecorded,
    UserAdded,
)
from partnercore.events._ports import EventLog, Transactional

__all__ = [
    "SYSTEM",
    "SYSTEM_ID",
    "Actor",
    "ClientCreated",
    "ClientOnboarded",
    "ClientTransferred",
    "ConsentRestored",
    "ConsentRevoked",
    "ContentInstalled",
    "ContentItemChanged",
    "ContentPushed",
    "ContentUninstalled",
    "CreditNoteIssued",
    "Event",
    "EventLog",
    "GrantCreated",
    "GrantRevoked",
    "InvoiceFinalised",
    "LibraryChanged",
    "LicenseChanged",
    "MembershipAdded",
    "MembershipEnded",
    "PartnerCreated",
    "PriceBookChanged",
    "SystemActor",
    "TeamStatusChanged",
    "TemplateChanged",
    "Transactional",
    "TrialStarted",
    "UsageRecorded",
    "UserAdded",
    "actor_id",
    "check_actor",
    "check_limit",
    "check_revision",
    "event_from_dict",
    "event_types",
]
