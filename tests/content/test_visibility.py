from __future__ import annotations

import pytest

from partnercore import AccessDeniedError, NotFoundError
from partnercore.content import (
    AvailableUpdate,
    deselect,
    install,
    installed,
    library,
    library_view,
    publish,
    retire,
    select,
    updates_available,
)
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.tenancy import transfer_client

from .conftest import JAN_1, NOV_1, NOV_5, NOV_10, NOV_20


def ids(entries: object) -> list[str]:
    return [entry.id for entry in entries]  # type: ignore[attr-defined]


def test_a_client_sees_its_partners_items_and_the_open_items_it_selected(
    world: InMemoryStore,
) -> None:
    assert ["acme-gap", "acme-policies", "acme-risks", "iso27001"] == ids(
        library(world, "c1", NOV_1)
    )


def test_a_partner_sees_its_exclusive_library_and_the_whole_open_library(
    world: InMemoryStore,
) -> None:
    assert ["acme-gap", "acme-policies", "acme-risks", "iso27001", "nist-csf"] == ids(
        library(world, "acme", NOV_1)
    )


def test_a_client_never_sees_another_partners_library(world: InMemoryStore) -> None:
    assert (["bolt-pack"], False) == (
        ids(library(world, "c3", NOV_1)),
        "bolt-pack" in ids(library(world, "c1", NOV_1)),
    )


def test_an_open_item_the_partner_did_not_select_is_not_in_its_clients_library(
    world: InMemoryStore,
) -> None:
    assert "nist-csf" not in ids(library(world, "c1", NOV_1))


def test_a_selection_reaches_the_clients_from_its_instant_until_removed(
    world: InMemoryStore,
) -> None:
    select(world, "acme", "nist-csf", at=NOV_5, by="paula")
    deselect(world, "acme", "nist-csf", at=NOV_20, by="paula")

    assert (False, True, False) == (
        "nist-csf" in ids(library(world, "c1", NOV_1)),
        "nist-csf" in ids(library(world, "c1", NOV_10)),
        "nist-csf" in ids(library(world, "c1", NOV_20)),
    )


def test_a_draft_reaches_no_client_until_published(world: InMemoryStore) -> None:
    publish(world, "acme-draft", 1, at=NOV_10, by="paula")

    assert (False, True) == (
        "acme-draft" in ids(library(world, "c1", NOV_5)),
        "acme-draft" in ids(library(world, "c1", NOV_10)),
    )


def test_a_partner_does_not_see_its_own_draft_in_its_library(world: InMemoryStore) -> None:
    assert "acme-draft" not in ids(library(world, "acme", NOV_1))


def test_a_retired_item_leaves_the_library_but_installed_copies_stay(
    world: InMemoryStore,
) -> None:
    install(world, "c1", "acme-risks", at=NOV_1, by=SYSTEM)
    retire(world, "acme-risks", at=NOV_10, by="paula")

    assert (False, ["acme-risks"]) == (
        "acme-risks" in ids(library(world, "c1", NOV_20)),
        [copy.item_id for copy in installed(world, "c1", NOV_20)],
    )


def test_a_retired_item_cannot_be_installed(world: InMemoryStore) -> None:
    retire(world, "acme-risks", at=NOV_10, by="paula")

    with pytest.raises(NotFoundError):
        install(world, "c1", "acme-risks", at=NOV_20, by=SYSTEM)


def test_after_a_transfer_a_client_sees_its_new_partners_library_only(
    world: InMemoryStore,
) -> None:
    transfer_client(world, "c1", "bolt", at=NOV_10, by=SYSTEM)

    assert (["acme-gap", "acme-policies", "acme-risks", "iso27001"], ["bolt-pack"]) == (
        ids(library(world, "c1", NOV_5)),
        ids(library(world, "c1", NOV_10)),
    )


def test_a_transfer_takes_the_old_partners_copies_away_but_keeps_open_ones(
    world: InMemoryStore,
) -> None:
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)
    install(world, "c1", "iso27001", at=NOV_1, by=SYSTEM)
    transfer_client(world, "c1", "bolt", at=NOV_10, by=SYSTEM)

    assert (["acme-gap", "iso27001"], ["iso27001"]) == (
        [copy.item_id for copy in installed(world, "c1", NOV_5)],
        [copy.item_id for copy in installed(world, "c1", NOV_20)],
    )


def test_a_transferred_client_cannot_install_its_old_partners_items(
    world: InMemoryStore,
) -> None:
    transfer_client(world, "c1", "bolt", at=NOV_10, by=SYSTEM)

    with pytest.raises(NotFoundError):
        install(world, "c1", "acme-gap", at=NOV_20, by=SYSTEM)


def test_a_client_sees_nothing_before_it_exists(world: InMemoryStore) -> None:
    assert () == library(world, "c1", JAN_1.replace(year=2025))


def test_a_client_admin_may_see_the_library_of_its_client(world: InMemoryStore) -> None:
    assert 4 == len(library(world, "c1", NOV_1, by="carol"))


def test_another_partners_admin_may_not_see_a_clients_library(world: InMemoryStore) -> None:
    with pytest.raises(AccessDeniedError):
        library(world, "c1", NOV_1, by="bob")


def test_an_advisor_without_a_grant_may_not_see_a_clients_library(
    world: InMemoryStore,
) -> None:
    with pytest.raises(AccessDeniedError):
        library(world, "c1", NOV_1, by="alice")


def test_an_advisor_may_see_the_partners_library(world: InMemoryStore) -> None:
    assert 5 == len(library(world, "acme", NOV_1, by="alice"))


def test_a_newer_version_shows_in_updates_available(world: InMemoryStore) -> None:
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)
    publish(world, "acme-gap", 3, at=NOV_10, by="paula")

    assert (
        (),
        (
            AvailableUpdate(
                item_id="acme-gap", installed_version=2, available_version=3, locked=False
            ),
        ),
    ) == (
        updates_available(world, "c1", NOV_5),
        updates_available(world, "c1", NOV_10),
    )


def test_an_installed_copy_stays_on_its_version_until_updated(world: InMemoryStore) -> None:
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)
    publish(world, "acme-gap", 3, at=NOV_10, by="paula")
    before = installed(world, "c1", NOV_20)[0].version
    install(world, "c1", "acme-gap", at=NOV_20, by=SYSTEM)

    assert (2, 3, ()) == (
        before,
        installed(world, "c1", NOV_20)[0].version,
        updates_available(world, "c1", NOV_20),
    )


def test_the_library_view_is_the_library_command_document(world: InMemoryStore) -> None:
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)
    publish(world, "acme-gap", 3, at=NOV_10, by="paula")

    assert {
        "team": "c1",
        "visible": ["acme-gap", "acme-policies", "acme-risks", "iso27001"],
        "installed": [{"item": "acme-gap", "version": 2, "locked": False, "update_available": 3}],
    } == library_view(world, "c1", NOV_20).to_dict()
