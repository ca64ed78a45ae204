"""The schema: ordered forward migrations recorded in a schema-version table.

Each migration has the next version number and a list of statements. Opening a store applies,
in one transaction, every migration newer than the version recorded in ``partnercore_schema``;
a database written by a newer library (a version this one does not know) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from partnercore._errors import ConflictError, ValidationError
from partnercore.sqlite._database import Database

__all__ = ["SCHEMA_TABLE", "Migration", "current_version", "migrate"]

SCHEMA_TABLE = "partnercore_schema"


@attrs.frozen
class Migration:
    """One forward step of the schema."""

    version: int
    description: str
    statements: tuple[str, ...]


def current_version(db: Database) -> int:
    """The newest migration applied to ``db`` (0 for an empty file)."""
    exists = db.query_one(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SCHEMA_TABLE,)
    )
    if exists is None:
        return 0
    row = db.query_one(f"SELECT coalesce(max(version), 0) FROM {SCHEMA_TABLE}")
    return 0 if row is None else int(row[0])


def migrate(db: Database, migrations: Sequence[Migration]) -> int:
    """Apply every migration newer than the stored version, all in one transaction.

    Returns the version the database is at afterwards.
    """
    steps = tuple(migrations)
    for position, step in enumerate(steps, start=1):
        if step.version != position:
            raise ValidationError.at(
                f"migrations[{position - 1}].version",
                f"migrations must be numbered 1, 2, 3, ... in order; got {step.version}",
            )
    with db.reading():
        if current_version(db) == len(steps):
            return len(steps)  # up to date: no write lock needed to open the file
    with db.unit_of_work():
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} ("
            " version INTEGER PRIMARY KEY,"
            " description TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        version = current_version(db)
        if version > len(steps):
            raise ConflictError(
                f"{db.path!r} has schema version {version}, newer than the {len(steps)} "
                "this version of partnercore knows: upgrade partnercore to open it",
                kind="schema",
                id=str(version),
            )
        for step in steps[version:]:
            db.script(step.statements)
            db.execute(
                f"INSERT INTO {SCHEMA_TABLE} (version, description) VALUES (?, ?)",
                (step.version, step.description),
            )
        return len(steps)
