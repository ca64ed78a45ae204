from __future__ import annotations

from collections.abc import Callable

import pytest

from partnercore import (
    AccessDeniedError,
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
)
from partnercore.content import (
    ContentItem,
    ContentStatus,
    add_item,
    deselect,
    publish,
    retire,
    select,
)
from partnercore.events import SYSTEM, ContentItemChanged, LibraryChanged
from partnercore.memory import InMemoryStore

from .conftest import JAN_1, NOV_1, NOV_5, NOV_10


def item(item_id: str = "x", owner: str = "acme", **fields: object) -> ContentItem:
    return ContentItem.create(
        id=item_id,
        kind="framework",
        title="X",
        owner=owner,
        **fields,  # type: ignore[arg-type]
    )


def test_an_item_of_an_unknown_partner_is_rejected(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError):
        add_item(world, item(owner="zeta"), at=NOV_1, by=SYSTEM)


def test_an_item_owned_by_a_client_is_rejected(world: InMemoryStore) -> None:
    with pytest.raises(ValidationError) as raised:
        add_item(world, item(owner="c1"), at=NOV_1, by=SYSTEM)

    assert "owner" == raised.value.problems[0].path


def test_an_item_id_is_taken_once(world: InMemoryStore) -> None:
    revision = world.revision()
    with pytest.raises(ConflictError):
        add_item(world, item("acme-gap"), at=NOV_1, by=SYSTEM)
    assert revision == world.revision()


def test_a_partner_admin_publishes_its_items(world: InMemoryStore) -> None:
    assert 1 == publish(world, "acme-draft", 1, at=NOV_1, by="paula").published_version_at(NOV_5)


def test_an_advisor_may_not_publish(world: InMemoryStore) -> None:
    with pytest.raises(AccessDeniedError):
        publish(world, "acme-draft", 1, at=NOV_1, by="alice")

    assert None is world.items.get("acme-draft").published_version_at(NOV_5)


def test_another_partners_admin_may_not_retire_an_item(world: InMemoryStore) -> None:
    with pytest.raises(AccessDeniedError):
        retire(world, "acme-gap", at=NOV_1, by="bob")


def test_open_library_items_are_managed_by_the_platform_only(world: InMemoryStore) -> None:
    with pytest.raises(AccessDeniedError, match="only the platform"):
        retire(world, "iso27001", at=NOV_1, by="paula")
    with pytest.raises(AccessDeniedError, match="only the platform"):
        add_item(world, item(owner="platform"), at=NOV_1, by="paula")

    assert (ContentStatus.PUBLISHED, None) == (
        world.items.get("iso27001").status,
        world.items.find("x"),
    )


def test_the_platform_manages_open_library_items(world: InMemoryStore) -> None:
    add_item(world, item(owner="platform"), at=NOV_1, by=SYSTEM)
    publish(world, "x", 1, at=NOV_5, by=SYSTEM)

    assert ContentStatus.RETIRED == retire(world, "x", at=NOV_10, by=SYSTEM).status


def test_a_partner_admin_adds_an_item_to_its_partner(world: InMemoryStore) -> None:
    added = item(at=JAN_1)

    assert added == add_item(world, added, at=NOV_1, by="paula")


def test_an_item_may_be_added_undated_and_is_then_in_force_since_always(
    world: InMemoryStore,
) -> None:
    add_item(world, item(status="published"), at=NOV_1, by="paula")

    assert 1 == world.items.get("x").published_version_at(JAN_1)


def test_selecting_another_partners_item_is_not_found(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError):
        select(world, "acme", "bolt-pack", at=NOV_1, by=SYSTEM)

    assert 1 == len(world.libraries.for_partner("acme"))


def test_selecting_an_unpublished_open_item_is_rejected(world: InMemoryStore) -> None:
    with pytest.raises(ValidationError) as raised:
        select(world, "acme", "soc2-draft", at=NOV_1, by=SYSTEM)

    assert "item_id" == raised.value.problems[0].path


