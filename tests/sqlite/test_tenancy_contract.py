from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partnercore.sqlite import SqliteStore
from partnercore.tenancy import (
    ConsentRepository,
    GrantRepository,
    MembershipRepository,
    TeamHistory,
    TeamRepository,
    TenancyStore,
    UserRepository,
)
from partnercore.testing import (
    ConsentRepositoryContract,
    GrantRepositoryContract,
    MembershipRepositoryContract,
    TeamHistoryContract,
    TeamRepositoryContract,
    TenancyStoreContract,
    UserRepositoryContract,
)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "store.db") as opened:
        yield opened


class TestSqliteTeams(TeamRepositoryContract):
    @pytest.fixture
    def teams(self, sqlite_store: SqliteStore) -> TeamRepository:
        return sqlite_store.teams


class TestSqliteUsers(UserRepositoryContract):
    @pytest.fixture
    def users(self, sqlite_store: SqliteStore) -> UserRepository:
        return sqlite_store.users


class TestSqliteMemberships(MembershipRepositoryContract):
    @pytest.fixture
    def memberships(self, sqlite_store: SqliteStore) -> MembershipRepository:
        return sqlite_store.memberships


class TestSqliteGrants(GrantRepositoryContract):
    @pytest.fixture
    def grants(self, sqlite_store: SqliteStore) -> GrantRepository:
        return sqlite_store.grants


class TestSqliteConsents(ConsentRepositoryContract):
    @pytest.fixture
    def consents(self, sqlite_store: SqliteStore) -> ConsentRepository:
        return sqlite_store.consents


class TestSqliteTeamHistory(TeamHistoryContract):
    @pytest.fixture
    def history(self, sqlite_store: SqliteStore) -> TeamHistory:
        return sqlite_store.history


class TestSqliteStoreTenancy(TenancyStoreContract):
    @pytest.fixture
    def store(self, sqlite_store: SqliteStore) -> TenancyStore:
        return sqlite_store
