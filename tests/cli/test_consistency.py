"""One command line: every command takes the same --format, JSON carries what the text shows,
--at defaults to now, every option is explained with an example, --help loads nothing."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from partnercore import __version__
from partnercore.cli import _parser, main
from partnercore.tenancy import Permission

DATA = Path(__file__).resolve().parent.parent / "data"
WORLD = str(DATA / "world.toml")
INVOICING = str(DATA / "invoicing.toml")
AT = ("--at", "2026-11-20T09:00:00Z")
COMMANDS = [
    *("demo", "validate", "import", "bill", "bill range", "check", "license", "teams", "who"),
    *("library", "apply", "finalise", "events", "invoices", "completion"),
]
CHANGES = """
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


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    """Every command with arguments that make it answer (the stores made fresh)."""
    db = str(tmp_path / "world.db")
    assert 0 == main(["import", WORLD, "--db", db])
    changes = tmp_path / "changes.toml"
    changes.write_text(CHANGES, encoding="utf-8")
    return {
        "demo": ["demo"],
        "validate": ["validate", WORLD],
        "import": ["import", WORLD, "--db", str(tmp_path / "another.db")],
        "bill": ["bill", WORLD, "--period", "2026-11"],
        "bill range": ["bill", WORLD, "--period", "2026-10..2026-12"],
        "check": ["check", WORLD, "--user", "alice", "--team", "c1", "--permission", "team.edit"],
        "license": ["license", WORLD, "--team", "c2"],
        "teams": ["teams", WORLD, "--user", "alice", "--permission", "team.view", *AT],
        "who": ["who", WORLD, "--team", "c1", "--permission", "team.view", *AT],
        "library": ["library", WORLD, "--team", "c1"],
        "apply": ["apply", str(changes), "--db", db],
        "finalise": ["finalise", "--db", db, "--period", "2026-11"],
        "events": ["events", "--db", db, "--since", "3"],
        "invoices": ["invoices", INVOICING, "--period", "2026-10"],
        "completion": ["completion", "bash"],
    }


