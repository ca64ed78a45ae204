from __future__ import annotations

import pytest

from partnercore.memory import InMemoryLicenses
from partnercore.testing import LicenseRepositoryContract


class TestInMemoryLicenses(LicenseRepositoryContract):
    @pytest.fixture
    def licenses(self) -> InMemoryLicenses:
        return InMemoryLicenses()

    @pytest.fixture
    def other_licenses(self, licenses: InMemoryLicenses) -> InMemoryLicenses:
        return licenses.view()
