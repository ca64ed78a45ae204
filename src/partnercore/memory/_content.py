"""In-memory reference adapters for the content ports."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from partnercore._errors import ConflictError, NotFoundError, StaleWriteError
from partnercore._fields import check_instance
from partnercore.content import (
    ClientTemplate,
    ContentItem,
    ContentPorts,
    CopyEvent,
    LibrarySelection,
    Onboarding,
)
from partnercore.licensing import LicenseRepository
from partnercore.memory._journal import Journal
from partnercore.memory._licensing import InMemoryLicenses
from partnercore.memory._tenancy import InMemoryTenancy
from partnercore.tenancy import TenancyPorts

__all__ = [
    "InMemoryContent",
    "InMemoryContentItems",
    "InMemoryInstalls",
    "InMemoryLibraries",
    "InMemoryOnboardings",
    "InMemoryTemplates",
    "InMemoryUnitOfWork",
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


def _copy(value: Any) -> Any:
    """``value`` with every dict, list and set in it copied (records are immutable)."""
    if isinstance(value, dict):
        return {key: _copy(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_copy(inner) for inner in value]
    if isinstance(value, set):
        return set(value)
    return value


def _fields(store: object) -> list[str]:
    names = list(vars(store)) if hasattr(store, "__dict__") else []
    for cls in type(store).__mro__:
        names.extend(
            name
            for name in getattr(cls, "__slots__", ())
            if name not in ("__dict__", "__weakref__")
        )
    return [name for name in names if hasattr(store, name)]


def _snapshot(store: object) -> dict[str, Any]:
    return {name: _copy(getattr(store, name)) for name in _fields(store)}


def _restore(store: object, snapshot: dict[str, Any]) -> None:
    # Containers are refilled in place: another handle on the same store (``view()``) keeps
    # seeing what this one sees, and a ``defaultdict`` keeps its default.
    for name, value in snapshot.items():
        current = getattr(store, name)
        if current is value:
            continue
        if isinstance(current, dict) and isinstance(value, dict):
            current.clear()
            current.update(value)
        elif isinstance(current, list) and isinstance(value, list):
            current[:] = value
        elif isinstance(current, set) and isinstance(value, set):
            current.clear()
            current.update(value)
        else:
            object.__setattr__(store, name, value)


class InMemoryUnitOfWork:
    """A unit of work over in-memory stores: ``with unit_of_work(): ...``.

    Entering takes a snapshot of every store's state; an exception leaving the block puts
    every store back as it was, so the block's writes are all kept or none. Nested blocks
    each undo their own writes on error. It is a reference for tests and notebooks:
    snapshotting costs time in proportion to what the stores hold.
    """

    def __init__(self, *stores: object) -> None:
        self._stores = stores

    def __call__(self) -> AbstractContextManager[None]:
        return self._unit()

    @contextmanager
    def _unit(self) -> Iterator[None]:
        saved = [_snapshot(store) for store in self._stores]
        try:
            yield
        except BaseException:
            for store, snapshot in zip(self._stores, saved, strict=True):
                _restore(store, snapshot)
            raise


class InMemoryContent(ContentPorts):
    """Every port the content services need, in memory, with one unit of work over them.

    Pass the tenancy ports and licence store of an existing in-memory world to share them;
    by default new, empty ones are made.
    """

    __slots__ = ()

    def __init__(
        self, tenancy: TenancyPorts | None = None, licenses: LicenseRepository | None = None
    ) -> None:
        tenancy = InMemoryTenancy() if tenancy is None else tenancy
        licenses = InMemoryLicenses() if licenses is None else licenses
        items = InMemoryContentItems()
        libraries = InMemoryLibraries()
        installs = InMemoryInstalls()
        templates = InMemoryTemplates()
        onboardings = InMemoryOnboardings()
        stores: list[object] = [
            tenancy.teams,
            tenancy.users,
            tenancy.memberships,
            tenancy.grants,
            tenancy.consents,
            tenancy.history,
            tenancy.audit,
            licenses,
            items,
            libraries,
            installs,
            templates,
            onboardings,
        ]
        super().__init__(
            tenancy=tenancy,
            licenses=licenses,
            items=items,
            libraries=libraries,
            installs=installs,
            templates=templates,
            onboardings=onboardings,
            unit_of_work=InMemoryUnitOfWork(*stores),
        )
