"""Installed copies: the events that put content on a client, and what they add up to.

Every change to a client's copy of an item is one :class:`CopyEvent` (an append-only log):
a pull by the client (``install``), a push by its partner (``push``), an install by a client
template at onboarding (``onboard``), or a removal (``uninstall``). The copies a client holds
at any instant, and the intervals during which it held each item, are derived from the log.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator, optional_id, to_enum
from partnercore.content._checks import user_id, valid_flag, version_number
from partnercore.time import Span, ensure_aware

__all__ = [
    "CopyChange",
    "CopyEvent",
    "InstalledCopy",
    "copies_at",
    "departures_applied",
    "presence",
]


class CopyChange(enum.StrEnum):
    """What happened to a client's copy of an item."""

    INSTALL = "install"
    PUSH = "push"
    ONBOARD = "onboard"
    UNINSTALL = "uninstall"


def _optional_version(value: object) -> int | None:
    return None if value is None else version_number(value)


def _template_id(value: object) -> str | None:
    return optional_id(value, "template_id")


def _change(value: object) -> CopyChange:
    return to_enum(CopyChange, value, "change")


@attrs.frozen(kw_only=True)
class CopyEvent:
    """One change to a client's copy of an item.

    ``version`` is the version the client holds after the change (``None`` for an
    uninstall). ``by`` is the acting user (``None`` for an act of the platform, ``SYSTEM``);
    ``template_id`` names the client template of an ``onboard``.
    """

    client_id: str = attrs.field(validator=id_validator)
    item_id: str = attrs.field(validator=id_validator)
    change: CopyChange = attrs.field(converter=_change)
    at: datetime = attrs.field(converter=ensure_aware)
    version: int | None = attrs.field(default=None, converter=_optional_version)
    locked: bool = attrs.field(default=False, validator=valid_flag)
    by: str | None = attrs.field(default=None, converter=user_id)
    template_id: str | None = attrs.field(default=None, converter=_template_id)

    def __attrs_post_init__(self) -> None:
        removal = self.change is CopyChange.UNINSTALL
        if removal and self.version is not None:
            raise ValidationError.at("version", "an uninstall carries no version")
        if not removal and self.version is None:
            raise ValidationError.at("version", f"a {self.change.value} needs the version copied")
        if removal and self.locked:
            raise ValidationError.at("locked", "an uninstall cannot be locked")
        if self.change is CopyChange.INSTALL and self.locked:
            raise ValidationError.at("locked", "only a push or a template locks a copy")
        if (self.template_id is not None) != (self.change is CopyChange.ONBOARD):
            raise ValidationError.at("template_id", "an onboard names its template, nothing else")


@attrs.frozen(kw_only=True)
class InstalledCopy:
    """A client's copy of an item at one instant.

    ``source``, ``by`` and ``at`` describe the change that produced this copy (the last
    pull, push or onboarding); ``installed_at`` is when the item was (last) installed.
    """

    client_id: str
    item_id: str
    version: int
    locked: bool
    source: CopyChange
    by: str | None
    at: datetime
    installed_at: datetime
    template_id: str | None = None


def _ordered(events: Iterable[CopyEvent]) -> list[CopyEvent]:
    # A stable sort: events at the same instant keep the order they were recorded in.
    return sorted(events, key=lambda event: event.at)


def departures_applied(
    events: Iterable[CopyEvent],
    owners: Mapping[str, str],
    departures: Iterable[tuple[datetime, str]],
) -> list[CopyEvent]:
    """``events`` with the copies a transfer takes away ended at the transfer.

    ``departures`` are the client's transfers as ``(at, partner it left)``; ``owners`` maps
    item ids to their owners. When a client leaves partner P, every copy it holds of an item
    owned by P ends at that instant (recorded as an uninstall by nobody): a client never
    keeps another partner's content. Open-library copies stay. A change at the very instant
    of a transfer was made while the client still belonged to the partner it left, so the
    transfer applies after it.
    """
    ordered = _ordered(events)
    leaving = sorted(departures)
    if not leaving:
        return ordered
    result: list[CopyEvent] = []
    held: dict[str, CopyEvent] = {}

    def depart(upto: datetime | None) -> None:
        while leaving and (upto is None or leaving[0][0] < upto):
            moment, partner = leaving.pop(0)
            for item_id, last in list(held.items()):
                if owners.get(item_id) == partner:
                    result.append(
                        CopyEvent(
                            client_id=last.client_id,
                            item_id=item_id,
                            change=CopyChange.UNINSTALL,
                            at=moment,
                        )
                    )
                    del held[item_id]

    for event in ordered:
        depart(event.at)
        result.append(event)
        if event.version is None:
            held.pop(event.item_id, None)
        else:
            held[event.item_id] = event
    depart(None)
    return result


def copies_at(events: Iterable[CopyEvent], at: datetime) -> Mapping[str, InstalledCopy]:
    """The copies held at ``at``, by item id, from one client's events."""
    moment = ensure_aware(at)
    held: dict[str, InstalledCopy] = {}
    for event in _ordered(events):
        if event.at > moment:
            break
        if event.version is None:
            held.pop(event.item_id, None)
            continue
        before = held.get(event.item_id)
        held[event.item_id] = InstalledCopy(
            client_id=event.client_id,
            item_id=event.item_id,
            version=event.version,
            locked=event.locked,
            source=event.change,
            by=event.by,
            at=event.at,
            installed_at=event.at if before is None else before.installed_at,
            template_id=event.template_id,
        )
    return dict(sorted(held.items()))


def presence(events: Iterable[CopyEvent]) -> Mapping[str, tuple[Span, ...]]:
    """For each item, the intervals during which the client held it, in order."""
    spans: dict[str, list[Span]] = {}
    for event in _ordered(events):
        item_spans = spans.setdefault(event.item_id, [])
        open_span = item_spans[-1] if item_spans and item_spans[-1].end is None else None
        if event.version is None:
            if open_span is not None:
                item_spans[-1] = attrs.evolve(open_span, end=event.at)
        elif open_span is None:
            item_spans.append(Span(event.at))
    return {item_id: tuple(found) for item_id, found in sorted(spans.items()) if found}
