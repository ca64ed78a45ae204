"""Boundary checks every package shares: ids, non-blank text, enum values, instants, types.

Each check returns the value it accepts (so it serves as the body of an attrs converter) or
raises :class:`ValidationError` naming ``path``; the ``*_validator`` functions are the same
checks as attrs validators, naming the field. They run on every record built, so the
common case (an exact ``str``, a member of the enum) is decided before anything slower.

Free text (names, titles, e-mail addresses, metrics) is one line of Unicode that can be
written as UTF-8: a lone surrogate (``"\\ud800"``, which has no UTF-8 form, so no store,
file or terminal can hold it) and control characters (category ``Cc``: NUL, tab, line breaks, DEL,
C1) are refused. Ids are ASCII by their own rule.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from partnercore._errors import ValidationError
from partnercore.time import ensure_aware

__all__ = [
    "ID_RULE",
    "check_id",
    "check_instance",
    "check_text",
    "enum_error",
    "id_validator",
    "is_id",
    "optional_id",
    "optional_id_validator",
    "optional_instant",
    "optional_text_validator",
    "text_validator",
    "to_enum",
]

E = TypeVar("E", bound=enum.StrEnum)
T = TypeVar("T")

_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

ID_RULE = "1-64 characters of [A-Za-z0-9._-]"
"""The library's one id rule, as messages spell it (records, events and scenario files)."""

#: What free text may not hold: control characters (Unicode category Cc) and surrogates
#: (category Cs; in a ``str`` a surrogate is always a lone one, and cannot be encoded).
_ODD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@lru_cache(maxsize=1 << 16)
def is_id(value: str) -> bool:
    """Whether the string ``value`` is an id (:data:`ID_RULE`)."""
    # ids repeat (every record of a client names it): a cache hit is cheaper than the regex
    return _ID.fullmatch(value) is not None


def check_id(value: object, path: str) -> str:
    """``value`` if it is an id (1-64 characters of ``[A-Za-z0-9._-]``), else ValidationError."""
    if value.__class__ is not str or not is_id(value):
        raise _not_an_id(value, path)
    return value


def _not_an_id(value: object, path: str) -> ValidationError:
    return ValidationError.at(path, f"expected an id ({ID_RULE}), got {value!r}")


def optional_id(value: object, path: str) -> str | None:
    """Like :func:`check_id`, letting ``None`` through."""
    return None if value is None else check_id(value, path)


def check_text(value: object, path: str) -> str:
    """``value`` if it is a string with something other than white space and no control
    character or lone surrogate, else ValidationError."""
    if not isinstance(value, str) or not value.strip():
        raise _not_text(value, path)
    odd = _ODD.search(value)
    if odd is not None:
        raise _odd_text(value, odd.start(), path)
    return value


def _not_text(value: object, path: str) -> ValidationError:
    return ValidationError.at(path, f"expected non-blank text, got {value!r}")


def _odd_text(value: str, index: int, path: str) -> ValidationError:
    # repr() escapes the odd character, so the message itself can be written as UTF-8
    return ValidationError.at(
        path,
        "expected text without control characters or lone surrogates, "
        f"got {value!r} (U+{ord(value[index]):04X} at index {index})",
    )


def to_enum(enum_type: type[E], value: object, path: str) -> E:
    """``value`` as a member of ``enum_type``: a member, or exactly a member's value (its
    spelling in the specification); anything else is a ValidationError listing the values."""
    if value.__class__ is enum_type:
        return value
    if isinstance(value, str):
        try:
            return enum_type(value)
        except ValueError:
            pass
    raise enum_error(enum_type, value, path)


def enum_error(enum_type: type[enum.Enum], value: object, path: str) -> ValidationError:
    """The error for a ``value`` that is none of ``enum_type``'s members, listing their values."""
    allowed = ", ".join(str(member.value) for member in enum_type)
    return ValidationError.at(path, f"expected one of {allowed}, got {value!r}")


def optional_instant(value: object, path: str = "at") -> datetime | None:
    """``value`` as an aware UTC datetime (:func:`~partnercore.time.ensure_aware`), or ``None``."""
    return None if value is None else ensure_aware(value, path)


def check_instance(value: object, kind: type[T], path: str) -> T:
    """``value`` if it is a ``kind`` (a record handed to a store, say), else ValidationError."""
    if not isinstance(value, kind):
        raise ValidationError.at(path, f"expected a {kind.__name__}, got {value!r}")
    return value


# -- attrs validators: they name the field they check (the checks above, inlined: they run
# for every field of every record built) ----------------------------------------------------


def id_validator(_: object, attribute: Any, value: Any) -> None:
    """An attrs validator for id fields."""
    if value.__class__ is not str or not is_id(value):
        raise _not_an_id(value, attribute.name)


def optional_id_validator(_: object, attribute: Any, value: Any) -> None:
    """An attrs validator for optional id fields (``None`` or an id)."""
    if value is not None and (value.__class__ is not str or not is_id(value)):
        raise _not_an_id(value, attribute.name)


def text_validator(_: object, attribute: Any, value: Any) -> None:
    """An attrs validator for non-blank text fields (see :func:`check_text`)."""
    if not isinstance(value, str) or not value.strip():
        raise _not_text(value, attribute.name)
    odd = _ODD.search(value)
    if odd is not None:
        raise _odd_text(value, odd.start(), attribute.name)


def optional_text_validator(_: object, attribute: Any, value: Any) -> None:
    """An attrs validator for optional non-blank text fields (``None`` or text)."""
    if value is not None:
        text_validator(_, attribute, value)
