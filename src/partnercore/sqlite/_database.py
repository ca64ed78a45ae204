"""One SQLite connection: opening a file, pragmas, transactions, JSON records, and errors.

This module is the one place that opens SQLite connections and the one place where errors
raised by :mod:`sqlite3` become the library's own: a busy database is a (retryable)
:class:`~partnercore.ConflictError`, a file that cannot be used (not a database, damaged,
unreadable, unwritable, a full disk) a :class:`~partnercore.StoreError` naming the file, text
that cannot be stored a :class:`~partnercore.ValidationError`.

A path is always a file name taken literally (never a SQLite URI); ``":memory:"`` is a private
in-memory database. A file opened for writing is created if it does not exist; one opened
read-only (``read_only=True``) must exist and is never written (``mode=ro``; in a folder the
process cannot write, where SQLite cannot make the files a write-ahead log needs to be read,
it is opened as an immutable file).

The connection runs in autocommit mode (``isolation_level=None``); every write happens inside
an explicit ``BEGIN IMMEDIATE`` transaction that takes the database's write lock up front, so
two processes never both read a row and then both write it. A unit of work nests: an inner one
joins the outer transaction through a SAVEPOINT, so an exception inside it undoes its own
writes, and an exception that leaves the outermost one undoes everything.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import cattrs

from partnercore._errors import (
    ConflictError,
    PartnercoreError,
    StoreClosedError,
    StoreError,
    ValidationError,
)
from partnercore.serialization import make_converter, structure
from partnercore.time import ensure_aware

__all__ = ["BUSY", "Database", "Row", "from_micros", "is_key", "to_micros"]

T = TypeVar("T")

Row = sqlite3.Row

BUSY = "database"
"""The ``kind`` of the :class:`ConflictError` raised when another connection holds the lock."""

MEMORY = ":memory:"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: The files SQLite keeps next to a database in write-ahead-log mode.
_WAL_FILES = ("-wal", "-shm")


def is_key(value: object) -> bool:
    """Whether ``value`` can be looked up as a key.

    Ids are strings that can be written as UTF-8; anything else (another type, text holding a
    lone surrogate) is never stored, so looking it up finds nothing.
    """
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_micros(instant: datetime, field: str = "at") -> int:
    """``instant`` as whole microseconds since the Unix epoch (UTC): an indexable column."""
    delta = ensure_aware(instant, field) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The UTC instant ``micros`` microseconds after the Unix epoch."""
    seconds, rest = divmod(micros, 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest)


