"""``partnercore invoices``: the finalised invoices and credit notes of a scenario or store.

Also the invoicing settings a store keeps: a store imported from a scenario file keeps the
file's text, and its ``[invoicing]`` and ``[[tax_rates]]`` tables are read from it again
(``finalise --db`` numbers and taxes with them).
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from partnercore.billing import Invoicing

__all__ = ["run", "stored_invoicing"]


def run(args: argparse.Namespace) -> tuple[str, int]:
    """The finalised-documents view, as text or as the ``--format json`` document."""
    from partnercore.billing import finalised_documents
    from partnercore.cli._main import EXIT_OK, _json, _period, _store_of

    period = None if args.period is None else _period(args.period).key
    with _store_of(args) as store:
        documents = finalised_documents(store, period)
    if args.format == "json":
        return _json(documents.to_dict()), EXIT_OK
    return str(documents), EXIT_OK


def stored_invoicing(store: object) -> Invoicing | None:
    """The invoicing settings of the scenario imported into ``store`` (SQLite or
    PostgreSQL); ``None`` when it holds no scenario (then the defaults apply: no tax)."""
    from partnercore._errors import ValidationError

    try:
        from partnercore.sqlite import SqliteStore
        from partnercore.sqlite import open_scenario as sqlite_scenario

        if isinstance(store, SqliteStore):
            return sqlite_scenario(store).invoicing
        from partnercore.postgres import PostgresStore
        from partnercore.postgres import open_scenario as postgres_scenario

        if isinstance(store, PostgresStore):
            return postgres_scenario(store).invoicing
    except ImportError:  # pragma: no cover - the postgres extra is not installed
        return None
    except ValidationError:  # no scenario in the store
        return None
    return None
