"""The SQLite store: one file, every port, a unit of work."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from types import TracebackType

import cattrs

from partnercore.sqlite._database import Database
from partnercore.sqlite._schema import MIGRATIONS, migrate

__all__ = ["SCHEMA_VERSION", "SqliteStore", "connect"]

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this library writes (the number of migrations it knows)."""


class SqliteStore:
    """Every port of the library on one SQLite file.

    Opening a store creates the file if needed and migrates its schema forward. Writes made
    through the port attributes commit one by one, unless they run inside
    :meth:`unit_of_work`, which groups them into one atomic transaction.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: str = "full",
        converter: cattrs.Converter | None = None,
    ) -> None:
        self._db = Database(path, timeout=timeout, synchronous=synchronous, converter=converter)
        try:
            self._schema_version = migrate(self._db)
        except BaseException:
            self._db.close()
            raise

    @property
    def path(self) -> str:
        """The database file."""
        return self._db.path

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
        """Close the connection (an open unit of work is rolled back)."""
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
) -> SqliteStore:
    """Open (creating and migrating if needed) the SQLite store at ``path``."""
    return SqliteStore(path, timeout=timeout, synchronous=synchronous, converter=converter)
