"""``import_scenario_at``: a new file appears whole or not at all, and nothing else is touched."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from partnercore import ConflictError, StoreError, ValidationError
from partnercore.scenario import import_scenario_at, loads, open_scenario
from partnercore.sqlite import SqliteStore
from tests.sqlite.test_opening import files, fill_the_disk

WORLD = Path(__file__).resolve().parent.parent / "data" / "world.toml"
TEXT = WORLD.read_text(encoding="utf-8")


def bills(path: Path) -> list[object]:
    with SqliteStore(path, read_only=True) as store:
        scenario = open_scenario(store)
        return [scenario.bill(period).to_dict() for period in ("2026-10", "2026-11")]


def expected_bills() -> list[object]:
    scenario = loads(TEXT)
    return [scenario.bill(period).to_dict() for period in ("2026-10", "2026-11")]


def test_a_new_file_holds_the_whole_scenario_and_nothing_else_is_left(tmp_path: Path) -> None:
    path = tmp_path / "world.db"

    import_scenario_at(path, TEXT)

    assert ["world.db"] == list(files(tmp_path))
    assert expected_bills() == bills(path)


def test_bad_text_touches_no_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        import_scenario_at(tmp_path / "world.db", TEXT.replace('id = "c1"', "id = 7", 1))
    assert {} == files(tmp_path)


def test_an_existing_empty_file_is_imported_into(tmp_path: Path) -> None:
    path = tmp_path / "world.db"
    path.touch()

    import_scenario_at(path, TEXT)

    assert expected_bills() == bills(path)


def test_a_file_another_import_created_meanwhile_is_neither_replaced_nor_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "world.db"
    link = os.link

    def the_other_import_wins(source: str, target: str) -> None:
        # Another process finishes first, just before this one links its file.
        with SqliteStore(target) as store:
            store._db.execute("INSERT INTO scenario_source (id, text) VALUES (1, 'theirs')")
        link(source, target)

    monkeypatch.setattr(os, "link", the_other_import_wins)

    with pytest.raises(ConflictError, match="already holds a scenario"):
        import_scenario_at(path, TEXT)

    assert ["world.db"] == list(files(tmp_path))
    with sqlite3.connect(path) as connection:
        assert [("theirs",)] == connection.execute("SELECT text FROM scenario_source").fetchall()
    connection.close()


def test_a_full_disk_is_a_store_error_naming_the_file_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "world.db"
    fill_the_disk(monkeypatch, 54)

    with pytest.raises(StoreError) as caught:
        import_scenario_at(path, TEXT)

    assert (str(path), "cannot write: the disk is full (database or disk is full)") == (
        caught.value.path,
        caught.value.reason,
    )
    assert {} == files(tmp_path)


def test_a_folder_that_cannot_be_written_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot create the file"):
        import_scenario_at(tmp_path / "missing" / "world.db", TEXT)
    assert {} == files(tmp_path)
