"""Bad input: exit status 2 and one line on standard error naming what and where."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from partnercore.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"

ERROR = "partnercore: error: "

BAD_FILES = [
    (
        "float_money",
        'pricebooks[0] (id "standard").full_license_monthly_fee: the float 400.0 is not '
        'allowed: write money and rates as strings ("400.0") or integers',
    ),
    (
        "naive_datetime",
        "memberships[0].from: naive datetime 2026-01-01T00:00:00 rejected: give it an "
        "offset, e.g. 2026-01-01T00:00:00Z",
    ),
    (
        "unknown_key",
        'clients[1] (id "c2").colour: unknown key; expected one of billing_model, country, '
        "created_at, employee_count, id, name, operated_by, organisation_key, partner, "
        "pricebook, status, tax_id, timezone",
    ),
    (
        "unknown_enum",
        'clients[1] (id "c2").billing_model: unknown value "resell"; '
        "expected reseller or non_reseller",
    ),
    ("unknown_reference", 'memberships[0].team: unknown team "acmee"'),
    (
        "impossible_license_event",
        "license_events[0].event: cannot convert in state 'free': in state 'free' only "
        "request_upgrade, upgrade can happen",
    ),
    (
        "unknown_metric",
        'usage[0].metric: unknown usage metric "scans": price book "standard" prices assessments',
    ),
    ("not_toml", "not valid TOML: Invalid value (at line 25, column 6)"),
    (
        "several_problems",
        'pricebooks[0] (id "standard").full_license_monthly_fee: the float 400.0 is not '
        'allowed: write money and rates as strings ("400.0") or integers (and 2 more '
        "problems: partnercore validate bad/several_problems.toml)",
    ),
]


@pytest.fixture(autouse=True)
def _in_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)


@pytest.mark.parametrize(("name", "problem"), BAD_FILES, ids=[n for n, _ in BAD_FILES])
def test_a_bad_scenario_file_exits_2_with_one_line_naming_the_file_and_the_problem(
    name: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = f"bad/{name}.toml"

    status = main(["bill", path, "--period", "2026-11"])

    expected = (2, "", f"{ERROR}{path}: {problem}\n")
    assert expected == (status, *capsys.readouterr())


def test_validate_lists_every_problem_on_standard_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = "bad/several_problems.toml"

    status = main(["validate", path])

    out, err = capsys.readouterr()
    expected_out = (
        f'{path}: pricebooks[0] (id "standard").full_license_monthly_fee: the float 400.0 is '
        'not allowed: write money and rates as strings ("400.0") or integers\n'
        f'{path}: clients[1] (id "c2").billing_model: unknown value "resell"; expected '
        "reseller or non_reseller\n"
        f"{path}: memberships[0].from: naive datetime 2026-01-01T00:00:00 rejected: give it "
        "an offset, e.g. 2026-01-01T00:00:00Z\n"
    )
    assert (2, expected_out, 1) == (status, out, err.count("\n"))


WORLD = "world.toml"
AT = ("--at", "2026-11-20T09:00:00Z")
NAIVE = ("--at", "2026-11-20T09:00:00")
BACKWARDS = ("--from", "2026-12-01T00:00:00Z", "--to", "2026-11-01T00:00:00Z")

BAD_ARGUMENTS = [
    (
        ["bill", WORLD, "--period", "2026-13"],
        "--period: expected YYYY-MM or YYYY-MM..YYYY-MM, got '2026-13'",
    ),
    (
        ["bill", WORLD, "--period", "November"],
        "--period: expected YYYY-MM or YYYY-MM..YYYY-MM, got 'November'",
    ),
    (
        ["bill", WORLD, "--period", "2026-12..2026-01"],
        "--period: 2026-01 is before 2026-12 in '2026-12..2026-01'",
    ),
    (
        ["bill", WORLD],
        "bill: the following arguments are required: --period (see partnercore bill --help)",
    ),
    (
        ["bill", WORLD, "--period", "2026-11", "--format", "xml"],
        "--format: unknown format 'xml'; expected text (or table) or json",
    ),
    (
        ["check", WORLD, "--user", "zed", "--team", "c1", "--permission", "team.view", *AT],
        "--user: unknown user 'zed' in world.toml",
    ),
    (
        ["check", WORLD, "--user", "alice", "--team", "c7", "--permission", "team.view", *AT],
        "--team: unknown team 'c7' in world.toml",
    ),
    (
        ["check", WORLD, "--user", "alice", "--team", "c1", "--permission", "team.veiw", *AT],
        "--permission: unknown permission 'team.veiw'; expected one of team.view, team.edit, "
        "team.admin, license.view, license.manage, billing.view, billing.manage, "
        "content.view, content.manage, referral.view, client.create",
    ),
    (
        ["check", WORLD, "--user", "alice", "--team", "c1", "--permission", "team.view", *NAIVE],
        "--at: naive datetime '2026-11-20T09:00:00' rejected: give it an offset, "
        "e.g. 2026-11-20T09:00:00Z",
    ),
    (
        ["teams", WORLD, "--user", "alice", "--permission", "team.view", "--at", "2026-11-20"],
        "--at: naive datetime '2026-11-20' rejected: give it an offset, e.g. 2026-11-20T00:00:00Z",
    ),
    (
        ["teams", WORLD, "--user", "alice", "--permission", "team.view", "--at", "tomorrow"],
        "--at: not an ISO 8601 datetime: 'tomorrow'",
    ),
    (
        ["license", WORLD, "--team", "acme"],
        "--team: 'acme' is a partner team: only client teams have a licence",
    ),
    (
        ["license", WORLD, "--team", "c2", *BACKWARDS],
        "--to: 2026-11-01T00:00:00Z is before --from 2026-12-01T00:00:00Z",
    ),
    (
        ["who", WORLD, "--team", "nope", "--permission", "team.view", *AT],
        "--team: unknown team 'nope' in world.toml",
    ),
    (["library", WORLD, "--team", "nope"], "--team: unknown team 'nope' in world.toml"),
    (
        ["validate", "missing.toml"],
        "missing.toml: cannot read the scenario file: No such file or directory",
    ),
    ([], "the following arguments are required: COMMAND (see partnercore --help)"),
]


@pytest.mark.parametrize(("arguments", "message"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_one_line_naming_the_argument(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(arguments)

    expected = (2, "", f"{ERROR}{message}\n")
    assert expected == (status, *capsys.readouterr())


def test_python_dash_m_partnercore_reports_a_bad_file_in_one_line_without_a_traceback() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "partnercore",
            "bill",
            "bad/float_money.toml",
            "--period",
            "2026-11",
        ],
        capture_output=True,
        text=True,
        cwd=DATA,
        check=False,
    )

    expected = (
        2,
        "",
        f'{ERROR}bad/float_money.toml: pricebooks[0] (id "standard").full_license_monthly_fee: '
        'the float 400.0 is not allowed: write money and rates as strings ("400.0") or '
        "integers\n",
    )
    assert expected == (result.returncode, result.stdout, result.stderr)


def test_python_dash_m_partnercore_reports_a_bad_period_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "partnercore", "bill", WORLD, "--period", "2026-13"],
        capture_output=True,
        text=True,
        cwd=DATA,
        check=False,
    )

    expected = (2, "", f"{ERROR}--period: expected YYYY-MM or YYYY-MM..YYYY-MM, got '2026-13'\n")
    assert expected == (result.returncode, result.stdout, result.stderr)


def test_a_defect_is_still_one_line_with_status_2_never_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(path: str) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("partnercore.scenario.load", broken)

    status = main(["validate", WORLD])

    expected = (2, "", f"{ERROR}internal error (KeyError: 'boom'); please report it\n")
    assert expected == (status, *capsys.readouterr())


def test_output_the_terminal_cannot_encode_is_escaped_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world = tmp_path / "world.toml"
    text = (DATA / WORLD).read_text(encoding="utf-8")
    world.write_text(text.replace('"Client One"', '"Café Zoë"'), encoding="utf-8")
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stdout)

    status = main(["teams", str(world), "--user", "alice", "--permission", "team.view", *AT])

    stdout.flush()
    shown = stdout.buffer.getvalue().decode("ascii")
    assert (0, True) == (status, "Caf\\xe9 Zo\\xeb" in shown)


@pytest.mark.parametrize(
    ("kind", "missing", "message"),
    [
        (
            "item in the library of acme",
            "nope",
            "--team: unknown item in the library of acme 'nope' in world.toml",
        ),
        ("content item", "guide", "unknown content item 'guide' in world.toml"),
    ],
    ids=["the option's id", "another id"],
)
def test_an_unknown_id_is_named_by_the_option_that_gave_it_whatever_its_kind_says(
    kind: str,
    missing: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from partnercore import NotFoundError
    from partnercore.scenario import Scenario

    def lookup(self: Scenario, *, team: str, at: object) -> None:
        raise NotFoundError(kind, missing)

    monkeypatch.setattr(Scenario, "library", lookup)

    status = main(["library", WORLD, "--team", "nope"])

    assert (2, "", f"{ERROR}{message}\n") == (status, *capsys.readouterr())


def test_the_same_id_given_to_team_and_user_is_named_by_the_kind_of_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from partnercore import NotFoundError
    from partnercore.scenario import Scenario

    def check(self: Scenario, **question: object) -> None:
        raise NotFoundError("user of the platform", "sam")

    monkeypatch.setattr(Scenario, "check", check)

    status = main(["check", WORLD, "--user", "sam", "--team", "sam", "--permission", "team.view"])

    expected = (2, "", f"{ERROR}--user: unknown user of the platform 'sam' in world.toml\n")
    assert expected == (status, *capsys.readouterr())
