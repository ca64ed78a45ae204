"""Building a record from values already known to be valid, without checking them again.

A hot path (the billing calculator, the in-memory usage aggregation) builds many records from
values it has just checked or computed: whole minor units of one currency, totals that are
the integer sums of their lines, ids read from checked records. Running every converter,
validator and ``__attrs_post_init__`` again would only repeat what is already known.
:func:`trusted` builds such a record directly. It is the one place in the library that
skips a record's ``__init__``; the test-suite checks, for every class it is used on, that it
gives a record equal (field by field, exponents included) to ``cls(**fields)``.

Everything else (a host, the converter, a test) goes through the checking constructors.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

__all__ = ["trusted"]

_T = TypeVar("_T")

_new = object.__new__

#: Per class built, each field's slot setter by name.
_SETTERS: dict[type, dict[str, Any]] = {}


def _setters(cls: type) -> dict[str, Any]:
    fields = attrs.fields(cls)
    if any(not field.init or field.alias != field.name for field in fields):
        raise AssertionError(f"{cls.__name__} computes or renames fields: build it normally")
    if "__dict__" in dir(cls) or not hasattr(cls, "__slots__"):
        raise AssertionError(f"{cls.__name__} is not slotted: build it normally")
    setters = {field.name: getattr(cls, field.name).__set__ for field in fields}
    _SETTERS[cls] = setters
    return setters


def trusted(cls: type[_T], /, **fields: Any) -> _T:
    """An instance of the slotted attrs class ``cls`` holding ``fields`` as given.

    Equal to ``cls(**fields)`` when every value is one its converters would return unchanged
    and its validators and ``__attrs_post_init__`` would accept, which the caller
    guarantees; nothing is converted or checked. Every field is given (defaults are not
    applied), and ``cls`` has no field computed after ``__init__``.
    """
    setters = _SETTERS.get(cls) or _setters(cls)
    if len(fields) != len(setters):
        raise AssertionError(f"{cls.__name__} needs exactly its fields {sorted(setters)}")
    instance = _new(cls)
    try:
        for name, value in fields.items():
            setters[name](instance, value)  # the slot's own setter: frozen or not
    except KeyError as unknown:
        raise AssertionError(f"{cls.__name__} has no field {unknown}") from None
    return instance
