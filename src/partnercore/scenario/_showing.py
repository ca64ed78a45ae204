"""How a scenario and its answers show in a REPL and in Jupyter: short reprs and HTML tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from partnercore.licensing import LicenseInterval
from partnercore.scenario._document import Document
from partnercore.time import format_instant

__all__ = ["Timeline", "scenario_html", "scenario_repr"]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _usage_span(document: Document) -> str:
    """``usage 2026-01..2026-12`` (UTC months of the first and last usage), or ``no usage``."""
    if not document.usage:
        return "no usage"
    instants = [entry.at for entry in document.usage]
    first, last = min(instants), max(instants)
    return f"usage {first:%Y-%m}..{last:%Y-%m}"


def scenario_repr(name: str | None, document: Document) -> str:
    """``<Scenario 'demo': 1 partner, 3 clients, usage 2026-01..2026-12>``."""
    called = "" if name is None else f" {name!r}"
    partners = _count(len(document.partners), "partner")
    clients = _count(len(document.client_ids()), "client")
    return f"<Scenario{called}: {partners}, {clients}, {_usage_span(document)}>"


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = "".join(f'<th style="text-align: left">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td style="text-align: left">{escape(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def scenario_html(name: str | None, document: Document, store: str) -> str:
    """A table of what the scenario's document declares, for Jupyter."""
    instants = list(document.instants())
    span = f"{format_instant(min(instants))} .. {format_instant(max(instants))}" if instants else ""
    rows = [
        ("partners", str(len(document.partners))),
        ("clients", str(len(document.client_ids()))),
        ("users", str(len(document.users))),
        ("usage records", f"{len(document.usage)} ({_usage_span(document)})"),
        ("content items", str(len(document.content))),
        ("instants", span),
        ("store", store),
    ]
    title = "Scenario" if name is None else f"Scenario {name!r}"
    return f"<p><strong>{escape(title)}</strong></p>" + _table(("", ""), rows)


def _until(end: datetime | None) -> str:
    return "..." if end is None else format_instant(end)


class Timeline(tuple[LicenseInterval, ...]):
    """A client's licence timeline: a tuple of intervals, oldest first, that shows as one
    line per interval (``str``, ``repr``) or a table (Jupyter). ``team`` is the client."""

    team: str

    def __new__(cls, team: str, intervals: Iterable[LicenseInterval]) -> Timeline:
        timeline = super().__new__(cls, intervals)
        timeline.team = team
        return timeline

    def __getnewargs__(self) -> tuple[str, tuple[LicenseInterval, ...]]:
        return self.team, tuple(self)

    def __str__(self) -> str:
        return "\n".join(str(interval) for interval in self)

    def __repr__(self) -> str:
        lines = "".join(f"\n  {interval}" for interval in self)
        return f"<Timeline of {self.team!r}: {_count(len(self), 'interval')}{lines}>"

    def _repr_html_(self) -> str:
        rows = [
            (interval.state.value, format_instant(interval.start), _until(interval.end))
            for interval in self
        ]
        return f"<p><strong>Licence of {escape(self.team)}</strong></p>" + _table(
            ("state", "from", "until"), rows
        )
