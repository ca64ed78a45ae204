"""The whole contract suite, run against the PostgreSQL store (one fresh schema per test):
every repository contract, the store contract (units of work, events), and the tenancy and
content store contracts. The versioned aggregates (licences, content items, templates) and the
store contract get a genuine second store on the same schema (its own pool, its own
connections), as a second process would have."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from partnercore.billing import (
    BillingAccountRepository,
    InvoiceRepository,
    PriceBookRepository,
    UsageRepository,
)
from partnercore.content import (
    ContentItemRepository,
    InstallRepository,
    LibraryRepository,
    OnboardingRepository,
    TemplateRepository,
)
from partnercore.licensing import LicenseRepository
from partnercore.postgres import PostgresStore
from partnercore.store import Store
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
    BillingAccountRepositoryContract,
    ConsentRepositoryContract,
    ContentItemRepositoryContract,
    ContentStoreContract,
    GrantRepositoryContract,
    InstallRepositoryContract,
    InvoiceRepositoryContract,
    LibraryRepositoryContract,
    LicenseRepositoryContract,
    MembershipRepositoryContract,
    OnboardingRepositoryContract,
    PriceBookRepositoryContract,
    StoreContract,
    TeamHistoryContract,
    TeamRepositoryContract,
    TemplateRepositoryContract,
    TenancyStoreContract,
    UsageRepositoryContract,
    UserRepositoryContract,
)


@pytest.fixture
def second(postgres_url: str, store: PostgresStore) -> Iterator[PostgresStore]:
    """A second store on the same schema: its own pool, its own connections."""
    with PostgresStore.connect(postgres_url, schema=store.schema, max_size=2) as other:
        yield other


# -- tenancy ------------------------------------------------------------------------------


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


class TestPostgresStoreTenancy(TenancyStoreContract):
    @pytest.fixture
    def store(self, store: PostgresStore) -> TenancyStore:
        return store


# -- licensing ----------------------------------------------------------------------------


class TestPostgresLicenses(LicenseRepositoryContract):
    @pytest.fixture
    def licenses(self, store: PostgresStore) -> LicenseRepository:
        return store.licenses

    @pytest.fixture
    def other_licenses(self, second: PostgresStore) -> LicenseRepository:
        return second.licenses


# -- billing ------------------------------------------------------------------------------


class TestPostgresPriceBooks(PriceBookRepositoryContract):
    @pytest.fixture
    def price_books(self, store: PostgresStore) -> PriceBookRepository:
        return store.price_books


class TestPostgresBillingAccounts(BillingAccountRepositoryContract):
    @pytest.fixture
    def accounts(self, store: PostgresStore) -> BillingAccountRepository:
        return store.accounts


class TestPostgresUsage(UsageRepositoryContract):
    @pytest.fixture
    def usage(self, store: PostgresStore) -> UsageRepository:
        return store.usage


class TestPostgresInvoices(InvoiceRepositoryContract):
    @pytest.fixture
    def invoices(self, store: PostgresStore) -> InvoiceRepository:
        return store.invoices


# -- content ------------------------------------------------------------------------------


class TestPostgresContentItems(ContentItemRepositoryContract):
    @pytest.fixture
    def items(self, store: PostgresStore) -> ContentItemRepository:
        return store.items

    @pytest.fixture
    def other_items(self, second: PostgresStore) -> ContentItemRepository:
        return second.items


class TestPostgresLibraries(LibraryRepositoryContract):
    @pytest.fixture
    def libraries(self, store: PostgresStore) -> LibraryRepository:
        return store.libraries


class TestPostgresInstalls(InstallRepositoryContract):
    @pytest.fixture
    def installs(self, store: PostgresStore) -> InstallRepository:
        return store.installs


class TestPostgresTemplates(TemplateRepositoryContract):
    @pytest.fixture
    def templates(self, store: PostgresStore) -> TemplateRepository:
        return store.templates

    @pytest.fixture
    def other_templates(self, second: PostgresStore) -> TemplateRepository:
        return second.templates


class TestPostgresOnboardings(OnboardingRepositoryContract):
    @pytest.fixture
    def onboardings(self, store: PostgresStore) -> OnboardingRepository:
        return store.onboardings


class TestPostgresStoreContent(ContentStoreContract):
    @pytest.fixture
    def store(self, store: PostgresStore) -> Store:
        return store


# -- the store ----------------------------------------------------------------------------


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store(self, store: PostgresStore) -> Store:
        return store

    @pytest.fixture
    def other_store(self, second: PostgresStore) -> Store:
        return second
