"""The schema: ordered forward migrations recorded in a schema-version table.

Each migration has the next version number and a list of statements. Opening a store for
writing applies, in one transaction, every migration newer than the version recorded in
``partnercore_schema``; a database written by a newer library (a version this one does not
know) is refused. Opening one read-only applies nothing: it must be up to date.

Before anything is written, the file is checked to be a partnercore database: an empty file,
or one whose tables are exactly those its recorded version has, each with the same columns.
A file holding other tables and no ``partnercore_schema`` was written by something else and
is refused, as is one whose tables have another shape.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Mapping, Sequence

import attrs

from partnercore._errors import ConflictError, StoreError, ValidationError
from partnercore.sqlite._database import Database

__all__ = ["SCHEMA_TABLE", "Migration", "check_schema", "current_version", "migrate"]

SCHEMA_TABLE = "partnercore_schema"

_SCHEMA_TABLE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} ("
    " version INTEGER PRIMARY KEY,"
    " description TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
)

# Every table (SQLite's own aside) with its columns' names and declared types, in order.
_TABLES_SQL = """
SELECT m.name, p.name, upper(p.type)
FROM sqlite_master AS m, pragma_table_info(m.name) AS p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.cid
"""

Tables = Mapping[str, tuple[tuple[str, str], ...]]


@attrs.frozen
class Migration:
    """One forward step of the schema."""

    version: int
    description: str
    statements: tuple[str, ...]


def _tables(rows: Sequence[Sequence[object]]) -> dict[str, tuple[tuple[str, str], ...]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        found.setdefault(str(table), []).append((str(column), str(kind)))
    return {table: tuple(columns) for table, columns in found.items()}


@functools.cache
def _expected(steps: tuple[Migration, ...]) -> Tables:
    """The tables a file has once ``steps`` have been applied (built in memory, once)."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute(_SCHEMA_TABLE_SQL)
        for step in steps:
            for statement in step.statements:
                connection.execute(statement)
        return _tables(connection.execute(_TABLES_SQL).fetchall())
    finally:
        connection.close()


def _numbered(migrations: Sequence[Migration]) -> tuple[Migration, ...]:
    steps = tuple(migrations)
    for position, step in enumerate(steps, start=1):
        if step.version != position:
            raise ValidationError.at(
                f"migrations[{position - 1}].version",
                f"migrations must be numbered 1, 2, 3, ... in order; got {step.version}",
            )
    return steps


def current_version(db: Database) -> int:
    """The newest migration applied to ``db`` (0 for an empty file)."""
    exists = db.query_one(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SCHEMA_TABLE,)
    )
    if exists is None:
        return 0
    row = db.query_one(f"SELECT coalesce(max(version), 0) FROM {SCHEMA_TABLE}")
    return 0 if row is None else db.integer(row[0], "the schema version")


def _inspect(db: Database, steps: tuple[Migration, ...]) -> int:
    """The schema version of ``db``, once its tables are checked to be partnercore's own.

    :class:`StoreError` for a file written by something else or whose tables have another
    shape; :class:`ConflictError` for one written by a newer partnercore.
    """
    found = _tables(db.query(_TABLES_SQL))
    if SCHEMA_TABLE not in found:
        if found:
            names = ", ".join(sorted(found)[:3]) + (", ..." if len(found) > 3 else "")
            raise StoreError(
                db.path, f"not a partnercore database: it holds tables of something else ({names})"
            )
        return 0
    if found[SCHEMA_TABLE] != _expected(())[SCHEMA_TABLE]:
        raise StoreError(
            db.path, f"not a partnercore database: its {SCHEMA_TABLE} table has another shape"
        )
    version = current_version(db)
    if version > len(steps):
        raise ConflictError(
            f"{db.path!r} has schema version {version}, newer than the {len(steps)} "
            "this version of partnercore knows: upgrade partnercore to open it",
            kind="schema",
            id=str(version),
        )
    if version < 0:
        raise db.damaged(f"the schema version is {version}")
    for table, columns in _expected(steps[:version]).items():
        if table not in found:
            raise StoreError(db.path, f"not a partnercore database: it has no {table} table")
        if found[table] != columns:
            raise StoreError(
                db.path, f"not a partnercore database: its {table} table has another shape"
            )
    return version


def migrate(db: Database, migrations: Sequence[Migration]) -> int:
    """Apply every migration newer than the stored version, all in one transaction.

    Returns the version the database is at afterwards. Nothing is written to a file that is
    not a partnercore database (:class:`StoreError`).
    """
    steps = _numbered(migrations)
    with db.reading():
        version = _inspect(db, steps)
    db.use_wal()
    if version == len(steps):
        return version  # up to date: no write lock needed to open the file
    with db.unit_of_work():
        db.execute(_SCHEMA_TABLE_SQL)
        version = _inspect(db, steps)  # again, now that this connection holds the write lock
        for step in steps[version:]:
            db.script(step.statements)
            db.execute(
                f"INSERT INTO {SCHEMA_TABLE} (version, description) VALUES (?, ?)",
                (step.version, step.description),
            )
        return len(steps)


def check_schema(db: Database, migrations: Sequence[Migration]) -> int:
    """The schema version of a file opened read-only, which must be up to date (no writes)."""
    steps = _numbered(migrations)
    with db.reading():
        version = _inspect(db, steps)
        if version == 0:
            empty = db.query_one("SELECT 1 FROM sqlite_master LIMIT 1") is None
            what = "the file is empty" if empty else "it has no partnercore tables"
            raise StoreError(db.path, f"not a partnercore database: {what}")
    if version < len(steps):
        raise StoreError(
            db.path,
            f"written by an older partnercore (schema version {version} of {len(steps)}): "
            "open it for writing once to bring it up to date",
        )
    return version
