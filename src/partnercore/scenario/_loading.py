"""Reading scenario files: TOML text in, a checked and fully built Scenario out."""

from __future__ import annotations

import os
import tomllib
from typing import Any

from partnercore._errors import ValidationError
from partnercore.scenario._document import Document, read_document
from partnercore.scenario._scenario import Scenario

__all__ = ["load", "loads", "parse", "read"]


def parse(text: str) -> dict[str, Any]:
    """TOML text as plain data; malformed TOML is a :class:`~partnercore.ValidationError`."""
    if not isinstance(text, str):
        raise ValidationError.at("", f"expected TOML text, got {type(text).__name__}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError.at("", f"not valid TOML: {error}") from None
    except RecursionError:
        raise ValidationError.at("", "not valid TOML: nested too deeply") from None


def read(text: str) -> Document:
    """TOML text checked against the scenario format: a Document, or every problem found."""
    return read_document(parse(text))


def loads(text: str) -> Scenario:
    """The scenario written in ``text`` (TOML), built on the in-memory store.

    Every problem in the text raises one :class:`~partnercore.ValidationError` listing them
    all, each naming the table, the entry (position and id), the key and what is wrong.
    """
    return Scenario(read(text))


def load(path: str | os.PathLike[str]) -> Scenario:
    """The scenario in the file at ``path`` (see :func:`loads`).

    A file that cannot be read raises :class:`OSError`; one that is not UTF-8 text raises
    :class:`~partnercore.ValidationError`.
    """
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError.at("", f"not UTF-8 text (byte {error.start})") from None
    return loads(text)
