"""Connections to one PostgreSQL database: a pool or a host's connection, transactions, JSON
records, and errors.

This module is the one place that opens PostgreSQL connections and the one place where errors
raised by :mod:`psycopg` become the library's own:

- a unique (or other integrity) violation is a :class:`~partnercore.ConflictError`;
- a serialization failure, a deadlock, a lock that could not be had in time (``lock_timeout``)
  or a pool with no connection free in time is a :class:`~partnercore.ConflictError` of kind
  :data:`BUSY` (``"database"``, as for a busy SQLite file): worth retrying;
- a value the server cannot store (text holding a NUL character, a number out of range) is a
  :class:`~partnercore.ValidationError`;
- a server that cannot be reached, a connection that broke or was closed, a transaction the
  host let fail, missing tables or privileges is a :class:`~partnercore.StoreError` naming the
  database (its URL without the password);
- any use after :meth:`Database.close` is a :class:`~partnercore.StoreClosedError`.

No psycopg error ever leaves the library from a statement it ran itself; an error raised by
the host's own code inside a unit of work passes through unchanged (after the rollback).

Two ways to reach a database:

- :meth:`Database.connect` opens a pool (:class:`psycopg_pool.ConnectionPool`) of
  autocommit connections. A unit of work borrows one connection for its whole duration, per
  thread; a statement outside a unit borrows one for that statement only.
- :meth:`Database.on` wraps a host's :class:`psycopg.Connection`. When the host has a
  transaction open on it, partnercore's outermost unit of work is a SAVEPOINT inside the host's
  transaction: it never commits (nor rolls back) the host's transaction, so the host's rows and
  partnercore's commit together when the host commits, or vanish together. When the connection
  is idle, the outermost unit is a transaction of its own that commits when it ends.

Every table lives in one schema of its own (``schema``, default ``"partnercore"``); statements
name tables as ``{schema}.teams`` and the placeholder is replaced by the quoted schema name.
Parameters are written ``%s`` (so a literal ``%`` is written ``%%``). Rows are plain tuples,
whatever row factory the host's connection uses.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

import cattrs
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from partnercore._errors import (
    ConflictError,
    PartnercoreError,
    StoreClosedError,
    StoreError,
    ValidationError,
)
from partnercore.serialization import make_converter, structure
from partnercore.serialization._records import RecordDecoder

__all__ = [
    "BUSY",
    "DEFAULT_SCHEMA",
    "WRITER_LOCK",
    "Database",
    "Row",
    "check_schema_name",
    "ids_of",
    "is_key",
]

T = TypeVar("T")

Row = tuple[Any, ...]
Connection = psycopg.Connection[Any]

BUSY = "database"
"""The ``kind`` of the retryable :class:`ConflictError` (the same as the SQLite store's)."""

DEFAULT_SCHEMA = "partnercore"

WRITER_LOCK = 0x7064
"""The first key of the advisory lock every outermost unit of work takes (the second is the
schema name's hash): units of work on one schema run one after the other (see
:meth:`Database.unit_of_work`)."""

_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

#: SQLSTATEs worth retrying: serialization failure, deadlock, lock not available.
_RETRYABLE = frozenset({"40001", "40P01", "55P03"})


def is_key(value: object) -> bool:
    """Whether ``value`` can be looked up as a key: text PostgreSQL can hold (no NUL, UTF-8).

    Anything else is never stored, so looking it up finds nothing.
    """
    if not isinstance(value, str) or "\0" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def ids_of(ids: object, field: str) -> list[str]:
    """The distinct ids of the collection ``ids`` that can be stored keys, in the order given;
    anything but a collection of ids (text too) is a :class:`ValidationError` naming
    ``field``."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Collection):
        raise ValidationError.at(field, f"expected a collection of ids, got {ids!r}")
    return list(dict.fromkeys(key for key in ids if is_key(key)))


def check_schema_name(schema: object) -> str:
    """``schema`` if it is a plain identifier (letters, digits, ``_``; at most 63 characters)."""
    if not isinstance(schema, str) or _SCHEMA_NAME.fullmatch(schema) is None:
        raise ValidationError.at(
            "schema",
            "expected a schema name of letters, digits and '_' (not starting with a digit, "
            f"at most 63 characters): {schema!r}",
        )
    return schema


def describe_url(url: str) -> str:
    """``url`` without its password: how errors name the database."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error as error:
        raise ValidationError.at("url", f"not a PostgreSQL connection URL: {error}") from None
    return _name(
        str(parts.get("user") or ""),
        str(parts.get("host") or ""),
        str(parts.get("port") or ""),
        str(parts.get("dbname") or ""),
    )


def _name(user: str, host: str, port: str, dbname: str) -> str:
    where = f"{user}@" if user else ""
    where += host if host and not host.startswith("/") else ""
    where += f":{port}" if port and host and not host.startswith("/") else ""
    socket = f"?host={host}" if host.startswith("/") else ""
    return f"postgresql://{where}/{dbname}{socket}"


class _Host:
    """A host's connection: one at a time, under a re-entrant lock."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.lock = threading.RLock()
        info = connection.info
        self.name = _name(info.user, info.host, str(info.port), info.dbname)

    @contextmanager
    def borrow(self) -> Iterator[Connection]:
        with self.lock:
            yield self.connection

    def close(self) -> None:
        """Nothing to do: the host owns its connection."""


class _Pool:
    """A pool of autocommit connections opened by the library."""

    def __init__(self, url: str, name: str, *, min_size: int, max_size: int, timeout: float):
        self.name = name
        self.timeout = timeout
        self.pool: ConnectionPool[Connection] = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            open=False,
            kwargs={"autocommit": True},
            name=name,
        )

    def borrow(self) -> AbstractContextManager[Connection]:
        return self.pool.connection()

    def close(self) -> None:
        self.pool.close()


class Database:
    """One PostgreSQL database (a pool of connections, or a host's connection) and the units of
    work run on it.

    Thread-safe: a unit of work belongs to the thread that opened it. On a pool each thread's
    unit has a connection of its own; on a host's connection, a re-entrant lock is held for each
    statement and for the whole of a unit, so units of two threads never interleave.
    """

    def __init__(
        self,
        source: _Host | _Pool,
        *,
        schema: str = DEFAULT_SCHEMA,
        converter: cattrs.Converter | None = None,
    ) -> None:
        self._source = source
        self.schema = check_schema_name(schema)
        self.converter = converter if converter is not None else make_converter()
        self._decoder = RecordDecoder(self.converter) if converter is None else None
        self._quoted = '"' + self.schema + '"'
        self._statements: dict[str, str] = {}
        self._local = threading.local()
        self._closed = False

    # -- opening ------------------------------------------------------------------------

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
    ) -> Database:
        """A pool of connections to the database at ``url`` (a ``postgresql://`` URL or a
        conninfo string).

        The server is reached once before this returns (:class:`StoreError` if it cannot be,
        with the server's reason); ``timeout`` is how many seconds a unit of work waits for a
        free connection (then a retryable :class:`ConflictError`).
        """
        if not isinstance(url, str):
            raise ValidationError.at("url", f"expected a PostgreSQL URL as text, got {url!r}")
        name = describe_url(url)
        check_schema_name(schema)
        if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 0:
            raise ValidationError.at("min_size", f"must be a whole number >= 0: {min_size!r}")
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
            raise ValidationError.at("max_size", f"must be a whole number >= 1: {max_size!r}")
        if max_size < min_size:
            raise ValidationError.at("max_size", f"must be at least min_size ({min_size})")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise ValidationError.at("timeout", f"must be a number of seconds > 0: {timeout!r}")
        try:  # reach the server once, for its own reason when it cannot be reached
            psycopg.connect(url, connect_timeout=max(2, int(timeout))).close()
        except psycopg.Error as error:
            raise StoreError(
                name, f"cannot connect to the database server: {_text(error)}"
            ) from None
        pool = _Pool(url, name, min_size=min_size, max_size=max_size, timeout=float(timeout))
        try:
            pool.pool.open(wait=False)
        except psycopg.Error as error:  # pragma: no cover - opening without waiting
            raise StoreError(name, f"cannot open a connection pool: {_text(error)}") from None
        return cls(pool, schema=schema, converter=converter)

    @classmethod
    def on(
        cls,
        connection: Connection,
        *,
        schema: str = DEFAULT_SCHEMA,
        converter: cattrs.Converter | None = None,
    ) -> Database:
        """The database behind a host's psycopg ``connection``, sharing its transaction."""
        if not isinstance(connection, psycopg.Connection):
            raise ValidationError.at(
                "connection", f"expected a psycopg connection, got {type(connection).__name__}"
            )
        if connection.closed:
            raise StoreError("postgresql://", "cannot use the connection: it is closed")
        return cls(_Host(connection), schema=schema, converter=converter)

    @property
    def name(self) -> str:
        """The database's URL without a password (how errors name it)."""
        return self._source.name

    @property
    def shares_host_connection(self) -> bool:
        """Whether this wraps a host's connection (rather than a pool of its own)."""
        return isinstance(self._source, _Host)

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Close the pool (a host's connection is left open: the host owns it).

        Closing twice is harmless; any other use afterwards raises :class:`StoreClosedError`.
        """
        if self._closed:
            return
        self._closed = True
        self._source.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def _live(self) -> None:
        if self._closed:
            raise StoreClosedError(self.name)

    # -- errors -------------------------------------------------------------------------

    def damaged(self, detail: str) -> StoreError:
        """The error for something stored that cannot be read back as written."""
        return StoreError(self.name, f"the database is damaged: {detail}")

    def integer(self, value: object, what: str) -> int:
        """``value`` read from a column that holds integers (else the database is damaged)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self.damaged(f"{what} is not an integer: {value!r}")

    def translate(self, error: psycopg.Error) -> PartnercoreError:
        """The library's error for an error raised by :mod:`psycopg`."""
        message = _text(error)
        state = error.sqlstate or ""
        if self._closed:
            return StoreClosedError(self.name)
        if isinstance(error, PoolTimeout):
            return ConflictError(
                f"no database connection became free within {self._timeout()} s "
                f"(the pool is exhausted or the server unreachable): {message}",
                kind=BUSY,
                id=self.name,
            )
        if isinstance(error, PoolClosed):  # pragma: no cover - the pool closes with the store
            return StoreClosedError(self.name)
        if isinstance(error, psycopg.IntegrityError):
            return ConflictError(f"constraint violated: {message}")
        if state in _RETRYABLE:
            return ConflictError(
                f"the database is busy (another transaction holds what this one needs): {message}",
                kind=BUSY,
                id=self.name,
            )
        if isinstance(error, psycopg.DataError):
            return ValidationError.at("", f"a value the database cannot store: {message}")
        if state == "25P02":
            return StoreError(
                self.name,
                "the transaction has failed: roll it back before using the store again "
                f"({message})",
            )
        if state == "25006":
            return StoreError(self.name, f"cannot write: the transaction is read-only ({message})")
        if state in ("42P01", "42703", "3F000"):
            return StoreError(self.name, f"not a partnercore database ({message})")
        if state == "42501":
            return StoreError(self.name, f"permission denied ({message})")
        if state == "57014":
            return StoreError(self.name, f"the statement was cancelled ({message})")
        if state.startswith("53"):
            return StoreError(self.name, f"the server is out of resources ({message})")
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            return StoreError(self.name, f"cannot use the connection to the server ({message})")
        return StoreError(self.name, f"cannot use the database ({message})")

    def _timeout(self) -> float:
        return self._source.timeout if isinstance(self._source, _Pool) else 0.0

    @contextmanager
    def translating(self) -> Iterator[None]:
        """Every psycopg error raised in the block becomes the library's own."""
        try:
            yield
        except psycopg.Error as error:
            raise self.translate(error) from None
        except UnicodeEncodeError as error:
            bad = error.object[error.start : error.end]
            raise ValidationError.at(
                "", f"text that is not valid Unicode cannot be stored: {bad!r}"
            ) from None

    # -- connections and transactions ---------------------------------------------------

    def _current(self) -> Connection | None:
        connection: Connection | None = getattr(self._local, "connection", None)
        return connection

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """The connection of this thread's open unit, or one borrowed for a statement."""
        self._live()
        current = self._current()
        if current is not None:
            yield current
            return
        with self.translating(), self._source.borrow() as connection:
            yield connection

    @contextmanager
    def _held(self) -> Iterator[Connection]:
        """A connection borrowed and made this thread's current one for the block."""
        self._live()
        with self.translating():
            borrowed = self._source.borrow()
            connection = borrowed.__enter__()
        self._local.connection = connection
        try:
            yield connection
        except BaseException as error:
            self._local.connection = None
            with self.translating():
                borrowed.__exit__(type(error), error, error.__traceback__)
            raise
        self._local.connection = None
        with self.translating():
            borrowed.__exit__(None, None, None)

    @contextmanager
    def _transaction(self, connection: Connection, *, rollback: bool = False) -> Iterator[None]:
        """A psycopg transaction block: a transaction when the connection is idle, else a
        savepoint. Only errors of its own statements are translated; the block's own error
        passes through once the block is rolled back."""
        with self.translating():
            block = connection.transaction(force_rollback=rollback)
            block.__enter__()
        try:
            yield
        except BaseException as error:
            # psycopg ignores (and logs) a failure to roll back a broken connection
            with self.translating():
                block.__exit__(type(error), error, error.__traceback__)
            raise
        with self.translating():
            block.__exit__(None, None, None)

    @property
    def in_unit_of_work(self) -> bool:
        """Whether this thread has a unit of work (or a snapshot) open."""
        return self._current() is not None

    @contextmanager
    def unit_of_work(self, *, exclusive: bool = False) -> Iterator[None]:
        """Group writes atomically. Nested use joins the outer unit (through a savepoint).

        The outermost unit is a transaction that commits when its block ends, or, on a host's
        connection that already has a transaction open, a savepoint inside it (the host
        commits). Any exception leaving a unit undoes that unit's writes and passes through.

        An ``exclusive`` outermost unit (what ``PostgresStore.unit_of_work`` opens) first
        takes a transaction-scoped advisory lock on the schema (:data:`WRITER_LOCK`), held
        until its transaction ends (on a host's transaction: until the host commits or rolls
        back). Exclusive units on one schema therefore run one after the other, as SQLite's
        ``BEGIN IMMEDIATE`` transactions do: a rule a service reads and then writes (one
        trial per organisation, a period finalised once, an onboarding request done once)
        still holds when its unit commits, under READ COMMITTED. Reads outside units, and
        the single-statement writes of repositories outside units, never wait for it.
        """
        current = self._current()
        if current is not None:
            self._live()
            with self._transaction(current):
                yield
            return
        with self._held() as connection, self._transaction(connection):
            if exclusive:
                with self.translating():
                    connection.execute(
                        "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                        (WRITER_LOCK, self.schema),
                    )
            yield

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A consistent snapshot for several reads: a read-only REPEATABLE READ transaction
        (rolled back at the end), or the transaction already open (the host's or a unit's)."""
        if self._current() is not None:
            self._live()
            yield
            return
        with self._held() as connection:
            if connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                yield  # the host's transaction: its snapshot rules
                return
            with self._transaction(connection, rollback=True):
                with self.translating():
                    connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield

    # -- statements ---------------------------------------------------------------------

    def sql(self, statement: str) -> str:
        """``statement`` with ``{schema}`` replaced by the quoted schema name."""
        found = self._statements.get(statement)
        if found is None:
            found = statement.replace("{schema}", self._quoted)
            self._statements[statement] = found
        return found

    def _writing(self) -> AbstractContextManager[None]:
        """A unit of work for a write outside one (so it commits on its own), else nothing."""
        return self.unit_of_work() if self._current() is None else nullcontext()

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run one statement that writes; the number of rows it changed."""
        with self._writing(), self._connection() as connection, self.translating():
            cursor = connection.cursor(row_factory=tuple_row)
            cursor.execute(self.sql(sql), tuple(parameters))
            return cursor.rowcount

    def insert(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """Run one statement ending in ``RETURNING x`` (an insert, an update); ``x`` of the
        first row it returned (``None`` when it returned none)."""
        with self._writing(), self._connection() as connection, self.translating():
            cursor = connection.cursor(row_factory=tuple_row)
            cursor.execute(self.sql(sql), tuple(parameters))
            row = cursor.fetchone()
        return None if row is None else row[0]

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters (pipelined), all in one unit."""
        batch = [tuple(row) for row in rows]
        if not batch:
            return
        with self._writing(), self._connection() as connection, self.translating():
            connection.cursor(row_factory=tuple_row).executemany(self.sql(sql), batch)

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write ``rows`` into ``{schema}.table`` (``columns`` named in order) with ``COPY``,
        in one unit; the number of rows written."""
        names = ", ".join(columns)
        written = 0
        with self._writing(), self._connection() as connection, self.translating():
            cursor = connection.cursor(row_factory=tuple_row)
            with cursor.copy(self.sql(f"COPY {{schema}}.{table} ({names}) FROM STDIN")) as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        return written

    def script(self, statements: Iterable[str]) -> None:
        """Run each statement (no parameters) in one unit."""
        with self._writing():
            for statement in statements:
                self.execute(statement)

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        """Every row a query returns, as tuples."""
        with self._connection() as connection, self.translating():
            cursor = connection.cursor(row_factory=tuple_row)
            cursor.execute(self.sql(sql), tuple(parameters))
            return cursor.fetchall()

    def query_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        """The first row a query returns (``None`` when there is none)."""
        with self._connection() as connection, self.translating():
            cursor = connection.cursor(row_factory=tuple_row)
            cursor.execute(self.sql(sql), tuple(parameters))
            return cursor.fetchone()

    # -- records ------------------------------------------------------------------------

    def dump(self, record: object) -> Jsonb:
        """``record`` as a ``jsonb`` parameter, through the library's converter."""
        return self.dump_json(self.converter.unstructure(record))

    def dump_json(self, data: object) -> Jsonb:
        """Plain JSON ``data`` (dicts, lists, text, numbers) as a ``jsonb`` parameter."""
        return Jsonb(data, dumps=_compact)

    def load(self, value: object, cls: type[T]) -> T:
        """The ``cls`` stored as JSON ``value`` (text, or what psycopg decoded from ``jsonb``);
        :class:`StoreError` if it cannot be read back."""
        what = f"a stored {cls.__name__} record"
        data = self.json(value, what)
        try:
            if self._decoder is not None:
                return self._decoder.decode(data, cls)
            return structure(data, cls, converter=self.converter)
        except (PartnercoreError, ArithmeticError, LookupError, TypeError, ValueError) as error:
            raise self.damaged(f"{what} is invalid: {_one_line(str(error))}") from None
        except RecursionError:
            raise self.damaged(f"{what} is nested too deeply") from None

    def json(self, value: object, what: str) -> Any:
        """The JSON document ``value`` holds (decoding it when it is text)."""
        if isinstance(value, str):
            try:
                return json.loads(value)
            except (ValueError, RecursionError):
                raise self.damaged(f"{what} is not valid JSON") from None
        if isinstance(value, dict | list):
            return value
        raise self.damaged(f"{what} is not a JSON document: {type(value).__name__}")

    def __repr__(self) -> str:
        return f"Database({self.name!r}, schema={self.schema!r})"


def _compact(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _text(error: BaseException) -> str:
    """An error's message on one line."""
    return _one_line(str(error)) or type(error).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())
