"""The schema-version table and its ordered forward migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from partnercore import ConflictError, StoreError, ValidationError
from partnercore.sqlite import SCHEMA_VERSION, SqliteStore
from partnercore.sqlite._database import Database
from partnercore.sqlite._migrations import MIGRATIONS
from partnercore.sqlite._schema import Migration, current_version, migrate

FIRST = Migration(1, "notes", ("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)",))
SECOND = Migration(2, "note tags", ("ALTER TABLE notes ADD COLUMN tag TEXT",))


def versions(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT version, description FROM partnercore_schema ORDER BY version"
        ).fetchall()
    connection.close()
    return [(int(v), str(d)) for v, d in rows]


def test_opening_an_empty_file_applies_every_migration_in_order(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        assert SCHEMA_VERSION == store.schema_version
    assert [(m.version, m.description) for m in MIGRATIONS] == versions(path)


def test_reopening_an_existing_file_applies_nothing_again(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    SqliteStore(path).close()
    before = versions(path)
    with SqliteStore(path) as store:
        assert SCHEMA_VERSION == store.schema_version
    assert before == versions(path)


def test_a_store_opens_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.db")
    migrate(db, MIGRATIONS)
    assert ("wal", 1) == (db.pragma("journal_mode"), db.pragma("foreign_keys"))
    db.close()


def test_an_older_database_is_migrated_forward_keeping_its_rows(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.db")
    assert 1 == migrate(db, [FIRST])
    db.execute("INSERT INTO notes (id, body) VALUES ('n1', 'hello')")
    assert 2 == migrate(db, [FIRST, SECOND])
    assert [("n1", "hello", None)] == [tuple(r) for r in db.query("SELECT * FROM notes")]
    assert 2 == current_version(db)
    db.close()


def test_a_failing_migration_leaves_the_previous_version_untouched(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.db")
    migrate(db, [FIRST])
    broken = Migration(2, "broken", ("ALTER TABLE notes ADD COLUMN tag TEXT", "NOT SQL AT ALL"))
    with pytest.raises(StoreError, match="syntax error"):
        migrate(db, [FIRST, broken])
    assert 1 == current_version(db)
    assert ["id", "body"] == [row["name"] for row in db.query("PRAGMA table_info(notes)")]
    db.close()


def test_a_database_newer_than_the_library_is_refused(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.db")
    migrate(db, [FIRST, SECOND])
    with pytest.raises(ConflictError, match="schema version 2, newer than the 1"):
        migrate(db, [FIRST])
    db.close()


def test_migrations_out_of_order_are_rejected(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.db")
    with pytest.raises(ValidationError, match=r"migrations\[0\]\.version"):
        migrate(db, [SECOND, FIRST])
    assert 0 == current_version(db)
    db.close()


def test_a_file_that_is_not_a_database_is_rejected_with_a_store_error_and_left_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.txt"
    text = "not a database, just some text that is long enough to have a header" * 20
    path.write_text(text)
    with pytest.raises(StoreError) as caught:
        SqliteStore(path)
    expected = (str(path), "not a partnercore database: not a SQLite database file")
    assert expected == (caught.value.path, caught.value.reason)
    assert (text, ["notes.txt"]) == (path.read_text(), sorted(p.name for p in tmp_path.iterdir()))


def test_a_store_written_by_an_older_schema_opens_with_its_records(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    db = Database(path)
    migrate(db, MIGRATIONS[:2])
    db.execute(
        "INSERT INTO users (id, record) VALUES ('alice', ?)",
        ('{"email":"alice@acme.example","id":"alice","name":"Alice"}',),
    )
    db.close()
    with SqliteStore(path) as store:
        assert (SCHEMA_VERSION, "Alice") == (
            store.schema_version,
            store.users.get("alice").name,
        )
        assert [] == store.usage.records("c1")
    assert [m.version for m in MIGRATIONS] == [v for v, _ in versions(path)]
