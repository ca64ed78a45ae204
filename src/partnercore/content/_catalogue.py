"""Managing content: adding items, publishing versions, retiring, selecting open items.

A partner's own items and its selections are managed by users holding ``content.manage``
on the partner team (``partner_admin``). Open-library items belong to the platform: the host
application decides who manages them, so they are managed with ``by=None``.
"""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import InvalidTransitionError, NotFoundError, ValidationError
from partnercore._fields import optional_instant
from partnercore.content._fields import user_id
from partnercore.content._items import ContentItem, ContentStatus
from partnercore.content._library import LibrarySelection
from partnercore.content._ports import ContentPorts
from partnercore.content._world import partner_team, require
from partnercore.tenancy import Permission
from partnercore.time import ensure_aware, format_instant

__all__ = ["add_item", "deselect", "publish", "retire", "select"]


def _check_manager(
    ports: ContentPorts, item: ContentItem, by: str | None, at: datetime, doing: str
) -> None:
    if item.is_open:
        if by is not None:
            raise ValidationError.at(
                "by", "open-library items are managed by the platform (by=None), not by a user"
            )
        return
    require(ports, by, Permission.CONTENT_MANAGE, item.owner, at, doing)


def add_item(ports: ContentPorts, item: ContentItem, *, by: str | None = None) -> ContentItem:
    """Store a new item of the platform or of an existing partner.

    ``by`` needs ``content.manage`` on the owning partner, checked at the item's first
    release (or, for an undated item, not at all: that is a load by the host).
    """
    if not isinstance(item, ContentItem):
        raise ValidationError.at("item", f"expected a ContentItem, got {item!r}")
    user_id(by)
    if not item.is_open:
        partner_team(ports, item.owner, "owner")
    first = item.history[0].at
    if by is not None and first is None:
        raise ValidationError.at("item.history[0].at", "a user adds an item at an instant")
    if first is not None:
        _check_manager(ports, item, by, first, f"add content to {item.owner}")
    ports.items.add(item)
    return item


def publish(
    ports: ContentPorts, item_id: str, version: int, at: datetime, *, by: str | None = None
) -> ContentItem:
    """Publish ``version`` of the item from ``at`` (a draft's first version or a newer one)."""
    moment = ensure_aware(at)
    user_id(by)
    item = ports.items.get(item_id)
    _check_manager(ports, item, by, moment, f"publish {item_id}")
    changed = item.publish(version, moment)
    ports.items.save(changed)
    return changed


def retire(
    ports: ContentPorts, item_id: str, at: datetime, *, by: str | None = None
) -> ContentItem:
    """Retire the item from ``at``: it leaves every library; installed copies stay."""
    moment = ensure_aware(at)
    user_id(by)
    item = ports.items.get(item_id)
    _check_manager(ports, item, by, moment, f"retire {item_id}")
    changed = item.retire(moment)
    ports.items.save(changed)
    return changed


def _selection(
    ports: ContentPorts,
    partner_id: str,
    item_id: str,
    at: datetime | None,
    by: str | None,
    selected: bool,
) -> LibrarySelection:
    moment = optional_instant(at)
    user_id(by)
    partner_team(ports, partner_id)
    item = ports.items.find(item_id)
    if item is None or not item.is_open:
        # Another partner's item is reported exactly like a missing one.
        raise NotFoundError("open-library item", item_id)
    if moment is None:
        if by is not None:
            raise ValidationError.at("at", "a user selects at an instant")
    else:
        verb = "select" if selected else "remove"
        require(ports, by, Permission.CONTENT_MANAGE, partner_id, moment, f"{verb} {item_id}")
    earlier = [s for s in ports.libraries.for_partner(partner_id) if s.item_id == item_id]
    if earlier:
        last = earlier[-1]
        if last.at is not None and (moment is None or moment < last.at):
            raise InvalidTransitionError(
                "selected" if last.selected else "removed",
                "select" if selected else "remove",
                f"the last change for {item_id!r} in {partner_id}'s library was at "
                f"{format_instant(last.at)}; changes are recorded in order",
            )
        if last.selected == selected:
            return last  # already so: nothing to record
    if not selected and not earlier:
        raise ValidationError.at("item_id", f"{item_id!r} is not in {partner_id}'s library")
    if selected:
        published = (
            item.status is ContentStatus.PUBLISHED
            if moment is None
            else item.is_published_at(moment)
        )
        if not published:
            when = "" if moment is None else f" at {format_instant(moment)}"
            raise ValidationError.at("item_id", f"{item_id!r} is not published{when}")
    selection = LibrarySelection(partner_id, item_id, moment, selected)
    ports.libraries.add(selection)
    return selection


def select(
    ports: ContentPorts,
    partner_id: str,
    item_id: str,
    at: datetime | None = None,
    *,
    by: str | None = None,
) -> LibrarySelection:
    """Select a published open-library item into the partner's exclusive library from ``at``.

    ``at=None`` records a selection that holds since always (loading a world as it is).
    """
    return _selection(ports, partner_id, item_id, at, by, True)


def deselect(
    ports: ContentPorts, partner_id: str, item_id: str, at: datetime, *, by: str | None = None
) -> LibrarySelection:
    """Remove an open-library item from the partner's exclusive library from ``at``.

    Clients that installed it keep their copies; nobody can install it any more.
    """
    return _selection(ports, partner_id, item_id, ensure_aware(at), by, False)
