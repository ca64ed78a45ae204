"""Every ``--db`` of the command line takes a ``postgresql://`` URL as well as a SQLite path,
with identical output: ``partnercore import W --db postgresql://...`` then ``bill --db
postgresql://...`` prints byte for byte what ``bill W`` prints, on every checked-in scenario
and the demo's."""

# Assertions read ``expected == actual``.

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from partnercore.scenario import demo_text
from tests.sqlite.test_cli import COMMANDS, SCENARIOS, WORLD, months, run


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """The URL of a fresh database on the test server (dropped after the test): the command
    line uses the store's default schema, so each test gets a database of its own."""
    name = f"cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = conninfo_to_dict(postgres_url)
    host, user = str(parts.get("host") or ""), str(parts.get("user") or "")
    port = f":{parts['port']}" if parts.get("port") and not host.startswith("/") else ""
    if host.startswith("/"):
        url = f"postgresql://{user}@/{name}?host={host}"
    else:
        password = f":{parts['password']}" if parts.get("password") else ""
        url = f"postgresql://{user}{password}@{host}{port}/{name}"
    yield url
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(demo_text(), encoding="utf-8")
    return path


def imported(scenario: Path, url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert (f"imported {scenario} into {url}\n", "", 0) == run(
        ["import", str(scenario), "--db", url], capsys
    )
    return url


@pytest.mark.parametrize("scenario", [*SCENARIOS, None], ids=[s.stem for s in SCENARIOS] + ["demo"])
def test_bill_from_postgresql_prints_byte_for_byte_what_bill_from_the_file_prints(
    scenario: Path | None,
    demo: Path,
    database: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = demo if scenario is None else scenario
    url = imported(scenario, database, capsys)
    for period in months(scenario):
        for output in ("table", "json"):
            tail = ["--period", period, "--format", output]
            from_file = run(["bill", str(scenario), *tail], capsys)
            from_store = run(["bill", "--db", url, *tail], capsys)
            assert from_file == from_store
            assert ("", 0) == from_store[1:]


def test_every_command_prints_the_same_from_postgresql_as_from_the_file(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = imported(WORLD, database, capsys)
    for name, *tail in COMMANDS:
        if name == "library" and "--at" not in tail:
            continue  # at "now": two runs print two instants
        from_file = run([name, str(WORLD), *tail], capsys)
        out, err, status = run([name, "--db", url, *tail], capsys)
        assert from_file == (out, err.replace(url, str(WORLD)), status), name


def test_finalising_through_postgresql_prints_what_it_prints_on_sqlite(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = imported(WORLD, database, capsys)
    db = str(tmp_path / "world.db")
    run(["import", str(WORLD), "--db", db], capsys)
    for _ in range(2):  # the second time: already finalised, nothing stored
        command = ["finalise", "--period", "2026-11", "--at", "2026-12-01T06:00:00Z"]
        on_sqlite = run([*command, "--db", db], capsys)
        on_postgres = run([*command, "--db", url], capsys)
        assert on_sqlite == (on_postgres[0].replace(url, db), *on_postgres[1:])
        assert 0 == on_postgres[2]


def test_a_read_command_on_a_database_without_a_store_changes_nothing(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err, status = run(["bill", "--db", database, "--period", "2026-11"], capsys)
    assert ("", 2, 1) == (out, status, err.count("\n"))
    assert "no partnercore store" in err
    with psycopg.connect(database, autocommit=True) as reader:
        found = reader.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'partnercore'"
        ).fetchone()
    assert (0,) == found


def test_importing_twice_into_postgresql_is_refused_on_one_line(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(WORLD, database, capsys)
    out, err, status = run(["import", str(WORLD), "--db", database], capsys)
    assert ("", 2, 1) == (out, status, err.count("\n"))
    assert "already holds a scenario" in err
