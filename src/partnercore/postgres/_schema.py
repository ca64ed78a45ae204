"""The schema: ordered forward migrations recorded in a schema-version table.

Each migration has the next version number and a list of statements naming tables as
``{schema}.name``. Opening a store applies, in one transaction, every migration newer than the
version recorded in ``{schema}.partnercore_schema``; a schema written by a newer library (a
version this one does not know) is refused with a :class:`~partnercore.ConflictError`.

Migrating takes a transaction-scoped advisory lock on the schema's name first, so several
processes opening a fresh database at once queue up: the first applies the migrations, the
others then find them applied and write nothing. A store that is up to date is opened without
taking the lock.

The schema is partnercore's alone: one that holds other tables and no ``partnercore_schema``
table was made by something else and is refused (:class:`~partnercore.StoreError`), as is one
whose recorded version lacks a table that version has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from partnercore._errors import ConflictError, StoreError, ValidationError
from partnercore.postgres._database import Database

__all__ = [
    "LOCK_CLASS",
    "SCHEMA_TABLE",
    "Migration",
    "check_schema",
    "current_version",
    "migrate",
    "tables_of",
]

SCHEMA_TABLE = "partnercore_schema"

#: The first key of the advisory lock taken while migrating (the second is the schema name's
#: hash): "pc" in ASCII, so it does not collide with a host's own single-key locks by chance.
LOCK_CLASS = 0x7063

_SCHEMA_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS {schema}." + SCHEMA_TABLE + " ("
    " version integer PRIMARY KEY,"
    " description text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())"
)

_CREATE_TABLE = re.compile(r"CREATE TABLE \{schema\}\.(\w+)")


@attrs.frozen
class Migration:
    """One forward step of the schema."""

    version: int
    description: str
    statements: tuple[str, ...]

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables this step creates."""
        return tuple(
            match.group(1)
            for statement in self.statements
            if (match := _CREATE_TABLE.match(statement.strip()))
        )


def tables_of(migrations: Sequence[Migration]) -> frozenset[str]:
    """Every table the migrations create (the schema-version table aside)."""
    return frozenset(table for step in migrations for table in step.tables)


def _numbered(migrations: Sequence[Migration]) -> tuple[Migration, ...]:
    steps = tuple(migrations)
    for position, step in enumerate(steps, start=1):
        if step.version != position:
            raise ValidationError.at(
                f"migrations[{position - 1}].version",
                f"migrations must be numbered 1, 2, 3, ... in order; got {step.version}",
            )
    return steps


def _tables(db: Database) -> frozenset[str]:
    rows = db.query(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s", (db.schema,)
    )
    return frozenset(str(row[0]) for row in rows)


def current_version(db: Database) -> int:
    """The newest migration applied to ``db``'s schema (0 when it has none)."""
    found = db.query_one("SELECT to_regclass(%s)", (f'"{db.schema}".{SCHEMA_TABLE}',))
    if found is None or found[0] is None:
        return 0
    row = db.query_one("SELECT coalesce(max(version), 0) FROM {schema}." + SCHEMA_TABLE)
    return 0 if row is None else db.integer(row[0], "the schema version")


def _inspect(db: Database, steps: tuple[Migration, ...]) -> int:
    """The schema version, once the schema's tables are checked to be partnercore's own."""
    found = _tables(db)
    if SCHEMA_TABLE not in found:
        if found:
            names = ", ".join(sorted(found)[:3]) + (", ..." if len(found) > 3 else "")
            raise StoreError(
                db.name,
                f"not a partnercore schema: {db.schema!r} holds tables of something else "
                f"({names}); choose another schema",
            )
        return 0
    version = current_version(db)
    if version > len(steps):
        raise ConflictError(
            f"schema {db.schema!r} of {db.name} has schema version {version}, newer than the "
            f"{len(steps)} this version of partnercore knows: upgrade partnercore to open it",
            kind="schema",
            id=str(version),
        )
    if version < 0:
        raise db.damaged(f"the schema version is {version}")
    missing = sorted(tables_of(steps[:version]) - found)
    if missing:
        raise StoreError(
            db.name,
            f"not a partnercore schema: {db.schema!r} is at version {version} but has no "
            f"{missing[0]} table",
        )
    return version


def check_schema(db: Database, migrations: Sequence[Migration]) -> int:
    """The schema's version, which must be the newest: opening without migrating writes
    nothing. A schema that is missing, older or not partnercore's is a :class:`StoreError`
    (a newer one a :class:`ConflictError`, as when migrating)."""
    steps = _numbered(migrations)
    with db.reading():
        version = _inspect(db, steps)
    if version == 0:
        raise StoreError(db.name, f"no partnercore store in schema {db.schema!r}")
    if version < len(steps):
        raise StoreError(
            db.name,
            f"schema {db.schema!r} is at version {version}, older than {len(steps)}: open it "
            "once with migrations to bring it up to date",
        )
    return version


def migrate(db: Database, migrations: Sequence[Migration]) -> int:
    """Apply every migration newer than the stored version, all in one transaction.

    Returns the version the schema is at afterwards. Concurrent callers serialise on an
    advisory lock; nothing is written to a schema that is not partnercore's.
    """
    steps = _numbered(migrations)
    with db.reading():
        version = _inspect(db, steps)
    if version == len(steps):
        return version  # up to date: no lock needed
    with db.unit_of_work():
        db.query_one("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, db.schema))
        db.execute("CREATE SCHEMA IF NOT EXISTS {schema}")
        version = _inspect(db, steps)  # again, now that this transaction holds the lock
        if version == len(steps):
            return version
        db.execute(_SCHEMA_TABLE_SQL)
        for step in steps[version:]:
            db.script(step.statements)
            db.execute(
                "INSERT INTO {schema}." + SCHEMA_TABLE + " (version, description) VALUES (%s, %s)",
                (step.version, step.description),
            )
        return len(steps)
