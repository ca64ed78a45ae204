# Assertions read ``expected == actual``.
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore._fields import (
    check_id,
    check_instance,
    check_text,
    id_validator,
    optional_id,
    optional_id_validator,
    optional_instant,
    optional_text_validator,
    text_validator,
    to_enum,
)
from partnercore.time import ensure_aware


class Colour(StrEnum):
    RED = "red"
    DARK_BLUE = "dark_blue"


class Other(StrEnum):
    RED = "red"


class Name(str):
    pass


@attrs.frozen
class Record:
    id: str = attrs.field(validator=id_validator)
    parent_id: str | None = attrs.field(default=None, validator=optional_id_validator)
    name: str = attrs.field(default="a name", validator=text_validator)
    note: str | None = attrs.field(default=None, validator=optional_text_validator)


def message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(error.value)


# -- ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a", "A-z_0.9", "x" * 64, "c1", "..."])
def test_an_id_of_1_to_64_allowed_characters_is_accepted(value: str) -> None:
    assert value == check_id(value, "id")


@pytest.mark.parametrize(
    "value", ["", "x" * 65, "c 1", "c1\n", "c/1", "é", "*", None, 1, b"c1", Name("c1")]
)
def test_anything_else_is_not_an_id(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        check_id(value, "client_id")
    expected = f"client_id: expected an id (1-64 characters of [A-Za-z0-9._-]), got {value!r}"
    assert expected == message(caught)


@given(st.text(max_size=70))
def test_an_id_is_exactly_what_the_pattern_describes(value: str) -> None:
    expected = re.fullmatch(r"[A-Za-z0-9._-]{1,64}", value) is not None
    try:
        check_id(value, "id")
    except ValidationError:
        assert not expected
    else:
        assert expected


def test_an_optional_id_lets_none_through() -> None:
    assert (None, "c1") == (optional_id(None, "by"), optional_id("c1", "by"))
    with pytest.raises(ValidationError, match=r"^by: "):
        optional_id("", "by")


def test_id_validators_name_the_field() -> None:
    assert "c1" == Record("c1").id
    assert "p1" == Record("c1", "p1").parent_id
    with pytest.raises(ValidationError, match=r"^id: expected an id"):
        Record("c 1")
    with pytest.raises(ValidationError, match=r"^parent_id: expected an id"):
        Record("c1", "")


# -- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["x", " padded ", "Ünïcode"])
def test_text_with_something_other_than_white_space_is_accepted(value: str) -> None:
    assert value == check_text(value, "name")


@pytest.mark.parametrize("value", ["", "   ", "\t\n", None, 5])
def test_blank_text_or_no_text_is_rejected(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        check_text(value, "name")
    assert f"name: expected non-blank text, got {value!r}" == message(caught)


def test_text_validators_name_the_field() -> None:
    assert (None, "n") == (Record("c1").note, Record("c1", note="n").note)
    with pytest.raises(ValidationError, match=r"^name: expected non-blank text"):
        Record("c1", name=" ")
    with pytest.raises(ValidationError, match=r"^note: expected non-blank text"):
        Record("c1", note="")


# -- enums --------------------------------------------------------------------------------


def test_a_member_is_itself() -> None:
    assert Colour.DARK_BLUE is to_enum(Colour, Colour.DARK_BLUE, "colour")


def test_a_value_spelled_exactly_is_its_member() -> None:
    assert Colour.DARK_BLUE is to_enum(Colour, "dark_blue", "colour")


def test_a_member_of_another_enum_with_the_same_value_is_converted() -> None:
    assert Colour.RED is to_enum(Colour, Other.RED, "colour")


@pytest.mark.parametrize("value", ["DARK_BLUE", "Red", "blue", "", None, 1, ["red"]])
def test_anything_else_is_rejected_listing_the_values(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        to_enum(Colour, value, "colour")
    assert f"colour: expected one of red, dark_blue, got {value!r}" == message(caught)


# -- instants -----------------------------------------------------------------------------


def test_an_instant_already_in_utc_is_returned_as_it_is() -> None:
    at = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert at is ensure_aware(at, "at")
    assert at is optional_instant(at, "at")


def test_an_optional_instant_is_converted_to_utc_or_none() -> None:
    paris = timezone(timedelta(hours=1))
    converted = optional_instant(datetime(2026, 1, 1, 12, tzinfo=paris), "end")
    assert converted is not None
    assert (datetime(2026, 1, 1, 11, tzinfo=UTC), UTC) == (converted, converted.tzinfo)
    assert None is optional_instant(None, "end")


@pytest.mark.parametrize("value", [datetime(2026, 1, 1), "2026-01-01T00:00:00Z", 0])
def test_an_optional_instant_rejects_what_is_not_an_aware_datetime(value: object) -> None:
    with pytest.raises(ValidationError, match=r"^end: "):
        optional_instant(value, "end")


# -- types --------------------------------------------------------------------------------


def test_a_value_of_the_expected_type_is_returned() -> None:
    record = Record("c1")
    assert record is check_instance(record, Record, "record")


def test_a_value_of_another_type_is_rejected_naming_the_type() -> None:
    with pytest.raises(ValidationError) as caught:
        check_instance("c1", Record, "record")
    assert "record: expected a Record, got 'c1'" == message(caught)
