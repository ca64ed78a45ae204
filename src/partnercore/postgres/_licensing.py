"""The licence repository on PostgreSQL, with optimistic concurrency.

A licence is stored whole as ``jsonb``, with its team id, its organisation key (indexed, for
"one trial per organisation"), its version and its partner (the team's partner, the
distribution key). ``save`` is one ``UPDATE ... WHERE team_id = %s AND version = %s``: when no
row matches, the copy was stale (or never stored) and nothing is written. Under READ
COMMITTED, a second writer waits for the first one's row lock and then finds the version
changed, so exactly one of two concurrent saves of the same copy wins.
"""

from __future__ import annotations

from collections.abc import Collection

import attrs

from partnercore._errors import ConflictError, NotFoundError, StaleWriteError
from partnercore._fields import check_instance
from partnercore.licensing import License
from partnercore.postgres._database import Database, ids_of, is_key
from partnercore.postgres._tenancy import PARTNER_OF

__all__ = ["PostgresLicenses"]


class PostgresLicenses:
    """Licences, one per team, each saved only from its current version."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, team_id: str) -> License:
        license = self.find(team_id)
        if license is None:
            raise NotFoundError("license", str(team_id))
        return license

    def find(self, team_id: str) -> License | None:
        if not is_key(team_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.licenses WHERE team_id = %s", (team_id,)
        )
        return None if row is None else self._db.load(row[0], License)

    def add(self, license: License) -> License:
        check_instance(license, License, "license")
        stored = attrs.evolve(license, version=1)
        added = self._db.execute(
            "INSERT INTO {schema}.licenses (partner_id, team_id, organisation_key, version, record)"
            f" VALUES ({PARTNER_OF}, %s, %s, 1, %s) ON CONFLICT DO NOTHING",
            (
                stored.team_id,
                stored.team_id,
                stored.team_id,
                stored.organisation_key,
                self._db.dump(stored),
            ),
        )
        if added == 0:
            raise ConflictError(
                f"team {license.team_id!r} already has a licence",
                kind="license",
                id=license.team_id,
            )
        return stored

    def save(self, license: License) -> License:
        check_instance(license, License, "license")
        stored = attrs.evolve(license, version=license.version + 1)
        with self._db.unit_of_work():
            changed = self._db.execute(
                "UPDATE {schema}.licenses SET organisation_key = %s, version = %s, record = %s"
                " WHERE team_id = %s AND version = %s",
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
                    "SELECT version FROM {schema}.licenses WHERE team_id = %s",
                    (license.team_id,),
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

    def for_teams(self, team_ids: Collection[str]) -> dict[str, License]:
        keys = ids_of(team_ids, "team_ids")
        if not keys:
            return {}
        rows = self._db.query(
            "SELECT team_id, record FROM {schema}.licenses WHERE team_id = ANY(%s)", (keys,)
        )
        return {team_id: self._db.load(record, License) for team_id, record in rows}

    def for_organisation(self, organisation_key: str) -> tuple[License, ...]:
        if not is_key(organisation_key):
            return ()
        rows = self._db.query(
            "SELECT record FROM {schema}.licenses WHERE organisation_key = %s ORDER BY team_id",
            (organisation_key,),
        )
        return tuple(self._db.load(row[0], License) for row in rows)

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM {schema}.licenses")
        return 0 if row is None else self._db.integer(row[0], "the number of licences")

    def __repr__(self) -> str:
        return f"PostgresLicenses({self._db.name!r})"
