"""The keys of a scenario file: what each one accepts, and the converter that reads entries.

Every key of every table is declared once, as a field of an entry class (``_document.py``)
made with :func:`key`: the kind of value it accepts (:class:`Identifier`, :class:`Amount`,
:class:`Instant`, ...), its name in the file when that is not the field's (``from``), its
default, and the id space it refers to. :func:`entry_converter` gives the library's cattrs
converter (:func:`partnercore.serialization.make_converter`) taught every entry class: the
shape of an entry (unknown and missing keys) is checked by cattrs, each value by its kind,
and :func:`structure_entry` turns what cattrs reports into problems named with the entry's
label and the key as the file spells it. Paths and labels are built only when something is
wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any, Protocol, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, override

from partnercore._errors import Problem, ValidationError
from partnercore._fields import ID_RULE, is_id
from partnercore.money import Currency, to_decimal
from partnercore.serialization import make_converter
from partnercore.tenancy._countries import COUNTRIES
from partnercore.time import ensure_aware, resolve_timezone

__all__ = [
    "Amount",
    "Choice",
    "Countries",
    "Country",
    "CurrencyCode",
    "EntryKeys",
    "Flag",
    "Identifier",
    "Instant",
    "Key",
    "Kind",
    "Models",
    "Month",
    "Name",
    "Prices",
    "Strings",
    "Tables",
    "Text",
    "Whole",
    "Zone",
    "describe",
    "entry_converter",
    "entry_keys",
    "entry_label",
    "entry_reader",
    "join_path",
    "key",
    "quote",
    "structure_entry",
]

T = TypeVar("T")


def quote(value: object) -> str:
    """``value`` as a one-line, double-quoted string (newlines and controls escaped)."""
    return json.dumps(str(value), ensure_ascii=False)


def describe(value: object) -> str:
    """A short, one-line description of a TOML value, for messages."""
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, float):
        return f"the float {value!r}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, str):
        text = quote(value)
        return f"the string {text}" if len(text) <= 60 else f'the string {text[:56]}..."'
    if isinstance(value, datetime):
        return f"the datetime {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, time):
        return f"the time {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__}"


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def join_path(prefix: str, name: str) -> str:
    """``prefix.name``, quoting ``name`` when it is not a bare TOML key."""
    part = name if _BARE.fullmatch(name) else quote(name)
    return f"{prefix}.{part}" if prefix else part


def entry_label(table: str, index: int, raw: object) -> str:
    """``clients[2] (id "c3")``: a table entry named by its position and, if it has one, id."""
    label = f"{table}[{index}]"
    identifier = raw.get("id") if isinstance(raw, Mapping) else getattr(raw, "id", None)
    if isinstance(identifier, str):
        label += f" (id {quote(identifier)})"
    return label


def _one_of(values: Sequence[str]) -> str:
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + " or " + values[-1]


def _reject(message: str) -> ValidationError:
    return ValidationError((Problem("", message),))


class Kind(Protocol):
    """What a key accepts: ``parse`` returns the checked value or raises ValidationError.

    Problems raised by ``parse`` have paths relative to the key ("" for the key itself).
    ``parse(value, type)`` is also the key's cattrs structure hook.
    """

    def parse(self, value: object, _: Any = None) -> Any: ...


@attrs.frozen
class Text:
    """A non-empty string."""

    def parse(self, value: object, _: Any = None) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected a string, got {describe(value)}")
        if not value.strip():
            raise _reject("must not be empty")
        return value


@attrs.frozen
class Identifier:
    """An id, by the library's one id rule (``partnercore._fields``): 1-64 characters of
    ``[A-Za-z0-9._-]``."""

    def parse(self, value: object, _: Any = None) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected an id (a string), got {describe(value)}")
        if not is_id(value):
            raise _reject(f"not a valid id: {quote(value)} (an id is {ID_RULE})")
        return value


@attrs.frozen
class Name:
    """A name that is no id (a usage metric): a non-empty string without surrounding
    whitespace."""

    def parse(self, value: object, _: Any = None) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected a name (a string), got {describe(value)}")
        if not value or value != value.strip():
            raise _reject(f"not a valid name: {quote(value)}")
        return value


@attrs.frozen
class Choice:
    """One of a closed set of strings (an enum, spelled as in the specification)."""

    values: tuple[str, ...]

    def parse(self, value: object, _: Any = None) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected one of {_one_of(self.values)}, got {describe(value)}")
        if value not in self.values:
            raise _reject(f"unknown value {quote(value)}; expected {_one_of(self.values)}")
        return value


@attrs.frozen
class Amount:
    """An exact decimal written as a string or an integer (money, rates); never a float."""

    minimum: Decimal | None = Decimal(0)
    maximum: Decimal | None = None

    def parse(self, value: object, _: Any = None) -> Decimal:
        if isinstance(value, float):
            raise _reject(
                f"{describe(value)} is not allowed: write money and rates as strings "
                f'("{value}") or integers'
            )
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise _reject(f"expected a decimal string or an integer, got {describe(value)}")
        try:
            amount = to_decimal(value, "")
        except ValidationError:
            raise _reject(f"not a decimal number: {quote(value)}") from None
        if self.minimum is not None and amount < self.minimum:
            raise _reject(f"must be at least {self.minimum}, got {quote(value)}")
        if self.maximum is not None and amount > self.maximum:
            raise _reject(f"must be at most {self.maximum}, got {quote(value)}")
        return amount


@attrs.frozen
class Whole:
    """An integer (booleans and floats rejected)."""

    minimum: int | None = None

    def parse(self, value: object, _: Any = None) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _reject(f"expected an integer, got {describe(value)}")
        if self.minimum is not None and value < self.minimum:
            raise _reject(f"must be at least {self.minimum}, got {value}")
        return value


@attrs.frozen
class Flag:
    """``true`` or ``false``."""

    def parse(self, value: object, _: Any = None) -> bool:
        if not isinstance(value, bool):
            raise _reject(f"expected true or false, got {describe(value)}")
        return value


@attrs.frozen
class Instant:
    """A TOML offset datetime (``2026-11-05T10:00:00Z``), normalised to UTC."""

    def parse(self, value: object, _: Any = None) -> datetime:
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise _reject(
                    f"naive datetime {value.isoformat()} rejected: give it an offset, "
                    f"e.g. {value.isoformat()}Z"
                )
            return ensure_aware(value, "")
        raise _reject(
            f"expected a datetime with an offset (2026-11-05T10:00:00Z), got {describe(value)}"
        )


@attrs.frozen
class Zone:
    """An IANA time zone name."""

    def parse(self, value: object, _: Any = None) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected an IANA time zone name, got {describe(value)}")
        try:
            resolve_timezone(value)
        except ValidationError:
            raise _reject(f"unknown IANA time zone {quote(value)}") from None
        return value


@attrs.frozen
class CurrencyCode:
    """An ISO 4217 currency code."""

    def parse(self, value: object, _: Any = None) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected an ISO 4217 currency code, got {describe(value)}")
        try:
            return Currency.of(value).code
        except ValidationError:
            raise _reject(f"unknown ISO 4217 currency code {quote(value)}") from None


@attrs.frozen
class Country:
    """An upper-case ISO 3166-1 alpha-2 country code (``"AU"``)."""

    def parse(self, value: object, _: Any = None) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected an ISO 3166-1 alpha-2 country code, got {describe(value)}")
        if value not in COUNTRIES:
            hint = f" (write {quote(value.upper())})" if value.upper() in COUNTRIES else ""
            raise _reject(
                f"not an upper-case ISO 3166-1 alpha-2 country code: {quote(value)}{hint}"
            )
        return value


def _each(kind: Kind, value: list[Any]) -> tuple[Any, ...]:
    """Every item of an array checked by ``kind``; problems named ``[index]``."""
    items: list[Any] = []
    problems: list[Problem] = []
    for index, item in enumerate(value):
        try:
            items.append(kind.parse(item))
        except ValidationError as error:
            problems.extend(error.prefixed(f"[{index}]").problems)
    if problems:
        raise ValidationError(problems)
    return tuple(items)


@attrs.frozen
class Countries:
    """An array of country codes."""

    def parse(self, value: object, _: Any = None) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _reject(f"expected an array of country codes, got {describe(value)}")
        return _each(Country(), value)


@attrs.frozen
class Strings:
    """An array of ids."""

    def parse(self, value: object, _: Any = None) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _reject(f"expected an array of ids, got {describe(value)}")
        return _each(Identifier(), value)


@attrs.frozen
class Prices:
    """A table of unit prices, one per usage metric: ``assessments = "5.00"``."""

    def parse(self, value: object, _: Any = None) -> dict[str, Decimal]:
        if not isinstance(value, Mapping):
            raise _reject(f"expected a table of unit prices, got {describe(value)}")
        prices: dict[str, Decimal] = {}
        problems: list[Problem] = []
        for name, price in value.items():
            try:
                prices[Name().parse(name)] = Amount().parse(price)
            except ValidationError as error:
                problems.extend(error.prefixed(join_path("", str(name))).problems)
        if problems:
            raise ValidationError(problems)
        return prices


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@attrs.frozen
class Month:
    """A billing period written as a ``"YYYY-MM"`` string."""

    def parse(self, value: object, _: Any = None) -> str:
        if not isinstance(value, str):
            raise _reject(f'expected a month as "YYYY-MM", got {describe(value)}')
        if _MONTH.fullmatch(value) is None or value < "0002-01" or value > "9998-12":
            raise _reject(f'expected a month as "YYYY-MM", got {quote(value)}')
        return value


@attrs.frozen
class Models:
    """A table of sub-tables, one per usage metric, each an ``entry``:
    ``[pricebooks.usage_tiers.reviews]``."""

    entry: type

    def parse(self, value: object, _: Any = None) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise _reject(f"expected a table of usage metrics, got {describe(value)}")
        models: dict[str, Any] = {}
        problems: list[Problem] = []
        for name, raw in value.items():
            path = join_path("", str(name))
            try:
                metric = Name().parse(name)
            except ValidationError as error:
                problems.extend(error.prefixed(path).problems)
                continue
            item, found = structure_entry(self.entry, raw, path)
            problems.extend(found)
            if item is not None:
                models[metric] = item
        if problems:
            raise ValidationError(problems)
        return models


@attrs.frozen
class Tables:
    """An array of inline tables, each an ``entry``."""

    entry: type

    def parse(self, value: object, _: Any = None) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _reject(f"expected an array of tables, got {describe(value)}")
        items: list[Any] = []
        problems: list[Problem] = []
        for index, raw in enumerate(value):
            item, found = structure_entry(self.entry, raw, f"[{index}]")
            problems.extend(found)
            if item is not None:
                items.append(item)
        if problems:
            raise ValidationError(problems)
        return tuple(items)


_REQUIRED: Any = attrs.NOTHING


@attrs.frozen
class Key:
    """How one field of an entry is written in a scenario file.

    ``name`` is the key in the file (``from`` for the field ``active_from``); ``ref`` names
    the id space the value must be found in (checked once every table is read); ``also``
    lists literal values accepted besides a reference (``"*"``, ``"platform"``).
    """

    kind: Kind
    name: str | None = None
    ref: str | None = None
    also: tuple[str, ...] = ()


def key(
    kind: Kind,
    *,
    default: Any = _REQUIRED,
    name: str | None = None,
    ref: str | None = None,
    also: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The arguments of ``attrs.field`` for an entry field read from one key of the file:
    what the key accepts, its name in the file (the field's unless given), its default
    (none: required) and the id space it refers to."""
    spec = Key(kind=kind, name=name, ref=ref, also=also)
    if isinstance(default, dict):
        return {"factory": dict, "metadata": {"key": spec}}
    return {"default": default, "metadata": {"key": spec}}


