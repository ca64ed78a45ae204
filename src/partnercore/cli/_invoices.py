"""``partnercore finalise``: bill a period and store its invoices, and say what was stored.

Also the invoicing settings a store keeps: a store imported from a scenario file keeps the
file's text, and its ``[invoicing]`` and ``[[tax_rates]]`` tables are read from it again
(``finalise --db`` numbers and taxes with them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from partnercore.billing import BillingRun, Invoicing, finalise
from partnercore.billing._presentation import text_table
from partnercore.content import InstalledContentCharges
from partnercore.events import SYSTEM, InvoiceFinalised
from partnercore.store import Store
from partnercore.time import format_instant

__all__ = ["Finalised", "finalise_document", "finalise_text", "run_finalise", "stored_invoicing"]


@attrs.frozen(kw_only=True)
class Finalised:
    """What ``finalise`` did: the run, the ids of the invoices it stored (the others were
    stored before, with the same results), the store's revision after."""

    period: str
    at: datetime
    run: BillingRun
    stored: frozenset[str]
    revision: int

    @property
    def summary(self) -> str:
        """One sentence: how many invoices were stored."""
        count = len(self.run.invoices)
        if not count:
            return f"nothing to finalise in {self.period}"
        if not self.stored:
            return f"{self.period} was already finalised with these results: nothing stored"
        return f"{len(self.stored)} of {count} invoices stored, revision {self.revision}"


def run_finalise(store: Store, period: str, at: datetime) -> Finalised:
    """Finalise ``period`` in ``store`` in one unit of work."""
    with store.unit_of_work():
        before = store.revision()
        run = finalise(
            store,
            period,
            at=at,
            by=SYSTEM,
            content=InstalledContentCharges(store),
            invoicing=stored_invoicing(store),
        )
        stored = frozenset(
            event.invoice_id
            for event in store.events.since(before)
            if isinstance(event, InvoiceFinalised)
        )
        revision = store.revision()
    return Finalised(period=period, at=at, run=run, stored=stored, revision=revision)


def _summary(outcome: Finalised, db: str) -> str:
    if outcome.stored:
        return f"finalised {outcome.period} in {db}: {outcome.summary}"
    return outcome.summary


def finalise_document(outcome: Finalised, db: str) -> dict[str, Any]:
    """The ``finalise --format json`` document."""
    return {
        "period": outcome.period,
        "db": db,
        "at": format_instant(outcome.at),
        "revision": outcome.revision,
        "stored": len(outcome.stored),
        "summary": _summary(outcome, db),
        "invoices": [
            {
                "invoice": invoice.id,
                "billed_to": invoice.billed_to,
                "currency": invoice.total.currency.code,
                "total": invoice.total.format_amount(),
                "stored": invoice.id in outcome.stored,
            }
            for invoice in outcome.run.invoices
        ],
    }


def finalise_text(outcome: Finalised, db: str) -> str:
    """The summary, then a table of the invoices and whether each was stored now."""
    document = finalise_document(outcome, db)
    if not document["invoices"]:
        return str(document["summary"])
    rows = [
        [
            invoice["invoice"],
            invoice["billed_to"],
            invoice["currency"],
            invoice["total"],
            "stored" if invoice["stored"] else "already stored",
        ]
        for invoice in document["invoices"]
    ]
    headers = ("invoice", "billed to", "currency", "total", "")
    return f"{document['summary']}\n{text_table(headers, rows)}"


def stored_invoicing(store: object) -> Invoicing | None:
    """The invoicing settings of the scenario imported into ``store`` (SQLite or
    PostgreSQL); ``None`` when it holds no scenario (then the defaults apply: no tax)."""
    from partnercore._errors import ValidationError

    try:
        from partnercore.scenario import open_scenario as sqlite_scenario
        from partnercore.sqlite import SqliteStore

        if isinstance(store, SqliteStore):
            return sqlite_scenario(store).invoicing
        from partnercore.postgres import PostgresStore
        from partnercore.scenario import open_scenario as postgres_scenario

        if isinstance(store, PostgresStore):
            return postgres_scenario(store).invoicing
    except ImportError:  # pragma: no cover - the postgres extra is not installed
        return None
    except ValidationError:  # no scenario in the store
        return None
    return None
