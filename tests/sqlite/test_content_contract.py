from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partnercore.content import (
    ContentItemRepository,
    InstallRepository,
    LibraryRepository,
    OnboardingRepository,
    TemplateRepository,
)
from partnercore.sqlite import SqliteStore
from partnercore.store import Store
from partnercore.testing import (
    ContentItemRepositoryContract,
    ContentStoreContract,
    InstallRepositoryContract,
    LibraryRepositoryContract,
    OnboardingRepositoryContract,
    TemplateRepositoryContract,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "store.db") as opened:
        yield opened


class TestSqliteContentItems(ContentItemRepositoryContract):
    @pytest.fixture
    def items(self, store: SqliteStore) -> ContentItemRepository:
        return store.items


class TestSqliteLibraries(LibraryRepositoryContract):
    @pytest.fixture
    def libraries(self, store: SqliteStore) -> LibraryRepository:
        return store.libraries


class TestSqliteInstalls(InstallRepositoryContract):
    @pytest.fixture
    def installs(self, store: SqliteStore) -> InstallRepository:
        return store.installs


class TestSqliteTemplates(TemplateRepositoryContract):
    @pytest.fixture
    def templates(self, store: SqliteStore) -> TemplateRepository:
        return store.templates


class TestSqliteOnboardings(OnboardingRepositoryContract):
    @pytest.fixture
    def onboardings(self, store: SqliteStore) -> OnboardingRepository:
        return store.onboardings


class TestSqliteStoreContent(ContentStoreContract):
    @pytest.fixture
    def store(self, store: SqliteStore) -> Store:
        return store
