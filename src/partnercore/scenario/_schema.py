"""The keys of a scenario file: what each one accepts, and the walk that checks an entry.

Every key of every table is declared once, as the metadata of a field on an entry class
(``_document.py``). :func:`parse_entry` walks a raw TOML table against that class: unknown
keys, missing keys, wrong types, unknown enum values, floats where money is expected and
naive datetimes all become problems with the path of the key, and every problem of the
entry is collected before giving up on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import attrs

from partnercore._errors import Problem, ValidationError
from partnercore.money import Currency, to_decimal
from partnercore.tenancy._countries import COUNTRIES
from partnercore.time import ensure_aware, resolve_timezone

__all__ = [
    "Amount",
    "Choice",
    "Countries",
    "Country",
    "CurrencyCode",
    "Flag",
    "Identifier",
    "Instant",
    "Key",
    "Kind",
    "Models",
    "Month",
    "Prices",
    "Strings",
    "Tables",
    "Text",
    "Whole",
    "Zone",
    "describe",
    "entry_label",
    "join_path",
    "key",
    "keys_of",
    "parse_entry",
    "quote",
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


def _bare(name: str) -> bool:
    return bool(name) and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)


def join_path(prefix: str, name: str) -> str:
    """``prefix.name``, quoting ``name`` when it is not a bare TOML key."""
    part = name if _bare(name) else quote(name)
    return f"{prefix}.{part}" if prefix else part


def entry_label(table: str, index: int, raw: object) -> str:
    """``clients[2] (id "c3")``: a table entry named by its position and, if it has one, id."""
    label = f"{table}[{index}]"
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        label += f" (id {quote(raw['id'])})"
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
    """

    def parse(self, value: object) -> Any: ...


@attrs.frozen
class Text:
    """A non-empty string."""

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected a string, got {describe(value)}")
        if not value.strip():
            raise _reject("must not be empty")
        return value


@attrs.frozen
class Identifier:
    """An id: a non-empty string without surrounding whitespace."""

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected an id (a string), got {describe(value)}")
        if not value or value != value.strip():
            raise _reject(f"not a valid id: {quote(value)}")
        return value