@attrs.frozen
class EntryKeys:
    """The keys of one entry class, worked out once: by field, the key's name in the file
    and its declaration; the references to check; the names a message lists."""

    names: Mapping[str, str]
    keys: tuple[tuple[str, str, Key], ...]
    references: tuple[tuple[str, str, Key], ...]
    nested: tuple[tuple[str, str], ...]
    known: frozenset[str]
    listed: str


_ENTRY_KEYS: dict[type, EntryKeys] = {}


def entry_keys(entry: type) -> EntryKeys:
    """The :class:`EntryKeys` of ``entry`` (worked out once per class)."""
    found = _ENTRY_KEYS.get(entry)
    if found is None:
        found = _ENTRY_KEYS[entry] = _keys_of(entry)
    return found


def _keys_of(entry: type) -> EntryKeys:
    keys = []
    for field in attrs.fields(entry):
        spec: Key = field.metadata["key"]
        keys.append((field.name, spec.name or field.name, spec))
    names = {field: name for field, name, _ in keys}
    return EntryKeys(
        names=names,
        keys=tuple(keys),
        references=tuple(k for k in keys if k[2].ref is not None),
        nested=tuple((f, n) for f, n, s in keys if isinstance(s.kind, Tables | Models)),
        known=frozenset(names.values()),
        listed=", ".join(sorted(names.values())),
    )


