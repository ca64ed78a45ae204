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
import mmap
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
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
from partnercore.serialization._records import RecordDecoder
from partnercore.time import ensure_aware

__all__ = ["BUSY", "CACHE_SIZE", "Database", "Row", "from_micros", "ids_of", "is_key", "to_micros"]

T = TypeVar("T")

Row = sqlite3.Row

BUSY = "database"
"""The ``kind`` of the :class:`ConflictError` raised when another connection holds the lock."""

MEMORY = ":memory:"

CACHE_SIZE = 100_000
"""How many decoded lookups a connection keeps by default (see :meth:`Database.cached`)."""

#: Marks a key looked up and found absent in the cache of a batched read.
_ABSENT = object()

#: The two copies of the wal-index header at the start of a ``-shm`` file (48 bytes each).
_WAL_INDEX_HEADERS = 96


class _WalIndex:
    """The start of one ``-shm`` file, mapped read-only, shared by this process's stores.

    Its descriptors are never closed while a connection of this process may be using the
    file: closing any descriptor of a file drops every POSIX lock the process holds on it,
    SQLite's own included (another process could then reset the file under SQLite's feet).
    They are closed once the file is gone (SQLite deletes it when its last connection
    closes) and no store of this process uses them.
    """

    def __init__(self, name: str, descriptor: int, mapping: mmap.mmap) -> None:
        self.name = name
        self.descriptor = descriptor
        self.mapping = mapping
        self.identity = _identity(descriptor)
        self.users = 0


def _identity(file: int | str) -> tuple[int, int] | None:
    """(device, inode) of an open descriptor or a path (``None``: no such file)."""
    try:
        found = os.fstat(file) if isinstance(file, int) else os.stat(file)
    except OSError:
        return None
    return found.st_dev, found.st_ino


_WAL_INDEXES: dict[str, _WalIndex] = {}
_WAL_INDEXES_LOCK = threading.Lock()


