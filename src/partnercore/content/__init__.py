"""Content: the open library, partners' exclusive libraries, push and pull, client templates.

The services take a :class:`ContentStore` (every :class:`~partnercore.store.Store` is one):
each write authorises its actor (``by``: a user id, or ``SYSTEM``), runs in one unit of
work and appends its events.
"""

from partnercore.content._catalogue import add_item, deselect, publish, retire, select
from partnercore.content._charges import InstalledContentCharges
from partnercore.content._copies import (
    CopyChange,
    CopyEvent,
    InstalledCopy,
)
from partnercore.content._distribution import PushReport, install, push, repush, uninstall
from partnercore.content._items import (
    ContentItem,
    ContentKind,
    ContentPrice,
    ContentRelease,
    ContentStatus,
    PriceType,
)
from partnercore.content._library import (
    LibraryEntry,
    LibrarySelection,
)
from partnercore.content._onboarding import Onboarding, OnboardingRequest
from partnercore.content._onboarding_service import add_template, onboard
from partnercore.content._ports import (
    ContentItemRepository,
    ContentStore,
    InstallRepository,
    LibraryRepository,
    OnboardingRepository,
    TemplateRepository,
)
from partnercore.content._templates import (
    ClientTemplate,
    InitialLicense,
    TemplateContent,
    TemplateGrant,
)
from partnercore.content._visibility import (
    AvailableUpdate,
    LibraryView,
    installed,
    library,
    library_view,
    updates_available,
)

__all__ = [
    "AvailableUpdate",
    "ClientTemplate",
    "ContentItem",
    "ContentItemRepository",
    "ContentKind",
    "ContentPrice",
    "ContentRelease",
    "ContentStatus",
    "ContentStore",
    "CopyChange",
    "CopyEvent",
    "InitialLicense",
    "InstallRepository",
    "InstalledContentCharges",
    "InstalledCopy",
    "LibraryEntry",
    "LibraryRepository",
    "LibrarySelection",
    "LibraryView",
    "Onboarding",
    "OnboardingRepository",
    "OnboardingRequest",
    "PriceType",
    "PushReport",
    "TemplateContent",
    "TemplateGrant",
    "TemplateRepository",
    "add_item",
    "add_template",
    "deselect",
    "install",
    "installed",
    "library",
    "library_view",
    "onboard",
    "publish",
    "push",
    "repush",
    "retire",
    "select",
    "uninstall",
    "updates_available",
]
