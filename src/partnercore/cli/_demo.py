"""``partnercore demo``: the built-in scenario, end to end, printed readably."""

from __future__ import annotations

from datetime import UTC, datetime

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


def run_demo() -> str:
    """The demo's whole output."""
    scenario = load_demo()
    at = format_instant(CHECK_AT)
    decisions = []
    for user, permission, team in QUESTIONS:
        decision = scenario.check(user=user, permission=permission, team=team, at=CHECK_AT)
        verdict = "ALLOWED" if decision.allowed else "DENIED "
        via = f" via {decision.via}" if decision.via else ""
        decisions.append(
            f"{verdict} {user} {permission} on {team}: {decision.rule.value}{via}\n"
            f"        {decision.explanation}"
        )
    run = scenario.bill(PERIOD).to_dict()
    invoices = [i for i in run["invoices"] if i["partner"] == PARTNER]
    statements = [s for s in run["referrals"] if s["partner"] == PARTNER]
    timeline = _render.license_document(scenario, TIMELINE_TEAM, None, None)
    parts = [
        "partnercore demo: one advisory firm (Acme Advisory), three clients, November 2026.\n"
        "The scenario is built in: print it with `partnercore demo --print-scenario`.",
        _section(
            f"Hierarchy (licences at {format_instant(HIERARCHY_AT)})",
            _render.hierarchy_text(scenario, HIERARCHY_AT),
        ),
        _section(f"Access decisions at {at}", "\n".join(decisions)),
        _section(
            f"Licence timeline of {TIMELINE_TEAM}", _render.license_text(timeline, title=False)
        ),
        _section(
            f"Invoices for {PERIOD}",
            "\n\n".join(_render.invoice_text(invoice) for invoice in invoices),
        ),
        _section(
            f"Referral statement for {PERIOD}",
            "\n\n".join(_render.statement_text(statement) for statement in statements),
        ),
        "Next: partnercore demo --print-scenario > world.toml\n"
        f"      partnercore bill world.toml --period {PERIOD}",
    ]
    return "\n\n".join(parts)
