from __future__ import annotations

from collections import defaultdict

import pytest

from partnercore.content import ContentItem
from partnercore.memory import (
    InMemoryContent,
    InMemoryContentItems,
    InMemoryInstalls,
    InMemoryLibraries,
    InMemoryOnboardings,
    InMemoryTemplates,
    InMemoryUnitOfWork,
)
from partnercore.testing import (
    ContentItemRepositoryContract,
    ContentPortsContract,
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


class TestInMemoryContent(ContentPortsContract):
    @pytest.fixture
    def ports(self) -> InMemoryContent:
        return InMemoryContent()


def test_a_failed_unit_of_work_is_undone_for_every_view_of_a_store() -> None:
    content = InMemoryContent()
    view = content.items.view()

    def abandoned() -> None:
        with content.unit_of_work():
            content.items.add(
                ContentItem.create(id="gap", kind="framework", title="Gap", owner="platform")
            )
            raise RuntimeError("abandon")

    with pytest.raises(RuntimeError, match="abandon"):
        abandoned()
    assert (None, None) == (content.items.find("gap"), view.find("gap"))


def test_a_failed_unit_of_work_keeps_a_stores_containers_as_they_were() -> None:
    class Counts:
        def __init__(self) -> None:
            self.counts: defaultdict[str, int] = defaultdict(int)

    store = Counts()

    def abandoned() -> None:
        with InMemoryUnitOfWork(store)():
            store.counts["a"] += 1
            raise RuntimeError("abandon")

    with pytest.raises(RuntimeError, match="abandon"):
        abandoned()
    store.counts["b"] += 1
    assert {"b": 1} == store.counts
