from __future__ import annotations

from datetime import UTC, datetime

from partnercore.content import ContentItem, LibrarySelection
from partnercore.content._library import exclusive_library, open_library, selected_at

NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
NOV_10 = datetime(2026, 11, 10, tzinfo=UTC)
NOV_20 = datetime(2026, 11, 20, tzinfo=UTC)


def item(id: str, owner: str, status: str = "published", version: int = 1) -> ContentItem:
    return ContentItem.create(
        id=id, kind="framework", title=id, owner=owner, status=status, version=version
    )


ITEMS = (
    item("iso27001", "platform", version=3),
    item("nist", "platform"),
    item("platform-draft", "platform", status="draft"),
    item("acme-gap", "acme", version=2),
    item("acme-draft", "acme", status="draft"),
    item("bolt-pack", "bolt"),
)


def ids(entries: object) -> list[str]:
    return [entry.id for entry in entries]  # type: ignore[attr-defined]


def test_the_open_library_holds_the_published_platform_items() -> None:
    assert ["iso27001", "nist"] == ids(open_library(ITEMS, NOV_1))


def test_an_exclusive_library_holds_own_items_and_selected_open_items_only() -> None:
    selections = [LibrarySelection("acme", "iso27001")]

    assert ["acme-gap", "iso27001"] == ids(exclusive_library("acme", ITEMS, selections, NOV_1))


def test_another_partners_selection_does_not_reach_this_library() -> None:
    selections = [LibrarySelection("bolt", "nist")]

    assert ["acme-gap"] == ids(exclusive_library("acme", ITEMS, selections, NOV_1))


def test_selecting_another_partners_item_does_not_put_it_in_the_library() -> None:
    selections = [LibrarySelection("acme", "bolt-pack")]

    assert ["acme-gap"] == ids(exclusive_library("acme", ITEMS, selections, NOV_1))


def test_a_library_entry_carries_the_version_in_force() -> None:
    versions = [entry.version for entry in exclusive_library("acme", ITEMS, [], NOV_1)]

    assert [2] == versions


def test_a_selection_holds_from_its_instant_until_removed() -> None:
    selections = [
        LibrarySelection("acme", "nist", NOV_10),
        LibrarySelection("acme", "nist", NOV_20, selected=False),
    ]

    assert (frozenset(), frozenset({"nist"}), frozenset()) == (
        selected_at(selections, NOV_1),
        selected_at(selections, NOV_10),
        selected_at(selections, NOV_20),
    )


def test_a_retired_item_leaves_the_library_when_retired() -> None:
    retiring = item("acme-old", "acme").retire(NOV_10)

    assert (["acme-old"], []) == (
        ids(exclusive_library("acme", [retiring], [], NOV_1)),
        ids(exclusive_library("acme", [retiring], [], NOV_10)),
    )
