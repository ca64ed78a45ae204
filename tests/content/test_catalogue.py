from __future__ import annotations

import pytest

from partnercore import (
    AccessDeniedError,
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
)
from partnercore.content import ContentItem, add_item, deselect, publish, retire, select
from partnercore.memory import InMemoryContent

from .conftest import JAN_1, NOV_1, NOV_5, NOV_10


def test_an_item_of_an_unknown_partner_is_rejected(world: InMemoryContent) -> None:
    with pytest.raises(NotFoundError):
        add_item(world, ContentItem.create(id="x", kind="framework", title="X", owner="zeta"))


def test_an_item_owned_by_a_client_is_rejected(world: InMemoryContent) -> None:
    with pytest.raises(ValidationError) as raised:
        add_item(world, ContentItem.create(id="x", kind="framework", title="X", owner="c1"))

    assert "owner" == raised.value.problems[0].path


def test_an_item_id_is_taken_once(world: InMemoryContent) -> None:
    with pytest.raises(ConflictError):
        add_item(
            world, ContentItem.create(id="acme-gap", kind="framework", title="X", owner="acme")
        )


def test_a_partner_admin_publishes_its_items(world: InMemoryContent) -> None:
    assert 1 == publish(world, "acme-draft", 1, NOV_1, by="paula").published_version_at(NOV_5)


def test_an_advisor_may_not_publish(world: InMemoryContent) -> None:
    with pytest.raises(AccessDeniedError):
        publish(world, "acme-draft", 1, NOV_1, by="alice")

    assert None is world.items.get("acme-draft").published_version_at(NOV_5)


def test_another_partners_admin_may_not_retire_an_item(world: InMemoryContent) -> None:
    with pytest.raises(AccessDeniedError):
        retire(world, "acme-gap", NOV_1, by="bob")


def test_open_library_items_are_managed_by_the_host_only(world: InMemoryContent) -> None:
    with pytest.raises(ValidationError) as raised:
        retire(world, "iso27001", NOV_1, by="paula")

    assert "by" == raised.value.problems[0].path


def test_a_user_adds_an_item_at_an_instant(world: InMemoryContent) -> None:
    with pytest.raises(ValidationError):
        add_item(
            world, ContentItem.create(id="x", kind="framework", title="X", owner="acme"), by="paula"
        )


def test_a_partner_admin_adds_an_item_to_its_partner(world: InMemoryContent) -> None:
    item = ContentItem.create(id="x", kind="framework", title="X", owner="acme", at=JAN_1)

    assert item == add_item(world, item, by="paula")


def test_selecting_another_partners_item_is_not_found(world: InMemoryContent) -> None:
    with pytest.raises(NotFoundError):
        select(world, "acme", "bolt-pack", NOV_1)

    assert 1 == len(world.libraries.for_partner("acme"))


def test_selecting_an_unpublished_open_item_is_rejected(world: InMemoryContent) -> None:
    with pytest.raises(ValidationError) as raised:
        select(world, "acme", "soc2-draft", NOV_1)

    assert "item_id" == raised.value.problems[0].path


def test_selecting_what_is_selected_records_nothing(world: InMemoryContent) -> None:
    select(world, "acme", "iso27001", NOV_1)

    assert 1 == len(world.libraries.for_partner("acme"))


def test_removing_what_was_never_selected_is_rejected(world: InMemoryContent) -> None:
    with pytest.raises(ValidationError):
        deselect(world, "acme", "nist-csf", NOV_1)


def test_selection_changes_are_recorded_in_order(world: InMemoryContent) -> None:
    select(world, "acme", "nist-csf", NOV_10)

    with pytest.raises(InvalidTransitionError):
        deselect(world, "acme", "nist-csf", NOV_5)


def test_only_a_content_manager_may_select(world: InMemoryContent) -> None:
    with pytest.raises(AccessDeniedError):
        select(world, "acme", "nist-csf", NOV_1, by="alice")
