"""The PostgreSQL store: a pool of its own, or a host's connection and transaction."""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

import cattrs
import psycopg

from partnercore.postgres._billing import (
    PostgresBillingAccounts,
    PostgresInvoices,
    PostgresPriceBooks,
    PostgresUsage,
)
from partnercore.postgres._content import (
    PostgresContentItems,
    PostgresInstalls,
    PostgresLibraries,
    PostgresOnboardings,
    PostgresTemplates,
)
from partnercore.postgres._database import DEFAULT_SCHEMA, Database
from partnercore.postgres._documents import (
    PostgresCreditNotes,
    PostgresIssuedInvoices,
    PostgresNumberSequences,
)
from partnercore.postgres._events import PostgresEvents
from partnercore.postgres._licensing import PostgresLicenses
from partnercore.postgres._migrations import MIGRATIONS
from partnercore.postgres._schema import check_schema
from partnercore.postgres._schema import migrate as _migrate
from partnercore.postgres._tenancy import (
    PostgresConsents,
    PostgresGrants,
    PostgresMemberships,
    PostgresTeamHistory,
    PostgresTeams,
    PostgresUsers,
)

__all__ = ["PostgresStore", "connect", "on"]


class PostgresStore:
    """The library's store on a PostgreSQL database, in one schema of its own.

    Open it with :meth:`connect` (a pool of connections to a URL) or :meth:`on` (a host's
    psycopg connection, sharing the host's transaction). Opening migrates the schema forward
    (creating it when missing). A :class:`~partnercore.store.Store`: the repositories are
    attributes named as on the other stores (``teams``, ``users``, ``memberships``,
    ``grants``, ``consents``, ``history``, ``licenses``, ``price_books``, ``accounts``,
    ``usage``, ``invoices``, ``numbers``, ``issued_invoices``, ``credit_notes``, ``items``,
    ``libraries``, ``installs``, ``templates``, ``onboardings``), with the event log
    ``events``.

    ``with store.unit_of_work(): ...`` commits every write in the block, or none. On a host's
    connection with a transaction open, the outermost unit is a savepoint inside the host's
    transaction: partnercore's writes then commit or roll back with the host's own.
    """

    def __init__(self, db: Database, *, migrate: bool = True) -> None:
        self._db = db
        opening = _migrate if migrate else check_schema
        try:
            self._schema_version = opening(db, MIGRATIONS)
        except BaseException:
            db.close()
            raise
        self._events = PostgresEvents(db)
        self._teams = PostgresTeams(db)
        self._users = PostgresUsers(db)
        self._memberships = PostgresMemberships(db)
        self._grants = PostgresGrants(db)
        self._consents = PostgresConsents(db)
        self._history = PostgresTeamHistory(db)
        self._licenses = PostgresLicenses(db)
        self._price_books = PostgresPriceBooks(db)
        self._accounts = PostgresBillingAccounts(db)
        self._usage = PostgresUsage(db)
        self._invoices = PostgresInvoices(db)
        self._numbers = PostgresNumberSequences(db)
        self._issued_invoices = PostgresIssuedInvoices(db)
        self._credit_notes = PostgresCreditNotes(db)
        self._items = PostgresContentItems(db)
        self._libraries = PostgresLibraries(db)
        self._installs = PostgresInstalls(db)
        self._templates = PostgresTemplates(db)
        self._onboardings = PostgresOnboardings(db)

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        schema: str = DEFAULT_SCHEMA,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 30.0,
        converter: cattrs.Converter | None = None,
        migrate: bool = True,
    ) -> PostgresStore:
        """The store at ``url`` (``postgresql://user@host/dbname``), through a pool of
        ``min_size`` to ``max_size`` connections; ``timeout`` is how many seconds a unit of
        work waits for a free connection.

        ``migrate=False`` opens a store that is up to date without writing anything (a
        missing or older schema is a :class:`~partnercore.StoreError`): what read-only tools
        use.
        """
        return cls(
            Database.connect(
                url,
                schema=schema,
                min_size=min_size,
                max_size=max_size,
                timeout=timeout,
                converter=converter,
            ),
            migrate=migrate,
        )

    @classmethod
    def on(
        cls,
        connection: psycopg.Connection[Any],
        *,
        schema: str = DEFAULT_SCHEMA,
        converter: cattrs.Converter | None = None,
        migrate: bool = True,
    ) -> PostgresStore:
        """The store on a host's psycopg ``connection``, sharing its transaction.

        Closing the store leaves the connection open: the host owns it. ``migrate=False``
        opens an up-to-date store without writing anything.
        """
        return cls(Database.on(connection, schema=schema, converter=converter), migrate=migrate)

    @property
    def database(self) -> Database:
        """The connection wrapper the repositories run their statements on."""
        return self._db

    @property
    def name(self) -> str:
        """The database's URL, without a password."""
        return self._db.name

    @property
    def schema(self) -> str:
        """The schema holding the store's tables."""
        return self._db.schema

    @property
    def schema_version(self) -> int:
        """The schema version of the open store."""
        return self._schema_version

    @property
    def events(self) -> PostgresEvents:
        """The store's event log (revisions gap-free, in commit order)."""
        return self._events

    @property
    def teams(self) -> PostgresTeams:
        return self._teams

    @property
    def users(self) -> PostgresUsers:
        return self._users

    @property
    def memberships(self) -> PostgresMemberships:
        return self._memberships

    @property
    def grants(self) -> PostgresGrants:
        return self._grants

    @property
    def consents(self) -> PostgresConsents:
        return self._consents

    @property
    def history(self) -> PostgresTeamHistory:
        return self._history

    @property
    def licenses(self) -> PostgresLicenses:
        return self._licenses

    @property
    def price_books(self) -> PostgresPriceBooks:
        return self._price_books

    @property
    def accounts(self) -> PostgresBillingAccounts:
        return self._accounts

    @property
    def usage(self) -> PostgresUsage:
        return self._usage

    @property
    def invoices(self) -> PostgresInvoices:
        return self._invoices

    @property
    def numbers(self) -> PostgresNumberSequences:
        return self._numbers

    @property
    def issued_invoices(self) -> PostgresIssuedInvoices:
        return self._issued_invoices

    @property
    def credit_notes(self) -> PostgresCreditNotes:
        return self._credit_notes

    @property
    def items(self) -> PostgresContentItems:
        return self._items

    @property
    def libraries(self) -> PostgresLibraries:
        return self._libraries

    @property
    def installs(self) -> PostgresInstalls:
        return self._installs

    @property
    def templates(self) -> PostgresTemplates:
        return self._templates

    @property
    def onboardings(self) -> PostgresOnboardings:
        return self._onboardings

    def revision(self) -> int:
        """The revision of the newest committed event (``0`` when there is none)."""
        return self._events.revision()

    def unit_of_work(self) -> AbstractContextManager[None]:
        """``with store.unit_of_work(): ...`` commits every write in the block, or none.

        Nested use is a savepoint; an exception leaving a unit undoes its writes. The
        outermost unit takes a transaction-scoped advisory lock on the store's schema first, so
        units of work on one store run one after the other (a rule read and then written in a
        unit still holds when it commits); reads outside units never wait.
        """
        return self._db.unit_of_work(exclusive=True)

    def close(self) -> None:
        """Close the pool (a host's connection stays open). Closing again is harmless."""
        self._db.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self.name!r}, schema={self.schema!r})"


def connect(
    url: str,
    *,
    schema: str = DEFAULT_SCHEMA,
    min_size: int = 1,
    max_size: int = 10,
    timeout: float = 30.0,
    converter: cattrs.Converter | None = None,
    migrate: bool = True,
) -> PostgresStore:
    """Open (creating and migrating if needed, unless ``migrate=False``) the store at ``url``
    through a pool."""
    return PostgresStore.connect(
        url,
        schema=schema,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        converter=converter,
        migrate=migrate,
    )


def on(
    connection: psycopg.Connection[Any],
    *,
    schema: str = DEFAULT_SCHEMA,
    converter: cattrs.Converter | None = None,
    migrate: bool = True,
) -> PostgresStore:
    """The store on a host's psycopg ``connection`` (migrated if needed, unless
    ``migrate=False``), sharing its transaction."""
    return PostgresStore.on(connection, schema=schema, converter=converter, migrate=migrate)
