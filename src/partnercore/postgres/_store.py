"""The PostgreSQL store: a pool of its own, or a host's connection and transaction."""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

import cattrs
import psycopg

from partnercore.postgres._database import DEFAULT_SCHEMA, Database
from partnercore.postgres._events import PostgresEvents
from partnercore.postgres._licensing import PostgresLicenses
from partnercore.postgres._migrations import MIGRATIONS
from partnercore.postgres._schema import migrate
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
    (creating it when missing). The tenancy and licence repositories, the event log and units
    of work are ready; the billing and content repositories arrive with the store's next
    version.

    ``with store.unit_of_work(): ...`` commits every write in the block, or none. On a host's
    connection with a transaction open, the outermost unit is a savepoint inside the host's
    transaction: partnercore's writes then commit or roll back with the host's own.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        try:
            self._schema_version = migrate(db, MIGRATIONS)
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
    ) -> PostgresStore:
        """The store at ``url`` (``postgresql://user@host/dbname``), through a pool of
        ``min_size`` to ``max_size`` connections; ``timeout`` is how many seconds a unit of
        work waits for a free connection."""
        return cls(
            Database.connect(
                url,
                schema=schema,
                min_size=min_size,
                max_size=max_size,
                timeout=timeout,
                converter=converter,
            )
        )

    @classmethod
    def on(
        cls,
        connection: psycopg.Connection[Any],
        *,
        schema: str = DEFAULT_SCHEMA,
        converter: cattrs.Converter | None = None,
    ) -> PostgresStore:
        """The store on a host's psycopg ``connection``, sharing its transaction.

        Closing the store leaves the connection open: the host owns it.
        """
        return cls(Database.on(connection, schema=schema, converter=converter))

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

    def revision(self) -> int:
        """The revision of the newest committed event (``0`` when there is none)."""
        return self._events.revision()

    def unit_of_work(self) -> AbstractContextManager[None]:
        """``with store.unit_of_work(): ...`` commits every write in the block, or none.

        Nested use is a savepoint; an exception leaving a unit undoes its writes.
        """
        return self._db.unit_of_work()

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
) -> PostgresStore:
    """Open (creating and migrating if needed) the store at ``url`` through a pool."""
    return PostgresStore.connect(
        url,
        schema=schema,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        converter=converter,
    )


def on(
    connection: psycopg.Connection[Any],
    *,
    schema: str = DEFAULT_SCHEMA,
    converter: cattrs.Converter | None = None,
) -> PostgresStore:
    """The store on a host's psycopg ``connection`` (migrated if needed), sharing its
    transaction."""
    return PostgresStore.on(connection, schema=schema, converter=converter)
