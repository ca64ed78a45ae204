from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partnercore.sqlite import SqliteStore
from partnercore.tenancy import (
    AuditTrail,
    ConsentRepository,
    GrantRepository,
    MembershipRepository,
    TeamHistory,
    TeamRepository,
    TenancyPorts,
    UserRepository,
)
from partnercore.testing import (
    AuditTrailContract,
    ConsentRepositoryContract,
    GrantRepositoryContract,
    MembershipRepositoryContract,
    TeamHistoryContract,
    TeamRepositoryContract,
    TenancyPortsContract,
    UserRepositoryContract,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "store.db") as opened:
        yield opened


class TestSqliteTeams(TeamRepositoryContract):
    @pytest.fixture
    def teams(self, store: SqliteStore) -> TeamRepository:
        return store.tenancy.teams


class TestSqliteUsers(UserRepositoryContract):
    @pytest.fixture
    def users(self, store: SqliteStore) -> UserRepository:
        return store.tenancy.users


class TestSqliteMemberships(MembershipRepositoryContract):
    @pytest.fixture
    def memberships(self, store: SqliteStore) -> MembershipRepository:
        return store.tenancy.memberships


class TestSqliteGrants(GrantRepositoryContract):
    @pytest.fixture
    def grants(self, store: SqliteStore) -> GrantRepository:
        return store.tenancy.grants


class TestSqliteConsents(ConsentRepositoryContract):
    @pytest.fixture
    def consents(self, store: SqliteStore) -> ConsentRepository:
        return store.tenancy.consents


class TestSqliteTeamHistory(TeamHistoryContract):
    @pytest.fixture
    def history(self, store: SqliteStore) -> TeamHistory:
        return store.tenancy.history


class TestSqliteAuditTrail(AuditTrailContract):
    @pytest.fixture
    def audit(self, store: SqliteStore) -> AuditTrail:
        return store.tenancy.audit


class TestSqliteTenancy(TenancyPortsContract):
    @pytest.fixture
    def ports(self, store: SqliteStore) -> TenancyPorts:
        return store.tenancy
