"""What every contract hands a store to check that it keeps its promises on bad input.

- :data:`NOT_RECORDS`: values of the wrong type for a write. A store refuses each with
  :class:`~partnercore.ValidationError` and changes nothing.
- :data:`ODD_KEYS`: lookup keys no record can have (not strings, or strings no id can be:
  empty, blank, lone surrogates, NUL, very long, emoji, another case or a trailing space).
  A lookup by one finds nothing: ``find`` gives ``None``, ``get`` raises
  :class:`~partnercore.NotFoundError`, a list lookup gives an empty result; never a raw
  error from a driver or a dictionary.
- :data:`ODD_TEXTS`: free text (names, e-mail addresses, details) a store keeps exactly.
- :data:`TROUBLESOME_TEXTS`: text (control characters, lone surrogates) that records or the
  store may refuse with :class:`~partnercore.ValidationError`; if kept, it is kept exactly
  (:func:`kept_or_refused`).
- :func:`hostile_decimal_context`: a caller's decimal context that a store must not use.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from partnercore._errors import PartnercoreError, ValidationError
from partnercore.time import BillingPeriod

__all__ = [
    "NOT_RECORDS",
    "ODD_KEYS",
    "ODD_TEXTS",
    "REFUSED_OR_KEPT",
    "TROUBLESOME_TEXTS",
    "answers",
    "hostile_decimal_context",
    "kept_or_refused",
    "label",
]

T = TypeVar("T")

#: Values of every wrong type for a write: nothing, numbers, text, bytes, containers and a
#: value object of the library that no store keeps.
NOT_RECORDS: tuple[object, ...] = (
    None,
    0,
    7.5,
    "p1",
    b"p1",
    ["p1"],
    ("p1",),
    {"id": "p1"},
    BillingPeriod(2026, 1),
)

#: Lookup keys no stored record can have, next to the ids ``p1`` and ``c1`` the contracts store.
ODD_KEYS: tuple[object, ...] = (
    None,
    7,
    b"p1",
    ["p1"],
    ("p1",),
    {"p1": 1},
    "",
    " ",
    "P1",
    "p1 ",
    "p1\x00",
    "\x00",
    "\ud800x",
    "p1\udfff",
    "\U0001f680",
    "p" * 100_000,
)

#: Free text that must come back exactly: emoji and other characters beyond the BMP,
#: combining marks, right-to-left text, quotes and backslashes, and a very long string.
ODD_TEXTS: tuple[str, ...] = (
    "Acme \U0001f680 \U0001d518nited",
    "e\u0301cole \u05e9\u05dc\u05d5\u05dd \u4e2d\u6587",
    "'single' \"double\" \\ back; 100% _under_ --",
    "A" * 100_000,
)

#: Text that records may refuse (NUL and other control characters, lone surrogates): each is
#: refused (by the record or the store, storing nothing) or kept exactly; never a raw error.
TROUBLESOME_TEXTS: tuple[str, ...] = (
    "Acme\x00Advisory",
    "line\nbreak\ttab",
    "Acme \ud800",
    "\udfffAcme",
)


def hostile_decimal_context() -> decimal.Context:
    """A caller's context that rounds at five digits, down, and traps any rounding at all."""
    return decimal.Context(
        prec=5,
        rounding=decimal.ROUND_DOWN,
        traps=[
            decimal.Inexact,
            decimal.Rounded,
            decimal.InvalidOperation,
            decimal.DivisionByZero,
            decimal.Overflow,
        ],
    )


def label(value: object) -> str:
    """A short, readable name for ``value`` in an assertion's report."""
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:16]}...({len(text)} chars)"


def _answer(call: Callable[..., object], args: Sequence[object]) -> str:
    try:
        result = call(*args)
    except PartnercoreError as error:
        return f"raises {type(error).__name__}"
    except Exception as error:  # a raw error is exactly what the contract reports
        return f"raises {type(error).__name__} ({label(str(error))})"
    if result is None:
        return "None"
    if isinstance(result, Sequence) and not isinstance(result, str) and len(result) == 0:
        return "nothing"
    return f"{type(result).__name__} {label(result)}"


def answers(
    call: Callable[..., object], values: Iterable[object], *fixed: object, last: bool = False
) -> dict[str, str]:
    """What ``call`` does with each of ``values``, by the value's label.

    ``"raises ValidationError"``, ``"None"``, ``"nothing"`` (an empty sequence), or what it
    returned. ``fixed`` arguments come after the value (before it with ``last=True``).
    """
    return {
        label(value): _answer(call, (*fixed, value) if last else (value, *fixed))
        for value in values
    }


#: What :func:`kept_or_refused` answers when all is well.
REFUSED_OR_KEPT = "refused or kept exactly"


def kept_or_refused(
    build: Callable[[], T], write: Callable[[T], object], read: Callable[[], object]
) -> str:
    """Whether text a store may not be able to hold (a lone surrogate) is handled cleanly.

    Either the record refuses it when built, or the store refuses it with ValidationError
    and stores nothing, or the store keeps it and gives it back exactly: then the answer is
    ``"refused or kept exactly"``. Anything else (a raw error, a half-written record) is
    described instead. ``read`` reads back what ``write`` stored (``None`` for nothing).
    """
    try:
        record = build()
    except ValidationError:
        return REFUSED_OR_KEPT
    try:
        write(record)
    except ValidationError:
        after = _answer(read, ())
        return REFUSED_OR_KEPT if after == "None" else f"refused, but then reading {after}"
    except Exception as error:  # a raw error is exactly what the contract reports
        return f"writing raises {type(error).__name__} ({label(str(error))})"
    try:
        stored = read()
    except Exception as error:  # a raw error is exactly what the contract reports
        return f"kept, but reading it raises {type(error).__name__} ({label(str(error))})"
    return REFUSED_OR_KEPT if stored == record else f"kept as {label(stored)}"
