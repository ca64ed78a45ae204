"""pandas DataFrames of billing runs, ranges, statements and licence timelines.

pandas is optional (``pip install "partnercore[pandas]"``) and imported only when a frame is
asked for. Money columns hold exact ``Decimal`` by default (``numbers="decimal"``), or
``float`` (``numbers="float"``) to plot and aggregate with pandas directly; either way they
are never of a mixed type.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

from partnercore._errors import ValidationError
from partnercore.billing._presentation import run_rows, statement_rows

if TYPE_CHECKING:
    from partnercore.billing import BillingRun, ReferralStatement
    from partnercore.licensing import LicenseInterval

__all__ = [
    "AMOUNT_COLUMNS",
    "ContentRevenueRow",
    "InvoiceLineRow",
    "Numbers",
    "ReferralLineRow",
    "RevenueRow",
    "Table",
    "TimelineRow",
    "content_revenue_rows",
    "frame_of_rows",
    "invoice_line_rows",
    "referral_line_rows",
    "timeline_rows",
    "to_frame",
]

Numbers = Literal["decimal", "float"]

_EXTRA = 'to_frame needs pandas: install the pandas extra, pip install "partnercore[pandas]"'

# Every column that holds an amount (or a quantity or rate) in any of the row kinds.
AMOUNT_COLUMNS = frozenset(
    {
        "quantity",
        "unit_price",
        "rate",
        "amount",
        "base",
        "trailing_revenue",
        "partner_invoice",
        "client_invoices",
        "billed",
        "referral",
        "content_revenue",
        "charge",
        "share",
    }
)


def _pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError:
        raise ImportError(_EXTRA) from None


def frame_of_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    numbers: Numbers = "decimal",
    dates: Sequence[str] = (),
) -> Any:
    """A ``pandas.DataFrame`` of ``rows`` with exactly ``columns``, in that order.

    Amount columns become ``float64`` with ``numbers="float"`` (``NaN`` where empty) or
    stay ``Decimal`` (``object`` dtype) with ``numbers="decimal"``; ``dates`` become
    timezone-aware ``datetime64`` columns (``NaT`` where open-ended).
    """
    if numbers not in ("decimal", "float"):
        raise ValidationError.at("numbers", f"expected 'decimal' or 'float', got {numbers!r}")
    pandas = _pandas()
    data = [{column: row.get(column) for column in columns} for row in rows]
    frame = pandas.DataFrame(data, columns=list(columns))
    for column in columns:
        if column in dates:
            frame[column] = pandas.to_datetime(frame[column], utc=True)
        elif column in AMOUNT_COLUMNS and numbers == "float":
            frame[column] = frame[column].map(_to_float).astype("float64")
    return frame


def _to_float(value: object) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, Decimal | int | float):
        return float(value)
    raise ValidationError.at("numbers", f"expected a number, got {value!r}")


# -- typed rows ---------------------------------------------------------------------------


class InvoiceLineRow(TypedDict):
    """One invoice line of :func:`to_frame` ``(run, "invoices")``."""

    period: str
    document_id: str
    partner: str
    billed_to: str
    client: str | None
    currency: str
    kind: str
    description: str
    metric: str | None
    item: str | None
    user: str | None
    original_period: str | None
    quantity: Decimal
    unit_price: Decimal | None
    rate: Decimal | None
    amount: Decimal
    model: str | None
    tiers: str | None


class ReferralLineRow(TypedDict):
    """One referral statement line: what the platform owes the partner (not a charge)."""

    period: str
    document_id: str
    partner: str
    client: str
    currency: str
    description: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    partner_tier: str | None
    trailing_revenue: Decimal | None


class ContentRevenueRow(TypedDict):
    """One content-revenue line of a referral statement: the partner's share of a charge."""

    period: str
    document_id: str
    partner: str
    client: str
    currency: str
    item: str
    charge: Decimal
    share: Decimal


class RevenueRow(TypedDict):
    """One month and partner of a billing range (``BillingRange.to_rows()``)."""

    period: str
    partner: str
    currency: str
    partner_invoice: Decimal
    client_invoices: Decimal
    billed: Decimal
    referral: Decimal
    content_revenue: Decimal


class TimelineRow(TypedDict):
    """One interval of a licence timeline; ``until`` is ``None`` when open-ended."""

    state: str
    start: datetime
    until: datetime | None


Table = Literal["invoices", "referrals", "content_revenue"]

