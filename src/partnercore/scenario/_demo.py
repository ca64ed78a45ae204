"""The built-in demo scenario, shipped as package data (``demo.toml``)."""

from __future__ import annotations

from importlib import resources

from partnercore.scenario._loading import loads
from partnercore.scenario._scenario import Scenario

__all__ = ["demo_text", "load_demo"]


def demo_text() -> str:
    """The demo scenario's TOML text: a starting point for one's own scenario."""
    return resources.files("partnercore.scenario").joinpath("demo.toml").read_text("utf-8")


def load_demo() -> Scenario:
    """The demo scenario, loaded."""
    return loads(demo_text(), name="demo")
