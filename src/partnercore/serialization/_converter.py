"""cattrs converters that know the library's value types.

There is no global converter: build one with :func:`make_converter`, or teach an existing
one with :func:`configure_converter`. :func:`structure` turns every cattrs error into a
:class:`~partnercore.ValidationError` that lists each problem with its path.
"""

from __future__ import annotations

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
from partnercore.money import Currency, Money, to_decimal
from partnercore.time import BillingPeriod, ensure_aware, format_instant

__all__ = ["configure_converter", "make_converter", "structure", "unstructure"]

T = TypeVar("T")


def _structure_decimal(value: Any, _: type) -> Decimal:
    return to_decimal(value, "")


def _structure_currency(value: Any, _: type) -> Currency:
    return Currency.of(value)


def _structure_money(value: Any, _: type) -> Money:
    if not isinstance(value, dict):
        raise ValidationError.at("", f"expected {{amount, currency}}, got {value!r}")
    extra = set(value) - {"amount", "currency"}
    if extra:
        raise ValidationError.at("", f"unknown keys {sorted(extra)}")
    if "amount" not in value or "currency" not in value:
        raise ValidationError.at("", "money needs both 'amount' and 'currency'")
    return Money(to_decimal(value["amount"], "amount"), Currency.of(value["currency"]))


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
    return BillingPeriod.parse(value)


def configure_converter(converter: cattrs.Converter) -> cattrs.Converter:
    """Register hooks for Decimal, Currency, Money, aware datetimes, dates and periods."""
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
