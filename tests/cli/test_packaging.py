"""Packaging: one version, and the testing extra named when its tools are missing."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import partnercore

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_written_once_and_read_by_the_build() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

    assert ["version"] == project["project"]["dynamic"]
    assert {"attr": "partnercore.__version__"} == project["tool"]["setuptools"]["dynamic"][
        "version"
    ]
    assert partnercore.__version__


def test_importing_the_contract_suites_without_pytest_names_the_testing_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['pytest'] = None\n"
        "try:\n"
        "    import partnercore.testing\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    expected = (
        "partnercore.testing needs pytest: install the testing extra, "
        'pip install "partnercore[testing]"\n'
    )
    assert expected == result.stdout


def test_the_package_metadata_names_no_made_up_addresses() -> None:
    # No public home exists yet: an address is added with the place it names, never a guess.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    assert ("urls" in project, "Development Status :: 3 - Alpha" in project["classifiers"]) == (
        False,
        True,
    )
