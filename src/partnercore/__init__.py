"""partnercore: partner/client tenancy, access rules, client licences and reseller billing.

A pure, storage-agnostic library: the domain sits behind repository protocols that host
applications implement; reference stores live in :mod:`partnercore.memory`.
"""

from partnercore._errors import (
    AccessDeniedError,
    ConflictError,
    CurrencyMismatchError,
    InvalidTransitionError,
    NotFoundError,
    PartnercoreError,
    Problem,
    StaleWriteError,
    StoreClosedError,
    StoreError,
    ValidationError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "AccessDeniedError",
    "ConflictError",
    "CurrencyMismatchError",
    "InvalidTransitionError",
    "NotFoundError",
    "PartnercoreError",
    "Problem",
    "StaleWriteError",
    "StoreClosedError",
    "StoreError",
    "ValidationError",
    "__version__",
]
