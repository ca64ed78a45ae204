"""In-memory reference adapters for every port (the store scenarios and tests use)."""

from partnercore.memory._billing import (
    InMemoryBilling,
    InMemoryBillingAccounts,
    InMemoryInvoices,
    InMemoryPriceBooks,
    InMemoryUsage,
    InMemoryUsageTotals,
)
from partnercore.memory._content import (
    InMemoryContent,
    InMemoryContentItems,
    InMemoryInstalls,
    InMemoryLibraries,
    InMemoryOnboardings,
    InMemoryTemplates,
    InMemoryUnitOfWork,
)
from partnercore.memory._events import InMemoryEvents
from partnercore.memory._journal import Journal
from partnercore.memory._licensing import InMemoryLicenses
from partnercore.memory._store import InMemoryStore
from partnercore.memory._tenancy import (
    InMemoryAuditTrail,
    InMemoryConsents,
    InMemoryGrants,
    InMemoryMemberships,
    InMemoryTeamHistory,
    InMemoryTeams,
    InMemoryTenancy,
    InMemoryUsers,
)

__all__ = [
    "InMemoryAuditTrail",
    "InMemoryBilling",
    "InMemoryBillingAccounts",
    "InMemoryConsents",
    "InMemoryContent",
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
    "InMemoryTenancy",
    "InMemoryUnitOfWork",
    "InMemoryUsage",
    "InMemoryUsageTotals",
    "InMemoryUsers",
    "Journal",
]
