"""In-memory reference adapters for every port (the store scenarios and tests use)."""

from partnercore.memory._billing import (
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
from partnercore.memory._licensing import InMemoryLicenses
from partnercore.memory._store import InMemoryStore

__all__ = [
    "InMemoryContentItems",
    "InMemoryInstalls",
    "InMemoryLibraries",
    "InMemoryLicenses",
    "InMemoryOnboardings",
    "InMemoryStore",
    "InMemoryTemplates",
    "InMemoryUsage",
    "InMemoryUsageTotals",
]