def test_selecting_what_is_selected_records_nothing(world: InMemoryStore) -> None:
    select(world, "acme", "iso27001", at=NOV_1, by=SYSTEM)

    assert 1 == len(world.libraries.for_partner("acme"))


def test_removing_what_was_never_selected_is_rejected(world: InMemoryStore) -> None:
    with pytest.raises(ValidationError):
        deselect(world, "acme", "nist-csf", at=NOV_1, by=SYSTEM)


def test_selection_changes_are_recorded_in_order(world: InMemoryStore) -> None:
    select(world, "acme", "nist-csf", at=NOV_10, by=SYSTEM)

    with pytest.raises(InvalidTransitionError):
        deselect(world, "acme", "nist-csf", at=NOV_5, by=SYSTEM)


def test_a_selection_since_always_is_the_platforms_to_record(world: InMemoryStore) -> None:
    with pytest.raises(AccessDeniedError):
        select(world, "acme", "nist-csf", at=NOV_1, by="paula", since_always=True)
    selection = select(world, "acme", "nist-csf", at=NOV_1, by=SYSTEM, since_always=True)

    assert (None, True) == (selection.at, selection.selected)


# -- who may act, and what they leave behind -------------------------------------------------

#: Every catalogue write, done by ``by`` (each would succeed for paula).
WRITES: dict[str, Callable[[InMemoryStore, str], object]] = {
    "add_item": lambda w, by: add_item(w, item(at=NOV_1), at=NOV_1, by=by),
    "publish": lambda w, by: publish(w, "acme-draft", 1, at=NOV_1, by=by),
    "retire": lambda w, by: retire(w, "acme-gap", at=NOV_1, by=by),
    "select": lambda w, by: select(w, "acme", "nist-csf", at=NOV_1, by=by),
    "deselect": lambda w, by: deselect(w, "acme", "iso27001", at=NOV_1, by=by),
}


def state(world: InMemoryStore) -> tuple[object, ...]:
    return (
        world.items.owned_by("acme"),
        world.libraries.for_partner("acme"),
        world.revision(),
    )


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("by", ["alice", "bob", "carol", "nobody"])
def test_only_the_partners_content_manager_may_manage_its_catalogue(
    world: InMemoryStore, write: str, by: str
) -> None:
    before = state(world)
    with pytest.raises(AccessDeniedError) as raised:
        WRITES[write](world, by)

    assert (before, False) == (state(world), raised.value.decision.allowed)


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_catalogue_write_appends_its_event_naming_the_actor(
    world: InMemoryStore, write: str
) -> None:
    revision = world.revision()
    WRITES[write](world, "paula")
    (event,) = world.events.since(revision)

    assert ("paula", "acme") == (event.by, event.team_id)


def test_catalogue_events_say_what_changed(world: InMemoryStore) -> None:
    revision = world.revision()
    publish(world, "acme-draft", 2, at=NOV_1, by="paula")
    retire(world, "iso27001", at=NOV_5, by=SYSTEM)
    select(world, "acme", "nist-csf", at=NOV_5, by="paula")
    deselect(world, "acme", "nist-csf", at=NOV_10, by="paula")

    assert [
        ContentItemChanged(
            at=NOV_1, by="paula", team_id="acme", item_id="acme-draft", change="publish",
            version=2, status="published", revision=revision + 1,
        ),
        ContentItemChanged(
            at=NOV_5, by="system", team_id=None, item_id="iso27001", change="retire",
            version=3, status="retired", revision=revision + 2,
        ),
        LibraryChanged(
            at=NOV_5, by="paula", team_id="acme", item_id="nist-csf", selected=True,
            revision=revision + 3,
        ),
        LibraryChanged(
            at=NOV_10, by="paula", team_id="acme", item_id="nist-csf", selected=False,
            revision=revision + 4,
        ),
    ] == world.events.since(revision)  # fmt: skip


def test_a_selection_that_records_nothing_appends_nothing(world: InMemoryStore) -> None:
    revision = world.revision()
    select(world, "acme", "iso27001", at=NOV_1, by="paula")

    assert [] == world.events.since(revision)
