from __future__ import annotations

import pytest

from partnercore.memory import InMemoryStore
from partnercore.memory._tenancy import (
    InMemoryConsents,
    InMemoryGrants,
    InMemoryMemberships,
    InMemoryTeamHistory,
    InMemoryTeams,
    InMemoryUsers,
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


class TestInMemoryStoreTenancy(TenancyStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryStore:
        return InMemoryStore()