_INVOICE_COLUMNS = tuple(InvoiceLineRow.__annotations__)
_REFERRAL_COLUMNS = tuple(ReferralLineRow.__annotations__)
_CONTENT_COLUMNS = tuple(ContentRevenueRow.__annotations__)
_REVENUE_COLUMNS = tuple(RevenueRow.__annotations__)
_TIMELINE_COLUMNS = tuple(TimelineRow.__annotations__)


def invoice_line_rows(run: BillingRun) -> list[InvoiceLineRow]:
    """Every invoice line of ``run``: charges only, never a referral."""
    rows = [row for row in run_rows(run) if row["document"] == "invoice"]
    return [cast(InvoiceLineRow, {c: row[c] for c in _INVOICE_COLUMNS}) for row in rows]


def referral_line_rows(statements: Iterable[ReferralStatement]) -> list[ReferralLineRow]:
    """Every referral line of ``statements`` (what the platform owes each partner)."""
    rows = []
    for statement in statements:
        for row in statement_rows(statement):
            if row["kind"] == "referral":
                rows.append(cast(ReferralLineRow, {c: row[c] for c in _REFERRAL_COLUMNS}))
    return rows


def content_revenue_rows(statements: Iterable[ReferralStatement]) -> list[ContentRevenueRow]:
    """Every content-revenue line of ``statements``."""
    rows = []
    for statement in statements:
        for row in statement_rows(statement):
            if row["kind"] == "content_revenue":
                values = {c: row.get(c) for c in _CONTENT_COLUMNS}
                values["charge"], values["share"] = row["base"], row["amount"]
                rows.append(cast(ContentRevenueRow, values))
    return rows


def timeline_rows(intervals: Iterable[LicenseInterval]) -> list[TimelineRow]:
    """A licence timeline (``Scenario.timeline(...)``) as rows."""
    return [
        {"state": interval.state.value, "start": interval.start, "until": interval.end}
        for interval in intervals
    ]


def to_frame(source: object, table: Table = "invoices", *, numbers: Numbers = "decimal") -> Any:
    """A ``pandas.DataFrame`` of a billing run, range, referral statement or licence timeline.

    - a :class:`~partnercore.billing.BillingRun`: ``table`` picks its invoice lines
      (``"invoices"``, the default: charges only), its referral lines (``"referrals"``) or
      its content-revenue lines (``"content_revenue"``), each in its own frame so that
      grouping invoices by payer never adds a referral in;
    - a :class:`~partnercore.scenario.BillingRange`: a row per month and partner;
    - a :class:`~partnercore.billing.ReferralStatement`: its referral lines (or its
      content-revenue lines with ``table="content_revenue"``);
    - a licence timeline (a sequence of :class:`~partnercore.licensing.LicenseInterval`):
      a row per interval, ``start`` and ``until`` as UTC datetimes.

    ``numbers="float"`` gives ``float64`` money columns (to plot and aggregate);
    ``"decimal"`` (the default) keeps them exact.
    """
    from partnercore.billing import BillingRun, ReferralStatement
    from partnercore.licensing import LicenseInterval

    if isinstance(source, BillingRun):
        return _run_frame(source, source.referrals, table, numbers)
    if isinstance(source, ReferralStatement):
        return _run_frame(None, (source,), table, numbers)
    if isinstance(source, list | tuple) and all(isinstance(i, LicenseInterval) for i in source):
        rows = timeline_rows(source)
        return frame_of_rows(rows, _TIMELINE_COLUMNS, dates=("start", "until"))
    to_rows = getattr(source, "to_rows", None)
    if callable(to_rows) and hasattr(source, "periods"):  # a BillingRange
        return frame_of_rows(to_rows(), _REVENUE_COLUMNS, numbers=numbers)
    raise ValidationError.at(
        "source",
        "expected a BillingRun, BillingRange, ReferralStatement or licence timeline, "
        f"got {type(source).__name__}",
    )


def _run_frame(
    run: BillingRun | None,
    statements: Iterable[ReferralStatement],
    table: str,
    numbers: Numbers,
) -> Any:
    if table == "invoices" and run is not None:
        return frame_of_rows(invoice_line_rows(run), _INVOICE_COLUMNS, numbers=numbers)
    if table == "referrals":
        return frame_of_rows(referral_line_rows(statements), _REFERRAL_COLUMNS, numbers=numbers)
    if table == "content_revenue":
        rows = content_revenue_rows(statements)
        return frame_of_rows(rows, _CONTENT_COLUMNS, numbers=numbers)
    expected = (
        "'referrals' or 'content_revenue'"
        if run is None
        else ("'invoices', 'referrals' or 'content_revenue'")
    )
    raise ValidationError.at("table", f"expected {expected}, got {table!r}")
