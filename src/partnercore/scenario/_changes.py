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
from partnercore.scenario._building import CHANGE_TABLES
from partnercore.scenario._cross_checks import CrossChecks
from partnercore.scenario._document import ARRAYS, Document, format_problems, read_tables
from partnercore.scenario._loading import parse_toml

__all__ = ["read_changes"]


def read_changes(text: str) -> Document:
    """TOML text checked as a file of changes: a Document holding only the event tables.

    Every problem found (a table a file of changes may not hold, unknown keys, wrong types,
    a grant id used twice, ...) is listed in one :class:`~partnercore.ValidationError`.
    """
    return _changes_of(parse_toml(text))


def _changes_of(data: Mapping[str, Any]) -> Document:
    """Parsed TOML checked as a file of changes (see :func:`read_changes`)."""
    allowed = ("format", "license_policy", *CHANGE_TABLES)
    problems = [_not_a_change(p) if p.path in ARRAYS else p for p in format_problems(data, allowed)]
    events = {name: data[name] for name in (*CHANGE_TABLES, "license_policy") if name in data}
    tables, positions = read_tables(events, (*ARRAYS, "license_policy"), problems)
    document = Document(**tables)
    checks = CrossChecks(document, positions)
    problems.extend(checks.duplicates((("grants", "grants", "id"),)))
    problems.extend(checks.licence_event_options())
    problems.extend(checks.usage_metrics())
    problems.extend(checks.content_prices())
    if problems:
        raise ValidationError(problems)
    return document


def _not_a_change(problem: Problem) -> Problem:
    message = (
        f"not allowed in a file of changes, which holds only {', '.join(CHANGE_TABLES)} "
        "(declare it in the scenario imported first)"
    )
    return Problem(problem.path, message)
