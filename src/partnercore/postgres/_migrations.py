"""Every migration of the PostgreSQL store's schema, in order.

The distribution key
--------------------
Every table whose records belong to one partner has a ``partner_id`` column, and its primary
key leads with it: a partner's rows sit together in each index, and the tables can be
distributed by ``partner_id`` (Citus) or hash-partitioned by it without a redesign.

- Partner-owned records carry their partner: grants, invoices, issued invoices, credit
  notes, billing accounts, library selections, client templates, onboardings; content items
  their owner (a partner id, or ``"platform"`` for the platform's own items).
- A team carries its partner: a partner team itself, a client team its current partner.
- Records of a client (its licence, memberships, consent changes, history, usage records,
  copy events) carry the client's *current* partner, and move with the client when it is
  transferred (:data:`CLIENT_TABLES`, :func:`move_client`), in the transfer's transaction.
- A few tables belong to no partner and stay whole (Citus: reference or local tables): users
  (a user may belong to teams of several partners), price books, number sequences (a legal
  numbering runs across partners), the event log and its revision counter (one store-wide
  order), the scenario source and the schema version.

Ids are unique store-wide (the ports look records up by id alone): a unique index on each id
enforces it (the repositories insert with ``ON CONFLICT DO NOTHING`` and report a duplicate as
a ``ConflictError``). Distributing or partitioning a table by ``partner_id`` needs every unique
index to include ``partner_id``: doing so means turning those id indexes into plain ones and
checking each id before inserting it, under an advisory lock on the id.

Other conventions: text columns use the ``"C"`` collation, so "sorted by id" is code-point
order (and served by the index) whatever the database's locale; instants are ``timestamptz``;
usage quantities are ``numeric`` (exact: totals are summed by the server, keeping each
quantity's scale, as ``Decimal`` addition does; ``shift`` keeps a positive exponent, which
``numeric`` cannot); whole records are ``jsonb`` written through
the library's converter; ``seq`` columns (identity) keep insertion order among records of the
same instant. Every port query has an index.

Events: the revision of each event comes from a one-row counter (``event_revision``) updated
in the transaction that appends the event, not from a sequence: a sequence leaves gaps when a
transaction rolls back, and hands out numbers in an order other than commit order. The counter
row's lock is held until commit, so revisions are gap-free and strictly increase in commit
order: a reader of ``events since N`` never misses an event that commits later with a smaller
revision.
"""

from __future__ import annotations

from partnercore.postgres._database import Database
from partnercore.postgres._schema import Migration

__all__ = [
    "BILLING_SCHEMA",
    "CLIENT_TABLES",
    "CONTENT_SCHEMA",
    "DOCUMENTS_SCHEMA",
    "EVENTS_SCHEMA",
    "LICENSING_SCHEMA",
    "MIGRATIONS",
    "SCENARIO_SCHEMA",
    "SCHEMA_VERSION",
    "TENANCY_SCHEMA",
    "move_client",
]

TENANCY_SCHEMA = Migration(
    1,
    "tenancy: teams, users, memberships, grants, consent, team history",
    (
        """CREATE TABLE {schema}.teams (
            partner_id text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            kind text COLLATE "C" NOT NULL CHECK (kind IN ('partner', 'client')),
            parent_id text COLLATE "C",
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, id),
            CHECK ((kind = 'partner') = (parent_id IS NULL)),
            CHECK (partner_id = coalesce(parent_id, id))
        )""",
        "CREATE UNIQUE INDEX teams_by_id ON {schema}.teams (id)",
        "CREATE INDEX teams_partners ON {schema}.teams (id) WHERE kind = 'partner'",
        """CREATE TABLE {schema}.users (
            id text COLLATE "C" PRIMARY KEY,
            record jsonb NOT NULL
        )""",
        """CREATE TABLE {schema}.memberships (
            partner_id text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            user_id text COLLATE "C" NOT NULL,
            team_id text COLLATE "C" NOT NULL,
            active_from timestamptz NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, id)
        )""",
        "CREATE UNIQUE INDEX memberships_by_id ON {schema}.memberships (id)",
        "CREATE INDEX memberships_by_team ON {schema}.memberships (team_id, active_from, seq)",
        "CREATE INDEX memberships_by_user"
        " ON {schema}.memberships (user_id, team_id, active_from, seq)",
        "CREATE INDEX memberships_by_user_in_order"
        " ON {schema}.memberships (user_id, active_from, seq)",
        """CREATE TABLE {schema}.grants (
            partner_id text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            client_id text COLLATE "C" NOT NULL,
            advisor_id text COLLATE "C" NOT NULL,
            granted_at timestamptz NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, id)
        )""",
        "CREATE UNIQUE INDEX grants_by_id ON {schema}.grants (id)",
        "CREATE INDEX grants_by_client ON {schema}.grants (partner_id, client_id, granted_at, seq)",
        "CREATE INDEX grants_by_partner ON {schema}.grants (partner_id, granted_at, seq)",
        "CREATE INDEX grants_by_advisor ON {schema}.grants (advisor_id, granted_at, seq)",
        """CREATE TABLE {schema}.consent_changes (
            partner_id text COLLATE "C" NOT NULL,
            client_id text COLLATE "C" NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            at timestamptz NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, client_id, seq)
        )""",
        "CREATE INDEX consent_by_client ON {schema}.consent_changes (client_id, at, seq)",
        """CREATE TABLE {schema}.team_changes (
            partner_id text COLLATE "C" NOT NULL,
            team_id text COLLATE "C" NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            kind text COLLATE "C" NOT NULL CHECK (kind IN ('transfer', 'status')),
            from_partner text COLLATE "C",
            at timestamptz NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, team_id, seq)
        )""",
        "CREATE INDEX team_changes_by_team ON {schema}.team_changes (team_id, at, seq)",
        "CREATE INDEX transfers_by_old_partner ON {schema}.team_changes (from_partner, at, seq)"
        " WHERE kind = 'transfer'",
    ),
)