def _is_entry(cl: Any) -> bool:
    """Whether ``cl`` is an entry class: an attrs class whose fields were made by :func:`key`."""
    if not (isinstance(cl, type) and attrs.has(cl)):
        return False
    fields = attrs.fields(cl)
    return bool(fields) and all("key" in field.metadata for field in fields)


def _key_hook(spec: Key) -> Any:
    """How the converter reads one key: its kind, and the literals it accepts besides."""
    parse, also = spec.kind.parse, spec.also
    if not also:
        return parse

    def hook(value: object, _: Any = None) -> Any:
        return value if isinstance(value, str) and value in also else parse(value)

    return hook


def _entry_hook(entry: type) -> Any:
    """The converter's structure hook for ``entry``: cattrs checks the keys (unknown keys
    rejected, missing ones reported), each key's kind checks its value."""
    overrides: dict[str, Any] = {
        field: override(rename=name, struct_hook=_key_hook(spec))
        for field, name, spec in entry_keys(entry).keys
    }
    return make_dict_structure_fn(
        entry,
        entry_converter(),
        _cattrs_forbid_extra_keys=True,
        _cattrs_detailed_validation=True,
        **overrides,
    )


@cache
def entry_converter() -> cattrs.Converter:
    """The library's converter (:func:`~partnercore.serialization.make_converter`), taught
    to read every entry class: made once, on first use."""
    converter = make_converter()
    converter.register_structure_hook_factory(_is_entry, _entry_hook)
    return converter


