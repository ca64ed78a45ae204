"""In-memory reference adapters for every port (the store scenarios and tests use)."""

from partnercore.memory._billing import (
    InMemoryBillingAccounts,
    InMemoryInvoices,
    InMemoryPriceBooks,
    InMemoryUsage,
    InMemoryUsageTotals,
)
from partnercore.memory._content import (
    InMemoryContentItems,
    InMemoryInstalls,
    InMemoryLibraries,
    InMemoryOnboardings,
    InMemoryTemplates,
)
from partnercore.memory._events import InMemoryEvents
from partnercore.memory._journal import Journal
from partnercore.memory._licensing import InMemoryLicenses
from partnercore.memory._store import InMemoryStore
from partnercore.memory._tenancy import (
    InMemoryConsents,
    InMemoryGrants,
    InMemoryMemberships,
    InMemoryTeamHistory,
    InMemoryTeams,
    InMemoryUsers,
)

__all__ = [
    "InMemoryBillingAccounts",
    "InMemoryConsents",
    "InMemoryContentItems",
    "InMemoryEvents",
    "InMemoryGrants",
    "InMemoryInstalls",
    "InMemoryInvoices",
    "InMemoryLibraries",
    "InMemoryLicenses",
    "InMemoryMemberships",
    "InMemoryOnboardings",
    "InMemoryPriceBooks",
    "InMemoryStore",
    "InMemoryTeamHistory",
    "InMemoryTeams",
    "InMemoryTemplates",
    "InMemoryUsage",
    "InMemoryUsageTotals",
    "InMemoryUsers",
    "Journal",
]
