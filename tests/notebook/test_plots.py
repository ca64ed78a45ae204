"""Revenue plots: the optional extra, and what is drawn."""

from __future__ import annotations

import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from partnercore import ValidationError
from partnercore.notebook import plot_revenue, revenue_series
from partnercore.scenario import load

WORLD = Path(__file__).resolve().parent.parent / "data" / "world.toml"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return load(WORLD).bill_range("2026-10", "2026-12").to_rows()


def test_revenue_series_has_one_series_per_partner_in_month_order(
    rows: list[dict[str, Any]],
) -> None:
    expected = {
        "acme (USD)": [
            ("2026-10", Decimal("160.00")),
            ("2026-11", Decimal("225.00")),
            ("2026-12", Decimal("160.00")),
        ],
        "beacon (EUR)": [
            ("2026-10", Decimal("30.00")),
            ("2026-11", Decimal("45.68")),
            ("2026-12", Decimal("60.00")),
        ],
    }
    assert expected == revenue_series(rows, "referral")


def test_rows_without_the_value_are_rejected() -> None:
    with pytest.raises(ValidationError, match=r"rows\[0\]: expected a row"):
        revenue_series([{"period": "2026-11"}])


def test_without_matplotlib_plotting_names_the_notebook_extra(
    rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)

    with pytest.raises(ImportError, match=r'pip install "partnercore\[notebook\]"'):
        plot_revenue(rows)


class _Axes:
    def __init__(self) -> None:
        self.lines: list[tuple[list[str], list[float], str]] = []
        self.labels: dict[str, str] = {}

    def plot(self, x: list[str], y: list[float], *, marker: str, label: str) -> None:
        self.lines.append((x, y, label))

    def set_xlabel(self, text: str) -> None:
        self.labels["x"] = text

    def set_ylabel(self, text: str) -> None:
        self.labels["y"] = text

    def set_title(self, text: str) -> None:
        self.labels["title"] = text

    def legend(self) -> None:
        self.labels["legend"] = "yes"

    def set_xticks(self, ticks: list[str]) -> None:
        self.labels["ticks"] = ",".join(ticks)

    def set_xticklabels(self, labels: list[str], *, rotation: int, ha: str) -> None:
        self.labels["tick labels"] = ",".join(labels)


def test_plot_revenue_draws_a_line_per_partner_on_the_given_axes(
    rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    pyplot = types.ModuleType("matplotlib.pyplot")
    monkeypatch.setitem(sys.modules, "matplotlib", types.ModuleType("matplotlib"))
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    axes = _Axes()

    returned = plot_revenue(rows, "billed", ax=axes)

    expected = [
        (["2026-10", "2026-11", "2026-12"], [950.0, 1350.0, 975.0], "acme (USD): billed"),
        (["2026-10", "2026-11", "2026-12"], [310.0, 464.52, 620.0], "beacon (EUR): billed"),
    ]
    assert expected == axes.lines
    assert (axes, "billed by month") == (returned, axes.labels["title"])


def test_importing_the_library_and_its_notebook_helpers_does_not_import_matplotlib() -> None:
    code = (
        "import sys, partnercore.scenario, partnercore.cli, partnercore.notebook; "
        "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    expected = "[]\n"
    assert expected == result.stdout
