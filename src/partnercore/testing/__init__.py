"""Contract test-suites for the library's ports.

A host application subclasses a contract class in its own test suite and provides the
fixtures that build its implementation; every test then runs against it::

    from partnercore.testing import TeamRepositoryContract

    class TestMyTeams(TeamRepositoryContract):
        @pytest.fixture
        def teams(self):
            return MyTeams(connection)
"""

from partnercore.testing._billing import (
    BillingAccountRepositoryContract,
    InvoiceRepositoryContract,
    PriceBookRepositoryContract,
    UsageRepositoryContract,
    UsageTotalsContract,
)
from partnercore.testing._content import (
    ContentItemRepositoryContract,
    ContentStoreContract,
    InstallRepositoryContract,
    LibraryRepositoryContract,
    OnboardingRepositoryContract,
    TemplateRepositoryContract,
)
from partnercore.testing._licensing import LicenseRepositoryContract
from partnercore.testing._store import StoreContract
from partnercore.testing._tenancy import (
    ConsentRepositoryContract,
    GrantRepositoryContract,
    MembershipRepositoryContract,
    TeamHistoryContract,
    TeamRepositoryContract,
    TenancyStoreContract,
    UserRepositoryContract,
)

__all__ = [
    "BillingAccountRepositoryContract",
    "ConsentRepositoryContract",
    "ContentItemRepositoryContract",
    "ContentStoreContract",
    "GrantRepositoryContract",
    "InstallRepositoryContract",
    "InvoiceRepositoryContract",
    "LibraryRepositoryContract",
    "LicenseRepositoryContract",
    "MembershipRepositoryContract",
    "OnboardingRepositoryContract",
    "PriceBookRepositoryContract",
    "StoreContract",
    "TeamHistoryContract",
    "TeamRepositoryContract",
    "TemplateRepositoryContract",
    "TenancyStoreContract",
    "UsageRepositoryContract",
    "UsageTotalsContract",
    "UserRepositoryContract",
]
