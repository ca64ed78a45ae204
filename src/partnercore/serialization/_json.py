"""JSON in and out through a converter."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import cattrs

from partnercore._errors import ValidationError
from partnercore.serialization._converter import structure, unstructure

__all__ = ["from_json", "to_json"]

T = TypeVar("T")


def to_json(
    obj: Any, *, converter: cattrs.Converter | None = None, indent: int | None = None
) -> str:
    """``obj`` as JSON text (no floats: decimals and money are strings)."""
    return json.dumps(unstructure(obj, converter=converter), indent=indent, ensure_ascii=False)


def _no_floats(text: str) -> Any:
    raise ValidationError.at("", f"float {text} rejected: write money and decimals as strings")


def from_json(text: str | bytes, cl: type[T], *, converter: cattrs.Converter | None = None) -> T:
    """Parse JSON text into a ``cl``; floats and malformed JSON raise ValidationError."""
    try:
        data = json.loads(text, parse_float=_no_floats)
    except json.JSONDecodeError as error:
        raise ValidationError.at("", f"malformed JSON: {error}") from None
    return structure(data, cl, converter=converter)
