from __future__ import annotations

import pytest

from partnercore.memory import (
    InMemoryAuditTrail,
    InMemoryConsents,
    InMemoryGrants,
    InMemoryMemberships,
    InMemoryTeamHistory,
    InMemoryTeams,
    InMemoryTenancy,
    InMemoryUsers,
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


class TestInMemoryTeams(TeamRepositoryContract):
    @pytest.fixture
    def teams(self) -> InMemoryTeams:
        return InMemoryTeams()


class TestInMemoryUsers(UserRepositoryContract):
    @pytest.fixture
    def users(self) -> InMemoryUsers:
        return InMemoryUsers()


class TestInMemoryMemberships(MembershipRepositoryContract):
    @pytest.fixture
    def memberships(self) -> InMemoryMemberships:
        return InMemoryMemberships()


class TestInMemoryGrants(GrantRepositoryContract):
    @pytest.fixture
    def grants(self) -> InMemoryGrants:
        return InMemoryGrants()


class TestInMemoryConsents(ConsentRepositoryContract):
    @pytest.fixture
    def consents(self) -> InMemoryConsents:
        return InMemoryConsents()


class TestInMemoryTeamHistory(TeamHistoryContract):
    @pytest.fixture
    def history(self) -> InMemoryTeamHistory:
        return InMemoryTeamHistory()


class TestInMemoryAuditTrail(AuditTrailContract):
    @pytest.fixture
    def audit(self) -> InMemoryAuditTrail:
        return InMemoryAuditTrail()


class TestInMemoryTenancy(TenancyPortsContract):
    @pytest.fixture
    def ports(self) -> InMemoryTenancy:
        return InMemoryTenancy()
