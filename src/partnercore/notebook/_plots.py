"""Revenue by month, from ``Scenario.bill_range(...).to_rows()``."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from partnercore._errors import ValidationError

__all__ = ["plot_revenue", "revenue_series"]

_MAX_TICKS = 12

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
    rows: Iterable[Mapping[str, Any]],
    value: str = "billed",
    *,
    ax: Any = None,
    label: str = "{partner} ({currency}): {value}",
) -> Any:
    """A line per partner of ``value`` (``billed``, ``partner_invoice``, ``referral``, ...)
    by month; returns the matplotlib ``Axes``.

    ``label`` names each line: a format string with ``{partner}``, ``{currency}`` and
    ``{value}`` (the column plotted, in words), so that two calls on one ``ax`` (say
    ``partner_invoice`` then ``client_invoices``) give distinct legend entries. Month labels
    are rotated, and thinned to at most 12 when there are more months.

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
    words = value.replace("_", " ")
    periods: set[str] = set()
    for key, points in series.items():
        partner, _, currency = key.rstrip(")").partition(" (")
        try:
            name = label.format(partner=partner, currency=currency, value=words)
        except (KeyError, IndexError, ValueError):
            raise ValidationError.at(
                "label",
                f"expected a format string using {{partner}}, {{currency}} and "
                f"{{value}}, got {label!r}",
            ) from None
        ax.plot([p for p, _ in points], [float(a) for _, a in points], marker="o", label=name)
        periods.update(p for p, _ in points)
    ordered = sorted(periods)
    step = max(1, -(-len(ordered) // _MAX_TICKS))
    shown = ordered[::step]
    ax.set_xticks(shown)
    ax.set_xticklabels(shown, rotation=45, ha="right")
    ax.set_xlabel("period")
    ax.set_ylabel(words)
    ax.set_title(f"{words} by month")
    ax.legend()
    return ax
