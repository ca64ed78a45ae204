"""Monetised content: the ``content`` charges of a client in a billing period (§6).

- A ``one_off`` price is charged once per client and item, in the period of its first
  installation (a later update, or a re-install after an uninstall, is not charged again).
- A ``monthly`` price is charged in full for every period in which the client held the item
  at any instant (no proration), the period of an uninstall included.

Pulls, pushes and template installs are all installations: a priced item pushed to a client
is charged exactly like one the client installed. A copy that a transfer takes away (an item
of the partner the client left) is charged up to the transfer. Billing turns the charges
into ``content`` lines following the client's billing model and pays the owner its share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from partnercore.billing import ContentCharge
from partnercore.content._copies import CopyEvent, departures_applied, presence
from partnercore.content._items import ContentItem, PriceType
from partnercore.content._ports import ContentPorts
from partnercore.content._world import client_team, departures
from partnercore.time import BillingPeriod

__all__ = ["InstalledContentCharges", "charges_in"]


def charges_in(
    client_id: str,
    period: BillingPeriod,
    events: Iterable[CopyEvent],
    items: Mapping[str, ContentItem],
    leaving: Iterable[tuple[datetime, str]] = (),
) -> tuple[ContentCharge, ...]:
    """The content charges of one client in ``period``, sorted by item id.

    ``events`` are the client's copy events, ``items`` the items they name (by id), and
    ``leaving`` the client's transfers as ``(instant, partner it left)``.
    """
    log = [event for event in events if event.client_id == client_id]
    owners = {item_id: item.owner for item_id, item in items.items()}
    applied = departures_applied(log, owners, leaving)
    charges = []
    for item_id, spans in presence(applied).items():
        item = items.get(item_id)
        if item is None or item.price is None:
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
    """The content charges of installed priced items, read through the content ports.

    Implements billing's ``ContentChargeSource``: give it to the billing run.
    """

    def __init__(self, ports: ContentPorts) -> None:
        self._ports = ports

    def content_charges(self, client_id: str, period: BillingPeriod) -> Sequence[ContentCharge]:
        client = client_team(self._ports, client_id)
        events = self._ports.installs.for_client(client_id)
        items = {}
        for item_id in sorted({event.item_id for event in events}):
            item = self._ports.items.find(item_id)
            if item is not None:
                items[item_id] = item
        return charges_in(client_id, period, events, items, departures(self._ports, client))
