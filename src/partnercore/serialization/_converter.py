"""cattrs converters that know the library's value types.

There is no global converter: build one with :func:`make_converter`, or teach an existing
one with :func:`configure_converter`. :func:`structure` turns every cattrs error into a
:class:`~partnercore.ValidationError` that lists each problem with its path.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import cattrs
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from partnercore._errors import Problem, ValidationError
from partnercore._fields import enum_error
from partnercore.money import Currency, Money, to_decimal
from partnercore.time import BillingPeriod, ensure_aware, format_instant

__all__ = ["configure_converter", "make_converter", "structure", "unstructure"]

T = TypeVar("T")

#: A surrogate in a ``str`` is always a lone one (a pair is decoded to one character).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _structure_decimal(value: Any, _: type) -> Decimal:
    return to_decimal(value, "")


def _at_root(error: ValidationError) -> ValidationError:
    """The same messages at the value's own path (the caller knows where the value is)."""
    return ValidationError(Problem("", p.message) for p in error.problems)


def _structure_currency(value: Any, _: type) -> Currency:
    try:
        return Currency.of(value)
    except ValidationError as error:
        raise _at_root(error) from None


def _structure_money(value: Any, _: type) -> Money:
    if isinstance(value, Money):
        return value
    if not isinstance(value, dict):
        raise ValidationError.at("", f"expected {{amount, currency}}, got {value!r}")
    problems: list[Problem] = []
    extra = sorted(str(key) for key in set(value) - {"amount", "currency"})
    if extra:
        problems.append(Problem("", f"unknown key(s): {', '.join(extra)}"))
    amount: Decimal | None = None
    currency: Currency | None = None
    for key in ("amount", "currency"):
        if key not in value:
            problems.append(Problem(key, "required key is missing"))
            continue
        try:
            if key == "amount":
                amount = to_decimal(value[key], "amount")
            else:
                currency = Currency.of(value[key])
        except ValidationError as error:
            problems.extend(error.problems)
    if problems or amount is None or currency is None:
        raise ValidationError(problems)
    return Money(amount, currency)


def _unstructure_money(value: Money) -> dict[str, str]:
    return {"amount": value.format_amount(), "currency": value.currency.code}


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError.at("", f"not an ISO 8601 datetime: {value!r}") from None
    return ensure_aware(value, "")


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError.at("", f"not an ISO 8601 date: {value!r}")


def _structure_period(value: Any, _: type) -> BillingPeriod:
    if isinstance(value, BillingPeriod):
        return value
    try:
        return BillingPeriod.parse(value)
    except ValidationError as error:
        raise _at_root(error) from None


def _structure_str(value: Any, cl: Any) -> Any:
    # StrEnums are str subclasses, so they arrive here too.
    if issubclass(cl, enum.Enum):
        return _structure_enum(value, cl)
    if not isinstance(value, str):
        raise ValidationError.at("", f"expected a string, got {value!r}")
    surrogate = _SURROGATE.search(value)
    if surrogate is not None:
        # JSON text can spell one ("\\ud800"), but it has no UTF-8 form: nothing can store it
        index = surrogate.start()
        raise ValidationError.at(
            "",
            f"expected a string without lone surrogates, got {value!r} "
            f"(U+{ord(value[index]):04X} at index {index})",
        )
    return cl(value)


def _structure_int(value: Any, cl: Any) -> Any:
    if issubclass(cl, enum.Enum):
        return _structure_enum(value, cl)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.at("", f"expected an integer, got {value!r}")
    return cl(value)


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise ValidationError.at("", f"expected true or false, got {value!r}")
    return value


_ENUM_VALUES: dict[type, dict[Any, Any]] = {}


def _members_by_value(cl: type[enum.Enum]) -> dict[Any, Any]:
    """``cl``'s members by value, worked out once per enum (one lookup, not a scan)."""
    members = _ENUM_VALUES.get(cl)
    if members is None:
        members = _ENUM_VALUES[cl] = {}
        for member in cl:
            members.setdefault(member.value, member)
    return members


def _structure_enum(value: Any, cl: type) -> Any:
    assert issubclass(cl, enum.Enum)
    if isinstance(value, cl):
        return value
    try:
        member = _members_by_value(cl).get(value)
    except TypeError:  # an unhashable value is no member's
        member = None
    # exactly a member's value: not an equal value of another type (True for 1, "1" for 1)
    if member is not None and type(value) is type(member.value):
        return member
    raise enum_error(cl, value, "")