@attrs.frozen
class Choice:
    """One of a closed set of strings (an enum, spelled as in the specification)."""

    values: tuple[str, ...]

    def parse(self, value: object) -> str:
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

    def parse(self, value: object) -> Decimal:
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

    def parse(self, value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _reject(f"expected an integer, got {describe(value)}")
        if self.minimum is not None and value < self.minimum:
            raise _reject(f"must be at least {self.minimum}, got {value}")
        return value


@attrs.frozen
class Flag:
    """``true`` or ``false``."""

    def parse(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise _reject(f"expected true or false, got {describe(value)}")
        return value


@attrs.frozen
class Instant:
    """A TOML offset datetime (``2026-11-05T10:00:00Z``), normalised to UTC."""

    def parse(self, value: object) -> datetime:
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

    def parse(self, value: object) -> str:
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

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected an ISO 4217 currency code, got {describe(value)}")
        try:
            return Currency.of(value).code
        except ValidationError:
            raise _reject(f"unknown ISO 4217 currency code {quote(value)}") from None


@attrs.frozen
class Country:
    """An upper-case ISO 3166-1 alpha-2 country code (``"AU"``)."""

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise _reject(f"expected an ISO 3166-1 alpha-2 country code, got {describe(value)}")
        if value not in COUNTRIES:
            hint = f" (write {quote(value.upper())})" if value.upper() in COUNTRIES else ""
            raise _reject(
                f"not an upper-case ISO 3166-1 alpha-2 country code: {quote(value)}{hint}"
            )
        return value


@attrs.frozen
class Countries:
    """An array of country codes."""

    def parse(self, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _reject(f"expected an array of country codes, got {describe(value)}")
        items: list[str] = []
        problems: list[Problem] = []
        for index, item in enumerate(value):
            try:
                items.append(Country().parse(item))
            except ValidationError as error:
                problems.extend(error.prefixed(f"[{index}]").problems)
        if problems:
            raise ValidationError(problems)
        return tuple(items)


@attrs.frozen
class Prices:
    """A table of unit prices, one per usage metric: ``assessments = "5.00"``."""

    def parse(self, value: object) -> dict[str, Decimal]:
        if not isinstance(value, Mapping):
            raise _reject(f"expected a table of unit prices, got {describe(value)}")
        prices: dict[str, Decimal] = {}
        problems: list[Problem] = []
        for name, price in value.items():
            try:
                prices[Identifier().parse(name)] = Amount().parse(price)
            except ValidationError as error:
                problems.extend(error.prefixed(join_path("", str(name))).problems)
        if problems:
            raise ValidationError(problems)
        return prices


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@attrs.frozen
class Month:
    """A billing period written as a ``"YYYY-MM"`` string."""

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise _reject(f'expected a month as "YYYY-MM", got {describe(value)}')
        if _MONTH.fullmatch(value) is None or value < "0002-01" or value > "9998-12":
            raise _reject(f'expected a month as "YYYY-MM", got {quote(value)}')
        return value


@attrs.frozen
class Models:
    """A table of sub-tables, one per usage metric, each checked against ``entry``:
    ``[pricebooks.usage_tiers.reviews]``."""

    entry: type

    def parse(self, value: object) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise _reject(f"expected a table of usage metrics, got {describe(value)}")
        models: dict[str, Any] = {}
        problems: list[Problem] = []
        for name, raw in value.items():
            path = join_path("", str(name))
            try:
                metric = Identifier().parse(name)
            except ValidationError as error:
                problems.extend(error.prefixed(path).problems)
                continue
            item, found = parse_entry(self.entry, raw, path)
            problems.extend(found)
            if item is not None:
                models[metric] = item
        if problems:
            raise ValidationError(problems)
        return models


@attrs.frozen
class Strings:
    """An array of ids."""

    def parse(self, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _reject(f"expected an array of ids, got {describe(value)}")
        items: list[str] = []
        problems: list[Problem] = []
        for index, item in enumerate(value):
            try:
                items.append(Identifier().parse(item))
            except ValidationError as error:
                problems.extend(error.prefixed(f"[{index}]").problems)
        if problems:
            raise ValidationError(problems)
        return tuple(items)


@attrs.frozen
class Tables:
    """An array of inline tables, each checked against ``entry``."""

    entry: type

    def parse(self, value: object) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _reject(f"expected an array of tables, got {describe(value)}")
        items: list[Any] = []
        problems: list[Problem] = []
        for index, raw in enumerate(value):
            item, found = parse_entry(self.entry, raw, f"[{index}]")
            problems.extend(found)
            if item is not None:
                items.append(item)
        if problems:
            raise ValidationError(problems)
        return tuple(items)


_REQUIRED: Any = object()


@attrs.frozen
class Key:
    """How one field of an entry is written in a scenario file.

    ``name`` is the key in the file (``from`` for the field ``active_from``); ``ref`` names
    the id space the value must be found in (checked once every table is read); ``also``
    lists literal values accepted besides a reference (``"*"``, ``"platform"``).
    """

    kind: Kind
    name: str
    required: bool
    default: Any = None
    ref: str | None = None
    also: tuple[str, ...] = ()


def key(
    kind: Kind,
    *,
    default: Any = _REQUIRED,
    name: str | None = None,
    ref: str | None = None,
    also: tuple[str, ...] = (),
) -> dict[str, Key]:
    """The metadata of an entry field: the key it is read from and what that key accepts."""
    required = default is _REQUIRED
    return {
        "key": Key(
            kind=kind,
            name=name or "",
            required=required,
            default=None if required else default,
            ref=ref,
            also=also,
        )
    }


def keys_of(entry: type) -> list[tuple[str, Key]]:
    """``(field name, Key)`` for every field of ``entry``; the key name defaults to the field's."""
    result = []
    for field in attrs.fields(entry):
        spec: Key = field.metadata["key"]
        result.append((field.name, attrs.evolve(spec, name=spec.name or field.name)))
    return result


def parse_entry(entry: type[T], raw: object, label: str) -> tuple[T | None, list[Problem]]:
    """Check ``raw`` against ``entry``; the entry (or ``None``) and every problem found.

    Problem paths start with ``label`` (``clients[2] (id "c3")``).
    """
    if not isinstance(raw, Mapping):
        return None, [Problem(label, f"expected a table, got {describe(raw)}")]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    specs = keys_of(entry)
    known = {spec.name for _, spec in specs}
    for name in raw:
        if name not in known:
            problems.append(
                Problem(
                    join_path(label, str(name)),
                    f"unknown key; expected one of {', '.join(sorted(known))}",
                )
            )
    for field_name, spec in specs:
        path = join_path(label, spec.name)
        if spec.name not in raw:
            if spec.required:
                problems.append(Problem(path, "missing required key"))
            else:
                values[field_name] = spec.default
            continue
        try:
            values[field_name] = spec.kind.parse(raw[spec.name])
        except ValidationError as error:
            problems.extend(error.prefixed(path).problems)
    if problems:
        return None, problems
    return entry(**values), []
