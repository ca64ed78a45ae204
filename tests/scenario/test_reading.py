"""Reading a scenario's text frees its parsed tables as it goes, and reads exactly what
checking the same parsed data (left as it is) reads: the same document, or the same
problems in the same order."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.scenario import read_document
from partnercore.scenario._loading import document_of
from tests.strategies.scenario import mutated_scenarios, scenario_world, toml_text

MUTATED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(read: Any) -> object:
    """The document read, or the problems raised."""
    try:
        return read()
    except ValidationError as error:
        return [str(problem) for problem in error.problems]


@MUTATED
@given(mutated_scenarios())
def test_reading_text_reads_what_checking_its_parsed_data_reads(world: dict[str, Any]) -> None:
    text = toml_text(world)

    assert _outcome(lambda: document_of(tomllib.loads(text))) == _outcome(
        lambda: read_document(text)
    )


@MUTATED
@given(st.one_of(st.just(scenario_world()), mutated_scenarios()))
def test_checking_parsed_data_leaves_it_as_it_was(world: dict[str, Any]) -> None:
    data = tomllib.loads(toml_text(world))
    before = copy.deepcopy(data)

    _outcome(lambda: document_of(data))

    assert before == data


def test_a_broken_entry_among_good_ones_is_named_by_its_place_in_the_file() -> None:
    data = tomllib.loads(toml_text(scenario_world()))
    usage = data["usage"]
    usage.insert(1, {**usage[0], "quantity": -1})
    usage.insert(3, {**usage[0], "team": "nobody"})
    text = toml_text(data)

    problems = _outcome(lambda: read_document(text))

    assert [
        'usage[1].quantity: must be at least 0, got "-1"',
        'usage[3].team: unknown client "nobody"',
    ] == problems
