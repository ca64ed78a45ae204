"""The repository contracts, run against the PostgreSQL store (one fresh schema per test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from partnercore.licensing import LicenseRepository
from partnercore.postgres import PostgresStore
from partnercore.tenancy import (
    ConsentRepository,
    GrantRepository,
    MembershipRepository,
    TeamHistory,
    TeamRepository,
    UserRepository,
)
from partnercore.testing import (
    ConsentRepositoryContract,
    GrantRepositoryContract,
    LicenseRepositoryContract,
    MembershipRepositoryContract,
    TeamHistoryContract,
    TeamRepositoryContract,
    UserRepositoryContract,
)


class TestPostgresTeams(TeamRepositoryContract):
    @pytest.fixture
    def teams(self, store: PostgresStore) -> TeamRepository:
        return store.teams


class TestPostgresUsers(UserRepositoryContract):
    @pytest.fixture
    def users(self, store: PostgresStore) -> UserRepository:
        return store.users


class TestPostgresMemberships(MembershipRepositoryContract):
    @pytest.fixture
    def memberships(self, store: PostgresStore) -> MembershipRepository:
        return store.memberships


class TestPostgresGrants(GrantRepositoryContract):
    @pytest.fixture
    def grants(self, store: PostgresStore) -> GrantRepository:
        return store.grants


class TestPostgresConsents(ConsentRepositoryContract):
    @pytest.fixture
    def consents(self, store: PostgresStore) -> ConsentRepository:
        return store.consents


class TestPostgresTeamHistory(TeamHistoryContract):
    @pytest.fixture
    def history(self, store: PostgresStore) -> TeamHistory:
        return store.history


class TestPostgresLicenses(LicenseRepositoryContract):
    @pytest.fixture
    def licenses(self, store: PostgresStore) -> LicenseRepository:
        return store.licenses

    @pytest.fixture
    def other_licenses(
        self, postgres_url: str, store: PostgresStore
    ) -> Iterator[LicenseRepository]:
        """A second store on the same schema: its own pool, its own connections."""
        with PostgresStore.connect(postgres_url, schema=store.schema, max_size=2) as other:
            yield other.licenses
