"""Notebook helpers: pandas DataFrames and revenue plots.

DataFrames need the optional ``pandas`` extra (``pip install "partnercore[pandas]"``),
plotting the ``notebook`` extra (matplotlib and pandas: ``pip install
"partnercore[notebook]"``). Both are imported only when used; nothing else in the library
imports them.
"""

from partnercore.notebook._frames import (
    ContentRevenueRow,
    InvoiceLineRow,
    ReferralLineRow,
    RevenueRow,
    TimelineRow,
    to_frame,
)
from partnercore.notebook._plots import plot_revenue, revenue_series

__all__ = [
    "ContentRevenueRow",
    "InvoiceLineRow",
    "ReferralLineRow",
    "RevenueRow",
    "TimelineRow",
    "plot_revenue",
    "revenue_series",
    "to_frame",
]
