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

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["trusted", "trusted_builder"]

_T = TypeVar("_T")

_new = object.__new__

#: Per class built, a function taking its fields by keyword and filling a new instance.
_BUILDERS: dict[type, Any] = {}


def _builder(cls: type) -> Any:
    fields = attrs.fields(cls)
    if any(not field.init or field.alias != field.name for field in fields):
        raise AssertionError(f"{cls.__name__} computes or renames fields: build it normally")
    if "__dict__" in dir(cls) or not hasattr(cls, "__slots__"):
        raise AssertionError(f"{cls.__name__} is not slotted: build it normally")
    names = [field.name for field in fields]
    # One generated function per class (as attrs generates __init__): a keyword per field,
    # each stored through the slot's own setter, frozen or not.
    namespace: dict[str, Any] = {"_new": _new, "_cls": cls}
    lines = ["def build(*, " + ", ".join(names) + "):", "    self = _new(_cls)"]
    for number, name in enumerate(names):
        namespace[f"_set{number}"] = getattr(cls, name).__set__
        lines.append(f"    _set{number}(self, {name})")
    lines.append("    return self")
    exec("\n".join(lines), namespace)  # the field names come from attrs, never from input
    build = namespace["build"]
    build.fields = frozenset(names)
    _BUILDERS[cls] = build
    return build


def trusted_builder(cls: type[_T]) -> Callable[..., _T]:
    """The function :func:`trusted` calls for ``cls``: it takes every field by keyword.

    A hot loop fetches it once (``make = trusted_builder(Money)``) and calls ``make(amount=...,
    currency=...)`` directly, saving :func:`trusted`'s lookup and keyword re-packing per
    record; the same guarantees are the caller's to keep.
    """
    build: Callable[..., _T] = _BUILDERS.get(cls) or _builder(cls)
    return build


def trusted(cls: type[_T], /, **fields: Any) -> _T:
    """An instance of the slotted attrs class ``cls`` holding ``fields`` as given.

    Equal to ``cls(**fields)`` when every value is one its converters would return unchanged
    and its validators and ``__attrs_post_init__`` would accept, which the caller
    guarantees; nothing is converted or checked. Every field is given (defaults are not
    applied), and ``cls`` has no field computed after ``__init__``.
    """
    build = _BUILDERS.get(cls) or _builder(cls)
    try:
        instance: _T = build(**fields)
    except TypeError:
        unknown = sorted(set(fields) - build.fields)
        if unknown:
            raise AssertionError(f"{cls.__name__} has no field {unknown[0]!r}") from None
        raise AssertionError(
            f"{cls.__name__} needs exactly its fields {sorted(build.fields)}"
        ) from None
    return instance
