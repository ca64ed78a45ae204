"""How content reaches clients, kept apart: pull (the client installs from its partner's
library) and push (the partner sends a versioned copy, optionally locked, to chosen clients
or templates; re-pushing a newer version is an explicit act that reports who changed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from partnercore._errors import InvalidTransitionError, NotFoundError, ValidationError
from partnercore._fields import check_id
from partnercore.content._checks import valid_flag_value
from partnercore.content._copies import CopyChange, CopyEvent, InstalledCopy
from partnercore.content._library import LibraryEntry
from partnercore.content._ports import ContentStore
from partnercore.content._templates import ClientTemplate, TemplateContent
from partnercore.content._tenancy_view import (
    client_team,
    partner_at,
    partner_team,
    recorded_by,
    require_active,
)
from partnercore.content._visibility import copies_of, partner_library
from partnercore.events import (
    Actor,
    ContentInstalled,
    ContentPushed,
    ContentUninstalled,
    Event,
    TemplateChanged,
    actor_id,
)
from partnercore.tenancy import Permission, Team, TeamStatus, authorise, status_at
from partnercore.time import ensure_aware, format_instant

__all__ = ["PushReport", "install", "push", "repush", "uninstall"]


@attrs.frozen(kw_only=True)
class PushReport:
    """What a push changed.

    ``changed`` lists the clients that received a new copy (or a new lock), ``unchanged``
    those that already held exactly it; likewise for templates. ``locked`` is ``None`` for
    a re-push, where every copy keeps its own lock.
    """

    partner_id: str
    item_id: str
    version: int
    at: datetime
    by: str | None
    locked: bool | None
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    templates_changed: tuple[str, ...] = ()
    templates_unchanged: tuple[str, ...] = ()


def _entry(store: ContentStore, partner_id: str, item_id: str, at: datetime) -> LibraryEntry:
    check_id(item_id, "item_id")
    for entry in partner_library(store, partner_id, at):
        if entry.id == item_id:
            return entry
    # Drafts, retired items and other partners' items are all simply not in the library.
    raise NotFoundError(
        "item", item_id, where=f"in the library of {partner_id} at {format_instant(at)}"
    )


def _check_order(
    store: ContentStore, client_id: str, item_id: str, at: datetime, event: str
) -> None:
    for earlier in store.installs.for_client(client_id):
        if earlier.item_id == item_id and earlier.at > at:
            raise InvalidTransitionError(
                earlier.change.value,
                event,
                f"{client_id}'s copy of {item_id} changed at {format_instant(earlier.at)}, "
                f"after {format_instant(at)}; changes are recorded in order",
            )


def install(
    store: ContentStore, client_id: str, item_id: str, *, at: datetime, by: Actor
) -> InstalledCopy:
    """Pull: the client adds an item from its partner's exclusive library at ``at``.

    The copy is the item's version current at ``at``, unlocked. Installing a newer version
    over an older copy updates it; installing what is already installed changes nothing
    (and records nothing). A locked copy cannot be changed by the client. ``by`` needs
    ``content.view`` and ``team.admin`` on the client (installing may create charges).
    """
    moment = ensure_aware(at, "at")
    who = recorded_by(by)
    with store.unit_of_work():
        client = client_team(store, client_id)
        authorise(
            store, by, Permission.CONTENT_VIEW, client_id, moment, f"see the library of {client_id}"
        )
        authorise(
            store, by, Permission.TEAM_ADMIN, client_id, moment, f"install content on {client_id}"
        )
        partner = require_active(store, client, moment, "install")
        entry = _entry(store, partner, item_id, moment)
        _check_order(store, client_id, item_id, moment, "install")
        copy = copies_of(store, client, moment).get(item_id)
        if copy is not None and copy.version == entry.version:
            return copy
        if copy is not None and copy.locked:
            raise InvalidTransitionError(
                "locked", "install", f"{partner} pushed {item_id} locked; only a push updates it"
            )
        event = CopyEvent(
            client_id=client_id,
            item_id=item_id,
            change=CopyChange.INSTALL,
            at=moment,
            version=entry.version,
            by=who,
        )
        store.installs.add_all([event])
        store.events.append(
            [
                ContentInstalled(
                    at=moment,
                    by=actor_id(by),
                    team_id=client_id,
                    item_id=item_id,
                    version=entry.version,
                    pushed=False,
                )
            ]
        )
        return copies_of(store, client, moment)[item_id]


def uninstall(
    store: ContentStore, client_id: str, item_id: str, *, at: datetime, by: Actor
) -> InstalledCopy:
    """Remove the client's copy of an item from ``at``; returns the copy removed.

    A locked copy cannot be removed by the client (its partner can push it unlocked first).
    A monthly-priced item is charged for every period in which it was installed at any
    instant, so the period of the uninstall is still charged. ``by`` needs ``team.admin``
    on the client.
    """
    moment = ensure_aware(at, "at")
    who = recorded_by(by)
    check_id(item_id, "item_id")
    with store.unit_of_work():
        client = client_team(store, client_id)
        authorise(
            store, by, Permission.TEAM_ADMIN, client_id, moment, f"remove content from {client_id}"
        )
        require_active(store, client, moment, "uninstall")
        _check_order(store, client_id, item_id, moment, "uninstall")
        copy = copies_of(store, client, moment).get(item_id)
        if copy is None:
            raise NotFoundError("installed copy", item_id, where=f"on {client_id}")
        if copy.locked:
            raise InvalidTransitionError("locked", "uninstall", f"{item_id} was pushed locked")
        store.installs.add_all(
            [
                CopyEvent(
                    client_id=client_id,
                    item_id=item_id,
                    change=CopyChange.UNINSTALL,
                    at=moment,
                    by=who,
                )
            ]
        )
        store.events.append(
            [ContentUninstalled(at=moment, by=actor_id(by), team_id=client_id, item_id=item_id)]
        )
        return copy


def _ids(values: Iterable[str], path: str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValidationError.at(path, "expected a list of ids, got one string")
    found = tuple(values)
    for index, value in enumerate(found):
        check_id(value, f"{path}[{index}]")
        if value in found[:index]:
            raise ValidationError.at(f"{path}[{index}]", f"{value!r} is listed twice")
    return found


def _push_event(
    client_id: str, item_id: str, version: int, locked: bool, at: datetime, by: str | None
) -> CopyEvent:
    return CopyEvent(
        client_id=client_id,
        item_id=item_id,
        change=CopyChange.PUSH,
        at=at,
        version=version,
        locked=locked,
        by=by,
    )


@attrs.define
class _Changes:
    """What a push or a re-push writes, and the clients and templates it leaves as they are."""

    events: list[CopyEvent] = attrs.Factory(list)
    changed: list[str] = attrs.Factory(list)
    unchanged: list[str] = attrs.Factory(list)
    saves: list[ClientTemplate] = attrs.Factory(list)
    templates_unchanged: list[str] = attrs.Factory(list)

    def write(
        self,
        store: ContentStore,
        partner_id: str,
        item_id: str,
        version: int,
        at: datetime,
        by: Actor,
        locked: bool | None,
        clients: tuple[str, ...],
    ) -> PushReport:
        """All of it written (in the caller's unit of work), with its events; the report."""
        if self.events:
            store.installs.add_all(self.events)
        for template in self.saves:
            store.templates.save(template)
        if self.events or self.saves:
            store.events.append(
                self._domain_events(partner_id, item_id, version, at, by, locked, clients)
            )
        return PushReport(
            partner_id=partner_id,
            item_id=item_id,
            version=version,
            at=at,
            by=recorded_by(by),
            locked=locked,
            changed=tuple(self.changed),
            unchanged=tuple(self.unchanged),
            templates_changed=tuple(t.id for t in self.saves),
            templates_unchanged=tuple(self.templates_unchanged),
        )

    def _domain_events(
        self,
        partner_id: str,
        item_id: str,
        version: int,
        at: datetime,
        by: Actor,
        locked: bool | None,
        clients: tuple[str, ...],
    ) -> list[Event]:
        """A re-push (``locked`` is ``None``) reports ``locked`` when a copy it changed is."""
        actor = actor_id(by)
        pushed = ContentPushed(
            at=at,
            by=actor,
            team_id=partner_id,
            item_id=item_id,
            version=version,
            locked=any(e.locked for e in self.events) if locked is None else locked,
            clients=clients,
            templates=tuple(t.id for t in self.saves),
            changed=tuple(self.changed),
        )
        installed: list[Event] = [
            ContentInstalled(
                at=at,
                by=actor,
                team_id=event.client_id,
                item_id=item_id,
                version=version,
                pushed=True,
            )
            for event in self.events
        ]
        templates: list[Event] = [
            TemplateChanged(at=at, by=actor, team_id=partner_id, template_id=template.id)
            for template in self.saves
        ]
        return [pushed, *installed, *templates]


def push(
    store: ContentStore,
    partner_id: str,
    item_id: str,
    *,
    at: datetime,
    by: Actor,
    clients: Iterable[str] = (),
    templates: Iterable[str] = (),
    locked: bool = False,
) -> PushReport:
    """Push the item's current version to chosen clients and templates of the partner.

    Each client receives a versioned copy recording the item, the version, who pushed and
    when (``locked``: the client cannot change or remove it); each template installs that
    version on the clients onboarded from it. Everything is checked before anything is
    written, and it is all written or none, in one unit of work. A priced item pushed to a
    client is charged like an installed one. ``by`` needs ``content.manage`` on the partner.
    """
    moment = ensure_aware(at, "at")
    who = recorded_by(by)
    valid_flag_value(locked, "locked")
    client_ids = _ids(clients, "clients")
    template_ids = _ids(templates, "templates")
    with store.unit_of_work():
        partner_team(store, partner_id)
        authorise(store, by, Permission.CONTENT_MANAGE, partner_id, moment, f"push {item_id}")
        entry = _entry(store, partner_id, item_id, moment)
        changes = _Changes()
        for index, client_id in enumerate(client_ids):
            _push_to_client(
                store, changes, partner_id, client_id, index, entry, locked, moment, who
            )
        pinned = TemplateContent(
            item_id=item_id, locked=locked, version=entry.version, pushed_by=who, pushed_at=moment
        )
        for index, template_id in enumerate(template_ids):
            _pin_in_template(store, changes, partner_id, template_id, index, pinned)
        return changes.write(
            store, partner_id, item_id, entry.version, moment, by, locked, client_ids
        )


def _push_to_client(
    store: ContentStore,
    changes: _Changes,
    partner_id: str,
    client_id: str,
    index: int,
    entry: LibraryEntry,
    locked: bool,
    at: datetime,
    who: str | None,
) -> None:
    """Plan the copy a push gives an active client of the partner (``clients[index]``)."""
    client = client_team(store, client_id, f"clients[{index}]")
    if partner_at(store, client, at) != partner_id:
        raise ValidationError.at(
            f"clients[{index}]",
            f"{client_id!r} is not a client of {partner_id} at {format_instant(at)}",
        )
    require_active(store, client, at, "push")
    _check_order(store, client_id, entry.id, at, "push")
    copy = copies_of(store, client, at).get(entry.id)
    if copy is not None and (copy.version, copy.locked) == (entry.version, locked):
        changes.unchanged.append(client_id)
        return
    changes.events.append(_push_event(client_id, entry.id, entry.version, locked, at, who))
    changes.changed.append(client_id)


def _pin_in_template(
    store: ContentStore,
    changes: _Changes,
    partner_id: str,
    template_id: str,
    index: int,
    pinned: TemplateContent,
) -> None:
    """Plan pinning the pushed version in one of the partner's templates (``templates[index]``)."""
    template = store.templates.get(template_id)
    if template.partner_id != partner_id:
        raise ValidationError.at(
            f"templates[{index}]", f"template {template_id!r} is not {partner_id}'s"
        )
    current = template.entry(pinned.item_id)
    if current is not None and (current.version, current.locked) == (
        pinned.version,
        pinned.locked,
    ):
        changes.templates_unchanged.append(template_id)
    else:
        changes.saves.append(template.with_entry(pinned))


def _holders(store: ContentStore, partner_id: str, item_id: str, at: datetime) -> list[Team]:
    """The clients of the partner at ``at`` that hold a copy of the item it sent them."""
    found = []
    seen: set[str] = set()
    for event in store.installs.for_item(item_id):
        if event.client_id in seen:
            continue
        seen.add(event.client_id)
        client = store.teams.find(event.client_id)
        if client is not None and partner_at(store, client, at) == partner_id:
            found.append(client)
    return sorted(found, key=lambda team: team.id)


def repush(
    store: ContentStore, partner_id: str, item_id: str, *, at: datetime, by: Actor
) -> PushReport:
    """Re-push the item's current version wherever the partner sent an older one.

    Every client of the partner holding a copy that came from the partner (a push or a
    template at onboarding) at an older version receives the current version, keeping its
    lock; clients that pulled the item themselves are not touched (they see the update in
    ``updates_available``). Templates that pinned an older version move to the current
    one. Inactive clients are left as they are. The report says which clients changed.
    ``by`` needs ``content.manage`` on the partner.
    """
    moment = ensure_aware(at, "at")
    who = recorded_by(by)
    with store.unit_of_work():
        partner_team(store, partner_id)
        authorise(store, by, Permission.CONTENT_MANAGE, partner_id, moment, f"re-push {item_id}")
        entry = _entry(store, partner_id, item_id, moment)
        changes = _Changes()
        considered: list[str] = []
        for client in _holders(store, partner_id, item_id, moment):
            copy = copies_of(store, client, moment).get(item_id)
            if copy is None or copy.source is CopyChange.INSTALL:
                continue
            considered.append(client.id)
            history = store.history.for_team(client.id)
            if (
                copy.version >= entry.version
                or status_at(client, history, moment) is not TeamStatus.ACTIVE
            ):
                changes.unchanged.append(client.id)
                continue
            _check_order(store, client.id, item_id, moment, "push")
            event = _push_event(client.id, item_id, entry.version, copy.locked, moment, who)
            changes.events.append(event)
            changes.changed.append(client.id)
        for template in store.templates.for_partner(partner_id):
            current = template.entry(item_id)
            if current is None or current.version is None:
                continue
            if current.version >= entry.version:
                changes.templates_unchanged.append(template.id)
                continue
            changes.saves.append(
                template.with_entry(
                    attrs.evolve(current, version=entry.version, pushed_by=who, pushed_at=moment)
                )
            )
        return changes.write(
            store, partner_id, item_id, entry.version, moment, by, None, tuple(considered)
        )
