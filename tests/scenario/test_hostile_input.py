"""Hostile input: random and mutated scenario documents only ever raise ValidationError."""

from __future__ import annotations

import tomllib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.scenario import Scenario, loads
from tests.strategies.scenario import mutated_scenarios, scenario_world, toml_text, toml_values

# Bounded explicitly: the hostile-input properties stay well under 60 s in CI.
HOSTILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load_or_reject(text: str) -> Scenario | None:
    """The scenario, or ``None`` when it was rejected with a ValidationError whose every
    problem is one line; any other exception fails the test."""
    problems: tuple[object, ...] = ()
    try:
        return loads(text)
    except ValidationError as error:
        problems = error.problems
    lines = [str(problem) for problem in problems]
    assert lines
    assert all("\n" not in line for line in lines)
    return None


def test_the_toml_writer_of_the_tests_round_trips_the_checked_in_scenario() -> None:
    assert scenario_world() == tomllib.loads(toml_text(scenario_world()))


def test_the_unmutated_scenario_loads() -> None:
    assert _load_or_reject(toml_text(scenario_world())) is not None


@HOSTILE
@given(mutated_scenarios())
def test_a_mutated_scenario_loads_or_raises_only_validation_errors(
    document: dict[str, Any],
) -> None:
    _load_or_reject(toml_text(document))


@HOSTILE
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "format",
                "partners",
                "clients",
                "usage",
                "grants",
                "license_policy",
                "pricebooks",
                "x",
            ]
        ),
        toml_values(),
        max_size=4,
    )
)
def test_a_random_document_raises_only_validation_errors(document: dict[str, Any]) -> None:
    _load_or_reject(toml_text(document))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_random_text_raises_only_validation_errors(text: str) -> None:
    _load_or_reject(text)
