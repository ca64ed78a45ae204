"""Files of changes: the event tables of the scenario format, applied to an existing store.

A file of changes is a scenario file holding only the tables that record what happens in a
world that already exists (:data:`~partnercore.scenario.CHANGE_TABLES`: memberships, grants,
consent, licence events, usage, installs, pushes, onboardings), and optionally ``format`` and
``[license_policy]`` (the policy of the licences its onboardings open). Its entries are
checked against the format as a scenario's are; the ids they name are checked against the
store when the changes are applied (:func:`~partnercore.scenario.apply_changes`), since the
file does not declare them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from partnercore._errors import Problem, ValidationError
from partnercore.scenario._document import (
    ARRAYS,
    FORMAT,
    Document,
    LicensePolicyEntry,
    _duplicates,
    _read_arrays,
    _rule_problems,
)
from partnercore.scenario._loading import parse
from partnercore.scenario._schema import describe, join_path, parse_entry
from partnercore.scenario._world import CHANGE_TABLES

__all__ = ["read_changes", "read_changes_data"]


def read_changes(text: str) -> Document:
    """TOML text checked as a file of changes: a Document holding only the event tables.

    Every problem found (a table a file of changes may not hold, unknown keys, wrong types,
    a grant id used twice, ...) is listed in one :class:`~partnercore.ValidationError`.
    """
    return read_changes_data(parse(text))


def read_changes_data(data: Mapping[str, Any]) -> Document:
    """Parsed TOML checked as a file of changes (see :func:`read_changes`)."""
    problems: list[Problem] = []
    allowed = ("format", "license_policy", *CHANGE_TABLES)
    for name in data:
        if name in allowed:
            continue
        if name in ARRAYS:
            message = (
                f"not allowed in a file of changes, which holds only {', '.join(CHANGE_TABLES)} "
                "(declare it in the scenario imported first)"
            )
        else:
            message = f"unknown table or key; expected one of {', '.join(sorted(allowed))}"
        problems.append(Problem(join_path("", str(name)), message))
    if "format" in data:
        version = data["format"]
        if isinstance(version, bool) or version != FORMAT:
            problems.append(
                Problem("format", f"unsupported format {describe(version)}; expected {FORMAT}")
            )
    events = {name: data[name] for name in CHANGE_TABLES if name in data}
    tables = _read_arrays(events, problems)
    if "license_policy" in data:
        policy, found = parse_entry(LicensePolicyEntry, data["license_policy"], "license_policy")
        problems.extend(found)
        if policy is not None:
            tables["license_policy"] = policy
    document = Document(**tables)
    problems.extend(_duplicates(document, (("grants", "grants", "id"),)))
    problems.extend(_rule_problems(document))
    if problems:
        raise ValidationError(problems)
    return document
