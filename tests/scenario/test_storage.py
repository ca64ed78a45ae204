"""Scenario files in database stores, and the adapters' independence of the scenario package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from partnercore import ValidationError
from partnercore.memory import InMemoryStore
from partnercore.scenario import demo_text, import_scenario, load_demo, open_scenario
from partnercore.sqlite import SqliteStore


def test_no_adapter_imports_the_scenario_package() -> None:
    code = (
        "import sys, partnercore.sqlite, partnercore.memory\n"
        "print(sorted(m for m in sys.modules if m.startswith('partnercore.scenario')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert "[]\n" == out


def test_a_store_of_no_database_is_refused_naming_the_store() -> None:
    with pytest.raises(ValidationError) as caught:
        import_scenario(InMemoryStore(), demo_text())  # type: ignore[arg-type]

    expected = ("store", "expected a SqliteStore or a PostgresStore, got InMemoryStore")
    assert expected == (caught.value.problems[0].path, caught.value.problems[0].message)


def test_a_scenario_opened_from_sqlite_is_named_after_the_file(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "north.db") as store:
        import_scenario(store, demo_text())
        opened = open_scenario(store)

        assert repr(load_demo()).replace("'demo'", "'north'") == repr(opened)
