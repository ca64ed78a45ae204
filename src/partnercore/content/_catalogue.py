"""Managing content: adding items, publishing versions, retiring, selecting open items.

A partner's own items and its selections are managed by users holding ``content.manage``
on the partner team (its partner admins). Open-library items belong to the platform: they
are managed by :data:`~partnercore.events.SYSTEM` only.
"""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import InvalidTransitionError, NotFoundError, ValidationError
from partnercore._fields import check_id
from partnercore.content._checks import valid_flag_value
from partnercore.content._items import ContentItem, ContentStatus
from partnercore.content._library import LibrarySelection
from partnercore.content._ports import ContentStore
from partnercore.content._tenancy_view import partner_team
from partnercore.events import Actor, ContentItemChanged, LibraryChanged, actor_id, check_actor
from partnercore.tenancy import Permission, authorise, system_only
from partnercore.time import ensure_aware, format_instant

__all__ = ["add_item", "deselect", "publish", "retire", "select"]


def _authorise_manager(
    store: ContentStore, item: ContentItem, by: Actor, at: datetime, doing: str
) -> None:
    if item.is_open:
        system_only(by, doing)
    else:
        authorise(store, by, Permission.CONTENT_MANAGE, item.owner, at, doing)


def _changed(item: ContentItem, change: str, at: datetime, by: Actor) -> ContentItemChanged:
    return ContentItemChanged(
        at=at,
        by=actor_id(by),
        team_id=None if item.is_open else item.owner,
        item_id=item.id,
        change=change,
        version=item.version,
        status=item.status.value,
    )


def add_item(store: ContentStore, item: ContentItem, *, at: datetime, by: Actor) -> ContentItem:
    """Store a new item of the platform or of an existing partner.

    ``by`` needs ``content.manage`` on the owning partner at ``at``; an open-library
    (platform) item is added by ``SYSTEM`` only. The item's own history may be dated
    differently from ``at`` (or not at all: in force since always).
    """
    if not isinstance(item, ContentItem):
        raise ValidationError.at("item", f"expected a ContentItem, got {item!r}")
    moment = ensure_aware(at, "at")
    check_actor(by)
    with store.unit_of_work():
        if not item.is_open:
            partner_team(store, item.owner, "owner")
        _authorise_manager(store, item, by, moment, f"add content to {item.owner}")
        store.items.add(item)
        store.events.append([_changed(item, "add", moment, by)])
        return item


def publish(
    store: ContentStore, item_id: str, version: int, *, at: datetime, by: Actor
) -> ContentItem:
    """Publish ``version`` of the item from ``at`` (a draft's first version or a newer one).

    ``by`` needs ``content.manage`` on the owning partner; open-library items: ``SYSTEM``.
    """
    moment = ensure_aware(at, "at")
    check_actor(by)
    with store.unit_of_work():
        item = store.items.get(item_id)
        _authorise_manager(store, item, by, moment, f"publish {item_id}")
        changed = item.publish(version, moment)
        store.items.save(changed)
        store.events.append([_changed(changed, "publish", moment, by)])
        return changed


def retire(store: ContentStore, item_id: str, *, at: datetime, by: Actor) -> ContentItem:
    """Retire the item from ``at``: it leaves every library; installed copies stay.

    ``by`` needs ``content.manage`` on the owning partner; open-library items: ``SYSTEM``.
    """
    moment = ensure_aware(at, "at")
    check_actor(by)
    with store.unit_of_work():
        item = store.items.get(item_id)
        _authorise_manager(store, item, by, moment, f"retire {item_id}")
        changed = item.retire(moment)
        store.items.save(changed)
        store.events.append([_changed(changed, "retire", moment, by)])
        return changed


def _selection(
    store: ContentStore,
    partner_id: str,
    item_id: str,
    at: datetime,
    by: Actor,
    selected: bool,
    since_always: bool,
) -> LibrarySelection:
    moment = ensure_aware(at, "at")
    check_actor(by)
    check_id(item_id, "item_id")
    valid_flag_value(since_always, "since_always")
    verb = "select" if selected else "remove"
    with store.unit_of_work():
        partner_team(store, partner_id)
        authorise(store, by, Permission.CONTENT_MANAGE, partner_id, moment, f"{verb} {item_id}")
        if since_always:
            system_only(by, "record a selection that holds since always")
        item = _open_item(store, item_id)
        when = None if since_always else moment
        last = _last_selection(store, partner_id, item_id, when, verb)
        if last is not None and last.selected == selected:
            return last  # already so: nothing to record
        if not selected and last is None:
            raise ValidationError.at("item_id", f"{item_id!r} is not in {partner_id}'s library")
        if selected:
            _check_published(item, when)
        selection = LibrarySelection(partner_id, item_id, when, selected)
        store.libraries.add(selection)
        store.events.append(
            [
                LibraryChanged(
                    at=moment,
                    by=actor_id(by),
                    team_id=partner_id,
                    item_id=item_id,
                    selected=selected,
                )
            ]
        )
        return selection


def _open_item(store: ContentStore, item_id: str) -> ContentItem:
    """The open-library item ``item_id``; another partner's item is reported like a missing one."""
    item = store.items.find(item_id)
    if item is None or not item.is_open:
        raise NotFoundError("open-library item", item_id)
    return item


def _last_selection(
    store: ContentStore, partner_id: str, item_id: str, when: datetime | None, verb: str
) -> LibrarySelection | None:
    """The partner's last change for the item, if any, provided ``when`` does not precede it
    (``when`` is ``None`` for since always)."""
    earlier = [s for s in store.libraries.for_partner(partner_id) if s.item_id == item_id]
    if not earlier:
        return None
    last = earlier[-1]
    if last.at is not None and (when is None or when < last.at):
        raise InvalidTransitionError(
            "selected" if last.selected else "removed",
            verb,
            f"the last change for {item_id!r} in {partner_id}'s library was at "
            f"{format_instant(last.at)}; changes are recorded in order",
        )
    return last


def _check_published(item: ContentItem, when: datetime | None) -> None:
    """Only a published item is selected: published at ``when``, or now for since always."""
    published = (
        item.status is ContentStatus.PUBLISHED if when is None else item.is_published_at(when)
    )
    if not published:
        moment_text = "" if when is None else f" at {format_instant(when)}"
        raise ValidationError.at("item_id", f"{item.id!r} is not published{moment_text}")


def select(
    store: ContentStore,
    partner_id: str,
    item_id: str,
    *,
    at: datetime,
    by: Actor,
    since_always: bool = False,
) -> LibrarySelection:
    """Select a published open-library item into the partner's exclusive library from ``at``.

    ``by`` needs ``content.manage`` on the partner. ``since_always=True`` records a
    selection that holds since always (``SYSTEM`` loading a world as it is); ``at`` is then
    only when it was recorded. Selecting what is selected records nothing.
    """
    return _selection(store, partner_id, item_id, at, by, True, since_always)


def deselect(
    store: ContentStore, partner_id: str, item_id: str, *, at: datetime, by: Actor
) -> LibrarySelection:
    """Remove an open-library item from the partner's exclusive library from ``at``.

    Clients that installed it keep their copies; nobody can install it any more. ``by``
    needs ``content.manage`` on the partner.
    """
    return _selection(store, partner_id, item_id, at, by, False, False)
