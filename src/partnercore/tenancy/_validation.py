"""Boundary checks shared by the tenancy records: ids, enum values, instants."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from partnercore._errors import ValidationError
from partnercore.time import ensure_aware

__all__ = [
    "ALL",
    "check_id",
    "check_text",
    "id_validator",
    "instant",
    "optional_instant",
    "text_validator",
    "to_enum",
]

#: The wildcard a grant uses for "every client of the partner" or "every advisor of the partner".
ALL = "*"

_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

E = TypeVar("E", bound=StrEnum)


def check_id(value: object, field: str) -> str:
    """``value`` if it is an id (1-64 characters of ``[A-Za-z0-9._-]``), else ValidationError."""
    if type(value) is not str or _ID.fullmatch(value) is None:
        raise ValidationError.at(field, f"not an id (1-64 characters of [A-Za-z0-9._-]): {value!r}")
    return value


def check_text(value: object, field: str) -> str:
    """``value`` if it is a non-blank string, else ValidationError."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.at(field, f"expected a non-empty string, got {value!r}")
    return value


def id_validator(_: object, attribute: Any, value: str) -> None:
    """An attrs validator for id fields."""
    check_id(value, attribute.name)


def text_validator(_: object, attribute: Any, value: str) -> None:
    """An attrs validator for non-blank text fields."""
    check_text(value, attribute.name)


def to_enum(enum: type[E], value: object, field: str) -> E:
    """``value`` as a member of ``enum`` (a member or its value), else ValidationError."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    allowed = ", ".join(member.value for member in enum)
    raise ValidationError.at(field, f"expected one of {allowed}, got {value!r}")


def instant(value: object, field: str = "at") -> datetime:
    """``value`` as an aware UTC datetime (a fast path for values already in UTC)."""
    if type(value) is datetime and value.tzinfo is UTC:
        return value
    return ensure_aware(value, field)


def optional_instant(value: object, field: str) -> datetime | None:
    """Like :func:`instant`, letting ``None`` through."""
    return None if value is None else instant(value, field)
