"""The in-memory store: every repository, one event log, units of work by undo journal."""

from __future__ import annotations

from contextlib import AbstractContextManager

from partnercore.memory._billing import (
    InMemoryBillingAccounts,
    InMemoryInvoices,
    InMemoryPriceBooks,
    InMemoryUsage,
)
from partnercore.memory._content import (
    InMemoryContentItems,
    InMemoryInstalls,
    InMemoryLibraries,
    InMemoryOnboardings,
    InMemoryTemplates,
)
from partnercore.memory._documents import (
    InMemoryCreditNotes,
    InMemoryIssuedInvoices,
    InMemoryNumberSequences,
)
from partnercore.memory._events import InMemoryEvents
from partnercore.memory._journal import Journal
from partnercore.memory._licensing import InMemoryLicenses
from partnercore.memory._tenancy import (
    InMemoryConsents,
    InMemoryGrants,
    InMemoryMemberships,
    InMemoryTeamHistory,
    InMemoryTeams,
    InMemoryUsers,
)

__all__ = ["InMemoryStore"]


class InMemoryStore:
    """Every repository of the library in memory, with an event log and units of work.

    ``InMemoryStore()`` is a ready, empty :class:`~partnercore.store.Store`. Writes made
    inside ``with store.unit_of_work():`` are all kept, or (when an exception leaves the
    block) all undone; a nested unit is a savepoint. Units are serialised by a lock, so
    threads may share one store; each unit costs time only for what it writes.
    """

    def __init__(self) -> None:
        journal = Journal()
        self._journal = journal
        self.teams = InMemoryTeams(journal)
        self.users = InMemoryUsers(journal)
        self.memberships = InMemoryMemberships(journal)
        self.grants = InMemoryGrants(journal)
        self.consents = InMemoryConsents(journal)
        self.history = InMemoryTeamHistory(journal)
        self.licenses = InMemoryLicenses(journal)
        self.price_books = InMemoryPriceBooks(journal)
        self.accounts = InMemoryBillingAccounts(journal)
        self.usage = InMemoryUsage(journal)
        self.invoices = InMemoryInvoices(journal)
        self.numbers = InMemoryNumberSequences(journal)
        self.issued_invoices = InMemoryIssuedInvoices(journal)
        self.credit_notes = InMemoryCreditNotes(journal)
        self.items = InMemoryContentItems(journal)
        self.libraries = InMemoryLibraries(journal)
        self.installs = InMemoryInstalls(journal)
        self.templates = InMemoryTemplates(journal)
        self.onboardings = InMemoryOnboardings(journal)
        self.events = InMemoryEvents(journal)

    def unit_of_work(self) -> AbstractContextManager[None]:
        """``with store.unit_of_work(): ...``: every write in the block, or none."""
        return self._journal.unit()

    def revision(self) -> int:
        """The revision of the newest committed event (``0`` when there is none)."""
        return self.events.revision()

    def __repr__(self) -> str:
        return (
            f"<InMemoryStore: {len(self.teams)} teams, {len(self.users)} users, "
            f"revision {self.revision()}>"
        )
