"""In-memory reference adapters for the content ports (``InMemoryStore`` holds one of each)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from partnercore._errors import ConflictError, NotFoundError, StaleWriteError
from partnercore._fields import check_instance
from partnercore.content import (
    ClientTemplate,
    ContentItem,
    CopyEvent,
    LibrarySelection,
    Onboarding,
)
from partnercore.memory._journal import Journal

__all__ = [
    "InMemoryContentItems",
    "InMemoryInstalls",
    "InMemoryLibraries",
    "InMemoryOnboardings",
    "InMemoryTemplates",
]


class InMemoryContentItems:
    """Content items in a dict, indexed by owner (implements ``ContentItemRepository``).

    ``add`` and ``save`` check and write under one lock; :meth:`view` gives a second handle
    on the same items, as a second connection to one database is.
    """

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._items: dict[str, ContentItem] = {}
        self._by_owner: dict[str, dict[str, ContentItem]] = {}
        self._lock = threading.Lock()

    def view(self) -> InMemoryContentItems:
        """Another handle on these items: what either saves, both see."""
        other = InMemoryContentItems.__new__(InMemoryContentItems)
        other._items = self._items
        other._by_owner = self._by_owner
        other._lock = self._lock
        other._journal = self._journal
        return other

    def add(self, item: ContentItem) -> None:
        check_instance(item, ContentItem, "item")
        with self._lock:
            if item.id in self._items:
                raise ConflictError(
                    f"content item {item.id!r} already exists", kind="content item", id=item.id
                )
            self._store(item)

    def get(self, item_id: str) -> ContentItem:
        item = self.find(item_id)
        if item is None:
            raise NotFoundError("content item", str(item_id))
        return item

    def find(self, item_id: str) -> ContentItem | None:
        return self._items.get(item_id) if isinstance(item_id, str) else None

    def save(self, item: ContentItem) -> None:
        check_instance(item, ContentItem, "item")
        with self._lock:
            stored = self.get(item.id)
            if stored.revision != item.revision - 1:
                raise StaleWriteError(
                    "content item", item.id, expected=item.revision - 1, actual=stored.revision
                )
            if stored.owner != item.owner:
                raise ConflictError(
                    f"content item {item.id!r} belongs to {stored.owner}",
                    kind="content item",
                    id=item.id,
                )
            self._store(item)

    def owned_by(self, owner: str) -> Sequence[ContentItem]:
        owned = self._by_owner.get(owner, {}) if isinstance(owner, str) else {}
        return tuple(item for _, item in sorted(owned.items()))

    def __len__(self) -> int:
        return len(self._items)

    def _store(self, item: ContentItem) -> None:
        self._journal.keep(self._items, item.id)
        self._journal.keep(self._by_owner, item.owner)
        self._items[item.id] = item
        self._by_owner.setdefault(item.owner, {})[item.id] = item


class InMemoryLibraries:
    """Library selections in a list per partner (implements ``LibraryRepository``)."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._selections: dict[str, list[LibrarySelection]] = {}

    def add(self, selection: LibrarySelection) -> None:
        check_instance(selection, LibrarySelection, "selection")
        self._journal.keep(self._selections, selection.partner_id)
        self._selections.setdefault(selection.partner_id, []).append(selection)

    def for_partner(self, partner_id: str) -> Sequence[LibrarySelection]:
        if not isinstance(partner_id, str):
            return ()
        return tuple(self._selections.get(partner_id, ()))


class InMemoryInstalls:
    """The copy-event log, indexed by client and by item (implements ``InstallRepository``)."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._by_client: dict[str, list[CopyEvent]] = {}
        self._by_item: dict[str, list[CopyEvent]] = {}

    def add_all(self, events: Sequence[CopyEvent]) -> None:
        check_instance(events, Sequence, "events")  # type: ignore[type-abstract]
        batch = tuple(events)
        for index, event in enumerate(batch):
            check_instance(event, CopyEvent, f"events[{index}]")
        for event in batch:
            self._journal.keep(self._by_client, event.client_id)
            self._journal.keep(self._by_item, event.item_id)
            self._by_client.setdefault(event.client_id, []).append(event)
            self._by_item.setdefault(event.item_id, []).append(event)

    def for_client(self, client_id: str) -> Sequence[CopyEvent]:
        return tuple(self._by_client.get(client_id, ())) if isinstance(client_id, str) else ()

    def for_item(self, item_id: str) -> Sequence[CopyEvent]:
        return tuple(self._by_item.get(item_id, ())) if isinstance(item_id, str) else ()


class InMemoryTemplates:
    """Client templates in a dict (implements ``TemplateRepository``).

    ``add`` and ``save`` check and write under one lock; :meth:`view` gives a second handle
    on the same templates, as a second connection to one database is.
    """

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._templates: dict[str, ClientTemplate] = {}
        self._lock = threading.Lock()

    def view(self) -> InMemoryTemplates:
        """Another handle on these templates: what either saves, both see."""
        other = InMemoryTemplates.__new__(InMemoryTemplates)
        other._templates = self._templates
        other._lock = self._lock
        other._journal = self._journal
        return other

    def add(self, template: ClientTemplate) -> None:
        check_instance(template, ClientTemplate, "template")
        with self._lock:
            if template.id in self._templates:
                raise ConflictError(
                    f"template {template.id!r} already exists", kind="template", id=template.id
                )
            self._journal.keep(self._templates, template.id)
            self._templates[template.id] = template

    def get(self, template_id: str) -> ClientTemplate:
        template = self.find(template_id)
        if template is None:
            raise NotFoundError("template", str(template_id))
        return template

    def find(self, template_id: str) -> ClientTemplate | None:
        return self._templates.get(template_id) if isinstance(template_id, str) else None

    def save(self, template: ClientTemplate) -> None:
        check_instance(template, ClientTemplate, "template")
        with self._lock:
            stored = self.get(template.id)
            if stored.revision != template.revision - 1:
                raise StaleWriteError(
                    "template", template.id, expected=template.revision - 1, actual=stored.revision
                )
            self._journal.keep(self._templates, template.id)
            self._templates[template.id] = template

    def for_partner(self, partner_id: str) -> Sequence[ClientTemplate]:
        if not isinstance(partner_id, str):
            return ()
        return tuple(t for _, t in sorted(self._templates.items()) if t.partner_id == partner_id)


class InMemoryOnboardings:
    """Completed onboardings by request id (implements ``OnboardingRepository``)."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._onboardings: dict[str, Onboarding] = {}

    def add(self, onboarding: Onboarding) -> None:
        check_instance(onboarding, Onboarding, "onboarding")
        if onboarding.request_id in self._onboardings:
            raise ConflictError(
                f"onboarding request {onboarding.request_id!r} is already recorded",
                kind="onboarding",
                id=onboarding.request_id,
            )
        self._journal.keep(self._onboardings, onboarding.request_id)
        self._onboardings[onboarding.request_id] = onboarding

    def find(self, request_id: str) -> Onboarding | None:
        return self._onboardings.get(request_id) if isinstance(request_id, str) else None
