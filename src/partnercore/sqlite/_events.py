"""The SQLite event log: one row per event, its revision the row id."""

from __future__ import annotations

import json
from collections.abc import Sequence

import attrs

from partnercore._fields import check_instance
from partnercore.events import Event, check_limit, check_revision, event_from_dict
from partnercore.sqlite._database import Database, Row, is_key
from partnercore.sqlite._schema import Migration

__all__ = ["EVENTS_SCHEMA", "SqliteEvents"]

EVENTS_SCHEMA = Migration(
    6,
    "events: the transactional outbox, one row per event, revision = row id",
    (
        """CREATE TABLE events (
            revision INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            team_id TEXT,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX events_by_team ON events (team_id, revision)",
    ),
)


class SqliteEvents:
    """Events in the ``events`` table (implements ``EventLog``).

    ``append`` writes inside the caller's unit of work (opening one when none is open), so
    events commit with the writes they describe; SQLite's single writer makes the row ids
    strictly increasing in commit order, and a rolled-back unit leaves no gap.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, events: Sequence[Event]) -> list[Event]:
        for index, event in enumerate(events):
            check_instance(event, Event, f"events[{index}]")
        stored: list[Event] = []
        with self._db.unit_of_work():
            for event in events:
                data = event.to_dict()
                del data["revision"]
                text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                revision = self._db.insert(
                    "INSERT INTO events (kind, team_id, record) VALUES (?, ?, ?)",
                    (event.kind, event.team_id, text),
                )
                stored.append(attrs.evolve(event, revision=revision))
        return stored

    def since(self, revision: int, limit: int | None = None) -> list[Event]:
        start = check_revision(revision)
        count = check_limit(limit)
        if count is None:
            rows = self._db.query(
                "SELECT revision, record FROM events WHERE revision > ? ORDER BY revision",
                (start,),
            )
        else:
            rows = self._db.query(
                "SELECT revision, record FROM events WHERE revision > ? ORDER BY revision LIMIT ?",
                (start, count),
            )
        return [_event(row) for row in rows]

    def about(self, team_id: str) -> list[Event]:
        if not is_key(team_id):
            return []
        rows = self._db.query(
            "SELECT revision, record FROM events WHERE team_id = ? ORDER BY revision",
            (team_id,),
        )
        return [_event(row) for row in rows]

    def revision(self) -> int:
        row = self._db.query_one("SELECT COALESCE(MAX(revision), 0) FROM events")
        return 0 if row is None else int(row[0])


def _event(row: Row) -> Event:
    data = json.loads(row["record"])
    data["revision"] = row["revision"]
    return event_from_dict(data)
