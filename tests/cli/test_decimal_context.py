"""The command line answers the same whatever decimal context the process has set."""

from __future__ import annotations

import decimal
from pathlib import Path

import pytest

from partnercore.cli import main

WORLD = Path(__file__).resolve().parent.parent / "data" / "world.toml"


def hostile() -> decimal.Context:
    """A host's decimal context: five digits, rounding down, every signal trapped."""
    traps = [decimal.Clamped, decimal.DivisionByZero, decimal.FloatOperation, decimal.Inexact]
    traps += [decimal.InvalidOperation, decimal.Overflow, decimal.Rounded, decimal.Subnormal]
    return decimal.Context(prec=5, rounding=decimal.ROUND_DOWN, traps=[*traps, decimal.Underflow])


@pytest.mark.parametrize("output", ["table", "json"])
@pytest.mark.parametrize("source", ["file", "store"])
def test_a_range_of_months_is_summed_in_the_librarys_own_context(
    source: str, output: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = [str(WORLD)]
    if source == "store":
        where = ["--db", str(tmp_path / "world.db")]
        assert 0 == main(["import", str(WORLD), *where])
    arguments = ["bill", *where, "--period", "2026-09..2027-01", "--format", output]
    capsys.readouterr()
    assert 0 == main(arguments)
    expected = capsys.readouterr()

    with decimal.localcontext(hostile()):
        status = main(arguments)

    assert (expected, 0) == (capsys.readouterr(), status)
