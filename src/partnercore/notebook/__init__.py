"""Notebook helpers. Plotting needs the optional ``notebook`` extra (matplotlib):
``pip install "partnercore[notebook]"``. Nothing else in the library imports matplotlib.
"""

from partnercore.notebook._plots import plot_revenue, revenue_series

__all__ = ["plot_revenue", "revenue_series"]
