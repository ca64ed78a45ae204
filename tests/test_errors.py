"""The error hierarchy: one root, the nearest builtin, structured attributes, picklable."""

from __future__ import annotations

import copy
import pickle

import pytest

import partnercore
from partnercore import (
    AccessDeniedError,
    ConflictError,
    CurrencyMismatchError,
    InvalidTransitionError,
    NotFoundError,
    PartnercoreError,
    Problem,
    StaleWriteError,
    ValidationError,
)


def examples() -> list[PartnercoreError]:
    return [
        ValidationError([Problem("lines[0].amount", "not a number"), Problem("currency", "bad")]),
        NotFoundError("team", "acme"),
        ConflictError("team 'acme' already exists", kind="team", id="acme"),
        StaleWriteError("licence", "c1", expected=3, actual=4),
        InvalidTransitionError("free", "downgrade", "already free"),
        CurrencyMismatchError("USD", "EUR", "add"),
        AccessDeniedError("alice may not edit c1", decision={"rule": "R5"}),
    ]


@pytest.mark.parametrize(
    ("error_class", "builtin"),
    [
        (ValidationError, ValueError),
        (NotFoundError, LookupError),
        (ConflictError, RuntimeError),
        (StaleWriteError, RuntimeError),
        (InvalidTransitionError, ValueError),
        (CurrencyMismatchError, ValueError),
        (AccessDeniedError, PermissionError),
    ],
)
def test_each_error_is_a_partnercore_error_and_its_nearest_builtin(
    error_class: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(error_class, PartnercoreError)
    assert issubclass(error_class, builtin)


def test_a_stale_write_is_a_kind_of_conflict() -> None:
    assert issubclass(StaleWriteError, ConflictError)


def test_the_root_error_is_an_exception_and_not_a_builtin_value_error() -> None:
    assert issubclass(PartnercoreError, Exception)
    assert not issubclass(PartnercoreError, ValueError)


def test_a_validation_error_lists_every_problem_with_its_path() -> None:
    error = ValidationError([Problem("lines[0].amount", "not a number"), Problem("", "empty")])

    assert (Problem("lines[0].amount", "not a number"), Problem("", "empty")) == error.problems
    assert "lines[0].amount: not a number; empty" == str(error)


def test_a_validation_error_from_a_message_has_one_problem_at_the_given_path() -> None:
    error = ValidationError("must be positive", path="quantity")

    assert (Problem("quantity", "must be positive"),) == error.problems
    assert "quantity: must be positive" == str(error)


def test_a_validation_error_built_with_at_names_its_path() -> None:
    assert (Problem("period", "bad"),) == ValidationError.at("period", "bad").problems


def test_a_validation_error_without_problems_still_says_something() -> None:
    assert "invalid input" == str(ValidationError([]))


def test_prefixing_a_validation_error_puts_the_prefix_before_every_path() -> None:
    error = ValidationError(
        [Problem("amount", "a"), Problem("[2]", "b"), Problem("", "c")]
    ).prefixed("lines")

    expected = (Problem("lines.amount", "a"), Problem("lines[2]", "b"), Problem("lines", "c"))
    assert expected == error.problems
    assert isinstance(error, ValidationError)


def test_prefixing_with_nothing_keeps_the_paths() -> None:
    error = ValidationError.at("amount", "bad").prefixed("")

    assert (Problem("amount", "bad"),) == error.problems


def test_a_problem_without_a_path_prints_only_its_message() -> None:
    assert "bad" == str(Problem("", "bad"))
    assert "x.y: bad" == str(Problem("x.y", "bad"))


def test_not_found_names_the_kind_and_the_id() -> None:
    error = NotFoundError("team", "acme")

    assert ("team", "acme") == (error.kind, error.id)
    assert "unknown team 'acme'" == str(error)


def test_a_conflict_carries_its_kind_and_id() -> None:
    error = ConflictError("duplicate", kind="team", id="acme")

    assert ("team", "acme", "duplicate") == (error.kind, error.id, str(error))


def test_a_stale_write_says_which_versions_disagree() -> None:
    error = StaleWriteError("licence", "c1", expected=3, actual=4)

    assert ("licence", "c1", 3, 4) == (error.kind, error.id, error.expected, error.actual)
    expected = "stale write to licence 'c1': saved from version 3, but the stored version is 4"
    assert expected == str(error)


def test_an_invalid_transition_names_the_state_the_event_and_the_reason() -> None:
    error = InvalidTransitionError("free", "downgrade", "already free")

    assert ("free", "downgrade", "already free") == (error.state, error.event, error.reason)
    assert "cannot downgrade in state 'free': already free" == str(error)
    assert "cannot upgrade in state 'full'" == str(InvalidTransitionError("full", "upgrade"))


def test_a_currency_mismatch_names_both_currencies_and_the_operation() -> None:
    error = CurrencyMismatchError("USD", "EUR", "add")

    assert ("USD", "EUR", "add") == (error.left, error.right, error.operation)
    assert "cannot add USD and EUR: currencies differ" == str(error)


def test_access_denied_carries_the_decision() -> None:
    error = AccessDeniedError("alice may not edit c1", decision={"rule": "R5"})

    assert {"rule": "R5"} == error.decision
    assert "alice may not edit c1" == str(error)


@pytest.mark.parametrize("error", examples(), ids=lambda e: type(e).__name__)
def test_every_error_survives_pickling_with_its_message_and_attributes(
    error: PartnercoreError,
) -> None:
    restored = pickle.loads(pickle.dumps(error))

    assert type(error) is type(restored)
    assert str(error) == str(restored)
    assert vars(error) == vars(restored)


@pytest.mark.parametrize("error", examples(), ids=lambda e: type(e).__name__)
def test_every_error_can_be_copied(error: PartnercoreError) -> None:
    duplicate = copy.copy(error)

    assert (type(error), str(error), vars(error)) == (
        type(duplicate),
        str(duplicate),
        vars(duplicate),
    )


def test_the_package_root_exports_every_error() -> None:
    names = {
        "AccessDeniedError",
        "ConflictError",
        "CurrencyMismatchError",
        "InvalidTransitionError",
        "NotFoundError",
        "PartnercoreError",
        "Problem",
        "StaleWriteError",
        "ValidationError",
    }

    assert names <= set(partnercore.__all__)
    assert sorted(partnercore.__all__) == partnercore.__all__