def test_the_cases_cover_every_command() -> None:
    subcommands = next(
        action
        for action in _parser.build()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    covered = {name.split()[0] for name in _commands.__code__.co_consts if isinstance(name, str)}

    assert set(subcommands.choices) <= covered


@pytest.mark.parametrize("style", [("--format", "json"), ("--json",)], ids=["format", "flag"])
@pytest.mark.parametrize(
    "command",
    COMMANDS,
)
def test_every_command_writes_one_json_document(
    command: str, style: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = _commands(tmp_path)[command]
    capsys.readouterr()

    out, err, status = run([*arguments, *style], capsys)

    assert ("", 0) == (err, status)
    assert isinstance(json.loads(out), dict)


@pytest.mark.parametrize("format", ["text", "table"])
@pytest.mark.parametrize(
    "command",
    COMMANDS,
)
def test_every_command_writes_text_and_takes_table_as_its_synonym(
    command: str, format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = _commands(tmp_path)[command]
    capsys.readouterr()

    out, err, status = run([*arguments, "--format", format], capsys)

    assert ("", 0) == (err, status)
    assert not out.lstrip().startswith("{")


def test_teams_json_carries_the_kind_partner_and_name_the_text_shows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    arguments = ["teams", WORLD, "--user", "alice", "--permission", "team.view", *AT]

    out, _, _ = run([*arguments, "--json"], capsys)
    first = json.loads(out)["teams"][1]
    text, _, _ = run(arguments, capsys)

    assert {"id": "c1", "kind": "client", "partner": "acme", "name": "Client One"} == first
    assert "c1    client   acme     Client One" in text


def test_check_json_carries_the_question_it_answered(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["check", WORLD, "--user", "bob", "--team", "c2", "--permission", "team.view"]

    out, _, status = run([*arguments, *AT, "--json"], capsys)

    expected = {
        "user": "bob",
        "permission": "team.view",
        "team": "c2",
        "at": "2026-11-20T09:00:00Z",
        "allowed": False,
    }
    document = json.loads(out)
    assert expected == {key: document[key] for key in expected}
    assert {"rule", "via", "explanation"} <= set(document)
    assert 1 == status


@pytest.mark.parametrize(
    "at", [(), ("--at", "now"), ("--at", "NOW")], ids=["default", "now", "NOW"]
)
@pytest.mark.parametrize("command", ["check", "who", "teams", "library"])
def test_at_defaults_to_now_and_accepts_now(
    command: str, at: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = {
        "check": ["check", WORLD, "--user", "alice", "--team", "c1", "--permission", "team.edit"],
        "who": ["who", WORLD, "--team", "c1", "--permission", "team.view"],
        "teams": ["teams", WORLD, "--user", "alice", "--permission", "team.view"],
        "library": ["library", WORLD, "--team", "c1"],
    }[command]
    before = datetime.now(UTC)

    out, err, _ = run([*arguments, *at, "--json"], capsys)

    answered = datetime.fromisoformat(json.loads(out)["at"])
    assert "" == err
    assert before <= answered <= datetime.now(UTC)


def test_finalise_at_defaults_to_now(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = _commands(tmp_path)["finalise"]
    capsys.readouterr()
    before = datetime.now(UTC)

    out, _, status = run([*arguments, "--json"], capsys)

    assert 0 == status
    assert before <= datetime.fromisoformat(json.loads(out)["at"]) <= datetime.now(UTC)


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_the_version_flag_prints_the_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main([flag])

    assert (0, f"partnercore {__version__}\n") == (exit.value.code, capsys.readouterr().out)


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(
        action
        for action in _parser.build()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_option_of_every_command_has_help_with_an_example(name: str) -> None:
    parser = _subparsers()[name]
    unexplained = [
        action.dest
        for action in parser._actions
        if action.dest not in ("help",)
        and action.option_strings != ["--json"]
        and "e.g." not in (action.help or "")
    ]

    assert [] == unexplained


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_command_shows_an_example_and_the_exit_statuses(name: str) -> None:
    epilog = _subparsers()[name].epilog or ""

    assert f"example:\n  partnercore {name}" in epilog
    assert "exit status:" in epilog


def test_the_permissions_listed_in_help_are_the_librarys() -> None:
    assert [p.value for p in Permission] == list(_parser.PERMISSIONS)


def _bad_world(tmp_path: Path) -> str:
    text = Path(WORLD).read_text(encoding="utf-8")
    bad = text.replace('name = "Client One"', "name = 1").replace('name = "Client Two"', "name = 2")
    assert bad != text
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    return str(path)


def test_validate_lists_every_problem_once_and_does_not_tell_you_to_run_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _bad_world(tmp_path)

    out, err, status = run(["validate", bad], capsys)

    problems = out.splitlines()
    assert 2 <= len(problems)
    assert 2 == status
    assert not any(problem.split(": ", 1)[1] in err for problem in problems)
    assert "partnercore validate" not in err
    assert f"partnercore: error: {bad}: not valid: {len(problems)} problems (listed above)\n" == err


def test_validate_json_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _bad_world(tmp_path)
    text, _, _ = run(["validate", bad], capsys)

    out, _, status = run(["validate", bad, "--format", "json"], capsys)

    document = json.loads(out)
    listed = [f"{bad}: {p['path']}: {p['message']}" for p in document["problems"]]
    assert (2, False, text.splitlines()) == (status, document["valid"], listed)


def test_demo_json_carries_the_decisions_and_bills_the_text_shows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, _, _ = run(["demo", "--json"], capsys)
    text, _, _ = run(["demo"], capsys)

    document = json.loads(out)
    for decision in document["decisions"]:
        assert decision["explanation"] in text
    for invoice in document["invoices"]:
        assert f"Invoice {invoice['id']}" in text
        assert invoice["total"] in text
    assert [team["team"] for team in document["hierarchy"]["teams"]] == [
        line.split()[0]
        for line in text.split("== Hierarchy")[1].split("==")[0].splitlines()[4:]
        if line.strip()
    ]


def test_help_loads_none_of_the_library() -> None:
    code = (
        "import sys\n"
        "from partnercore.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('partnercore.') "
        "and not m.startswith('partnercore.cli'))\n"
        "print(loaded, 'attrs' in sys.modules, 'typing' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert "[] False False" == result.stdout.splitlines()[-1]
