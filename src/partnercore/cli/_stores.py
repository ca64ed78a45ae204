"""Where a command reads and writes: a scenario FILE, or the store at ``--db PATH``.

``--db PATH`` names a database file (never a SQLite URI, ``:memory:`` or an empty path) or a
``postgresql://`` URL (the store in schema ``partnercore`` of that database). Read commands
open it read-only (they never create, migrate or change it); ``import`` creates it whole or
not at all; ``apply`` and ``finalise`` write to an existing store in one unit of work.
"""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from partnercore.cli._parser import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from partnercore.scenario import Scenario
    from partnercore.store import Store

__all__ = [
    "MISSING",
    "POSTGRES",
    "database",
    "file_kind",
    "open_store",
    "opened",
    "store_of",
    "text_of",
    "writing",
]

MISSING = "no such database file"
POSTGRES = ("postgresql://", "postgres://")


def database(path: str) -> str:
    """``--db PATH``: a file name, never an in-memory database or a SQLite URI."""
    if not path:
        raise BadInput("--db: give the path of a database file (got an empty path)")
    if path == ":memory:" or path.startswith("file:"):
        raise BadInput(
            f"--db: give the path of a database file, not a SQLite URI or in-memory "
            f"database: {path!r} (write ./{path} for a file of that name)"
        )
    return path


def file_kind(path: str) -> str | None:
    """What is wrong with ``path`` as a database file (``None``: a regular file)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return MISSING if not os.path.lexists(path) else f"{path} is a broken link"
    except OSError as error:
        return f"cannot use {path}: {error.strerror}"
    except ValueError:  # NUL, or text that is no file name (a lone surrogate)
        return f"not a valid file name: {path!r}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"{path} is a directory, not a database file"
    return f"{path} is not a regular file"


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Scenario]:
    """The scenario of FILE, or of the store at ``--db`` opened read-only (closed after)."""
    db = getattr(args, "db", None)
    if db is None:
        if args.file is None:
            raise BadInput(f"{args.command}: give a scenario FILE or --db PATH")
        from partnercore.scenario import load

        yield load(args.file)
        return
    if args.file is not None:
        raise BadInput(f"{args.command}: give a scenario FILE or --db PATH, not both")
    with open_store(db, read_only=True) as store:
        if db.startswith(POSTGRES):
            from partnercore.scenario import open_scenario as postgres_scenario

            yield postgres_scenario(store)
            return
        from partnercore.scenario import open_scenario

        yield open_scenario(store)


@contextmanager
def store_of(args: argparse.Namespace) -> Iterator[Store]:
    """The store of a scenario FILE (built in memory), or at ``--db`` opened read-only."""
    if args.db is None:
        with opened(args) as scenario:
            yield scenario.store
        return
    if args.file is not None:
        raise BadInput(f"{args.command}: give a scenario FILE or --db PATH, not both")
    with open_store(args.db, read_only=True) as store:
        yield store


@contextmanager
def open_store(db: str, *, read_only: bool = False, timeout: float = 30.0) -> Iterator[Any]:
    """The existing store a ``--db`` value names (closed after): a SQLite file, or a
    ``postgresql://`` URL (the store in schema ``partnercore`` of that database, migrated
    forward unless read-only). Read-only: never created, migrated or changed. ``timeout``:
    seconds to wait for another writer (SQLite) or for a connection (PostgreSQL)."""
    if db.startswith(POSTGRES):
        try:
            from partnercore.postgres import PostgresStore
        except ImportError:
            raise BadInput(
                "--db: a postgresql:// URL needs the postgres extra: "
                "pip install 'partnercore[postgres]'"
            ) from None
        wait = max(timeout, 0.001)
        with PostgresStore.connect(db, max_size=1, timeout=wait, migrate=not read_only) as pg:
            yield pg
        return
    from partnercore._errors import StoreError
    from partnercore.sqlite import SqliteStore

    path = _existing(db)
    if not read_only and os.path.getsize(path) == 0:
        raise StoreError(path, "not a partnercore database: the file is empty")
    with SqliteStore(path, timeout=timeout, read_only=read_only) as store:
        yield store


def _existing(db: str) -> str:
    """``--db PATH`` naming a database file that exists."""
    path = database(db)
    kind = file_kind(path)
    if kind == MISSING:
        raise BadInput(f"--db: {MISSING}: {path}")
    if kind is not None:
        raise BadInput(f"--db: {kind}")
    return path


@contextmanager
def writing(db: str, timeout: float) -> Iterator[Store]:
    """The existing store at ``--db`` opened for writing (never created: import does that)."""
    with open_store(db, timeout=timeout) as store:
        yield store


def text_of(path: str) -> str:
    """The text of a file, which must be UTF-8."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        from partnercore._errors import ValidationError

        raise ValidationError.at("", f"not UTF-8 text (byte {error.start})") from None
