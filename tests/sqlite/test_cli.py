"""``partnercore import FILE --db PATH``, and every command reading ``--db PATH`` instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnercore.cli import main
from partnercore.scenario import load
from partnercore.sqlite import SqliteStore

DATA = Path(__file__).resolve().parent.parent / "data"
SCENARIOS = sorted(DATA.glob("*.toml"))
WORLD = DATA / "world.toml"
AT = ("--at", "2026-11-20T09:00:00Z")
JSON = ("--format", "json")
WINDOW = ("--from", "2026-11-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z")

# Every command that reads a scenario, with the arguments after FILE (or --db PATH).
COMMANDS = [
    ("validate",),
    ("bill", "--period", "2026-11"),
    ("bill", "--period", "2026-11", *JSON),
    ("bill", "--period", "2026-10..2026-12"),
    ("bill", "--period", "2026-10..2026-12", *JSON),
    ("check", "--user", "alice", "--team", "c1", "--permission", "team.edit", *AT),
    ("check", "--user", "alice", "--team", "c1", "--permission", "team.edit", *AT, *JSON),
    ("check", "--user", "bob", "--team", "c2", "--permission", "team.view", *AT),
    ("license", "--team", "c2"),
    ("license", "--team", "c3", *WINDOW, *JSON),
    ("teams", "--user", "alice", "--permission", "team.view", *AT),
    ("teams", "--user", "alice", "--permission", "team.view", *AT, *JSON),
    ("who", "--team", "c1", "--permission", "team.view", *AT),
    ("who", "--team", "c1", "--permission", "team.view", *AT, *JSON),
    ("library", "--team", "c1", "--at", "2026-11-25T00:00:00Z"),
    ("library", "--team", "c2", "--at", "2026-11-21T00:00:00Z", *JSON),
    ("check", "--user", "nobody", "--team", "c9", "--permission", "team.view", *AT),
    ("events",),
    ("events", "--since", "40", *JSON),
]


def run(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str, int]:
    status = main(arguments)
    out, err = capsys.readouterr()
    return out, err, status


def imported(scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    db = str(tmp_path / f"{scenario.stem}.db")
    expected = (f"imported {scenario} into {db}\n", "", 0)
    assert expected == run(["import", str(scenario), "--db", db], capsys)
    return db


def months(scenario: Path) -> list[str]:
    """Every month from the scenario's first instant to the month after its last."""
    loaded = load(scenario)
    first, last = loaded.first_instant, loaded.last_instant
    found, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year + (last.month == 12), last.month % 12 + 1):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def test_there_are_checked_in_scenarios() -> None:
    assert WORLD in SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.stem for s in SCENARIOS])
def test_bill_from_a_store_prints_byte_for_byte_what_bill_from_the_file_prints(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = imported(scenario, tmp_path, capsys)
    for period in months(scenario):
        for output in ("table", "json"):
            tail = ["--period", period, "--format", output]
            from_file = run(["bill", str(scenario), *tail], capsys)
            from_store = run(["bill", "--db", db, *tail], capsys)
            assert from_file == from_store
            assert ("", 0) == from_store[1:]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:3]) for c in COMMANDS])
def test_every_command_prints_the_same_from_a_store_as_from_the_file(
    command: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = imported(WORLD, tmp_path, capsys)
    name, *tail = command
    from_file = run([name, str(WORLD), *tail], capsys)
    out, err, status = run([name, "--db", db, *tail], capsys)
    assert from_file == (out, err.replace(db, str(WORLD)), status)  # errors name the store


def test_importing_a_bad_file_reports_it_and_leaves_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    out, err, status = run(
        ["import", str(DATA / "bad" / "unknown_key.toml"), "--db", str(db)], capsys
    )
    assert ("", 2, False) == (out, status, db.exists())
    assert err.startswith("partnercore: error: ")
    assert "colour: unknown key" in err


def test_importing_twice_into_one_store_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = imported(WORLD, tmp_path, capsys)
    out, err, status = run(["import", str(WORLD), "--db", db], capsys)
    assert ("", 2) == (out, status)
    assert f"{db} already holds a scenario" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["bill", "--period", "2026-11"], "bill: give a scenario FILE or --db PATH\n"),
        (
            ["bill", str(WORLD), "--db", "x.db", "--period", "2026-11"],
            "bill: give a scenario FILE or --db PATH, not both\n",
        ),
        (
            ["who", "--db", "missing.db", "--team", "c1", "--permission", "team.view", *AT],
            "--db: no such database file: missing.db\n",
        ),
        (["import", str(WORLD)], "the following arguments are required: --db"),
    ],
)
def test_bad_arguments_are_one_line_with_status_2(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err, status = run(arguments, capsys)
    assert ("", 2, 1) == (out, status, err.count("\n"))
    assert message in err


def test_a_store_without_a_scenario_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "empty.db"
    SqliteStore(db).close()
    out, err, status = run(["license", "--db", str(db), "--team", "c1"], capsys)
    assert ("", 2) == (out, status)
    assert "holds no scenario: write one with 'partnercore import FILE --db" in err
