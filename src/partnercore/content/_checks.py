"""The checks only content records make: the platform owner, users, display text, flags and
versions.

The checks every package shares (ids, enum values, text, instants) are in
``partnercore._fields``; this module adds what is particular to content.
"""

from __future__ import annotations

from typing import Any

from partnercore._errors import ValidationError
from partnercore._fields import check_text, optional_id

__all__ = [
    "PLATFORM",
    "user_id",
    "valid_flag",
    "valid_flag_value",
    "valid_text",
    "version_number",
]

PLATFORM = "platform"
"""The owner of the open library's items."""


def user_id(value: object) -> str | None:
    """An attrs converter for ``by`` in records: a user id, or ``None`` for an act of the
    platform (:data:`~partnercore.events.SYSTEM`)."""
    return optional_id(value, "by")


def version_number(value: object, path: str = "version") -> int:
    """A version: an integer from 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.at(path, f"expected an integer version, got {value!r}")
    if value < 1:
        raise ValidationError.at(path, f"versions start at 1, got {value}")
    return value


# -- attrs validators: they name the field they check ---------------------------------


def valid_text(_: object, attribute: Any, value: Any) -> None:
    """Non-blank display text of at most 200 characters."""
    check_text(value, attribute.name)
    if len(value) > 200:
        raise ValidationError.at(attribute.name, f"at most 200 characters, got {len(value)}")


def valid_flag_value(value: object, path: str) -> bool:
    """``value`` if it is ``True`` or ``False``, else ValidationError naming ``path``."""
    if not isinstance(value, bool):
        raise ValidationError.at(path, f"expected true or false, got {value!r}")
    return value


def valid_flag(_: object, attribute: Any, value: Any) -> None:
    valid_flag_value(value, attribute.name)
