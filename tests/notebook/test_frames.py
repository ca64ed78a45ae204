"""DataFrames of billing: typed money columns, charges apart from referrals, plots as is."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from partnercore import ValidationError
from partnercore.notebook import plot_revenue, to_frame
from partnercore.scenario import load, load_demo

pandas = pytest.importorskip("pandas", reason="pandas is not installed (the pandas extra)")

WORLD = Path(__file__).resolve().parent.parent / "data" / "world.toml"


def test_a_year_of_demo_billing_plots_from_a_frame_without_casting() -> None:
    matplotlib = pytest.importorskip(
        "matplotlib", reason="matplotlib is not installed (the notebook extra)"
    )
    matplotlib.use("Agg")
    billing = load_demo().bill_range("2026-01", "2026-12")

    frame = to_frame(billing, numbers="float")
    ax = frame.plot(x="period", y="billed")

    assert "float64" == str(frame["billed"].dtype)
    assert 1 == len(ax.get_lines())


def test_money_columns_stay_exact_decimals_by_default() -> None:
    frame = to_frame(load(WORLD).bill("2026-11"))

    assert {Decimal} == {type(value) for value in frame["amount"]}


def test_grouping_invoice_lines_by_payer_never_adds_a_referral() -> None:
    run = load(WORLD).bill("2026-11")

    frame = run.to_frame(numbers="float")

    expected = {i.billed_to: float(i.total.amount) for i in run.invoices if not i.tax}
    actual = frame.groupby("billed_to")["amount"].sum().to_dict()
    assert "referral" not in set(frame["kind"])
    assert expected == {k: v for k, v in actual.items() if k in expected}


def test_referral_lines_have_their_own_frame() -> None:
    run = load(WORLD).bill("2026-11")

    frame = run.to_frame("referrals")

    expected = [line.amount.amount for s in run.referrals for line in s.lines]
    assert expected == list(frame["amount"])


def test_a_licence_timeline_frame_has_aware_datetimes() -> None:
    timeline = load(WORLD).timeline(team="c2")

    frame = to_frame(timeline)

    assert [i.state.value for i in timeline] == list(frame["state"])
    assert "UTC" == str(frame["start"].dt.tz)


def test_an_unknown_table_is_refused_naming_the_argument() -> None:
    with pytest.raises(ValidationError, match="table"):
        load(WORLD).bill("2026-11").to_frame("everything")  # type: ignore[arg-type]


def test_two_plots_on_one_axes_have_distinct_legend_entries_and_readable_ticks() -> None:
    matplotlib = pytest.importorskip(
        "matplotlib", reason="matplotlib is not installed (the notebook extra)"
    )
    matplotlib.use("Agg")
    rows = load_demo().bill_range("2025-01", "2026-12").to_rows()

    ax = plot_revenue(rows, "partner_invoice")
    plot_revenue(rows, "client_invoices", ax=ax)

    labels = [line.get_label() for line in ax.get_lines()]
    assert len(labels) == len(set(labels))
    assert len(ax.get_xticks()) <= 12
