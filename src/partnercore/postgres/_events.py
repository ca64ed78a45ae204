"""The PostgreSQL event log: one row per event, revisions from a counter row.

``append`` takes the next revisions by updating the one-row ``event_revision`` counter in the
caller's unit of work: the row stays locked until that unit's transaction ends, so a second
writer appending events waits, and then numbers its events after the first one's (or reuses
the numbers the first one rolled back). Revisions are therefore gap-free among committed events
and strictly increase in commit order, which a sequence would not give.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from partnercore._fields import check_instance
from partnercore.events import Event, check_limit, check_revision, event_from_dict
from partnercore.postgres._database import Database, Row, is_key

__all__ = ["PostgresEvents"]


class PostgresEvents:
    """Events in the ``events`` table (implements ``EventLog``)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, events: Sequence[Event]) -> list[Event]:
        batch = tuple(events)
        for index, event in enumerate(batch):
            check_instance(event, Event, f"events[{index}]")
        if not batch:
            return []
        with self._db.unit_of_work():
            last = self._db.insert(
                "UPDATE {schema}.event_revision SET revision = revision + %s"
                " WHERE id = 1 RETURNING revision",
                (len(batch),),
            )
            if last is None:
                raise self._db.damaged("the event revision counter is missing")
            first = self._db.integer(last, "the event revision") - len(batch) + 1
            stored = [attrs.evolve(event, revision=first + n) for n, event in enumerate(batch)]
            rows = []
            for event in stored:
                data = event.to_dict()
                del data["revision"]
                rows.append((event.revision, event.kind, event.team_id, self._db.dump_json(data)))
            self._db.execute_many(
                "INSERT INTO {schema}.events (revision, kind, team_id, record)"
                " VALUES (%s, %s, %s, %s)",
                rows,
            )
        return stored

    def since(self, revision: int, limit: int | None = None) -> list[Event]:
        start = check_revision(revision)
        count = check_limit(limit)
        rows = self._db.query(
            "SELECT revision, record FROM {schema}.events WHERE revision > %s"
            " ORDER BY revision LIMIT %s",
            (start, count),
        )
        return [self._event(row) for row in rows]

    def about(self, team_id: str) -> list[Event]:
        if not is_key(team_id):
            return []
        rows = self._db.query(
            "SELECT revision, record FROM {schema}.events WHERE team_id = %s ORDER BY revision",
            (team_id,),
        )
        return [self._event(row) for row in rows]

    def revision(self) -> int:
        row = self._db.query_one("SELECT revision FROM {schema}.event_revision WHERE id = 1")
        return 0 if row is None else self._db.integer(row[0], "the event revision")

    def _event(self, row: Row) -> Event:
        data = self._db.json(row[1], "a stored event")
        if not isinstance(data, dict):
            raise self._db.damaged("a stored event is not a JSON object")
        data["revision"] = self._db.integer(row[0], "an event revision")
        try:
            return event_from_dict(data)
        except (ValueError, TypeError, LookupError) as error:
            raise self._db.damaged(f"a stored event is invalid: {error}") from None

    def __repr__(self) -> str:
        return f"PostgresEvents({self._db.name!r})"
