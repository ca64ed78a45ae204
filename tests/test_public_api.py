"""The public API: every exported name is listed in the reference and used somewhere real."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "partnercore"
PACKAGES = sorted(
    ".".join(path.parent.relative_to(SOURCE.parent).parts) for path in SOURCE.rglob("__init__.py")
)


def _exported(package: str) -> list[str]:
    tree = ast.parse((SOURCE.parent / package.replace(".", "/") / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return [ast.literal_eval(element) for element in node.value.elts]  # type: ignore[attr-defined]
    return []


def _docs() -> str:
    pages = [path.read_text() for path in sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join([*pages, (ROOT / "README.md").read_text()])


def _other_packages(package: str) -> str:
    own = SOURCE.parent / package.replace(".", "/")
    return "\n".join(
        path.read_text()
        for path in SOURCE.rglob("*.py")
        if own not in path.parents or (package == "partnercore" and path.parent != own)
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_is_importable(package: str) -> None:
    module = importlib.import_module(package)

    assert [] == [name for name in _exported(package) if not hasattr(module, name)]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_is_used_by_the_docs_or_another_package(package: str) -> None:
    text = _docs() + _other_packages(package)

    unused = [
        name
        for name in _exported(package)
        if not name.startswith("__") and not re.search(rf"\b{re.escape(name)}\b", text)
    ]

    assert [] == unused


def test_the_reference_covers_every_public_package() -> None:
    reference = (ROOT / "docs" / "api.md").read_text()

    # the command line is documented by its --help and docs/quickstart.md, not as an API
    python_api = [package for package in PACKAGES if package != "partnercore.cli"]

    assert [] == [p for p in python_api if f"::: {p}\n" not in reference]
