"""Reading scenario files: TOML text in, a checked Document or a fully built Scenario out."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from partnercore._errors import Problem, ValidationError
from partnercore.scenario._cross_checks import CrossChecks, id_spaces
from partnercore.scenario._document import (
    ARRAYS,
    TABLES,
    Document,
    format_problems,
    read_tables,
)
from partnercore.scenario._scenario import Scenario

__all__ = ["document_of", "load", "loads", "parse_toml", "read_document"]


def parse_toml(text: str) -> dict[str, Any]:
    """TOML text as plain data; malformed TOML is a :class:`~partnercore.ValidationError`."""
    if not isinstance(text, str):
        raise ValidationError.at("", f"expected TOML text, got {type(text).__name__}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError.at("", f"not valid TOML: {error}") from None
    except RecursionError:
        raise ValidationError.at("", "not valid TOML: nested too deeply") from None


def document_of(data: Mapping[str, Any]) -> Document:
    """Parsed TOML checked against the scenario format: a Document, or every problem found.

    Each entry is read through the converter; then the checks across entries run, even
    when some entries have problems (an id counts as known when its table writes it, so
    one broken entry does not cascade into many). ``data`` is left as it was.
    """
    return _checked(data, consume=False)


def read_document(text: str) -> Document:
    """TOML text checked against the scenario format: a Document, or one
    :class:`~partnercore.ValidationError` listing every problem found."""
    # The parsed tables are nobody else's: each is freed as soon as its entry is made.
    return _checked(parse_toml(text), consume=True)


def _checked(data: Mapping[str, Any], *, consume: bool) -> Document:
    problems: list[Problem] = list(format_problems(data, TABLES))
    spaces = id_spaces(data)  # before the tables are read (and, when consumed, let go)
    names = (*ARRAYS, "license_policy", "invoicing")
    tables, positions = read_tables(data, names, problems, consume=consume)
    document = Document(**tables)
    problems.extend(CrossChecks(document, positions).all(spaces))
    if problems:
        raise ValidationError(problems)
    return document


def loads(text: str, *, name: str | None = None) -> Scenario:
    """The scenario written in ``text`` (TOML), built on the in-memory store; ``name`` is
    what it shows as (``<Scenario 'name': ...>``).

    Every problem in the text raises one :class:`~partnercore.ValidationError` listing them
    all, each naming the table, the entry (position and id), the key and what is wrong.
    """
    return Scenario(read_document(text), name=name)


def load(path: str | os.PathLike[str]) -> Scenario:
    """The scenario in the file at ``path`` (see :func:`loads`), named after the file
    (``world.toml``: ``'world'``).

    A file that cannot be read raises :class:`OSError`; one that is not UTF-8 text raises
    :class:`~partnercore.ValidationError`.
    """
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError.at("", f"not UTF-8 text (byte {error.start})") from None
    return loads(text, name=Path(path).stem)
