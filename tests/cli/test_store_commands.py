"""The commands that write to a store (``apply``, ``finalise``) and ``events``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partnercore.cli import main
from partnercore.sqlite import SqliteStore

DATA = Path(__file__).resolve().parent.parent / "data"
WORLD = DATA / "world.toml"

CHANGES = """
[[memberships]]
user = "bob"
team = "c1"
role = "member"
from = 2026-12-01T00:00:00Z
by = "paula"

[[license_events]]
team = "c3"
event = "upgrade"
at = 2026-12-02T00:00:00Z
by = "paula"

[[usage]]
team = "c1"
metric = "assessments"
quantity = "2.5"
at = 2026-12-03T00:00:00Z
"""


def run(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str, int]:
    status = main(arguments)
    out, err = capsys.readouterr()
    return out, err, status


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "world.db")
    assert 0 == run(["import", str(WORLD), "--db", path], capsys)[2]
    return path


@pytest.fixture
def changes(tmp_path: Path) -> Path:
    path = tmp_path / "changes.toml"
    path.write_text(CHANGES, encoding="utf-8")
    return path


def revision(db: str) -> int:
    with SqliteStore(db, read_only=True) as store:
        return store.revision()


def events(db: str, since: int, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    out, err, status = run(
        ["events", "--db", db, "--since", str(since), "--format", "json"], capsys
    )
    assert ("", 0) == (err, status)
    found: list[dict[str, object]] = json.loads(out)["events"]
    return found


# -- apply ---------------------------------------------------------------------------------


def test_apply_writes_every_change_in_one_unit_and_says_so(
    db: str, changes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = revision(db)
    out, err, status = run(["apply", str(changes), "--db", db], capsys)
    assert (f"applied {changes} to {db}: 3 events, revision {before + 3}\n", "", 0) == (
        out,
        err,
        status,
    )
    assert [
        ("membership_added", "paula", "c1"),
        ("license_changed", "paula", "c3"),
        ("usage_recorded", "system", "c1"),
    ] == [(e["kind"], e["by"], e["team_id"]) for e in events(db, before, capsys)]


def test_a_refused_change_is_one_line_and_writes_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = tmp_path / "refused.toml"
    refused.write_text(CHANGES.replace('by = "paula"', 'by = "alice"', 2), encoding="utf-8")
    before = revision(db)
    out, err, status = run(["apply", str(refused), "--db", db], capsys)
    assert ("", 2, 1) == (out, status, err.count("\n"))
    assert err.startswith(f"partnercore: error: {refused}: memberships[0].by: alice may not ")
    assert (before, []) == (revision(db), events(db, before, capsys))


def test_a_whole_scenario_is_not_applied(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = revision(db)
    out, err, status = run(["apply", str(WORLD), "--db", db], capsys)
    assert ("", 2, before) == (out, status, revision(db))
    assert f"{WORLD}: pricebooks: not allowed in a file of changes" in err
    assert ("more problems)" in err, "validate" in err) == (True, False)


def test_apply_needs_an_existing_store(
    tmp_path: Path, changes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.db"
    empty = tmp_path / "empty.db"
    empty.touch()
    assert ("", "partnercore: error: --db: no such database file: " + str(missing) + "\n", 2) == (
        run(["apply", str(changes), "--db", str(missing)], capsys)
    )
    out, err, status = run(["apply", str(changes), "--db", str(empty)], capsys)
    assert ("", 2, 0) == (out, status, empty.stat().st_size)
    assert f"{empty}: not a partnercore database: the file is empty" in err
    assert not missing.exists()


def test_apply_to_a_store_another_process_holds_is_a_conflict_then_a_retry_succeeds(
    db: str, changes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = revision(db)
    with SqliteStore(db) as other, other.unit_of_work():
        out, err, status = run(["apply", str(changes), "--db", db, "--timeout", "0.1"], capsys)
    assert ("", 2, 1) == (out, status, err.count("\n"))
    assert "the database is busy" in err
    assert before == revision(db)
    assert 0 == run(["apply", str(changes), "--db", db], capsys)[2]
    assert before + 3 == revision(db)


@pytest.mark.parametrize("timeout", ["-1", "soon", "1e9", "nan"])
def test_a_bad_timeout_is_refused(
    db: str, changes: Path, timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err, status = run(["apply", str(changes), "--db", db, "--timeout", timeout], capsys)
    assert ("", 2) == (out, status)
    assert "--timeout: expected a number of seconds from 0 to 86400" in err


# -- finalise ------------------------------------------------------------------------------


FINALISE = ["--period", "2026-11", "--at", "2026-12-01T02:00:00Z"]


def test_finalise_stores_the_periods_invoices_and_again_stores_nothing(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = revision(db)
    out, err, status = run(["finalise", "--db", db, *FINALISE], capsys)
    assert ("", 0) == (err, status)
    first, *rows = out.splitlines()
    stored = events(db, before, capsys)
    assert {"invoice_finalised"} == {e["kind"] for e in stored}
    assert first == (
        f"finalised 2026-11 in {db}: {len(stored)} of {len(stored)} invoices stored, "
        f"revision {before + len(stored)}"
    )
    assert ("inv-acme-2026-11", "acme", "USD", "1025.00", "stored") == tuple(
        next(row for row in rows if row.startswith("inv-acme-2026-11")).split()
    )
    again = run(["finalise", "--db", db, *FINALISE], capsys)
    assert (0, "2026-11 was already finalised with these results: nothing stored") == (
        again[2],
        again[0].splitlines()[0],
    )
    assert before + len(stored) == revision(db)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--period", "2026-13", "--at", "2026-12-01T02:00:00Z"], "--period: expected YYYY-MM"),
        (["--period", "2026-11", "--at", "2026-12-01T02:00:00"], "--at: naive datetime"),
        (["--at", "2026-12-01T02:00:00Z"], "the following arguments are required: --period"),
    ],
)
def test_bad_finalise_arguments_are_one_line_and_write_nothing(
    db: str, arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = revision(db)
    out, err, status = run(["finalise", "--db", db, *arguments], capsys)
    assert ("", 2, 1, before) == (out, status, err.count("\n"), revision(db))
    assert message in err


# -- events --------------------------------------------------------------------------------


def test_events_of_a_scenario_file_are_listed_oldest_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, err, status = run(["events", str(WORLD), "--format", "json"], capsys)
    found = json.loads(out)["events"]
    assert ("", 0) == (err, status)
    assert list(range(1, len(found) + 1)) == [event["revision"] for event in found]
    assert (1, "system") == (found[0]["revision"], found[0]["by"])
    assert ["revision", "kind", "at", "by", "team_id"] == list(found[0])[:5]
    assert {"client_created", "client_onboarded", "consent_revoked"} <= {e["kind"] for e in found}


def test_events_as_text_show_revision_instant_actor_and_what_happened(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, _, status = run(["events", str(WORLD)], capsys)
    header, rule, *rows = out.splitlines()
    assert (0, ["revision", "at", "by", "event"]) == (status, header.split())
    assert {"-", " "} == set(rule)
    onboarded = next(row for row in rows if "onboarded" in row)
    assert ["2026-11-03T00:00:00Z", "paula", "c9"] == onboarded.split()[1:4]


def test_events_since_a_revision_list_only_the_later_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    everything = json.loads(run(["events", str(WORLD), "--format", "json"], capsys)[0])["events"]
    later = json.loads(run(["events", str(WORLD), "--since", "10", "--format", "json"], capsys)[0])[
        "events"
    ]
    assert everything[10:] == later
    last = len(everything)
    assert (f"no events after revision {last}\n", "", 0) == run(
        ["events", str(WORLD), "--since", str(last)], capsys
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "-1"], "--since: expected a revision (a whole number >= 0), got '-1'"),
        (["--since", "x"], "--since: expected a revision (a whole number >= 0), got 'x'"),
        (["--since", "٣"], "--since: expected a revision (a whole number >= 0)"),
        (["--format", "xml"], "--format: unknown format 'xml'; expected text (or table) or json"),
    ],
)
def test_bad_events_arguments_are_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err, status = run(["events", str(WORLD), *arguments], capsys)
    assert ("", 2, 1) == (out, status, err.count("\n"))
    assert message in err


def test_events_of_a_store_without_a_scenario_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bare.db"
    SqliteStore(db).close()
    assert ("no events after revision 0\n", "", 0) == run(["events", "--db", str(db)], capsys)


@pytest.mark.parametrize("command", ["apply", "finalise", "events"])
def test_the_new_commands_have_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert (0, True) == (exited.value.code, out.startswith(f"usage: partnercore {command}"))
    with pytest.raises(SystemExit):
        main(["--help"])
    assert f"    {command} " in capsys.readouterr().out