LICENSING_SCHEMA = Migration(
    2,
    "licensing: licences with a version for optimistic concurrency",
    (
        """CREATE TABLE {schema}.licenses (
            partner_id text COLLATE "C" NOT NULL,
            team_id text COLLATE "C" NOT NULL,
            organisation_key text COLLATE "C",
            version integer NOT NULL CHECK (version >= 1),
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, team_id)
        )""",
        "CREATE UNIQUE INDEX licenses_by_team ON {schema}.licenses (team_id)",
        "CREATE INDEX licenses_by_organisation ON {schema}.licenses (organisation_key, team_id)"
        " WHERE organisation_key IS NOT NULL",
    ),
)

BILLING_SCHEMA = Migration(
    3,
    "billing: price books, billing accounts, usage records, finalised invoices",
    (
        """CREATE TABLE {schema}.price_books (
            id text COLLATE "C" PRIMARY KEY,
            record jsonb NOT NULL
        )""",
        """CREATE TABLE {schema}.billing_accounts (
            partner_id text COLLATE "C" PRIMARY KEY,
            price_book_id text COLLATE "C" NOT NULL,
            record jsonb NOT NULL
        )""",
        """CREATE TABLE {schema}.usage_records (
            partner_id text COLLATE "C" NOT NULL,
            client_id text COLLATE "C" NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            metric text COLLATE "C" NOT NULL,
            at timestamptz NOT NULL,
            quantity numeric NOT NULL,
            shift smallint NOT NULL DEFAULT 0 CHECK (shift >= 0),
            PRIMARY KEY (partner_id, client_id, seq)
        )""",
        # covers the totals query (client, window -> metric, sum of quantity) and the
        # per-client listing in order
        "CREATE INDEX usage_by_client_and_time"
        " ON {schema}.usage_records (client_id, at, seq) INCLUDE (metric, quantity, shift)",
        """CREATE TABLE {schema}.invoices (
            partner_id text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            period text COLLATE "C" NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, id)
        )""",
        "CREATE UNIQUE INDEX invoices_by_id ON {schema}.invoices (id)",
        "CREATE INDEX invoices_by_period ON {schema}.invoices (partner_id, period, id)",
    ),
)

CONTENT_SCHEMA = Migration(
    4,
    "content: items, library selections, copy events, templates, onboardings",
    (
        """CREATE TABLE {schema}.content_items (
            partner_id text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            revision integer NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, id)
        )""",
        "CREATE UNIQUE INDEX content_items_by_id ON {schema}.content_items (id)",
        """CREATE TABLE {schema}.library_selections (
            partner_id text COLLATE "C" NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, seq)
        )""",
        """CREATE TABLE {schema}.copy_events (
            partner_id text COLLATE "C" NOT NULL,
            client_id text COLLATE "C" NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            item_id text COLLATE "C" NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, client_id, seq)
        )""",
        "CREATE INDEX copy_events_by_client ON {schema}.copy_events (client_id, seq)",
        "CREATE INDEX copy_events_by_item ON {schema}.copy_events (item_id, seq)",
        """CREATE TABLE {schema}.client_templates (
            partner_id text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            revision integer NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, id)
        )""",
        "CREATE UNIQUE INDEX client_templates_by_id ON {schema}.client_templates (id)",
        """CREATE TABLE {schema}.onboardings (
            partner_id text COLLATE "C" NOT NULL,
            request_id text COLLATE "C" NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, request_id)
        )""",
        "CREATE UNIQUE INDEX onboardings_by_request ON {schema}.onboardings (request_id)",
    ),
)

