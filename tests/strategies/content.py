"""Random content worlds built through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import attrs
from hypothesis import strategies as st

from partnercore import PartnercoreError
from partnercore.content import (
    ContentItem,
    ContentKind,
    ContentPrice,
    add_item,
    deselect,
    install,
    publish,
    push,
    retire,
    select,
    uninstall,
)
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.money import Money
from partnercore.tenancy import User, add_user, create_client, create_partner, transfer_client

#: Content worlds start here; every operation happens on a whole day after it.
CONTENT_T0 = datetime(2026, 1, 1, tzinfo=UTC)
CONTENT_DAYS = 40


def content_day(n: int) -> datetime:
    """The instant ``n`` days after :data:`CONTENT_T0`."""
    return CONTENT_T0 + timedelta(days=n)


@attrs.frozen
class ContentWorld:
    """A content store built by random operations (some of them refused)."""

    ports: InMemoryStore
    partners: tuple[str, ...]
    clients: tuple[str, ...]
    items: tuple[str, ...]
    rejected: tuple[str, ...]


@st.composite
def content_worlds(
    draw: st.DrawFn,
    *,
    max_partners: int = 3,
    max_clients: int = 2,
    max_items: int = 6,
    max_operations: int = 16,
) -> ContentWorld:
    """A random content world built through the services: partners with clients, open and
    partner items in every status (some priced), then a timeline of selections (including of
    other partners' items), publications, retirements, transfers, installs of any item on
    any client, pushes of any item to any clients, and uninstalls."""
    ports = InMemoryStore()
    partners = tuple(f"p{i}" for i in range(draw(st.integers(1, max_partners))))
    clients: list[str] = []
    for p in partners:
        create_partner(ports, p, f"Partner {p}", at=CONTENT_T0, by=SYSTEM)
        for i in range(draw(st.integers(1, max_clients))):
            client = f"{p}c{i}"
            create_client(
                ports,
                client,
                f"Client {client}",
                partner_id=p,
                operated_by=draw(st.sampled_from(["client", "partner"])),
                billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
                at=CONTENT_T0,
                by=SYSTEM,
            )
            clients.append(client)
    add_user(ports, User("admin", "admin@example.com"), at=CONTENT_T0, by=SYSTEM)
    items: list[str] = []
    for n in range(draw(st.integers(1, max_items))):
        owner = draw(st.sampled_from(["platform", *partners]))
        priced = owner != "platform" and draw(st.booleans())
        item = ContentItem.create(
            id=f"i{n}",
            kind=draw(st.sampled_from(list(ContentKind))),
            title=f"Item {n}",
            owner=owner,
            version=draw(st.integers(1, 3)),
            status=draw(
                st.sampled_from(["draft", "published", "published", "published", "retired"])
            ),
            price=ContentPrice(
                Money.of("10.00", "USD"), draw(st.sampled_from(["monthly", "one_off"]))
            )
            if priced
            else None,
        )
        add_item(ports, item, at=CONTENT_T0, by=SYSTEM)
        items.append(item.id)
    owners = {item_id: ports.items.get(item_id).owner for item_id in items}
    rejected: list[str] = []
    for partner in partners:
        for item_id in draw(st.lists(st.sampled_from(items), max_size=3, unique=True)):
            try:
                select(ports, partner, item_id, at=CONTENT_T0, by=SYSTEM, since_always=True)
            except PartnercoreError:
                rejected.append(f"select {partner} {item_id}")
    events: list[tuple[int, str, Callable[[], object]]] = []
    days = st.integers(0, CONTENT_DAYS)
    for _ in range(draw(st.integers(max_operations // 4, max_operations))):
        day = draw(days)
        at = content_day(day)
        kind = draw(
            st.sampled_from(
                ["select", "deselect", "publish", "retire", "transfer", "transfer", "install",
                 "install", "install", "push", "push", "uninstall"]
            )
        )  # fmt: skip
        partner = draw(st.sampled_from(partners))
        client = draw(st.sampled_from(clients))
        # Mostly items that could succeed (the partner's own or open ones), sometimes any.
        home = client[: client.index("c")]
        likely = [i for i in items if owners[i] in ("platform", partner, home)]
        item_id = draw(st.sampled_from(likely or items) | st.sampled_from(items))
        if kind == "select":
            operation: Callable[[], object] = partial(
                select, ports, partner, item_id, at=at, by=SYSTEM
            )
        elif kind == "deselect":
            operation = partial(deselect, ports, partner, item_id, at=at, by=SYSTEM)
        elif kind == "publish":
            version = draw(st.integers(1, 5))
            operation = partial(publish, ports, item_id, version, at=at, by=SYSTEM)
        elif kind == "retire":
            operation = partial(retire, ports, item_id, at=at, by=SYSTEM)
        elif kind == "transfer":
            operation = partial(transfer_client, ports, client, partner, at=at, by=SYSTEM)
        elif kind == "install":
            operation = partial(install, ports, client, item_id, at=at, by=SYSTEM)
        elif kind == "push":
            chosen = draw(st.lists(st.sampled_from(clients), max_size=3, unique=True))
            locked = draw(st.booleans())
            operation = partial(
                push, ports, partner, item_id, at=at, by=SYSTEM, clients=chosen, locked=locked
            )
        else:
            operation = partial(uninstall, ports, client, item_id, at=at, by=SYSTEM)
        events.append((day, f"{kind} {partner} {client} {item_id} at day {day}", operation))
    for _, description, operation in sorted(events, key=lambda e: e[0]):
        try:
            operation()
        except PartnercoreError:
            rejected.append(description)
    return ContentWorld(
        ports=ports,
        partners=partners,
        clients=tuple(clients),
        items=tuple(items),
        rejected=tuple(rejected),
    )
