# Assertions read ``expected == actual``.
from __future__ import annotations

import re
import unicodedata
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


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("\ud800x", "U+D800 at index 0"),
        ("x\udfff", "U+DFFF at index 1"),
        ("a \ud83d\ude00", "U+D83D at index 2"),
        ("Acme\x00", "U+0000 at index 4"),
        ("Acme\nCorp", "U+000A at index 4"),
        ("Acme\tCorp", "U+0009 at index 4"),
        ("Acme\x7f", "U+007F at index 4"),
        ("Acme\x85", "U+0085 at index 4"),
    ],
)
def test_text_with_a_lone_surrogate_or_a_control_character_is_rejected_naming_the_field(
    value: str, found: str
) -> None:
    def expected(path: str) -> str:
        return (
            f"{path}: expected text without control characters or lone surrogates, "
            f"got {value!r} ({found})"
        )

    with pytest.raises(ValidationError) as checked:
        check_text(value, "team_name")
    with pytest.raises(ValidationError) as named:
        Record("c1", name=value)
    with pytest.raises(ValidationError) as noted:
        Record("c1", note=value)

    assert [expected("team_name"), expected("name"), expected("note")] == [
        message(checked),
        message(named),
        message(noted),
    ]


def test_the_message_about_odd_text_can_itself_be_written_as_utf_8() -> None:
    with pytest.raises(ValidationError) as caught:
        check_text("\ud800x", "name")

    assert message(caught).encode() == message(caught).encode("utf-8")


def _is_clean_text(value: str) -> bool:
    return bool(value.strip()) and not any(unicodedata.category(c) in ("Cc", "Cs") for c in value)


@given(st.text(max_size=20))
def test_text_is_accepted_exactly_when_it_is_non_blank_and_free_of_odd_characters(
    value: str,
) -> None:
    try:
        check_text(value, "name")
    except ValidationError:
        assert not _is_clean_text(value)
    else:
        assert _is_clean_text(value)
        value.encode("utf-8")


@pytest.mark.parametrize("value", ["Zoë & Co", "名前", "a\u200db", "x\u00a0y", "😀"])
def test_any_other_unicode_text_is_accepted(value: str) -> None:
    assert value == check_text(value, "name")


@pytest.mark.parametrize("value", ["\ud800x", "c\x001", "c1\udc80"])
def test_an_id_never_holds_a_lone_surrogate_or_a_nul(value: str) -> None:
    with pytest.raises(ValidationError, match=r"^client_id: expected an id"):
        check_id(value, "client_id")


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
