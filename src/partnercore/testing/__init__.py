"""Contract test-suites for the library's ports.

A host application subclasses a contract class in its own test suite and provides the
fixtures that build its implementation; every test then runs against it::

    from partnercore.testing import TeamRepositoryContract

    class TestMyTeams(TeamRepositoryContract):
        @pytest.fixture
        def teams(self):
            return MyTeams(connection)
The suites need pytest and hypothesis: ``pip install "partnercore[testing]"``.
"""

import importlib.util as _importlib_util

for _needed in ("pytest", "hypothesis"):
    if _importlib_util.find_spec(_needed) is None:
        raise ImportError(
            f"partnercore.testing needs {_needed}: install the testing extra, "
            'pip install "partnercore[testing]"',
            name=_needed,
        )

from partnercore.testing._billing import (  # noqa: E402
    BillingAccountRepositoryContract,
    InvoiceRepositoryContract,
    PriceBookRepositoryContract,
    UsageRepositoryContract,
    UsageTotalsContract,
)
from partnercore.testing._content import (  # noqa: E402
    ContentItemRepositoryContract,
    ContentStoreContract,
    InstallRepositoryContract,
    LibraryRepositoryContract,
    OnboardingRepositoryContract,
    TemplateRepositoryContract,
)
from partnercore.testing._documents import (  # noqa: E402
    CreditNoteRepositoryContract,
    IssuedInvoiceRepositoryContract,
    NumberSequencesContract,
)
from partnercore.testing._licensing import LicenseRepositoryContract  # noqa: E402
from partnercore.testing._store import StoreContract  # noqa: E402
from partnercore.testing._tenancy import (  # noqa: E402
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
    "CreditNoteRepositoryContract",
    "GrantRepositoryContract",
    "InstallRepositoryContract",
    "InvoiceRepositoryContract",
    "IssuedInvoiceRepositoryContract",
    "LibraryRepositoryContract",
    "LicenseRepositoryContract",
    "MembershipRepositoryContract",
    "NumberSequencesContract",
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
