"""Revenue by month, from ``Scenario.bill_range(...).to_rows()``."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from partnercore._errors import ValidationError

__all__ = ["plot_revenue", "revenue_series"]

_EXTRA = (
    'plot_revenue needs matplotlib: install the notebook extra, pip install "partnercore[notebook]"'
)


def revenue_series(
    rows: Iterable[Mapping[str, Any]], value: str = "billed"
) -> dict[str, list[tuple[str, Decimal]]]:
    """``{label: [(period, amount), ...]}``: one series per partner (labelled
    ``"acme (USD)"``), months in order, amounts exact."""
    series: dict[str, list[tuple[str, Decimal]]] = {}
    for index, row in enumerate(rows):
        try:
            label = f"{row['partner']} ({row['currency']})"
            amount = row[value]
            period = str(row["period"])
        except (KeyError, TypeError):
            raise ValidationError.at(
                f"rows[{index}]",
                f"expected a row of Scenario.bill_range(...).to_rows() with {value!r}",
            ) from None
        if not isinstance(amount, Decimal):
            raise ValidationError.at(
                f"rows[{index}].{value}", f"expected a Decimal, got {amount!r}"
            )
        series.setdefault(label, []).append((period, amount))
    for points in series.values():
        points.sort()
    return series


def plot_revenue(
    rows: Iterable[Mapping[str, Any]], value: str = "billed", *, ax: Any = None
) -> Any:
    """A line per partner of ``value`` (``billed``, ``partner_invoice``, ``referral``, ...)
    by month; returns the matplotlib ``Axes``.

    Amounts are exact ``Decimal`` in the rows; they become floats only here, to be drawn.
    Raises :class:`ImportError` naming the ``notebook`` extra when matplotlib is missing.
    """
    series = revenue_series(rows, value)
    try:
        pyplot = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise ImportError(_EXTRA) from None
    if ax is None:
        _, ax = pyplot.subplots()
    for label, points in series.items():
        ax.plot([p for p, _ in points], [float(a) for _, a in points], marker="o", label=label)
    ax.set_xlabel("period")
    ax.set_ylabel(value.replace("_", " "))
    ax.set_title(f"{value.replace('_', ' ')} by month")
    ax.legend()
    return ax