def _uri(path: str, read_only: bool, immutable: bool = False) -> str:
    """The SQLite URI naming the file ``path`` exactly (so ``?`` or ``#`` in it are literal)."""
    query = "mode=ro" if read_only else "mode=rwc"
    if immutable:
        query += "&immutable=1"
    return f"{Path(os.path.abspath(path)).as_uri()}?{query}"


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
        read_only: bool = False,
    ) -> None:
        if synchronous not in ("full", "normal"):
            raise ValidationError.at("synchronous", f"expected 'full' or 'normal': {synchronous!r}")
        if not isinstance(timeout, int | float) or not 0 <= timeout < math.inf:
            raise ValidationError.at("timeout", f"must be a number of seconds >= 0: {timeout!r}")
        try:
            self.path = os.fspath(path)
        except TypeError:
            raise ValidationError.at("path", f"expected a file path, got {path!r}") from None
        if not isinstance(self.path, str):
            raise ValidationError.at("path", f"expected a file path as text, got {path!r}")
        self.read_only = read_only
        self.timeout = float(timeout)
        self._synchronous = synchronous.upper()
        self.converter = converter if converter is not None else make_converter()
        self._lock = threading.RLock()
        self._depth = 0
        self._closed = False
        self._tidy = False
        self._connection = self._connect()
        try:
            self.retrying(self._configure)
        except BaseException:
            self._connection.close()
            raise

    # -- opening ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """A connection to the file: created if missing (unless read-only), never a URI."""
        if self.path == MEMORY:
            return self._sqlite(MEMORY, uri=False)
        if "\0" in self.path:
            raise StoreError(self.path, "cannot open the file: its name holds a NUL character")
        try:
            uri = _uri(self.path, self.read_only)
        except (UnicodeError, ValueError):
            raise StoreError(self.path, "cannot open the file: not a valid file name") from None
        if self.read_only:
            # SQLite may create the -wal and -shm files to read a file in write-ahead-log
            # mode: remove them again on close if they were not there before.
            self._tidy = not any(os.path.lexists(self.path + suffix) for suffix in _WAL_FILES)
        return self._sqlite(uri, uri=True)

    def _sqlite(self, name: str, *, uri: bool) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(
                name,
                timeout=self.timeout,
                isolation_level=None,
                check_same_thread=False,
                uri=uri,
            )
        except sqlite3.Error as error:
            raise self._translate(error) from None
        connection.row_factory = sqlite3.Row
        return connection

    def _configure(self) -> None:
        if self.read_only and self.path != MEMORY:
            self._probe()
        with self._statement() as connection:
            connection.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            connection.execute(f"PRAGMA synchronous = {self._synchronous}")
            connection.execute("PRAGMA foreign_keys = ON")

    def _probe(self) -> None:
        """Read the file once; in a folder SQLite cannot write, fall back to an immutable read.

        Reading a file in write-ahead-log mode needs its -shm file, which SQLite cannot create
        in a folder this process may not write. With no log there either, nobody is writing the
        file (a writer would have created the log): it is read as an immutable file.
        """
        with self._lock:
            try:
                self._connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.Error as error:
                name = str(getattr(error, "sqlite_errorname", "") or "")
                no_shared_memory = name == "SQLITE_READONLY_DIRECTORY" or name.startswith(
                    "SQLITE_CANTOPEN"
                )
                if not no_shared_memory or os.path.lexists(self.path + "-wal"):
                    raise self._translate(error) from None
                self._connection.close()
                self._tidy = False
                self._connection = self._sqlite(_uri(self.path, True, immutable=True), uri=True)

    def use_wal(self) -> None:
        """Switch a file opened for writing to a write-ahead log (kept in the file)."""
        if not self.read_only:
            self._run("PRAGMA journal_mode = WAL")

    def retrying(self, action: Callable[[], T]) -> T:
        """``action()``, run again while the database is busy, until the busy timeout passed.

        SQLite waits for a lock by itself, but gives up at once in a few situations (another
        connection recovering or creating the write-ahead log of a new file). Past the
        timeout, the busy :class:`ConflictError` is raised: worth retrying later.
        """
        deadline = time.monotonic() + self.timeout
        pause = 0.002
        try:
            while True:
                try:
                    return action()
                except ConflictError as error:
                    left = deadline - time.monotonic()
                    if error.kind != BUSY or left <= 0:
                        raise
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, 0.1)
                    self._busy_timeout(deadline - time.monotonic())
        finally:
            if not self._closed:
                self._busy_timeout(self.timeout)

    def _busy_timeout(self, seconds: float) -> None:
        with suppress(sqlite3.Error):
            self._connection.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; an open unit of work is rolled back by SQLite.

        Closing twice is harmless; any other use afterwards raises :class:`StoreClosedError`.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._connection.close()
            if self._tidy:
                self._remove_log()

    def _remove_log(self) -> None:
        """Let SQLite remove the -wal and -shm files a read-only connection left behind.

        Only SQLite knows whether another connection still uses them: a connection that may
        write, opened and closed, deletes them when it is the last one (and the log is empty,
        so nothing is written to the database).
        """
        if not any(os.path.lexists(self.path + suffix) for suffix in _WAL_FILES):
            return
        with suppress(sqlite3.Error, OSError, ValueError):
            uri = f"{Path(os.path.abspath(self.path)).as_uri()}?mode=rw"
            connection = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
            try:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                connection.close()

    def _live(self) -> sqlite3.Connection:
        """The connection, or :class:`StoreClosedError` once it has been closed."""
        if self._closed:
            raise StoreClosedError(self.path)
        return self._connection

    def pragma(self, name: str) -> Any:
        """The value of ``PRAGMA name`` (for inspection and tests)."""
        row = self.query_one(f"PRAGMA {name}")
        return None if row is None else row[0]

    # -- errors -------------------------------------------------------------------------

    def damaged(self, detail: str) -> StoreError:
        """The error for something stored that cannot be read back as written."""
        return StoreError(self.path, f"the database is damaged: {detail}")

    def integer(self, value: object, what: str) -> int:
        """``value`` read from a column that holds integers (else the file is damaged)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self.damaged(f"{what} is not an integer: {value!r}")

    def _translate(self, error: sqlite3.Error) -> PartnercoreError:
        """The library's error for an error raised by :mod:`sqlite3`."""
        if isinstance(error, sqlite3.IntegrityError):
            return ConflictError(f"constraint violated: {error}")
        name = str(getattr(error, "sqlite_errorname", "") or "")
        message = str(error)
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in message:
            return ConflictError(
                f"{self.path}: the database is busy (another connection holds it): {message}",
                kind=BUSY,
                id=self.path,
            )
        if name == "SQLITE_NOTADB":
            return StoreError(self.path, "not a partnercore database: not a SQLite database file")
        if name.startswith("SQLITE_CORRUPT") or "malformed" in message:
            return self.damaged(message)
        if message.startswith("Could not decode"):  # text that is not UTF-8
            return self.damaged("a stored text is not valid UTF-8")
        if name == "SQLITE_FULL":
            return StoreError(self.path, f"cannot write: the disk is full ({message})")
        if name.startswith("SQLITE_READONLY"):
            return StoreError(self.path, f"cannot write: the database is read-only ({message})")
        if name.startswith("SQLITE_CANTOPEN"):
            return StoreError(self.path, f"cannot open the file ({message})")
        if name.startswith("SQLITE_IOERR"):
            return StoreError(self.path, f"cannot read or write the file ({message})")
        if name in ("SQLITE_PERM", "SQLITE_AUTH"):
            return StoreError(self.path, f"cannot access the file ({message})")
        if name == "SQLITE_ERROR":  # no such table or column: not the schema expected
            return StoreError(self.path, f"not a partnercore database ({message})")
        return StoreError(self.path, f"cannot use the database ({message})")

    @contextmanager
    def _statement(self) -> Iterator[sqlite3.Connection]:
        """The live connection, under the lock, with every error made the library's own."""
        with self._lock:
            connection = self._live()
            try:
                yield connection
            except sqlite3.Error as error:
                raise self._translate(error) from None
            except UnicodeEncodeError as error:
                bad = error.object[error.start : error.end]
                raise ValidationError.at(
                    "", f"text that is not valid Unicode cannot be stored: {bad!r}"
                ) from None
            except OverflowError as error:
                raise ValidationError.at("", f"a number too large to store: {error}") from None

    def _writable(self) -> None:
        if self.read_only and not self._closed:
            raise StoreError(self.path, "cannot write: the store was opened read-only")

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
                self._live()
                self._writable()
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
        with self._statement() as connection:
            connection.execute(sql)

    # -- statements ---------------------------------------------------------------------

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run one statement that writes; the number of rows it changed."""
        with self._statement() as connection:
            self._writable()
            return connection.execute(sql, parameters).rowcount

    def insert(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run one ``INSERT``; the row id of the inserted row."""
        with self._statement() as connection:
            self._writable()
            row_id = connection.execute(sql, parameters).lastrowid
        return int(row_id or 0)

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._statement() as connection:
            self._writable()
            connection.executemany(sql, rows)

    def script(self, statements: Iterable[str]) -> None:
        for statement in statements:
            self.execute(statement)

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        with self._statement() as connection:
            return connection.execute(sql, parameters).fetchall()

    def sums(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row] | None:
        """The rows of a query adding integers; ``None`` when a sum overflows 64 bits."""
        with self._statement() as connection:
            try:
                return connection.execute(sql, parameters).fetchall()
            except sqlite3.OperationalError as error:
                if "integer overflow" not in str(error):
                    raise
                return None

    def query_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        with self._statement() as connection:
            row: Row | None = connection.execute(sql, parameters).fetchone()
        return row

    # -- records ------------------------------------------------------------------------

    def dump(self, record: object) -> str:
        """``record`` as compact JSON text through the library's converter."""
        data = self.converter.unstructure(record)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def load(self, text: object, cls: type[T]) -> T:
        """The ``cls`` stored as JSON ``text`` (:class:`StoreError` if it cannot be read)."""
        what = f"a stored {cls.__name__} record"
        if not isinstance(text, str):
            raise self.damaged(f"{what} is not text")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise self.damaged(f"{what} is not valid JSON") from None
        try:
            return structure(data, cls, converter=self.converter)
        except (PartnercoreError, ArithmeticError, LookupError, TypeError, ValueError) as error:
            raise self.damaged(f"{what} is invalid: {_one_line(str(error))}") from None
        except RecursionError:
            raise self.damaged(f"{what} is nested too deeply") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())
