"""The licence port on SQLite, with optimistic concurrency.

A licence is stored whole as JSON, with its team id (the key), its organisation key
(indexed, for "one trial per organisation") and its version. ``save`` is one
``UPDATE ... WHERE team_id = ? AND version = ?`` inside a ``BEGIN IMMEDIATE`` transaction:
when no row matches, the copy was stale (or never stored) and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Collection

import attrs

from partnercore._errors import ConflictError, NotFoundError, StaleWriteError
from partnercore._fields import check_instance
from partnercore.licensing import License
from partnercore.sqlite._database import Database, ids_of, is_key
from partnercore.sqlite._schema import Migration

__all__ = ["LICENSING_SCHEMA", "SqliteLicenses"]

LICENSING_SCHEMA = Migration(
    2,
    "licensing: licences with a version for optimistic concurrency",
    (
        """CREATE TABLE licenses (
            team_id TEXT PRIMARY KEY,
            organisation_key TEXT,
            version INTEGER NOT NULL CHECK (version >= 1),
            record TEXT NOT NULL
        )""",
        "CREATE INDEX licenses_by_organisation ON licenses (organisation_key, team_id)"
        " WHERE organisation_key IS NOT NULL",
    ),
)


class SqliteLicenses:
    """Licences, one per team, each saved only from its current version."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, team_id: str) -> License:
        license = self.find(team_id)
        if license is None:
            raise NotFoundError("license", str(team_id))
        return license

    def find(self, team_id: str) -> License | None:
        if not is_key(team_id) or "\x00" in team_id:
            return None
        return self._db.cached_many("license", [team_id], self._load).get(team_id)

    def for_teams(self, team_ids: Collection[str]) -> dict[str, License]:
        return self._db.cached_many("license", ids_of(team_ids, "team_ids"), self._load)

    def _load(self, team_ids: list[str]) -> dict[str, License]:
        """The licences of those of ``team_ids`` that have one, in one query."""
        db = self._db
        rows = db.query(
            "SELECT team_id, record FROM licenses"
            " WHERE team_id IN (SELECT value FROM json_each(?))",
            (json.dumps(team_ids),),
        )
        return {team_id: db.load(record, License) for team_id, record in rows}

    def add(self, license: License) -> License:
        check_instance(license, License, "license")
        stored = attrs.evolve(license, version=1)
        with self._db.unit_of_work():
            exists = self._db.query_one(
                "SELECT 1 FROM licenses WHERE team_id = ?", (license.team_id,)
            )
            if exists is not None:
                raise ConflictError(
                    f"team {license.team_id!r} already has a licence",
                    kind="license",
                    id=license.team_id,
                )
            self._db.execute(
                "INSERT INTO licenses (team_id, organisation_key, version, record)"
                " VALUES (?, ?, 1, ?)",
                (stored.team_id, stored.organisation_key, self._db.dump(stored)),
            )
        return stored

    def save(self, license: License) -> License:
        check_instance(license, License, "license")
        stored = attrs.evolve(license, version=license.version + 1)
        with self._db.unit_of_work():
            changed = self._db.execute(
                "UPDATE licenses SET organisation_key = ?, version = ?, record = ?"
                " WHERE team_id = ? AND version = ?",
                (
                    stored.organisation_key,
                    stored.version,
                    self._db.dump(stored),
                    license.team_id,
                    license.version,
                ),
            )
            if changed != 1:
                row = self._db.query_one(
                    "SELECT version FROM licenses WHERE team_id = ?", (license.team_id,)
                )
                if row is None:
                    raise NotFoundError("license", license.team_id)
                raise StaleWriteError(
                    "license",
                    license.team_id,
                    expected=license.version,
                    actual=self._db.integer(row[0], "a stored version"),
                )
        return stored

    def for_organisation(self, organisation_key: str) -> tuple[License, ...]:
        if not is_key(organisation_key):
            return ()
        rows = self._db.query(
            "SELECT record FROM licenses WHERE organisation_key = ? ORDER BY team_id",
            (organisation_key,),
        )
        return tuple(self._db.load(row[0], License) for row in rows)

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM licenses")
        return 0 if row is None else int(row[0])

    def __repr__(self) -> str:
        return f"SqliteLicenses({len(self)} licences)"
