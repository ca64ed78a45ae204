"""Every command and every ``--format json`` document against the checked-in scenario.

Expected outputs live in ``tests/data/expected/`` and are compared byte for byte. After a
deliberate change, regenerate them with ``PARTNERCORE_REGENERATE=1 pytest tests/cli`` and
review the diff by hand (the figures are worked out in ``tests/data/world.toml``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from partnercore.cli import main
from partnercore.scenario import demo_text

DATA = Path(__file__).resolve().parent.parent / "data"
EXPECTED = DATA / "expected"
WORLD = str(DATA / "world.toml")
REGENERATE = os.environ.get("PARTNERCORE_REGENERATE") == "1"

AT = "2026-11-20T09:00:00Z"
LAST = "2026-11-25T00:00:00Z"  # the scenario's last instant
JSON = ("--format", "json")
WINDOW = ("--from", "2026-11-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z")

# (expected file, arguments after the scenario file, expected exit status)
CASES = [
    ("validate.txt", ["validate", WORLD], 0),
    ("bill-2026-11.txt", ["bill", WORLD, "--period", "2026-11"], 0),
    ("bill-2026-11.json", ["bill", WORLD, "--period", "2026-11", "--format", "json"], 0),
    ("bill-2026-10..2026-12.txt", ["bill", WORLD, "--period", "2026-10..2026-12"], 0),
    (
        "bill-2026-10..2026-12.json",
        ["bill", WORLD, "--period", "2026-10..2026-12", "--format", "json"],
        0,
    ),
    (
        "check-allowed.txt",
        ["check", WORLD, "--user", "alice", "--team", "c1", "--permission", "team.edit"],
        0,
    ),
    (
        "check-allowed.json",
        ["check", WORLD, "--user", "alice", "--team", "c1", "--permission", "team.edit", *JSON],
        0,
    ),
    (
        "check-denied.txt",
        ["check", WORLD, "--user", "bob", "--team", "c2", "--permission", "team.view"],
        1,
    ),
    (
        "check-denied.json",
        ["check", WORLD, "--user", "bob", "--team", "c2", "--permission", "team.view", *JSON],
        1,
    ),
    ("license-c2.txt", ["license", WORLD, "--team", "c2"], 0),
    ("license-c2.json", ["license", WORLD, "--team", "c2", "--format", "json"], 0),
    (
        "license-c3-window.txt",
        ["license", WORLD, "--team", "c3", *WINDOW],
        0,
    ),
    (
        "license-c3-window.json",
        ["license", WORLD, "--team", "c3", *WINDOW, *JSON],
        0,
    ),
    ("teams-alice.txt", ["teams", WORLD, "--user", "alice", "--permission", "team.view"], 0),
    (
        "teams-alice.json",
        ["teams", WORLD, "--user", "alice", "--permission", "team.view", "--format", "json"],
        0,
    ),
    ("who-c1.txt", ["who", WORLD, "--team", "c1", "--permission", "team.view"], 0),
    (
        "who-c1.json",
        ["who", WORLD, "--team", "c1", "--permission", "team.view", "--format", "json"],
        0,
    ),
    ("library-c1.txt", ["library", WORLD, "--team", "c1", "--at", LAST], 0),
    ("library-c1.json", ["library", WORLD, "--team", "c1", "--at", LAST, *JSON], 0),
    (
        "library-c2-before-push.json",
        ["library", WORLD, "--team", "c2", "--at", "2026-11-21T00:00:00Z", "--format", "json"],
        0,
    ),
    ("library-c2.txt", ["library", WORLD, "--team", "c2", "--at", LAST], 0),
    ("demo.txt", ["demo"], 0),
]


def _arguments(arguments: list[str]) -> list[str]:
    needs_at = arguments[0] in ("check", "teams", "who")
    return [*arguments, "--at", AT] if needs_at else arguments


@pytest.mark.parametrize(("name", "arguments", "status"), CASES, ids=[case[0] for case in CASES])
def test_each_command_prints_exactly_the_expected_output(
    name: str, arguments: list[str], status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    actual_status = main(_arguments(arguments))
    out, err = capsys.readouterr()
    path = EXPECTED / name
    if REGENERATE:
        path.write_text(out, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")

    assert (expected, "", status) == (out, err, actual_status)


@pytest.mark.parametrize("name", [case[0] for case in CASES if case[0].endswith(".json")])
def test_each_json_output_is_one_json_document(name: str) -> None:
    document = json.loads((EXPECTED / name).read_text(encoding="utf-8"))

    assert isinstance(document, dict)


def test_demo_print_scenario_writes_the_built_in_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["demo", "--print-scenario"])
    out, _ = capsys.readouterr()

    assert (demo_text(), 0) == (out, status)


def test_the_printed_demo_scenario_validates_as_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo", "--print-scenario"])
    path = tmp_path / "world.toml"
    path.write_text(capsys.readouterr().out, encoding="utf-8")

    status = main(["validate", str(path)])

    expected = ("ok\n", "", 0)
    assert expected == (*capsys.readouterr(), status)
