"""Every command on mutated scenario files: an answer, or one line and status 2; never a
traceback. Worlds that still load are also imported, and answer the same from the store."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore.cli import main
from tests.strategies.scenario import mutated_scenarios, scenario_world, toml_text

# Bounded: a few dozen worlds, every command on each, in a few seconds.
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

USERS = ("paula", "alice", "bob", "carol", "nobody")
TEAMS = ("acme", "beacon", "c1", "c2", "c3", "b1", "nope")
PERMISSIONS = ("team.view", "team.edit", "billing.manage", "content.view", "team.veiw")
INSTANTS = ("2026-11-20T09:00:00Z", "2025-01-01T00:00:00+05:30", "2027-06-01T00:00:00Z")
PERIODS = ("2026-11", "2026-10..2026-12", "2026-01", "2026-12..2026-11")


@st.composite
def questions(draw: st.DrawFn) -> dict[str, str]:
    """The arguments of one question of each command (ids that may not exist)."""
    return {
        "user": draw(st.sampled_from(USERS)),
        "team": draw(st.sampled_from(TEAMS)),
        "permission": draw(st.sampled_from(PERMISSIONS)),
        "at": draw(st.sampled_from(INSTANTS)),
        "period": draw(st.sampled_from(PERIODS)),
        "format": draw(st.sampled_from(("text", "json"))),
    }


def commands(source: list[str], q: dict[str, str]) -> list[list[str]]:
    """Every command that reads a scenario, on ``source`` (FILE, or --db PATH)."""
    table = "json" if q["format"] == "json" else "table"
    user, team, at = ["--user", q["user"]], ["--team", q["team"]], ["--at", q["at"]]
    permission = ["--permission", q["permission"]]
    return [
        ["validate", *source],
        ["bill", *source, "--period", q["period"], "--format", table],
        ["check", *source, *user, *team, *permission, *at, "--format", q["format"]],
        ["license", *source, *team, "--format", table],
        ["teams", *source, *user, *permission, *at, "--format", q["format"]],
        ["who", *source, *team, *permission, *at],
        ["library", *source, *team, *at, "--format", q["format"]],
        ["library", *source, *team, *at],
    ]  # fmt: skip


def run(arguments: list[str]) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(arguments)
    return out.getvalue(), err.getvalue(), status


def checked(arguments: list[str]) -> tuple[str, str, int]:
    """Run one command; check its status and that an error is one line, not a defect."""
    out, err, status = run(arguments)
    allowed = {0, 1, 2} if arguments[0] == "check" else {0, 2}
    assert status in allowed, (arguments, status, err)
    if status == 2:
        assert err.startswith("partnercore: error: "), (arguments, err)
        assert 1 == err.count("\n"), (arguments, err)
        assert "internal error" not in err, (arguments, err)
        assert "Traceback" not in out + err
    else:
        assert "" == err, (arguments, err)
    return out, err, status


@FUZZ
@given(document=st.one_of(st.just(scenario_world()), mutated_scenarios()), question=questions())
def test_every_command_on_a_mutated_scenario_answers_or_reports_one_line(
    document: dict[str, Any], question: dict[str, str]
) -> None:
    every_command(document, question)


def every_command(document: dict[str, Any], question: dict[str, str]) -> None:
    """Ask ``question`` of the world ``document`` with every command, from its file and,
    when it loads, from a store it was imported into."""
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "world.toml"
        scenario.write_text(toml_text(document), encoding="utf-8")
        answers = [checked(arguments) for arguments in commands([str(scenario)], question)]
        if answers[0][2] != 0:
            return  # not a valid world: nothing to import
        db = str(Path(folder) / "world.db")
        assert ("", 0) == checked(["import", str(scenario), "--db", db])[1:]
        from_store = [checked(arguments) for arguments in commands(["--db", db], question)]
        assert [(o, e.replace(db, str(scenario)), s) for o, e, s in from_store] == answers
