"""JSON in and out through a converter."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import cattrs

from partnercore._errors import Problem, ValidationError
from partnercore.serialization._converter import structure, unstructure

__all__ = ["from_json", "to_json"]

T = TypeVar("T")


def to_json(
    obj: Any, *, converter: cattrs.Converter | None = None, indent: int | None = None
) -> str:
    """``obj`` as JSON text (no floats: decimals and money are strings)."""
    return json.dumps(unstructure(obj, converter=converter), indent=indent, ensure_ascii=False)


class _Float:
    """Where the JSON text had a float: rejected, with its path, after parsing."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _floats(data: Any, path: str) -> list[Problem]:
    if isinstance(data, _Float):
        message = f"float {data.text} rejected: write money and decimals as strings"
        return [Problem(path, message)]
    found: list[Problem] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_floats(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_floats(value, f"{path}[{index}]"))
    return found


def from_json(text: str | bytes, cl: type[T], *, converter: cattrs.Converter | None = None) -> T:
    """Parse JSON text into a ``cl``; floats and malformed JSON raise ValidationError.

    Every float (``1.5``, ``1e3``, ``NaN``, ``Infinity``) is reported with its path: money
    and decimals travel as strings.
    """
    try:
        data = json.loads(text, parse_float=_Float, parse_constant=_Float)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError.at("", f"malformed JSON: {error}") from None
    except RecursionError:
        raise ValidationError.at("", "malformed JSON: nested too deeply") from None
    floats = _floats(data, "")
    if floats:
        raise ValidationError(floats)
    return structure(data, cl, converter=converter)
