"""Scenario documents: TOML text and mutations of the checked-in world."""

from __future__ import annotations

import copy
import functools
import tomllib
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import strategies as st


@functools.cache
def scenario_world() -> dict[str, Any]:
    """The checked-in scenario every mutation starts from (parsed TOML; copy before changing)."""
    path = Path(__file__).resolve().parent.parent / "data" / "world.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


_SCENARIO_OFFSETS = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30)))


def _toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def toml_value(value: object) -> str:
    """``value`` as an inline TOML value (tables inline, arrays on one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_toml_string(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"not a TOML value: {value!r}")


def toml_text(document: dict[str, Any]) -> str:
    """A parsed TOML document written back as TOML text (``tomllib.loads`` gives it back)."""
    return "".join(f"{_toml_string(str(k))} = {toml_value(v)}\n" for k, v in document.items())


def toml_scalars() -> st.SearchStrategy[object]:
    """Any TOML scalar: strings, integers, floats (nan, inf), booleans, datetimes with and
    without an offset, dates and times."""
    return st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
        st.sampled_from(["2026-11", "*", "", "reseller", "c1", "acme", "0.20", "-1", "1e3"]),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.datetimes(timezones=st.sampled_from(_SCENARIO_OFFSETS) | st.none()),
        st.dates(),
        st.times(),
    )


def toml_values() -> st.SearchStrategy[object]:
    """Any TOML value, arrays and tables nested a few levels deep."""
    keys = st.text(st.characters(exclude_categories=("Cs",)), max_size=8) | st.sampled_from(
        ["id", "team", "at", "from", "metric", "usage", "partner", "client"]
    )
    return st.recursive(
        toml_scalars(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=6,
    )


def _scenario_paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            paths.extend(_scenario_paths(value, (*prefix, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            paths.extend(_scenario_paths(value, (*prefix, index)))
    return paths


def _scenario_mutate(document: Any, path: tuple[Any, ...], action: str, value: object) -> None:
    *parents, last = path
    container = document
    for step in parents:
        container = container[step]
    if action == "drop":
        del container[last]
    elif action == "replace":
        container[last] = value
    elif action == "add" and isinstance(container[last], dict):
        container[last][str(value)[:10] or "x"] = value
    elif action == "duplicate" and isinstance(container, list):
        container.insert(int(last), copy.deepcopy(container[last]))
    else:
        container[last] = value


def _scenario_words(document: Any) -> list[str]:
    """Every string in the document (ids, enum values, names): plausible replacements."""
    if isinstance(document, str):
        return [document]
    values = document.values() if isinstance(document, dict) else document
    if isinstance(values, list) or isinstance(document, dict):
        return sorted({word for value in values for word in _scenario_words(value)})
    return []


@functools.cache
def _world_words() -> list[str]:
    return _scenario_words(scenario_world())


def _plausible(draw: st.DrawFn, current: object) -> object:
    """A value of the same type as ``current``: another id or enum value, another aware
    instant, another small number: wrong in meaning, right in type (reaches the domain)."""
    if isinstance(current, bool):
        return not current
    if isinstance(current, int):
        return draw(st.integers(-2, 40))
    if isinstance(current, str):
        return draw(st.sampled_from(_world_words()))
    if isinstance(current, datetime):
        return draw(
            st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1)).map(
                lambda at: at.replace(microsecond=0, tzinfo=UTC)
            )
        )
    return draw(toml_values())


@st.composite
def mutated_scenarios(draw: st.DrawFn, max_mutations: int = 3) -> dict[str, Any]:
    """The checked-in scenario with a few random changes: keys dropped, values replaced by
    anything (wrong types, floats, naive datetimes, random strings) or by plausible values
    of the right type (another id, enum value or instant), keys and tables added, entries
    duplicated."""
    document = copy.deepcopy(scenario_world())
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = _scenario_paths(document)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(
            st.sampled_from(["drop", "replace", "plausible", "plausible", "add", "duplicate"])
        )
        if action == "plausible":
            current: Any = document
            for step in path:
                current = current[step]
            _scenario_mutate(document, path, "replace", _plausible(draw, current))
        else:
            _scenario_mutate(document, path, action, draw(toml_values()))
    if draw(st.booleans()):
        document[draw(st.sampled_from(["widgets", "format", "usage", "license_policy"]))] = draw(
            toml_values()
        )
    return document
