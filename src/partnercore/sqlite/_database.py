"""One SQLite connection: pragmas, explicit transactions, the unit of work, JSON records.

The connection runs in autocommit mode (``isolation_level=None``); every write happens inside
an explicit ``BEGIN IMMEDIATE`` transaction that takes the database's write lock up front, so
two processes never both read a row and then both write it. A unit of work nests: an inner one
joins the outer transaction through a SAVEPOINT, so an exception inside it undoes its own
writes, and an exception that leaves the outermost one undoes everything.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any, TypeVar

import cattrs

from partnercore._errors import ConflictError, StoreClosedError, ValidationError
from partnercore.serialization import make_converter, structure
from partnercore.time import ensure_aware

__all__ = ["Database", "Row", "from_micros", "is_key", "to_micros"]

T = TypeVar("T")

Row = sqlite3.Row

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def is_key(value: object) -> bool:
    """Whether ``value`` can be looked up as a key (ids are strings; anything else is absent)."""
    return isinstance(value, str)


def to_micros(instant: datetime, field: str = "at") -> int:
    """``instant`` as whole microseconds since the Unix epoch (UTC): an indexable column."""
    delta = ensure_aware(instant, field) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The UTC instant ``micros`` microseconds after the Unix epoch."""
    seconds, rest = divmod(micros, 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest)


class Database:
    """A connection to one SQLite file and the transactions run on it.

    Thread-safe: a re-entrant lock is held for each statement and for the whole of a unit of
    work, so a unit of work opened on one thread is never interleaved with another's writes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: str = "full",
        converter: cattrs.Converter | None = None,
    ) -> None:
        if synchronous not in ("full", "normal"):
            raise ValidationError.at("synchronous", f"expected 'full' or 'normal': {synchronous!r}")
        if not timeout >= 0:
            raise ValidationError.at("timeout", f"must be a number of seconds >= 0: {timeout!r}")
        self.path = os.fspath(path)
        self.converter = converter if converter is not None else make_converter()
        self._lock = threading.RLock()
        self._depth = 0
        self._closed = False
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise ValidationError.at("path", f"cannot open {self.path!r}: {error}") from None
        self._connection.row_factory = sqlite3.Row
        try:
            self._connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._connection.execute("PRAGMA journal_mode = WAL")
            self._connection.execute(f"PRAGMA synchronous = {synchronous.upper()}")
            self._connection.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as error:
            self._connection.close()
            raise ValidationError.at(
                "path", f"{self.path!r} is not a usable SQLite database: {error}"
            ) from None

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; an open unit of work is rolled back by SQLite.

        Closing twice is harmless; any other use afterwards raises :class:`StoreClosedError`.
        """
        with self._lock:
            self._closed = True
            self._connection.close()

    def _live(self) -> sqlite3.Connection:
        """The connection, or :class:`StoreClosedError` once it has been closed."""
        if self._closed:
            raise StoreClosedError(self.path)
        return self._connection

    def pragma(self, name: str) -> Any:
        """The value of ``PRAGMA name`` (for inspection and tests)."""
        row = self.query_one(f"PRAGMA {name}")
        return None if row is None else row[0]

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """Group writes atomically. Nested use joins the outer unit (through a savepoint).

        The outermost unit starts with ``BEGIN IMMEDIATE`` (waiting up to the busy timeout
        for another writer) and commits when its block ends; any exception rolls it back.
        """
        with self._lock:
            depth = self._depth
            if depth == 0:
                self._run("BEGIN IMMEDIATE")
            else:
                self._run(f"SAVEPOINT uow_{depth}")
            self._depth = depth + 1
            try:
                yield
            except BaseException:
                self._depth = depth
                if depth == 0:
                    self._rollback()
                elif not self._closed and self._connection.in_transaction:
                    # (an I/O error, or closing the store, may have ended it)
                    self._run(f"ROLLBACK TO uow_{depth}")
                    self._run(f"RELEASE uow_{depth}")
                raise
            self._depth = depth
            if depth == 0:
                try:
                    self._run("COMMIT")
                except BaseException:
                    self._rollback()
                    raise
            else:
                self._run(f"RELEASE uow_{depth}")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A consistent snapshot for several reads (a deferred transaction, or the open one)."""
        with self._lock:
            if self._live().in_transaction:
                yield
                return
            self._run("BEGIN")
            try:
                yield
            finally:
                self._rollback()

    def _rollback(self) -> None:
        if not self._closed and self._connection.in_transaction:
            with suppress(sqlite3.Error):  # an unusable connection has nothing to undo
                self._connection.execute("ROLLBACK")

    def _run(self, sql: str) -> None:
        try:
            self._live().execute(sql)
        except sqlite3.OperationalError as error:
            raise _translate(error) from None

    # -- statements ---------------------------------------------------------------------

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        with self._lock:
            try:
                return self._live().execute(sql, parameters).rowcount
            except sqlite3.IntegrityError as error:
                raise ConflictError(f"constraint violated: {error}") from None
            except sqlite3.OperationalError as error:
                raise _translate(error) from None

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock:
            try:
                self._live().executemany(sql, rows)
            except sqlite3.IntegrityError as error:
                raise ConflictError(f"constraint violated: {error}") from None
            except sqlite3.OperationalError as error:
                raise _translate(error) from None

    def script(self, statements: Iterable[str]) -> None:
        for statement in statements:
            self.execute(statement)

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            try:
                return self._live().execute(sql, parameters).fetchall()
            except sqlite3.OperationalError as error:
                raise _translate(error) from None

    def query_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        with self._lock:
            try:
                row: Row | None = self._live().execute(sql, parameters).fetchone()
            except sqlite3.OperationalError as error:
                raise _translate(error) from None
            return row

    # -- records ------------------------------------------------------------------------

    def dump(self, record: object) -> str:
        """``record`` as compact JSON text through the library's converter."""
        data = self.converter.unstructure(record)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def load(self, text: str, cls: type[T]) -> T:
        """The ``cls`` stored as JSON ``text``."""
        return structure(json.loads(text), cls, converter=self.converter)


def _translate(error: sqlite3.OperationalError) -> Exception:
    message = str(error)
    if "locked" in message or "busy" in message:
        return ConflictError(f"the database is busy (another writer holds it): {message}")
    return error
