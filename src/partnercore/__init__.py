"""partnercore: partner/client tenancy, access rules, client licences and reseller billing.

A pure, storage-agnostic library: the domain sits behind repository protocols that host
applications implement; reference stores live in :mod:`partnercore.memory`.

The error classes are loaded on first use, so that importing the package (as the command
line does before it answers ``--help``) costs next to nothing.
"""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0.dev0"

TYPE_CHECKING = False  # (not typing's: importing typing would slow every start down)
if TYPE_CHECKING:
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


def __getattr__(name: str) -> object:
    """The error classes of :mod:`partnercore._errors`, imported on first access."""
    if name in __all__:
        from partnercore import _errors

        value = getattr(_errors, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'partnercore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
