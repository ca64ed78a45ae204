"""Runs the Python examples in README.md and docs/*.md as part of the test suite (Sybil)."""

from __future__ import annotations

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

_docs = Sybil(parsers=[PythonCodeBlockParser(), SkipParser()], patterns=["*.md"], path="docs")
_readme = Sybil(parsers=[PythonCodeBlockParser(), SkipParser()], patterns=["README.md"], path=".")

pytest_collect_file = (_docs + _readme).pytest()
