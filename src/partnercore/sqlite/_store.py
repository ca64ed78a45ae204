"""The SQLite store: one file, every port, a unit of work."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from types import TracebackType

import cattrs

from partnercore.billing import BillingPorts
from partnercore.sqlite._billing import SqliteBilling
from partnercore.sqlite._content import SqliteContent
from partnercore.sqlite._database import Database
from partnercore.sqlite._licensing import SqliteLicenses
from partnercore.sqlite._migrations import MIGRATIONS
from partnercore.sqlite._schema import check_schema, migrate
from partnercore.sqlite._tenancy import SqliteTenancy

__all__ = ["SCHEMA_VERSION", "SqliteStore", "connect"]

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this library writes (the number of migrations it knows)."""


class SqliteStore:
    """Every port of the library on one SQLite file.

    Opening a store creates the file if needed and migrates its schema forward; a file that
    is not a partnercore database (written by something else, damaged) raises
    :class:`~partnercore.StoreError` and is left as it was. ``read_only=True`` opens an
    existing, up-to-date store without ever writing to it (every write then raises
    :class:`~partnercore.StoreError`). ``path`` is a file name taken literally (a SQLite URI is
    not interpreted); ``":memory:"`` is a private in-memory database. The ports
    are attributes shaped like the in-memory ones: ``tenancy`` (a ``TenancyPorts``),
    ``licenses``, ``billing`` (price books, accounts, usage, invoices; ``billing_ports`` joins
    them with the tenancy and licence repositories) and ``content`` (a ``ContentPorts``).
    Each write commits on its own, unless it runs inside :meth:`unit_of_work`, which groups
    writes into one atomic transaction.

    ``timeout`` is how many seconds a write waits for another writer (busy timeout);
    ``synchronous="full"`` (default) makes every commit durable across power loss,
    ``"normal"`` only across process crashes (faster). A file that stays locked by another
    process for longer than ``timeout`` while it is opened raises the retryable
    :class:`~partnercore.ConflictError`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: str = "full",
        converter: cattrs.Converter | None = None,
        read_only: bool = False,
    ) -> None:
        self._db = Database(
            path,
            timeout=timeout,
            synchronous=synchronous,
            converter=converter,
            read_only=read_only,
        )
        opening = check_schema if read_only else migrate
        try:
            self._schema_version = self._db.retrying(lambda: opening(self._db, MIGRATIONS))
        except BaseException:
            self._db.close()
            raise
        self.tenancy = SqliteTenancy(self._db)
        """The tenancy ports (teams, users, memberships, grants, consent, history, audit)."""
        self.licenses = SqliteLicenses(self._db)
        """The licence repository (optimistic concurrency on ``version``)."""
        self.billing = SqliteBilling(self._db)
        """Price books, billing accounts, usage (totals by SQL) and finalised invoices."""
        self.content = SqliteContent(
            self._db,
            tenancy=self.tenancy,
            licenses=self.licenses,
            unit_of_work=self.unit_of_work,
        )
        """The content ports, sharing this store's tenancy, licences and unit of work."""

    @property
    def billing_ports(self) -> BillingPorts:
        """The billing ports over this store's teams, memberships and licences."""
        return self.billing.ports(tenancy=self.tenancy, licenses=self.licenses)

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

        Nested use joins the outer unit; an exception leaving a unit undoes its writes, and
        one leaving the outermost unit undoes them all.
        """
        return self._db.unit_of_work()

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
) -> SqliteStore:
    """Open (creating and migrating if needed, unless ``read_only``) the store at ``path``."""
    return SqliteStore(
        path,
        timeout=timeout,
        synchronous=synchronous,
        converter=converter,
        read_only=read_only,
    )
