"""Libraries: the open library, each partner's selections, and what a team may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from partnercore._fields import id_validator, optional_instant
from partnercore.content._checks import valid_flag
from partnercore.content._items import ContentItem, ContentPrice
from partnercore.time import ensure_aware

__all__ = [
    "LibraryEntry",
    "LibrarySelection",
    "exclusive_library",
    "open_library",
    "selected_at",
]


@attrs.frozen
class LibrarySelection:
    """A partner selects an open-library item into its exclusive library (or removes it).

    ``selected=False`` records a removal. ``at=None`` is allowed only for a selection
    recorded without a date (it then holds since always).
    """

    partner_id: str = attrs.field(validator=id_validator)
    item_id: str = attrs.field(validator=id_validator)
    at: datetime | None = attrs.field(default=None, converter=optional_instant)
    selected: bool = attrs.field(default=True, validator=valid_flag)


@attrs.frozen
class LibraryEntry:
    """An item as a library shows it at one instant: the item and its version then."""

    item: ContentItem
    version: int

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def owner(self) -> str:
        return self.item.owner

    @property
    def price(self) -> ContentPrice | None:
        return self.item.price


def _when(selection: LibrarySelection) -> tuple[bool, datetime | None]:
    # Undated selections first; the sort is stable, so ties keep the recorded order.
    return (selection.at is not None, selection.at)


def selected_at(selections: Iterable[LibrarySelection], at: datetime) -> frozenset[str]:
    """The open-library item ids a partner has selected at ``at`` (last word wins)."""
    moment = ensure_aware(at)
    state: dict[str, bool] = {}
    for selection in sorted(selections, key=_when):
        if selection.at is None or selection.at <= moment:
            state[selection.item_id] = selection.selected
    return frozenset(item_id for item_id, chosen in state.items() if chosen)


def _entries(items: Iterable[ContentItem], at: datetime) -> tuple[LibraryEntry, ...]:
    found = []
    for item in items:
        version = item.published_version_at(at)
        if version is not None:
            found.append(LibraryEntry(item, version))
    return tuple(sorted(found, key=lambda entry: entry.id))


def open_library(items: Iterable[ContentItem], at: datetime) -> tuple[LibraryEntry, ...]:
    """The open library at ``at``: platform items published then, sorted by id."""
    return _entries((item for item in items if item.is_open), ensure_aware(at))


def exclusive_library(
    partner_id: str,
    items: Iterable[ContentItem],
    selections: Iterable[LibrarySelection],
    at: datetime,
) -> tuple[LibraryEntry, ...]:
    """A partner's exclusive library at ``at``, sorted by id.

    Its own items published then, plus the open-library items it has selected and that are
    published then. Drafts and retired items are never in it; neither is any item owned by
    another partner, whatever ``items`` holds.
    """
    moment = ensure_aware(at)
    chosen = selected_at((s for s in selections if s.partner_id == partner_id), moment)
    return _entries(
        (
            item
            for item in items
            if item.owner == partner_id or (item.is_open and item.id in chosen)
        ),
        moment,
    )