def _is_enum(cl: Any) -> bool:
    return isinstance(cl, type) and issubclass(cl, enum.Enum)


def _unstructure_plain(value: Any) -> Any:
    # StrEnum and IntEnum members are str and int instances: write their plain value.
    return value.value if isinstance(value, enum.Enum) else value


def configure_converter(converter: cattrs.Converter) -> cattrs.Converter:
    """Register hooks for Decimal, Currency, Money, aware datetimes, dates, periods and enums.

    Strings, integers and booleans are structured strictly: ``"false"`` is not a boolean,
    ``True`` and ``"5"`` are not integers, ``5`` is not a string. Enums take their values
    exactly (``"half_up"``), and an unknown value lists the allowed ones.
    """
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook_func(_is_enum, _structure_enum)
    converter.register_unstructure_hook(str, _unstructure_plain)
    converter.register_unstructure_hook(int, _unstructure_plain)
    converter.register_unstructure_hook_func(_is_enum, _unstructure_plain)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Currency, _structure_currency)
    converter.register_unstructure_hook(Currency, lambda c: c.code)
    converter.register_structure_hook(Money, _structure_money)
    converter.register_unstructure_hook(Money, _unstructure_money)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, format_instant)
    converter.register_structure_hook(date, _structure_date)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(BillingPeriod, _structure_period)
    converter.register_unstructure_hook(BillingPeriod, BillingPeriod.isoformat)
    return converter


def make_converter(*, forbid_extra_keys: bool = True) -> cattrs.Converter:
    """A new converter configured for the library's types (unknown keys rejected)."""
    converter = cattrs.Converter(forbid_extra_keys=forbid_extra_keys)
    return configure_converter(converter)


def _join(path: str, inner: str) -> str:
    if not inner:
        return path
    if not path:
        return inner
    return f"{path}{inner}" if inner.startswith("[") else f"{path}.{inner}"


def _problems(error: BaseException, path: str) -> list[Problem]:
    """Flatten a cattrs exception tree into problems with paths like ``lines[2].amount``."""
    if isinstance(error, ValidationError):
        return [Problem(_join(path, p.path), p.message) for p in error.problems]
    if isinstance(error, ForbiddenExtraKeysError):
        keys = ", ".join(sorted(error.extra_fields))
        return [Problem(path, f"unknown key(s): {keys}")]
    if isinstance(error, BaseValidationError):
        found: list[Problem] = []
        if isinstance(error, ClassValidationError | IterableValidationError):
            with_notes, without = error.group_exceptions()
        else:
            with_notes, without = [], list(error.exceptions)
        for inner, note in with_notes:
            name = getattr(note, "name", None)
            index = getattr(note, "index", None)
            if name is not None:
                step = _join(path, str(name))
            elif index is not None:
                step = f"{path}[{index!r}]" if isinstance(index, str) else f"{path}[{index}]"
            else:
                step = path
            if isinstance(inner, KeyError) and name is not None:
                found.append(Problem(step, "required key is missing"))
            else:
                found.extend(_problems(inner, step))
        for inner in without:
            found.extend(_problems(inner, path))
        return found
    if isinstance(error, KeyError):
        return [Problem(path, f"required key {error.args[0]!r} is missing")]
    if isinstance(error, TypeError | ValueError | AttributeError):
        return [Problem(path, f"invalid value ({error})")]
    return [Problem(path, str(error) or type(error).__name__)]


def structure(
    data: Any, cl: type[T], *, converter: cattrs.Converter | None = None, path: str = ""
) -> T:
    """Build a ``cl`` from plain data; every problem becomes one :class:`ValidationError`."""
    conv = converter if converter is not None else make_converter()
    try:
        return conv.structure(data, cl)
    except ValidationError as error:
        raise error.prefixed(path) if path else error from None
    except (BaseValidationError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValidationError(_problems(error, path) or [Problem(path, str(error))]) from None


def unstructure(obj: Any, *, converter: cattrs.Converter | None = None) -> Any:
    """Plain data (dicts, lists, strings) for ``obj``."""
    conv = converter if converter is not None else make_converter()
    return conv.unstructure(obj)
