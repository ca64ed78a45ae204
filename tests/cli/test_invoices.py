"""``partnercore invoices`` and invoice documents through the command line (§5.2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partnercore.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"
INVOICING = DATA / "invoicing.toml"
TEXT = INVOICING.read_text(encoding="utf-8")
ERROR = "partnercore: error: "


def run(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(arguments)
    out, err = capsys.readouterr()
    return status, out, err


def test_invoices_lists_the_finalised_invoices_and_credit_notes_in_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(["invoices", str(INVOICING), "--format", "json"], capsys)

    document = json.loads(out)
    expected = (0, "", ["PC-2026-000001", "PC-2026-000002", "PC-2026-000003"], ["CN-2026-000001"])
    actual = (
        status,
        err,
        [invoice["number"] for invoice in document["invoices"]],
        [note["number"] for note in document["credit_notes"]],
    )
    assert expected == actual
    kookaburra = document["invoices"][1]
    assert ("46.00", "506.00", "11.00", "495.00") == (
        kookaburra["tax"]["amount"],
        kookaburra["total"],
        kookaburra["credited"],
        kookaburra["balance"],
    )


def test_invoices_as_text_shows_numbers_dates_tax_and_balance(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(["invoices", str(INVOICING)], capsys)

    line = next(row for row in out.splitlines() if row.startswith("PC-2026-000002"))
    assert 0 == status
    assert line.split()[:5] == [
        "PC-2026-000002",
        "inv-kookaburra-2026-10",
        "kookaburra",
        "2026-11-01T02:00:00Z",
        "2026-12-01T02:00:00Z",
    ]
    assert "495.00" == line.split()[-1]


def test_invoices_of_another_period_are_none(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["invoices", str(INVOICING), "--period", "2026-11", "--json"], capsys)

    assert (0, {"invoices": [], "credit_notes": []}) == (status, json.loads(out))


def test_a_bad_period_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["invoices", str(INVOICING), "--period", "2026-13"], capsys)

    assert (2, "", 1) == (status, out, err.count("\n"))
    assert err.startswith(f"{ERROR}--period:")


def test_invoices_reads_a_store_imported_from_the_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "world.db")
    assert 0 == main(["import", str(INVOICING), "--db", db])
    capsys.readouterr()

    from_file = run(["invoices", str(INVOICING), "--json"], capsys)
    from_store = run(["invoices", "--db", db, "--json"], capsys)

    assert from_file == from_store


def test_finalise_on_a_store_uses_the_invoicing_settings_of_its_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The scenario without its [[finalise]] and [[credit_notes]]: the command finalises.
    text = TEXT[: TEXT.index("[[credit_notes]]")]
    scenario = tmp_path / "world.toml"
    scenario.write_text(text, encoding="utf-8")
    db = str(tmp_path / "world.db")
    assert 0 == main(["import", str(scenario), "--db", db])
    arguments = ["finalise", "--db", db, "--period", "2026-10", "--at", "2026-11-01T02:00:00Z"]
    assert 0 == main(arguments)
    capsys.readouterr()

    status, out, _ = run(["invoices", "--db", db, "--json"], capsys)

    invoice = json.loads(out)["invoices"][1]
    expected = (0, "PC-2026-000002", "46.00", "2026-12-01T02:00:00Z")
    assert expected == (status, invoice["number"], invoice["tax"]["amount"], invoice["due_at"])


_OVER = TEXT.replace('amount = "10.00"', 'amount = "10.05"')
_DRAFT = TEXT.replace('invoice = "inv-kookaburra-2026-10"', 'invoice = "inv-kookaburra-2026-11"')
_REUSED = (
    TEXT
    + """
[[credit_notes]]
request_id = "cn-1"
invoice = "inv-kookaburra-2026-10"
at = 2026-11-10T00:00:00Z
reason = "another reason"
full = true
"""
)
BAD = [
    (
        "over_credit",
        _OVER,
        "credit_notes[0].lines[0].amount: credits 10.05 on usage assessments of c1 of invoice "
        "PC-2026-000002, but only 10.00 remains",
    ),
    (
        "draft",
        _DRAFT,
        'credit_notes[0].invoice: "inv-kookaburra-2026-11" is not a finalised invoice at '
        "2026-11-10T00:00:00Z: only a finalised invoice can be credited",
    ),
    (
        "reused_request_id",
        _REUSED,
        "credit_notes[1].request_id: credit note request 'cn-1' was already issued with other "
        "content (CN-2026-000001 against inv-kookaburra-2026-10)",
    ),
]


@pytest.mark.parametrize("command", ["validate", "invoices", "bill"])
@pytest.mark.parametrize(("name", "text", "problem"), BAD, ids=[name for name, _, _ in BAD])
def test_a_refused_credit_note_exits_2_with_one_line(
    command: str,
    name: str,
    text: str,
    problem: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    arguments = [command, str(path)] + (["--period", "2026-11"] if command == "bill" else [])

    status, out, err = run(arguments, capsys)

    if command == "validate":
        expected = (
            2,
            f"{path}: {problem}\n",
            f"{ERROR}{path}: not valid: 1 problem (listed above)\n",
        )
    else:
        expected = (2, "", f"{ERROR}{path}: {problem}\n")
    assert expected == (status, out, err)


def test_a_refused_credit_note_is_not_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "over.toml"
    path.write_text(_OVER, encoding="utf-8")
    db = tmp_path / "world.db"

    status, _, err = run(["import", str(path), "--db", str(db)], capsys)

    assert (2, 1, False) == (status, err.count("\n"), db.exists())
