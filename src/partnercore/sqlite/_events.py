"""The SQLite event log: one row per event, its revision the row id.

Revisions come from an ``AUTOINCREMENT`` row id, written inside the unit of work that makes
the change: SQLite has one writer at a time (every unit starts with ``BEGIN IMMEDIATE``), so
revisions increase in commit order, and a unit that rolls back (or a savepoint undone inside
one) takes its row ids with it, leaving no gap among committed events.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import attrs

from partnercore._errors import ValidationError
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

#: The largest row id SQLite stores: no revision is above it.
_MAX_REVISION = 2**63 - 1


class SqliteEvents:
    """Events in the ``events`` table (implements ``EventLog``).

    ``append`` writes inside the caller's unit of work (opening one when none is open), so
    events commit with the writes they describe. Reading a row that is not a valid event
    (a damaged file, or one written by hand) raises :class:`~partnercore.StoreError` saying
    the database is damaged.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, events: Sequence[Event]) -> list[Event]:
        check_instance(events, Sequence, "events")  # type: ignore[type-abstract]
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
        if start >= _MAX_REVISION:
            return []
        if count is None:
            rows = self._db.query(
                "SELECT revision, kind, record FROM events WHERE revision > ? ORDER BY revision",
                (start,),
            )
        else:
            rows = self._db.query(
                "SELECT revision, kind, record FROM events WHERE revision > ?"
                " ORDER BY revision LIMIT ?",
                (start, min(count, _MAX_REVISION)),
            )
        return [self._event(row) for row in rows]

    def about(self, team_id: str) -> list[Event]:
        if not is_key(team_id):
            return []
        rows = self._db.query(
            "SELECT revision, kind, record FROM events WHERE team_id = ? ORDER BY revision",
            (team_id,),
        )
        return [self._event(row) for row in rows]

    def revision(self) -> int:
        row = self._db.query_one("SELECT coalesce(max(revision), 0) FROM events")
        return 0 if row is None else self._db.integer(row[0], "a stored revision")

    def _event(self, row: Row) -> Event:
        """The event stored in ``row``; :class:`StoreError` when it is not one."""
        revision = self._db.integer(row["revision"], "a stored revision")
        text = row["record"]
        what = f"the stored event at revision {revision}"
        if not isinstance(text, str):
            raise self._db.damaged(f"{what} is not text")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise self._db.damaged(f"{what} is not valid JSON") from None
        if not isinstance(data, dict):
            raise self._db.damaged(f"{what} is not an event record")
        if data.get("kind") != row["kind"]:
            raise self._db.damaged(f"{what} says it is a {data.get('kind')!r}, not {row['kind']!r}")
        data["revision"] = revision
        try:
            event = event_from_dict(data)
        except ValidationError as error:
            raise self._db.damaged(f"{what} is invalid: {error.problems[0]}") from None
        wrong = _mistyped(event)
        if wrong is not None:
            raise self._db.damaged(f"{what} is invalid: {wrong}")
        return event

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM events")
        return 0 if row is None else self._db.integer(row[0], "a count")


_PLAIN: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "datetime": (datetime,),
    "None": (type(None),),
    "tuple[str, ...]": (tuple,),
}


def _mistyped(event: Event) -> str | None:
    """What in ``event`` is not of its field's declared type (``None``: nothing).

    Events hold plain values only (text, whole numbers, flags, instants, tuples of text);
    a stored record whose values are of other types was not written by the library.
    """
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        allowed: tuple[type, ...] = ()
        for part in str(field.type).split(" | "):
            allowed += _PLAIN.get(part.strip(), (object,))
        if isinstance(value, bool) and bool not in allowed and object not in allowed:
            return f"{field.name}: expected {field.type}, got {value!r}"
        if not isinstance(value, allowed):
            return f"{field.name}: expected {field.type}, got {value!r}"
        if isinstance(value, tuple) and not all(isinstance(item, str) for item in value):
            return f"{field.name}: expected {field.type}, got {value!r}"
    return None
