from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partnercore.licensing import LicenseRepository
from partnercore.sqlite import SqliteStore
from partnercore.testing import LicenseRepositoryContract


class TestSqliteLicenses(LicenseRepositoryContract):
    @pytest.fixture
    def licenses(self, tmp_path: Path) -> Iterator[LicenseRepository]:
        with SqliteStore(tmp_path / "store.db") as store:
            yield store.licenses
