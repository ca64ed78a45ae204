"""docs/scenarios.md documents every table and every key the format accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from partnercore.scenario._document import ARRAYS, LicensePolicyEntry
from partnercore.scenario._keys import entry_keys

DOC = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text(encoding="utf-8")
TABLES = [*((f"[[{name}]]", entry) for name, entry in ARRAYS.items())]
TABLES.append(("[license_policy]", LicensePolicyEntry))


def _section(title: str) -> str:
    match = re.search(rf"^### `{re.escape(title)}`\n(.*?)(?=^##)", DOC, re.S | re.M)
    assert match is not None, f"no section for {title}"
    return match.group(1)


@pytest.mark.parametrize(("title", "entry"), TABLES, ids=[title for title, _ in TABLES])
def test_every_key_of_every_table_is_documented(title: str, entry: type) -> None:
    section = _section(title)
    documented = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)

    expected = list(entry_keys(entry).names.values())
    assert expected == documented
