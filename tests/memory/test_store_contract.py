from __future__ import annotations

import pytest

from partnercore.memory import InMemoryStore
from partnercore.testing import StoreContract


class TestInMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> InMemoryStore:
        return InMemoryStore()
