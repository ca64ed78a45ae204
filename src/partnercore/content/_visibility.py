"""What a team sees: its library, its installed copies, and the updates available to it.

A client sees its partner's exclusive library only: the partner it belongs to at the
instant asked about, so after a transfer it sees its new partner's library and none of
the old one. Drafts and retired items are in no library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from partnercore.content._checks import PLATFORM
from partnercore.content._copies import InstalledCopy, copies_at, departures_applied
from partnercore.content._items import ContentItem
from partnercore.content._library import LibraryEntry, exclusive_library, open_library
from partnercore.content._ports import ContentStore
from partnercore.content._tenancy_view import departures, partner_at, viewer
from partnercore.events import Actor, check_actor
from partnercore.tenancy import Permission, Team
from partnercore.time import ensure_aware

__all__ = [
    "AvailableUpdate",
    "LibraryView",
    "installed",
    "library",
    "library_view",
    "updates_available",
]


@attrs.frozen(kw_only=True)
class AvailableUpdate:
    """A newer published version of an item a client holds an older copy of."""

    item_id: str
    installed_version: int
    available_version: int
    locked: bool


@attrs.frozen(kw_only=True)
class LibraryView:
    """A team's content at one instant: what it can see, what it has installed, and the
    updates available (what ``partnercore library`` prints)."""

    team_id: str
    at: datetime
    visible: tuple[LibraryEntry, ...]
    installed: tuple[InstalledCopy, ...]
    updates: tuple[AvailableUpdate, ...]

    def update_for(self, item_id: str) -> int | None:
        """The newer version available for an installed item, or ``None``."""
        found = next((u for u in self.updates if u.item_id == item_id), None)
        return None if found is None else found.available_version

    def to_dict(self) -> dict[str, Any]:
        """``{"team", "visible": [ids], "installed": [{"item", "version", "locked",
        "update_available"}]}`` (the ``library --format json`` document)."""
        return {
            "team": self.team_id,
            "visible": sorted(entry.id for entry in self.visible),
            "installed": [
                {
                    "item": copy.item_id,
                    "version": copy.version,
                    "locked": copy.locked,
                    "update_available": self.update_for(copy.item_id),
                }
                for copy in self.installed
            ],
        }


def partner_library(store: ContentStore, partner_id: str, at: datetime) -> tuple[LibraryEntry, ...]:
    items = [*store.items.owned_by(partner_id), *store.items.owned_by(PLATFORM)]
    return exclusive_library(partner_id, items, store.libraries.for_partner(partner_id), at)


def _team_library(store: ContentStore, team: Team, at: datetime) -> tuple[LibraryEntry, ...]:
    if team.is_partner:
        own = partner_library(store, team.id, at)
        known = {entry.id for entry in own}
        extra = [e for e in open_library(store.items.owned_by(PLATFORM), at) if e.id not in known]
        return tuple(sorted((*own, *extra), key=lambda entry: entry.id))
    partner = partner_at(store, team, at)
    return () if partner is None else partner_library(store, partner, at)


def library(
    store: ContentStore, team_id: str, at: datetime, *, by: Actor | None = None
) -> tuple[LibraryEntry, ...]:
    """The published items team ``team_id`` can see at ``at``, sorted by id.

    A client: its partner's exclusive library (the partner's own items and the open items
    it selected). A partner: its exclusive library and the whole open library (to select
    from). ``by`` needs ``content.view`` on the team.
    """
    moment = ensure_aware(at)
    if by is not None:
        check_actor(by)
    team = store.teams.get(team_id)
    viewer(store, by, Permission.CONTENT_VIEW, team_id, moment, f"see the library of {team_id}")
    return _team_library(store, team, moment)


def _owners(store: ContentStore, item_ids: set[str]) -> dict[str, ContentItem]:
    found = {}
    for item_id in sorted(item_ids):
        item = store.items.find(item_id)
        if item is not None:
            found[item_id] = item
    return found


def copies_of(store: ContentStore, client: Team, at: datetime) -> Mapping[str, InstalledCopy]:
    """The copies a client holds at ``at`` (copies a transfer took away are gone)."""
    events = store.installs.for_client(client.id)
    items = _owners(store, {event.item_id for event in events})
    owners = {item_id: item.owner for item_id, item in items.items()}
    return copies_at(departures_applied(events, owners, departures(store, client)), at)


def installed(
    store: ContentStore, client_id: str, at: datetime, *, by: Actor | None = None
) -> tuple[InstalledCopy, ...]:
    """The copies client ``client_id`` holds at ``at``, sorted by item id."""
    moment = ensure_aware(at)
    if by is not None:
        check_actor(by)
    team = store.teams.get(client_id)
    viewer(store, by, Permission.CONTENT_VIEW, client_id, moment, f"see the content of {client_id}")
    if not team.is_client:
        return ()
    return tuple(copies_of(store, team, moment).values())


def _updates(
    store: ContentStore, team: Team, copies: Sequence[InstalledCopy], at: datetime
) -> tuple[AvailableUpdate, ...]:
    newest = {entry.id: entry.version for entry in _team_library(store, team, at)}
    return tuple(
        AvailableUpdate(
            item_id=copy.item_id,
            installed_version=copy.version,
            available_version=newest[copy.item_id],
            locked=copy.locked,
        )
        for copy in copies
        if newest.get(copy.item_id, 0) > copy.version
    )


def updates_available(
    store: ContentStore, client_id: str, at: datetime, *, by: Actor | None = None
) -> tuple[AvailableUpdate, ...]:
    """The client's installed items with a newer version in its library at ``at``.

    An update comes through the library: an item that left it (retired, removed from the
    selection) offers none. A locked copy is listed too; only a push can update it.
    """
    copies = installed(store, client_id, at, by=by)
    if not copies:
        return ()
    return _updates(store, store.teams.get(client_id), copies, ensure_aware(at))


def library_view(
    store: ContentStore, team_id: str, at: datetime, *, by: Actor | None = None
) -> LibraryView:
    """Everything ``partnercore library`` shows for a team at ``at``."""
    moment = ensure_aware(at)
    visible = library(store, team_id, moment, by=by)
    copies = installed(store, team_id, moment, by=by)
    team = store.teams.get(team_id)
    return LibraryView(
        team_id=team_id,
        at=moment,
        visible=visible,
        installed=copies,
        updates=_updates(store, team, copies, moment),
    )
