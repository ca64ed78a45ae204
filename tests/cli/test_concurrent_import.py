"""Two ``partnercore import FILE --db NEW`` at once: one wins, the loser touches nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from partnercore.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"
WORLD = DATA / "world.toml"
ROUNDS = 20

# Imports the scenario into each path read from standard input, as the command line does;
# prints the exit status and what went to standard error. (One process for all rounds, so
# that each round starts both imports at once, not two interpreters.)
IMPORTER = """
import contextlib, io, json, sys
from partnercore.cli import main
for line in sys.stdin:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(["import", sys.argv[1], "--db", line.strip()])
    print(json.dumps([status, err.getvalue()]), flush=True)
"""


def run(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str, int]:
    status = main(arguments)
    out, err = capsys.readouterr()
    return out, err, status


def test_of_two_imports_into_one_new_file_one_wins_and_its_database_is_intact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    importers = [
        subprocess.Popen(
            [sys.executable, "-c", IMPORTER, str(WORLD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    periods = ["--period", "2026-10..2026-12", "--format", "json"]
    expected = run(["bill", str(WORLD), *periods], capsys)
    try:
        for round in range(ROUNDS):
            folder = tmp_path / f"round-{round}"
            folder.mkdir()
            db = folder / "world.db"
            for importer in importers:
                assert importer.stdin is not None
                importer.stdin.write(f"{db}\n")
                importer.stdin.flush()
            outcomes = []
            for importer in importers:
                assert importer.stdout is not None
                outcomes.append(json.loads(importer.stdout.readline()))

            assert [0, 2] == sorted(status for status, _ in outcomes), outcomes
            loser = next(err for status, err in outcomes if status == 2)
            assert (1, True) == (loser.count("\n"), f"{db} already holds a scenario" in loser)
            assert ["world.db"] == sorted(path.name for path in folder.iterdir())
            assert expected == run(["bill", "--db", str(db), *periods], capsys)
    finally:
        for importer in importers:
            assert importer.stdin is not None
            importer.stdin.close()
            importer.wait(timeout=60)
    assert [""] * 2 == [importer.stderr.read() for importer in importers if importer.stderr]
