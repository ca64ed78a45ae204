"""``partnercore demo``: the built-in scenario, end to end, printed readably."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from partnercore.cli import _render
from partnercore.cli._tables import indent
from partnercore.scenario import load_demo
from partnercore.time import format_instant

__all__ = ["run_demo"]

PERIOD = "2026-11"
CHECK_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HIERARCHY_AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TIMELINE_TEAM = "bluebird"
PARTNER = "acme"

# (user, permission, team): questions worth asking of the demo world at CHECK_AT.
QUESTIONS = (
    ("alice", "team.edit", "northwind"),
    ("alice", "team.edit", "bluebird"),
    ("bob", "team.view", "bluebird"),
    ("paula", "billing.manage", "northwind"),
    ("alice", "team.view", "kestrel"),
    ("nina", "team.view", "bluebird"),
    ("paula", "referral.view", "acme"),
)


def _section(title: str, body: str) -> str:
    return f"== {title}\n\n{indent(body)}"


def demo_document() -> dict[str, Any]:
    """The demo as one JSON document: everything :func:`run_demo` prints, and more."""
    scenario = load_demo()
    at = format_instant(CHECK_AT)
    decisions = []
    for user, permission, team in QUESTIONS:
        decision = scenario.check(user=user, permission=permission, team=team, at=CHECK_AT)
        decisions.append(_render.check_document(decision, user, permission, team, at))
    run = scenario.bill(PERIOD).to_dict()
    return {
        "partner": PARTNER,
        "period": PERIOD,
        "hierarchy": {
            "at": format_instant(HIERARCHY_AT),
            "teams": _render.hierarchy_document(scenario, HIERARCHY_AT),
        },
        "decisions": decisions,
        "license": _render.license_document(scenario, TIMELINE_TEAM, None, None),
        "invoices": [i for i in run["invoices"] if i["partner"] == PARTNER],
        "referrals": [s for s in run["referrals"] if s["partner"] == PARTNER],
    }


def run_demo() -> str:
    """The demo's whole output, made from :func:`demo_document`."""
    document = demo_document()
    at = format_instant(CHECK_AT)
    decisions = []
    for decision in document["decisions"]:
        verdict = "ALLOWED" if decision["allowed"] else "DENIED "
        via = f" via {decision['via']}" if decision["via"] else ""
        decisions.append(
            f"{verdict} {decision['user']} {decision['permission']} on {decision['team']}: "
            f"{decision['rule']}{via}\n        {decision['explanation']}"
        )
    parts = [
        "partnercore demo: one advisory firm (Acme Advisory), three clients, November 2026.\n"
        "The scenario is built in: print it with `partnercore demo --print-scenario`.",
        _section(
            f"Hierarchy (licences at {document['hierarchy']['at']})",
            _render.hierarchy_text(document["hierarchy"]["teams"]),
        ),
        _section(f"Access decisions at {at}", "\n".join(decisions)),
        _section(
            f"Licence timeline of {TIMELINE_TEAM}",
            _render.license_text(document["license"], title=False),
        ),
        _section(
            f"Invoices for {PERIOD}",
            "\n\n".join(_render.invoice_text(invoice) for invoice in document["invoices"]),
        ),
        _section(
            f"Referral statement for {PERIOD}",
            "\n\n".join(_render.statement_text(statement) for statement in document["referrals"]),
        ),
        "Next: partnercore demo --print-scenario > world.toml\n"
        f"      partnercore bill world.toml --period {PERIOD}",
    ]
    return "\n\n".join(parts)
