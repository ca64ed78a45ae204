"""``partnercore demo``: the built-in scenario, end to end, printed readably."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs

from partnercore.billing import Invoice, ReferralStatement
from partnercore.cli import _render
from partnercore.scenario import Scenario, load_demo
from partnercore.tenancy import Decision
from partnercore.time import format_instant

__all__ = ["demo_document", "run_demo"]

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


@attrs.frozen(kw_only=True)
class _Demo:
    """What the demo asks of the built-in scenario, and the answers."""

    scenario: Scenario
    decisions: tuple[tuple[tuple[str, str, str], Decision], ...]
    invoices: tuple[Invoice, ...]
    referrals: tuple[ReferralStatement, ...]


def _ask() -> _Demo:
    scenario = load_demo()
    decisions = tuple(
        (question, scenario.check(user=user, permission=permission, team=team, at=CHECK_AT))
        for question in QUESTIONS
        for user, permission, team in [question]
    )
    run = scenario.bill(PERIOD)
    return _Demo(
        scenario=scenario,
        decisions=decisions,
        invoices=tuple(i for i in run.invoices if i.partner_id == PARTNER),
        referrals=tuple(s for s in run.referrals if s.partner_id == PARTNER),
    )


def _document(demo: _Demo) -> dict[str, Any]:
    at = format_instant(CHECK_AT)
    return {
        "partner": PARTNER,
        "period": PERIOD,
        "hierarchy": {
            "at": format_instant(HIERARCHY_AT),
            "teams": _render.hierarchy_document(demo.scenario, HIERARCHY_AT),
        },
        "decisions": [
            _render.check_document(decision, *question, at) for question, decision in demo.decisions
        ],
        "license": _render.license_document(demo.scenario, TIMELINE_TEAM, None, None),
        "invoices": [invoice.to_dict() for invoice in demo.invoices],
        "referrals": [statement.to_dict() for statement in demo.referrals],
    }


def demo_document() -> dict[str, Any]:
    """The demo as one JSON document: everything :func:`run_demo` prints, and more."""
    return _document(_ask())


def _indent(text: str, prefix: str = "  ") -> str:
    """Every non-empty line of ``text`` with ``prefix`` in front."""
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def _section(title: str, body: str) -> str:
    return f"== {title}\n\n{_indent(body)}"


def _decision_text(decision: dict[str, Any]) -> str:
    verdict = "ALLOWED" if decision["allowed"] else "DENIED "
    via = f" via {decision['via']}" if decision["via"] else ""
    return (
        f"{verdict} {decision['user']} {decision['permission']} on {decision['team']}: "
        f"{decision['rule']}{via}\n        {decision['explanation']}"
    )


def run_demo() -> str:
    """The demo's whole output, made from :func:`demo_document` (the invoices and the
    statement as billing presents them, from the same documents)."""
    demo = _ask()
    document = _document(demo)
    at = format_instant(CHECK_AT)
    parts = [
        "partnercore demo: one advisory firm (Acme Advisory), three clients, November 2026.\n"
        "The scenario is built in: print it with `partnercore demo --print-scenario`.",
        _section(
            f"Hierarchy (licences at {document['hierarchy']['at']})",
            _render.hierarchy_text(document["hierarchy"]["teams"]),
        ),
        _section(
            f"Access decisions at {at}",
            "\n".join(_decision_text(decision) for decision in document["decisions"]),
        ),
        _section(
            f"Licence timeline of {TIMELINE_TEAM}",
            _render.license_text(document["license"], title=False),
        ),
        _section(f"Invoices for {PERIOD}", "\n\n".join(str(i) for i in demo.invoices)),
        _section(f"Referral statement for {PERIOD}", "\n\n".join(str(s) for s in demo.referrals)),
        "Next: partnercore demo --print-scenario > world.toml\n"
        f"      partnercore bill world.toml --period {PERIOD}",
    ]
    return "\n\n".join(parts)