def _attach_wal_index(name: str) -> _WalIndex | None:
    """The mapped wal-index ``name`` (``None``: it cannot be mapped)."""
    with _WAL_INDEXES_LOCK:
        index = _WAL_INDEXES.get(name)
        if index is not None and index.identity == _identity(name):
            index.users += 1
            return index
        try:
            descriptor = os.open(name, os.O_RDONLY)
        except OSError:
            return None
        # From here on the descriptor is never closed while the file exists (see _WalIndex).
        try:
            if os.fstat(descriptor).st_size < _WAL_INDEX_HEADERS:
                raise ValueError("the wal-index is not initialised")
            mapping = mmap.mmap(descriptor, _WAL_INDEX_HEADERS, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            _KEPT_OPEN.append(descriptor)
            return None
        if index is not None:  # the file it mapped is gone: a new one took its name
            _release(index)
        index = _WAL_INDEXES[name] = _WalIndex(name, descriptor, mapping)
        index.users += 1
        return index


def _detach_wal_index(index: _WalIndex) -> None:
    """One store less uses ``index``; its descriptors are closed if the file is gone."""
    with _WAL_INDEXES_LOCK:
        index.users -= 1
        if index.users <= 0 and _identity(index.name) != index.identity:
            _release(index)


def _release(index: _WalIndex) -> None:
    """Close the descriptors of a wal-index whose file was deleted (once nobody uses it)."""
    if _WAL_INDEXES.get(index.name) is index:
        del _WAL_INDEXES[index.name]
    if index.users > 0:  # still read by a store: the mapping of a deleted file is harmless
        return
    with suppress(OSError, BufferError, ValueError):
        index.mapping.close()
    with suppress(OSError):
        os.close(index.descriptor)


#: Descriptors of files that could not be mapped, kept open for the reason above (rare).
_KEPT_OPEN: list[int] = []
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


def ids_of(ids: object, field: str) -> list[str]:
    """The distinct ids of the collection ``ids`` that can be stored keys (and passed through
    ``json_each``: no NUL character), in the order given; anything but a collection of ids
    (text too) is a :class:`ValidationError` naming ``field``."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Collection):
        raise ValidationError.at(field, f"expected a collection of ids, got {ids!r}")
    return list(dict.fromkeys(key for key in ids if is_key(key) and "\x00" not in key))


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

    #: Whether other connections' commits are seen through the wal-index header (else
    #: ``PRAGMA data_version`` is asked before every answer from the cache).
    wal_index = True

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
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise ValidationError.at(
                "cache_size", f"must be a whole number of records >= 0: {cache_size!r}"
            )
        self.converter = converter if converter is not None else make_converter()
        self._decoder = RecordDecoder(self.converter) if converter is None else None
        #: Records decoded, by (class, stored text): only with the store's own converter.
        self._records: dict[tuple[type, str], Any] | None = (
            {} if converter is None and cache_size > 0 else None
        )
        self._cache_size = cache_size
        self._cache: dict[Hashable, Any] = {}
        self._stamp: object = None
        self._immutable = False
        self._wal_index: _WalIndex | None = None
        self._wal_index_tried = False
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
                self._immutable = True
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
            self._cache.clear()
            if self._records is not None:
                self._records.clear()
            self._connection.close()
            if self._wal_index is not None:  # (after the connection: SQLite may delete it)
                _detach_wal_index(self._wal_index)
                self._wal_index = None
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
                if depth == 0:
                    self._cache_current()  # another connection may have committed before
                yield
            except BaseException:
                self._depth = depth
                if depth == 0:
                    self._rollback()
                elif not self._closed and self._connection.in_transaction:
                    # (an I/O error, or closing the store, may have ended it)
                    self._cache.clear()
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
                self._rollback(undo=False)

    def _rollback(self, *, undo: bool = True) -> None:
        """End the open transaction (``undo``: one that may have written, so the cache of
        decoded lookups may hold what it wrote)."""
        if undo:
            self._cache.clear()
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
            self._cache.clear()
            return connection.execute(sql, parameters).rowcount

    def insert(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run one ``INSERT``; the row id of the inserted row."""
        with self._statement() as connection:
            self._writable()
            self._cache.clear()
            row_id = connection.execute(sql, parameters).lastrowid
        return int(row_id or 0)

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._statement() as connection:
            self._writable()
            self._cache.clear()
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
        """The ``cls`` stored as JSON ``text`` (:class:`StoreError` if it cannot be read).

        With the store's own converter, records are kept by their text (up to the cache's
        size): the same text is the same record, so one decoded before is given again,
        whatever was written since.
        """
        if not isinstance(text, str):
            raise self.damaged(f"a stored {cls.__name__} record is not text")
        records = self._records
        if records is not None:
            found = records.get((cls, text))
            if found is not None:
                return found  # type: ignore[no-any-return]
        record = self._decode(text, cls)
        if records is not None:
            if len(records) >= self._cache_size:
                records.clear()
            records[(cls, text)] = record
        return record

    def _decode(self, text: str, cls: type[T]) -> T:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise self.damaged(f"a stored {cls.__name__} record is not valid JSON") from None
        try:
            if self._decoder is not None:
                return self._decoder.decode(data, cls)
            return structure(data, cls, converter=self.converter)
        except (PartnercoreError, ArithmeticError, LookupError, TypeError, ValueError) as error:
            raise self.damaged(
                f"a stored {cls.__name__} record is invalid: {_one_line(str(error))}"
            ) from None
        except RecursionError:
            raise self.damaged(f"a stored {cls.__name__} record is nested too deeply") from None

    # -- the cache of decoded lookups ---------------------------------------------------

    def cached(self, key: Hashable, load: Callable[[], T]) -> T:
        """What ``load()`` reads, kept for ``key`` until the database changes.

        A lookup answered from the cache is exactly what reading it again would give: the
        cache is emptied by every write made through this connection and every rollback,
        and, before any answer is given from it, when another connection (in this process
        or another) has committed since it was filled (``PRAGMA data_version``). Inside a
        read-only snapshot (:meth:`reading`) nothing is cached. Values kept must not be
        changed by their readers (records are frozen; lists are kept as tuples).
        """
        with self._lock:
            if not self._cache_usable():
                return load()
            cache = self._cache
            found = cache.get(key, _ABSENT)
            if found is not _ABSENT:
                return found  # type: ignore[no-any-return]
            value = load()
            if len(cache) >= self._cache_size:
                cache.clear()
            cache[key] = value
            return value

    def cached_many(
        self, kind: str, keys: list[str], load: Callable[[list[str]], dict[str, T]]
    ) -> dict[str, T]:
        """For each of ``keys`` (distinct), what ``load`` reads for it, if anything: the keys
        the cache knows (found or absent) are answered from it, the others read with one
        call of ``load(missing)`` (which leaves out keys it finds nothing for)."""
        with self._lock:
            if not self._cache_usable():
                return load(keys) if keys else {}
            cache = self._cache
            found: dict[str, T] = {}
            missing: list[str] = []
            for key in keys:
                value = cache.get((kind, key), _ABSENT)
                if value is _ABSENT:
                    missing.append(key)
                elif value is not None:
                    found[key] = value
            if not missing:
                return found
            loaded = load(missing)
            if len(cache) + len(missing) > self._cache_size:
                cache.clear()
            for key in missing:
                value = loaded.get(key)
                if len(missing) <= self._cache_size:
                    cache[(kind, key)] = value
                if value is not None:
                    found[key] = value
            return found

    def _cache_usable(self) -> bool:
        """Whether the cache may answer now (emptied first if the database changed)."""
        if self._cache_size == 0:
            return False
        connection = self._live()
        if self._depth > 0:  # inside our unit: the write lock is ours, checked at its start
            return True
        if connection.in_transaction:  # a read snapshot: it may be older than the cache
            return False
        self._cache_current()
        return True

    def _cache_current(self) -> None:
        """Empty the cache if another connection committed since it was last checked."""
        if self._cache_size == 0:
            return
        stamp = self._data_version()
        if stamp != self._stamp:
            self._cache.clear()
            self._stamp = stamp

    def _data_version(self) -> object:
        """What changes whenever another connection commits a change to the file.

        A private in-memory database and a file opened immutable change only through this
        connection (whose writes empty the cache themselves). A file in write-ahead-log mode
        is checked through the header of its wal-index (the ``-shm`` file every connection
        to it maps, in the format https://www.sqlite.org/walformat.html documents): every
        commit rewrites it, a change counter included, before the committing statement
        returns, and reading it takes no lock and runs no statement. Anything else is asked
        ``PRAGMA data_version``.
        """
        if self.path == MEMORY or self._immutable:
            return 0
        index = self._wal_index
        if index is not None:
            return index.mapping[:_WAL_INDEX_HEADERS]
        try:  # (the lock is held: the statement is run directly, it is asked so often)
            row = self._connection.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error as error:
            raise self._translate(error) from None
        if not self._wal_index_tried:  # this connection has now read the file (and its log)
            self._wal_index_tried = True
            self._wal_index = self._map_wal_index()
            if self._wal_index is not None:
                return self._wal_index.mapping[:_WAL_INDEX_HEADERS]
        return None if row is None else row[0]

    def _map_wal_index(self) -> _WalIndex | None:
        """The file's wal-index, mapped (``None``: not in WAL mode, not a POSIX system, a
        path through a symbolic link, or it cannot be mapped)."""
        if not self.wal_index or os.name != "posix":
            return None
        absolute = os.path.abspath(self.path)
        if os.path.realpath(self.path) != absolute:  # which -shm SQLite uses is unclear
            return None
        try:
            row = self._connection.execute("PRAGMA journal_mode").fetchone()
        except sqlite3.Error as error:
            raise self._translate(error) from None
        if row is None or str(row[0]).lower() != "wal":
            return None
        return _attach_wal_index(absolute + "-shm")


def _one_line(text: str) -> str:
    return " ".join(text.split())
