"""The content ports: narrow, collection-like protocols a host application implements, and
:class:`ContentStore`, the view of the store the content services take.

Every method either returns plain records or raises the library's own errors
(:class:`~partnercore.NotFoundError`, :class:`~partnercore.ConflictError`,
:class:`~partnercore.StaleWriteError`); a write that raises changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from partnercore.content._copies import CopyEvent
from partnercore.content._items import ContentItem
from partnercore.content._library import LibrarySelection
from partnercore.content._onboarding import Onboarding
from partnercore.content._templates import ClientTemplate
from partnercore.licensing import LicensingStore
from partnercore.tenancy import UserRepository

__all__ = [
    "ContentItemRepository",
    "ContentStore",
    "InstallRepository",
    "LibraryRepository",
    "OnboardingRepository",
    "TemplateRepository",
]


class ContentItemRepository(Protocol):
    """Content items (the open library's and every partner's) by id."""

    def add(self, item: ContentItem) -> None:
        """Store a new item; :class:`ConflictError` if its id is taken."""
        ...

    def get(self, item_id: str) -> ContentItem:
        """The item; :class:`NotFoundError` if there is none."""
        ...

    def find(self, item_id: str) -> ContentItem | None:
        """The item, or ``None``."""
        ...

    def save(self, item: ContentItem) -> None:
        """Store a changed item (one more release than the stored one).

        :class:`NotFoundError` if it was never added; :class:`StaleWriteError` unless the
        stored item has exactly ``item.revision - 1`` releases (someone saved it first).
        """
        ...

    def owned_by(self, owner: str) -> Sequence[ContentItem]:
        """Every item of ``owner`` (``"platform"`` or a partner id), sorted by id."""
        ...


class LibraryRepository(Protocol):
    """Partners' selections of open-library items into their exclusive libraries."""

    def add(self, selection: LibrarySelection) -> None:
        """Record a selection (or a removal, ``selected=False``)."""
        ...

    def for_partner(self, partner_id: str) -> Sequence[LibrarySelection]:
        """Every selection of the partner, in the order recorded."""
        ...


class InstallRepository(Protocol):
    """The append-only log of changes to clients' copies of content (pulls and pushes)."""

    def add_all(self, events: Sequence[CopyEvent]) -> None:
        """Append ``events`` in order: all of them, or (on error) none."""
        ...

    def for_client(self, client_id: str) -> Sequence[CopyEvent]:
        """Every event of the client, in the order recorded."""
        ...

    def for_item(self, item_id: str) -> Sequence[CopyEvent]:
        """Every event about the item (all clients), in the order recorded."""
        ...


class TemplateRepository(Protocol):
    """Client templates by id and by partner."""

    def add(self, template: ClientTemplate) -> None:
        """Store a new template; :class:`ConflictError` if its id is taken."""
        ...

    def get(self, template_id: str) -> ClientTemplate:
        """The template; :class:`NotFoundError` if there is none."""
        ...

    def find(self, template_id: str) -> ClientTemplate | None:
        """The template, or ``None``."""
        ...

    def save(self, template: ClientTemplate) -> None:
        """Store a changed template.

        :class:`NotFoundError` if it was never added; :class:`StaleWriteError` unless the
        stored template's revision is exactly ``template.revision - 1``.
        """
        ...

    def for_partner(self, partner_id: str) -> Sequence[ClientTemplate]:
        """The partner's templates, sorted by id."""
        ...


class OnboardingRepository(Protocol):
    """Completed onboardings by request id (what makes onboarding idempotent)."""

    def add(self, onboarding: Onboarding) -> None:
        """Store a completed onboarding; :class:`ConflictError` if its request id is taken."""
        ...

    def find(self, request_id: str) -> Onboarding | None:
        """The onboarding recorded for ``request_id``, or ``None``."""
        ...


class ContentStore(LicensingStore, Protocol):
    """What the content services work through: the content repositories, the tenancy and
    licence repositories onboarding writes to, events, units of work (every
    :class:`~partnercore.store.Store` is one)."""

    @property
    def users(self) -> UserRepository: ...
    @property
    def items(self) -> ContentItemRepository: ...
    @property
    def libraries(self) -> LibraryRepository: ...
    @property
    def installs(self) -> InstallRepository: ...
    @property
    def templates(self) -> TemplateRepository: ...
    @property
    def onboardings(self) -> OnboardingRepository: ...
