"""Plain-text tables: columns aligned with spaces, numbers to the right."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["indent", "table"]

_NUMBER = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?%?$")


def _numeric(column: Sequence[str]) -> bool:
    values = [cell for cell in column if cell not in ("", "-")]
    return bool(values) and all(_NUMBER.match(cell) for cell in values)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """``rows`` under ``headers``, every column as wide as its widest cell.

    Columns whose cells are all numbers are right-aligned; ``None`` prints as ``-``.
    Trailing spaces are never printed.
    """
    cells = [[("-" if cell is None else str(cell)) for cell in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    right = [_numeric([row[index] for row in cells]) for index in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[index]) if right[index] else cell.ljust(widths[index])
            for index, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    rule = ["-" * width for width in widths]
    return "\n".join([line(list(headers)), line(rule), *(line(row) for row in cells)])


def indent(text: str, prefix: str = "  ") -> str:
    """Every non-empty line of ``text`` with ``prefix`` in front."""
    return "\n".join(prefix + line if line else line for line in text.split("\n"))
