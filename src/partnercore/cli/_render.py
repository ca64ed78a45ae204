"""How the commands print: the JSON documents, and readable text made from the same documents.

Every text rendering is made from the command's JSON document, so the two never disagree.
Invoices and referral statements print as billing presents them (``str(run)``), with the
same tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from partnercore.billing._presentation import text_table as table
from partnercore.events import Event
from partnercore.scenario import BillingRange, Scenario
from partnercore.tenancy import Decision, Holder, TeamKind
from partnercore.time import format_instant

__all__ = [
    "check_document",
    "check_text",
    "events_document",
    "events_text",
    "hierarchy_document",
    "hierarchy_text",
    "library_text",
    "license_document",
    "license_text",
    "range_text",
    "teams_document",
    "teams_text",
    "who_document",
    "who_text",
]


def range_text(billing: BillingRange) -> str:
    """A range of periods as one table, a row per month and partner."""
    headers, cells = billing.table()
    first, last = billing.periods[0], billing.periods[-1]
    return f"Billing periods {first} to {last}\n{table(headers, cells)}"


# -- check, teams, who ----------------------------------------------------------------------


def check_document(
    decision: Decision, user: str, permission: str, team: str, at: str
) -> dict[str, Any]:
    """The ``check --format json`` document: the question asked, then the decision."""
    return {
        "user": user,
        "permission": permission,
        "team": team,
        "at": at,
        "allowed": decision.allowed,
        "rule": decision.rule.value,
        "explanation": decision.explanation,
        "via": decision.via,
    }


def check_text(decision: Decision, user: str, permission: str, team: str, at: str) -> str:
    verdict = "allowed" if decision.allowed else "denied"
    return "\n".join(
        [
            f"{verdict}: {user} {permission} on {team} at {at}",
            f"rule: {decision.rule.value}",
            f"via: {decision.via or '-'}",
            f"explanation: {decision.explanation}",
        ]
    )


def teams_document(
    scenario: Scenario, user: str, permission: str, teams: Sequence[str], at: str
) -> dict[str, Any]:
    """The ``teams --format json`` document: each team with its kind, partner and name."""
    found = []
    for team_id in teams:
        team = scenario.team(team_id)
        found.append(
            {"id": team_id, "kind": team.kind.value, "partner": team.parent_id, "name": team.name}
        )
    return {"user": user, "permission": permission, "at": at, "teams": found}


def teams_text(document: dict[str, Any]) -> str:
    found = document["teams"]
    head = (
        f"{document['user']} holds {document['permission']} on {_count(found, 'team')} "
        f"at {document['at']}"
    )
    if not found:
        return head
    rows = [[t["id"], t["kind"], t["partner"] or "", t["name"]] for t in found]
    return f"{head}\n{table(('team', 'kind', 'partner', 'name'), rows)}"


def who_document(team: str, permission: str, holders: Sequence[Holder], at: str) -> dict[str, Any]:
    """The ``who --format json`` document."""
    return {
        "team": team,
        "permission": permission,
        "at": at,
        "users": [
            {"user": holder.user_id, "rule": holder.rule.value, "via": holder.via}
            for holder in holders
        ],
    }


def who_text(document: dict[str, Any]) -> str:
    users = document["users"]
    head = (
        f"{_count(users, 'user')} hold {document['permission']} on {document['team']} "
        f"at {document['at']}"
    )
    if not users:
        return head
    rows = [[u["user"], u["rule"], u["via"]] for u in users]
    return f"{head}\n{table(('user', 'rule', 'via'), rows)}"


def _count(items: Sequence[object], noun: str) -> str:
    if not items:
        return f"no {noun}"
    return f"1 {noun}" if len(items) == 1 else f"{len(items)} {noun}s"


# -- licences -------------------------------------------------------------------------------


def license_document(scenario: Scenario, team: str, start: Any, end: Any) -> dict[str, Any]:
    """The ``license --format json`` document."""
    return {
        "team": team,
        "timeline": [
            {
                "state": interval.state.value,
                "from": format_instant(interval.start),
                "until": None if interval.end is None else format_instant(interval.end),
            }
            for interval in scenario.timeline(team=team, start=start, end=end)
        ],
    }


def license_text(document: dict[str, Any], *, title: bool = True) -> str:
    rows = [[i["state"], i["from"], i["until"] or "-"] for i in document["timeline"]]
    text = table(("state", "from", "until"), rows)
    return f"Licence timeline of {document['team']}\n{text}" if title else text


# -- library --------------------------------------------------------------------------------


def library_text(scenario: Scenario, team: str, at: Any) -> str:
    view = scenario.library(team=team, at=at)
    head = f"Library of {team} at {format_instant(view.at)}"
    visible = sorted(view.visible, key=lambda entry: entry.id)
    rows = [
        [
            entry.id,
            entry.item.kind.value,
            str(entry.version),
            entry.owner,
            "" if entry.price is None else str(entry.price),
            entry.title,
        ]
        for entry in visible
    ]
    parts = [head]
    if rows:
        headers = ("item", "kind", "version", "owner", "price", "title")
        parts.append(f"Visible ({len(rows)})\n{table(headers, rows)}")
    else:
        parts.append("Visible: nothing")
    installed = view.to_dict()["installed"]
    if installed:
        copies = [
            [
                copy["item"],
                str(copy["version"]),
                "yes" if copy["locked"] else "no",
                "-" if copy["update_available"] is None else str(copy["update_available"]),
            ]
            for copy in installed
        ]
        copy_headers = ("item", "version", "locked", "update available")
        parts.append(f"Installed ({len(copies)})\n{table(copy_headers, copies)}")
    else:
        parts.append("Installed: nothing")
    return "\n\n".join(parts)


# -- hierarchy (demo) ---------------------------------------------------------------------


def hierarchy_document(scenario: Scenario, at: Any) -> list[dict[str, Any]]:
    """Every partner, then its clients with billing model, operator and licence at ``at``."""
    teams: list[dict[str, Any]] = []
    for partner in scenario.partners():
        teams.append(
            {
                "team": partner.id,
                "kind": partner.kind.value,
                "name": partner.name,
                "partner": None,
                "billing_model": None,
                "operated_by": None,
                "license": None,
                "timezone": partner.timezone,
            }
        )
        for client in scenario.clients_of(partner.id):
            teams.append(
                {
                    "team": client.id,
                    "kind": TeamKind.CLIENT.value,
                    "name": client.name,
                    "partner": partner.id,
                    "billing_model": client.client_billing_model.value,
                    "operated_by": client.client_operated_by.value,
                    "license": scenario.store.licenses.get(client.id).state_at(at).value,
                    "timezone": client.timezone,
                }
            )
    return teams


def hierarchy_text(teams: Sequence[dict[str, Any]]) -> str:
    """A :func:`hierarchy_document` as a table, clients indented under their partner."""
    rows = [
        [
            f"  {team['team']}" if team["partner"] else team["team"],
            team["kind"],
            team["name"],
            team["billing_model"] or "",
            f"by {team['operated_by']}" if team["operated_by"] else "",
            team["license"] or "",
            team["timezone"],
        ]
        for team in teams
    ]
    headers = ("team", "kind", "name", "billing", "operated", "licence", "timezone")
    return table(headers, rows)


# -- events -------------------------------------------------------------------------------


def events_document(events: Sequence[Event]) -> dict[str, Any]:
    """``{"events": [...]}``: each event as :meth:`Event.to_dict` writes it."""
    return {"events": [event.to_dict() for event in events]}


def events_text(events: Sequence[Event], since: int) -> str:
    """The events as a table: revision, instant, actor and what happened."""
    if not events:
        return f"no events after revision {since}"
    rows = [
        [str(event.revision), format_instant(event.at), event.by, event.describe()]
        for event in events
    ]
    return table(("revision", "at", "by", "event"), rows)
