from __future__ import annotations

import pytest

from partnercore.content import ContentItem
from partnercore.memory import (
    InMemoryContentItems,
    InMemoryInstalls,
    InMemoryLibraries,
    InMemoryOnboardings,
    InMemoryStore,
    InMemoryTemplates,
)
from partnercore.testing import (
    ContentItemRepositoryContract,
    ContentStoreContract,
    InstallRepositoryContract,
    LibraryRepositoryContract,
    OnboardingRepositoryContract,
    TemplateRepositoryContract,
)


class TestInMemoryContentItems(ContentItemRepositoryContract):
    @pytest.fixture
    def items(self) -> InMemoryContentItems:
        return InMemoryContentItems()

    @pytest.fixture
    def other_items(self, items: InMemoryContentItems) -> InMemoryContentItems:
        return items.view()


class TestInMemoryLibraries(LibraryRepositoryContract):
    @pytest.fixture
    def libraries(self) -> InMemoryLibraries:
        return InMemoryLibraries()


class TestInMemoryInstalls(InstallRepositoryContract):
    @pytest.fixture
    def installs(self) -> InMemoryInstalls:
        return InMemoryInstalls()


class TestInMemoryTemplates(TemplateRepositoryContract):
    @pytest.fixture
    def templates(self) -> InMemoryTemplates:
        return InMemoryTemplates()

    @pytest.fixture
    def other_templates(self, templates: InMemoryTemplates) -> InMemoryTemplates:
        return templates.view()


class TestInMemoryOnboardings(OnboardingRepositoryContract):
    @pytest.fixture
    def onboardings(self) -> InMemoryOnboardings:
        return InMemoryOnboardings()


class TestInMemoryStoreContent(ContentStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryStore:
        return InMemoryStore()


def test_a_failed_unit_of_work_is_undone_for_every_view_of_a_repository() -> None:
    store = InMemoryStore()
    view = store.items.view()

    def abandoned() -> None:
        with store.unit_of_work():
            store.items.add(
                ContentItem.create(id="gap", kind="framework", title="Gap", owner="platform")
            )
            raise RuntimeError("abandon")

    with pytest.raises(RuntimeError, match="abandon"):
        abandoned()
    assert (None, None) == (store.items.find("gap"), view.find("gap"))
