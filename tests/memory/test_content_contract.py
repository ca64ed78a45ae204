from __future__ import annotations

import pytest

from partnercore.memory import (
    InMemoryContent,
    InMemoryContentItems,
    InMemoryInstalls,
    InMemoryLibraries,
    InMemoryOnboardings,
    InMemoryTemplates,
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


class TestInMemoryOnboardings(OnboardingRepositoryContract):
    @pytest.fixture
    def onboardings(self) -> InMemoryOnboardings:
        return InMemoryOnboardings()


class TestInMemoryContent(ContentPortsContract):
    @pytest.fixture
    def ports(self) -> InMemoryContent:
        return InMemoryContent()
