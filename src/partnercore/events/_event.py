"""Domain events: what happened, when, by whom, at which store revision.

Every committed write appends events in the same transaction (a transactional outbox), each
with a store-wide, strictly increasing ``revision``. Events are frozen records of plain
values (ids, instants, numbers, text), so any store can keep them and any host can read
them without importing the domain that wrote them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import check_id
from partnercore.events._actor import SYSTEM_ID
from partnercore.time import ensure_aware, format_instant

__all__ = ["Event", "check_limit", "check_revision", "event_from_dict", "event_types"]

E = TypeVar("E", bound="Event")


def _actor(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value != SYSTEM_ID:
        check_id(value, attribute.name)


def _revision(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    check_revision(value, attribute.name)


def check_revision(value: object, path: str = "revision") -> int:
    """``value`` if it is a revision (an int >= 0), else :class:`ValidationError`."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError.at(path, f"expected a revision >= 0, got {value!r}")
    return value


def check_limit(value: object, path: str = "limit") -> int | None:
    """``value`` if it is ``None`` or a positive count of events, else ValidationError."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError.at(path, f"expected a positive number of events, got {value!r}")
    return value


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened to the team ``team_id`` at ``at``, done by ``by``.

    ``by`` is a user id or ``"system"`` (:data:`~partnercore.events.SYSTEM`). ``revision``
    is ``0`` until a store appends the event; the stored copy carries its revision.
    Subclasses name their ``kind`` and add the facts of that kind.
    """

    kind: ClassVar[str] = "event"

    at: datetime = attrs.field(converter=ensure_aware)
    by: str = attrs.field(validator=_actor)
    team_id: str | None
    revision: int = attrs.field(default=0, validator=_revision)

    def describe(self) -> str:
        """A sentence saying what happened (the audit trail shows it)."""
        return f"{self.kind.replace('_', ' ')}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``revision``, ``kind``, ``at``, ``by``, then the kind's facts."""
        data: dict[str, Any] = {"revision": self.revision, "kind": self.kind}
        for field in attrs.fields(type(self)):
            if field.name != "revision":
                data[field.name] = _plain(getattr(self, field.name))
        return data


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, tuple):
        return list(value)
    return value


_TYPES: dict[str, type[Event]] = {}


def event_types() -> dict[str, type[Event]]:
    """Every event class by its ``kind``."""
    if not _TYPES:
        from partnercore.events import _kinds

        for name in _kinds.__all__:
            cls = getattr(_kinds, name)
            _TYPES[cls.kind] = cls
    return _TYPES


def event_from_dict(data: object) -> Event:
    """The event a :meth:`Event.to_dict` dict describes; :class:`ValidationError` otherwise."""
    if not isinstance(data, dict):
        raise ValidationError.at("", f"expected an event object, got {type(data).__name__}")
    kind = data.get("kind")
    cls = event_types().get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValidationError.at("kind", f"unknown event kind {kind!r}")
    values: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.name not in data:
            if field.default is attrs.NOTHING:
                raise ValidationError.at(field.name, "missing")
            continue
        values[field.name] = _typed(data[field.name], field.type, field.name)
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        if isinstance(error, ValidationError):
            raise
        raise ValidationError.at("", str(error)) from None


def _typed(value: object, kind: object, path: str) -> object:
    text = str(kind)
    if "datetime" in text:
        if value is None and "None" in text:
            return None
        if not isinstance(value, str):
            raise ValidationError.at(path, f"expected an instant, got {value!r}")
        try:
            return ensure_aware(datetime.fromisoformat(value), path)
        except ValueError:
            raise ValidationError.at(path, f"expected an ISO 8601 instant, got {value!r}") from None
    if "tuple" in text:
        if not isinstance(value, list | tuple):
            raise ValidationError.at(path, f"expected a list, got {value!r}")
        return tuple(value)
    return value
