"""docs/quickstart.md shows the README's two commands and exactly what the demo prints."""

from __future__ import annotations

import re
from pathlib import Path

from partnercore.cli._demo import run_demo

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.S | re.M)


def test_the_quickstart_shows_exactly_what_the_demo_prints() -> None:
    (shown,) = _blocks(QUICKSTART, "text")

    assert run_demo() + "\n" == shown


def test_the_quickstart_commands_are_the_readmes_two_commands() -> None:
    assert _blocks(README, "sh") == _blocks(QUICKSTART, "sh")
