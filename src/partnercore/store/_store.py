"""The one store a host gives the library: every repository, the event log, units of work."""

from __future__ import annotations

from typing import Protocol

from partnercore.billing import BillingStore
from partnercore.content import ContentStore

__all__ = ["Store"]


class Store(BillingStore, ContentStore, Protocol):
    """Every repository of the library on one store, with its event log and units of work.

    ``partnercore.memory.InMemoryStore`` and ``partnercore.sqlite.SqliteStore`` are stores.
    Each service is typed with the narrow view it needs (``TenancyReader`` for the access
    check, ``TenancyStore``, ``LicensingStore``, ``BillingStore``, ``ContentStore`` for the
    write services); a ``Store`` is all of them:

    - tenancy: ``teams``, ``users``, ``memberships``, ``grants``, ``consents``, ``history``;
    - licensing: ``licenses``;
    - billing: ``price_books``, ``accounts``, ``usage``, ``invoices``, ``numbers``,
      ``issued_invoices``, ``credit_notes``;
    - content: ``items``, ``libraries``, ``installs``, ``templates``, ``onboardings``;
    - ``events`` (the outbox), ``unit_of_work()`` and ``revision()``.
    """
