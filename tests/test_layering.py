"""The package layers: the domain never reaches an adapter or an edge; adapters never reach
an edge or each other. Every import counts, lazy ones inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "partnercore"

DOMAIN = ("tenancy", "licensing", "billing", "content", "events", "money", "time", "store")
ADAPTERS = ("memory", "sqlite", "postgres")
EDGES = ("scenario", "cli", "notebook", "testing")

#: The one sanctioned crossing: ``BillingRun.to_frame()`` hands the run to the optional
#: pandas bridge, imported inside the method (pandas is an extra), as sugar for
#: ``partnercore.notebook.to_frame(run)``.
ALLOWED = {("billing/_run.py", "notebook")}


def _imports(package: str) -> set[tuple[str, str]]:
    """(module file, imported subpackage of partnercore) for every import in ``package``."""
    found = set()
    for path in (SOURCE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "partnercore" and len(parts) > 1:
                    found.add((path.relative_to(SOURCE).as_posix(), parts[1]))
    return found


@pytest.mark.parametrize("package", DOMAIN)
def test_the_domain_never_imports_an_adapter_or_an_edge(package: str) -> None:
    assert [] == sorted(
        (module, target)
        for module, target in _imports(package) - ALLOWED
        if target in ADAPTERS + EDGES
    )


@pytest.mark.parametrize("package", ADAPTERS)
def test_an_adapter_never_imports_an_edge_or_another_adapter(package: str) -> None:
    others = tuple(adapter for adapter in ADAPTERS if adapter != package)
    assert [] == sorted(
        (module, target) for module, target in _imports(package) if target in EDGES + others
    )


def test_tenancy_never_imports_the_packages_built_on_it() -> None:
    assert [] == sorted(
        (module, target)
        for module, target in _imports("tenancy")
        if target in ("licensing", "billing", "content")
    )
