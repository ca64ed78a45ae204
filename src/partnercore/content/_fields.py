"""Field checks shared by the content records: ids, enums, instants, versions."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any, TypeVar

from partnercore._errors import ValidationError
from partnercore.time import ensure_aware

__all__ = [
    "PLATFORM",
    "check_id",
    "enum_value",
    "instant",
    "optional_id",
    "optional_instant",
    "user_id",
    "valid_flag",
    "valid_id",
    "valid_text",
    "valid_version",
    "version_number",
]

PLATFORM = "platform"
"""The owner of the open library's items."""

_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

E = TypeVar("E", bound=enum.StrEnum)


def check_id(value: object, path: str) -> str:
    """``value`` as an id: 1-64 characters of ``[A-Za-z0-9._-]``."""
    if type(value) is not str or _ID.fullmatch(value) is None:
        raise ValidationError.at(path, f"not an id (1-64 characters of [A-Za-z0-9._-]): {value!r}")
    return value


def optional_id(value: object, path: str) -> str | None:
    return None if value is None else check_id(value, path)


def user_id(value: object) -> str | None:
    """An attrs converter for ``by``: a user id, or ``None`` for an act of the host system."""
    return optional_id(value, "by")


def enum_value(kind: type[E], value: object, path: str) -> E:
    """``value`` as a member of ``kind`` (its spelling in the spec), else a ValidationError."""
    if isinstance(value, kind):
        return value
    try:
        return kind(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        allowed = " | ".join(member.value for member in kind)
        raise ValidationError.at(path, f"expected {allowed}, got {value!r}") from None


def instant(value: object, path: str = "at") -> datetime:
    """A timezone-aware instant, in UTC."""
    return ensure_aware(value, path)


def optional_instant(value: object, path: str = "at") -> datetime | None:
    return None if value is None else ensure_aware(value, path)


def version_number(value: object, path: str = "version") -> int:
    """A version: an integer from 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.at(path, f"expected an integer version, got {value!r}")
    if value < 1:
        raise ValidationError.at(path, f"versions start at 1, got {value}")
    return value


# -- attrs validators: they name the field they check ---------------------------------


def valid_id(_: object, attribute: Any, value: Any) -> None:
    check_id(value, attribute.name)


def valid_text(_: object, attribute: Any, value: Any) -> None:
    """Non-blank display text of at most 200 characters."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.at(attribute.name, f"expected non-blank text, got {value!r}")
    if len(value) > 200:
        raise ValidationError.at(attribute.name, f"at most 200 characters, got {len(value)}")


def valid_flag(_: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, bool):
        raise ValidationError.at(attribute.name, f"expected true or false, got {value!r}")


def valid_version(_: object, attribute: Any, value: Any) -> None:
    version_number(value, attribute.name)
