"""Invariants over random content worlds: no leak across partners, no draft reaches a client."""

from __future__ import annotations

from itertools import product

from hypothesis import given
from hypothesis import strategies as st

from partnercore.content import (
    ContentStore,
    InstalledContentCharges,
    installed,
    library,
    updates_available,
)
from partnercore.content._tenancy_view import partner_at
from partnercore.time import BillingPeriod
from tests.strategies.content import CONTENT_DAYS, ContentWorld, content_day, content_worlds


def owner_ok(store: ContentStore, client: str, owner: str, day: int) -> bool:
    team = store.teams.get(client)
    return owner in ("platform", partner_at(store, team, content_day(day)))


@given(content_worlds(), st.integers(0, CONTENT_DAYS + 1))
def test_no_client_sees_an_item_of_another_partner_and_every_visible_item_is_published(
    world: ContentWorld, day: int
) -> None:
    at = content_day(day)
    for client in world.clients:
        for entry in library(world.ports, client, at):
            assert owner_ok(world.ports, client, entry.owner, day), (client, entry.id)
            assert entry.version == entry.item.published_version_at(at), (client, entry.id)


@given(content_worlds())
def test_no_client_holds_a_copy_of_another_partners_item(world: ContentWorld) -> None:
    for client, day in product(world.clients, range(CONTENT_DAYS + 2)):
        at = content_day(day)
        for copy in installed(world.ports, client, at):
            owner = world.ports.items.get(copy.item_id).owner
            assert owner_ok(world.ports, client, owner, day), (client, day, copy.item_id)
        for update in updates_available(world.ports, client, at):
            owner = world.ports.items.get(update.item_id).owner
            assert owner_ok(world.ports, client, owner, day), (client, day, update.item_id)


@given(content_worlds())
def test_every_content_charge_is_for_an_item_of_the_partner_the_client_had(
    world: ContentWorld,
) -> None:
    source = InstalledContentCharges(world.ports)
    for period in (BillingPeriod(2026, 1), BillingPeriod(2026, 2)):
        for client in world.clients:
            team = world.ports.teams.get(client)
            partners = {
                partner_at(world.ports, team, content_day(day))
                for day in range(CONTENT_DAYS + 1)
                if period.contains(content_day(day))
            }
            for charge in source.content_charges(client, period):
                assert charge.owner_id in partners, (client, charge)