SCENARIO_SCHEMA = Migration(
    5,
    "scenario files: the text of the scenario imported into the store",
    (
        """CREATE TABLE {schema}.scenario_source (
            id integer PRIMARY KEY CHECK (id = 1),
            text text COLLATE "C" NOT NULL
        )""",
    ),
)

EVENTS_SCHEMA = Migration(
    6,
    "events: the transactional outbox, revisions from a counter row (gap-free, commit order)",
    (
        """CREATE TABLE {schema}.event_revision (
            id integer PRIMARY KEY CHECK (id = 1),
            revision bigint NOT NULL CHECK (revision >= 0)
        )""",
        "INSERT INTO {schema}.event_revision (id, revision) VALUES (1, 0)",
        """CREATE TABLE {schema}.events (
            revision bigint PRIMARY KEY CHECK (revision >= 1),
            kind text COLLATE "C" NOT NULL,
            team_id text COLLATE "C",
            record jsonb NOT NULL
        )""",
        "CREATE INDEX events_by_team ON {schema}.events (team_id, revision)",
    ),
)

DOCUMENTS_SCHEMA = Migration(
    7,
    "invoice documents: number sequences, issued invoices, credit notes",
    (
        """CREATE TABLE {schema}.number_sequences (
            sequence text COLLATE "C" NOT NULL,
            year integer NOT NULL,
            last bigint NOT NULL CHECK (last >= 1),
            PRIMARY KEY (sequence, year)
        )""",
        """CREATE TABLE {schema}.issued_invoices (
            partner_id text COLLATE "C" NOT NULL,
            invoice_id text COLLATE "C" NOT NULL,
            number text COLLATE "C" NOT NULL,
            period text COLLATE "C" NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, invoice_id)
        )""",
        "CREATE UNIQUE INDEX issued_invoices_by_id ON {schema}.issued_invoices (invoice_id)",
        "CREATE UNIQUE INDEX issued_invoices_by_number ON {schema}.issued_invoices (number)",
        "CREATE INDEX issued_invoices_by_period ON {schema}.issued_invoices (period, number)",
        """CREATE TABLE {schema}.credit_notes (
            partner_id text COLLATE "C" NOT NULL,
            request_id text COLLATE "C" NOT NULL,
            number text COLLATE "C" NOT NULL,
            invoice_id text COLLATE "C" NOT NULL,
            at timestamptz NOT NULL,
            record jsonb NOT NULL,
            PRIMARY KEY (partner_id, request_id)
        )""",
        "CREATE UNIQUE INDEX credit_notes_by_request ON {schema}.credit_notes (request_id)",
        "CREATE UNIQUE INDEX credit_notes_by_number ON {schema}.credit_notes (number)",
        "CREATE INDEX credit_notes_by_invoice ON {schema}.credit_notes (invoice_id, number)",
        "CREATE INDEX credit_notes_by_partner ON {schema}.credit_notes (partner_id, at, number)",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (
    TENANCY_SCHEMA,
    LICENSING_SCHEMA,
    BILLING_SCHEMA,
    CONTENT_SCHEMA,
    SCENARIO_SCHEMA,
    EVENTS_SCHEMA,
    DOCUMENTS_SCHEMA,
)

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this library writes (the number of migrations it knows)."""

CLIENT_TABLES: tuple[tuple[str, str], ...] = (
    ("memberships", "team_id"),
    ("consent_changes", "client_id"),
    ("team_changes", "team_id"),
    ("licenses", "team_id"),
    ("usage_records", "client_id"),
    ("copy_events", "client_id"),
)
"""The tables holding a client's records, each with the column naming the client: their
``partner_id`` is the client's current partner."""


def move_client(db: Database, client_id: str, partner_id: str) -> int:
    """Give every record of ``client_id`` the distribution key ``partner_id``, in one unit of
    work; the number of rows moved.

    Called when a client is transferred, in the transfer's unit of work (the client's team
    row itself is saved by the teams repository, its ``partner_id`` with its ``parent_id``).
    """
    moved = 0
    with db.unit_of_work():
        for table, column in CLIENT_TABLES:
            moved += db.execute(
                f"UPDATE {{schema}}.{table} SET partner_id = %s"
                f" WHERE {column} = %s AND partner_id <> %s",
                (partner_id, client_id, partner_id),
            )
    return moved
