"""Monetised content: the ``content`` charges of a client in a billing period (§6).

- A ``one_off`` price is charged once per client and item, in the period of its first
  installation (a later update, or a re-install after an uninstall, is not charged again).
- A ``monthly`` price is charged in full for every period in which the client held the item
  at any instant (no proration), the period of an uninstall included.

Pulls, pushes and template installs are all installations: a priced item pushed to a client
is charged exactly like one the client installed. Billing turns the charges into ``content``
lines following the client's billing model and pays the owner its share.

A client is billed for a period by the partner it has at the period's last instant, and only
that partner's items are charged to it. A transfer ends the client's copies of the items of
the partner it left; they were charged in the periods that partner billed, and are not charged
in the period of the transfer (the new partner bills that period, in its own currency, and
never for another partner's content). So a transfer never makes a period unbillable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from partnercore.billing import ContentCharge, billing_partner
from partnercore.content._copies import CopyEvent, departures_applied, presence
from partnercore.content._items import ContentItem, PriceType
from partnercore.content._ports import ContentStore
from partnercore.content._tenancy_view import client_team, departures
from partnercore.time import BillingPeriod

__all__ = ["InstalledContentCharges", "charges_in"]


def charges_in(
    client_id: str,
    period: BillingPeriod,
    events: Iterable[CopyEvent],
    items: Mapping[str, ContentItem],
    leaving: Iterable[tuple[datetime, str]] = (),
    *,
    billed_by: str | None = None,
) -> tuple[ContentCharge, ...]:
    """The content charges of one client in ``period``, sorted by item id.

    ``events`` are the client's copy events, ``items`` the items they name (by id), and
    ``leaving`` the client's transfers as ``(instant, partner it left)``. ``billed_by`` is
    the partner that bills the client for ``period`` (its partner at the period's last
    instant): only the items it owns are charged. ``None`` charges the items of every owner
    (for a client that never changed partner, they are all its partner's).
    """
    log = [event for event in events if event.client_id == client_id]
    owners = {item_id: item.owner for item_id, item in items.items()}
    applied = departures_applied(log, owners, leaving)
    charges = []
    for item_id, spans in presence(applied).items():
        item = items.get(item_id)
        if item is None or item.price is None:
            continue
        if billed_by is not None and item.owner != billed_by:
            continue
        price = item.price
        if price.type is PriceType.ONE_OFF:
            due = period.contains(spans[0].start)
            what = "one-off"
        else:
            due = any(span.overlaps(period.start, period.end) for span in spans)
            what = f"monthly, {period.key}"
        if due:
            charges.append(
                ContentCharge(
                    client_id=client_id,
                    item_id=item_id,
                    owner_id=item.owner,
                    amount=price.amount,
                    description=f"{item.title} ({what})",
                )
            )
    return tuple(charges)


class InstalledContentCharges:
    """The content charges of installed priced items, read from a content store.

    Implements billing's ``ContentChargeSource``: give it to the billing run. The client's
    charges for a period are those of the items of the partner that bills it for the period
    (:func:`~partnercore.billing.billing_partner`: usually the partner it has at the period's
    last instant).
    """

    def __init__(self, store: ContentStore) -> None:
        self._store = store

    def content_charges(self, client_id: str, period: BillingPeriod) -> Sequence[ContentCharge]:
        client = client_team(self._store, client_id)
        events = self._store.installs.for_client(client_id)
        items = {}
        for item_id in sorted({event.item_id for event in events}):
            item = self._store.items.find(item_id)
            if item is not None:
                items[item_id] = item
        if all(item.price is None for item in items.values()):
            return ()  # nothing priced ever installed: no partner to find, nothing to charge
        billed_by = billing_partner(self._store, client.id, period)
        return charges_in(
            client_id,
            period,
            events,
            items,
            departures(self._store, client),
            billed_by=billed_by,
        )
