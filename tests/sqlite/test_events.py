"""The SQLite event log: what it stores, and rows it cannot read back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from partnercore import StoreError
from partnercore.events import ContentPushed, PartnerCreated
from partnercore.sqlite import SqliteStore
from partnercore.sqlite._database import Database
from partnercore.sqlite._migrations import MIGRATIONS
from partnercore.sqlite._schema import migrate

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(path) as opened:
        yield opened


def created(team: str) -> PartnerCreated:
    return PartnerCreated(at=T0, by="system", team_id=team, name=f"Partner {team}")


def test_events_come_back_from_another_connection_exactly_as_appended(
    store: SqliteStore, path: Path
) -> None:
    pushed = ContentPushed(
        at=T0,
        by="paula",
        team_id="acme",
        item_id="gap",
        version=3,
        locked=True,
        clients=("c1", "c2"),
        templates=(),
        changed=("c2",),
    )
    appended = store.events.append([created("acme"), pushed])
    with SqliteStore(path, read_only=True) as reader:
        assert appended == reader.events.since(0)
        assert [appended[1]] == reader.events.since(1)
        assert appended == reader.events.about("acme")


def test_revisions_beyond_what_sqlite_stores_find_nothing(store: SqliteStore) -> None:
    store.events.append([created("acme")])
    assert ([], [1]) == (
        store.events.since(2**70),
        [event.revision for event in store.events.since(0, limit=2**70)],
    )


def test_opening_a_store_of_schema_version_5_adds_the_event_log(path: Path) -> None:
    db = Database(path)
    migrate(db, MIGRATIONS[:5])
    db.close()
    with SqliteStore(path) as store:
        assert (len(MIGRATIONS), [], 0) == (
            store.schema_version,
            store.events.since(0),
            store.revision(),
        )
        store.events.append([created("acme")])
        assert 1 == store.revision()


GOOD = {"kind": "partner_created", "at": "2026-03-01T09:00:00Z", "by": "system",
        "team_id": "acme", "name": "Acme"}  # fmt: skip


def damage(store: SqliteStore, record: Any, kind: str = "partner_created") -> None:
    text = record if isinstance(record, str | bytes) else json.dumps(record)
    store._db.execute(
        "INSERT INTO events (kind, team_id, record) VALUES (?, 'acme', ?)", (kind, text)
    )


@pytest.mark.parametrize(
    ("record", "kind", "detail"),
    [
        ("{not json", "partner_created", "is not valid JSON"),
        (b"\x00\x01", "partner_created", "is not text"),
        ([1, 2], "partner_created", "is not an event record"),
        ("[" * 5000 + "]" * 5000, "partner_created", "is not valid JSON"),
        ({**GOOD, "kind": "grant_created"}, "partner_created", "says it is a 'grant_created'"),
        ({**GOOD, "kind": "no_such_kind"}, "no_such_kind", "unknown event kind"),
        ({k: v for k, v in GOOD.items() if k != "name"}, "partner_created", "name: missing"),
        ({**GOOD, "at": "yesterday"}, "partner_created", "at: expected an ISO 8601 instant"),
        ({**GOOD, "at": "2026-03-01T09:00:00"}, "partner_created", "at"),
        ({**GOOD, "at": 12}, "partner_created", "at: expected an instant"),
        ({**GOOD, "by": ""}, "partner_created", "by"),
        ({**GOOD, "name": 12}, "partner_created", "name: expected str, got 12"),
        ({**GOOD, "team_id": ["acme"]}, "partner_created", "team_id: expected str | None"),
    ],
)
def test_an_event_row_that_is_not_an_event_is_a_damaged_database(
    store: SqliteStore, record: Any, kind: str, detail: str
) -> None:
    store.events.append([created("p0")])
    damage(store, record, kind)
    for read in (
        lambda: store.events.since(0),
        lambda: store.events.since(1, limit=1),
        lambda: store.events.about("acme"),
    ):
        with pytest.raises(StoreError) as caught:
            read()
        assert caught.value.reason.startswith("the database is damaged: the stored event at ")
        assert detail in caught.value.reason
    assert [1] == [event.revision for event in store.events.since(0, limit=1)]


def test_event_fields_of_the_wrong_type_are_damage_too(store: SqliteStore) -> None:
    status = {"kind": "team_status_changed", "at": "2026-03-01T09:00:00Z", "by": "system",
              "team_id": "c1", "status": "suspended", "previous": True}  # fmt: skip
    damage(store, status, "team_status_changed")
    pushed = {"kind": "content_pushed", "at": "2026-03-01T09:00:00Z", "by": "paula",
              "team_id": "acme", "item_id": "gap", "version": True, "locked": False,
              "clients": [], "templates": [], "changed": []}  # fmt: skip
    damage(store, pushed, "content_pushed")
    listed = {**pushed, "version": 2, "clients": [1]}
    damage(store, listed, "content_pushed")
    for revision, detail in [
        (0, "previous: expected str, got True"),
        (1, "version: expected int, got True"),
        (2, "clients: expected tuple[str, ...], got (1,)"),
    ]:
        with pytest.raises(StoreError, match="damaged") as caught:
            store.events.since(revision, limit=1)
        assert detail in caught.value.reason
