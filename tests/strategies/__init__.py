"""Hypothesis strategies shared by the tests, one module per package they serve."""