def entry_reader(entry: type[T]) -> Callable[[object], T | None]:
    """A reader of many raw tables as ``entry``s: the entry a plain table (a ``dict``, as
    TOML gives it) reads as, or ``None`` for anything else and for a table with a problem
    (:func:`structure_entry` says which). The converter's hook is looked up once."""
    structure = entry_converter().get_structure_hook(entry)

    def read(raw: object) -> T | None:
        if raw.__class__ is not dict:
            return None
        try:
            return structure(raw, entry)  # type: ignore[no-any-return]
        except ClassValidationError:
            return None

    return read


def structure_entry(entry: type[T], raw: object, label: str) -> tuple[T | None, list[Problem]]:
    """``raw`` read as an ``entry`` through the converter: the entry (or ``None``) and every
    problem found, each path starting with ``label`` (``clients[2] (id "c3")``)."""
    if not isinstance(raw, Mapping):
        return None, [Problem(label, f"expected a table, got {describe(raw)}")]
    try:
        return entry_converter().structure(raw, entry), []
    except ClassValidationError as error:
        return None, _entry_problems(entry, raw, error, label)


def _entry_problems(
    entry: type, raw: Mapping[str, Any], error: ClassValidationError, label: str
) -> list[Problem]:
    """What cattrs reported about one entry, in the file's words: unknown keys first (in
    the file's order), then each key's problems in the order the entry declares them."""
    keys = entry_keys(entry)
    unknown: list[Problem] = []
    found: list[Problem] = []
    for inner in error.exceptions:
        if isinstance(inner, ForbiddenExtraKeysError):
            extra = inner.extra_fields
            message = f"unknown key; expected one of {keys.listed}"
            unknown.extend(Problem(join_path(label, str(n)), message) for n in raw if n in extra)
            continue
        notes = getattr(inner, "__notes__", ())
        field = getattr(notes[-1], "name", "") if notes else ""
        path = join_path(label, keys.names.get(field, field))
        if isinstance(inner, KeyError):
            found.append(Problem(path, "missing required key"))
        elif isinstance(inner, ValidationError):
            found.extend(inner.prefixed(path).problems)
        else:  # pragma: no cover - every kind raises ValidationError
            found.append(Problem(path, str(inner)))
    return unknown + found
