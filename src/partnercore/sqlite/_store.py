"""The SQLite store: one file, every repository, the event log and units of work."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from types import TracebackType

import cattrs

from partnercore.sqlite._billing import (
    SqliteBillingAccounts,
    SqliteInvoices,
    SqlitePriceBooks,
    SqliteUsage,
)
from partnercore.sqlite._content import (
    SqliteContentItems,
    SqliteInstalls,
    SqliteLibraries,
    SqliteOnboardings,
    SqliteTemplates,
)
from partnercore.sqlite._database import CACHE_SIZE, Database
from partnercore.sqlite._documents import (
    SqliteCreditNotes,
    SqliteIssuedInvoices,
    SqliteNumberSequences,
)
from partnercore.sqlite._events import SqliteEvents
from partnercore.sqlite._licensing import SqliteLicenses
from partnercore.sqlite._migrations import MIGRATIONS
from partnercore.sqlite._schema import check_schema, migrate
from partnercore.sqlite._tenancy import (
    SqliteConsents,
    SqliteGrants,
    SqliteMemberships,
    SqliteTeamHistory,
    SqliteTeams,
    SqliteUsers,
)

__all__ = ["SCHEMA_VERSION", "SqliteStore", "connect"]

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this library writes (the number of migrations it knows)."""


class SqliteStore:
    """Every repository of the library on one SQLite file: a :class:`~partnercore.store.Store`.

    Opening a store creates the file if needed and migrates its schema forward; a file that
    is not a partnercore database (written by something else, damaged) raises
    :class:`~partnercore.StoreError` and is left as it was. ``read_only=True`` opens an
    existing, up-to-date store without ever writing to it (every write then raises
    :class:`~partnercore.StoreError`). ``path`` is a file name taken literally (a SQLite URI is
    not interpreted); ``":memory:"`` is a private in-memory database.

    The repositories are attributes named as on ``InMemoryStore``: ``teams``, ``users``,
    ``memberships``, ``grants``, ``consents``, ``history``, ``licenses``, ``price_books``,
    ``accounts``, ``usage``, ``invoices``, ``numbers``, ``issued_invoices``,
    ``credit_notes``, ``items``, ``libraries``, ``installs``,
    ``templates``, ``onboardings``, and the event log ``events``. A repository write outside
    a unit of work commits on its own; :meth:`unit_of_work` groups writes (and the events
    describing them) into one ``BEGIN IMMEDIATE`` transaction that holds the write lock from
    its start, so a rule a service checks inside it still holds when it commits.

    ``timeout`` is how many seconds a write waits for another writer (busy timeout);
    ``synchronous="full"`` (default) makes every commit durable across power loss,
    ``"normal"`` only across process crashes (faster). A file that stays locked by another
    process for longer than ``timeout`` while it is opened raises the retryable
    :class:`~partnercore.ConflictError`.

    Lookups are kept decoded in a per-connection cache of up to ``cache_size`` answers
    (``0``: none), emptied by every write and rollback through this store and, before it
    answers, whenever another connection (another store, another process) has committed
    since it was filled: an answer from it is always what the file holds.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: str = "full",
        converter: cattrs.Converter | None = None,
        read_only: bool = False,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self._db = Database(
            path,
            timeout=timeout,
            synchronous=synchronous,
            converter=converter,
            read_only=read_only,
            cache_size=cache_size,
        )
        opening = check_schema if read_only else migrate
        try:
            self._schema_version = self._db.retrying(lambda: opening(self._db, MIGRATIONS))
        except BaseException:
            self._db.close()
            raise
        db = self._db
        self.teams = SqliteTeams(db)
        self.users = SqliteUsers(db)
        self.memberships = SqliteMemberships(db)
        self.grants = SqliteGrants(db)
        self.consents = SqliteConsents(db)
        self.history = SqliteTeamHistory(db)
        self.licenses = SqliteLicenses(db)
        self.price_books = SqlitePriceBooks(db)
        self.accounts = SqliteBillingAccounts(db)
        self.usage = SqliteUsage(db)
        self.invoices = SqliteInvoices(db)
        self.numbers = SqliteNumberSequences(db)
        self.issued_invoices = SqliteIssuedInvoices(db)
        self.credit_notes = SqliteCreditNotes(db)
        self.items = SqliteContentItems(db)
        self.libraries = SqliteLibraries(db)
        self.installs = SqliteInstalls(db)
        self.templates = SqliteTemplates(db)
        self.onboardings = SqliteOnboardings(db)
        self.events = SqliteEvents(db)

    @property
    def path(self) -> str:
        """The database file."""
        return self._db.path

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only."""
        return self._db.read_only

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return self._schema_version

    def unit_of_work(self) -> AbstractContextManager[None]:
        """``with store.unit_of_work(): ...`` commits every write in the block, or none.

        The outermost unit is one ``BEGIN IMMEDIATE`` transaction (it waits up to ``timeout``
        for another writer, then raises the retryable :class:`~partnercore.ConflictError`).
        A nested unit is a savepoint: an exception leaving it undoes its own writes only, and
        one leaving the outermost unit undoes them all.
        """
        return self._db.unit_of_work()

    def revision(self) -> int:
        """The revision of the newest committed event (``0`` when there is none)."""
        return self.events.revision()

    def close(self) -> None:
        """Close the connection (an open unit of work is rolled back).

        Closing again is harmless; any other use of the store or its ports afterwards raises
        :class:`~partnercore.StoreClosedError`.
        """
        self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteStore({self.path!r})"


def connect(
    path: str | os.PathLike[str],
    *,
    timeout: float = 30.0,
    synchronous: str = "full",
    converter: cattrs.Converter | None = None,
    read_only: bool = False,
    cache_size: int = CACHE_SIZE,
) -> SqliteStore:
    """Open (creating and migrating if needed, unless ``read_only``) the store at ``path``."""
    return SqliteStore(
        path,
        timeout=timeout,
        synchronous=synchronous,
        converter=converter,
        read_only=read_only,
        cache_size=cache_size,
    )
