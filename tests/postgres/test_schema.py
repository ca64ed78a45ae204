"""The PostgreSQL schema: forward migrations, safe concurrent first opens, the distribution
key, an index for every port query, exact usage sums."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore import ConflictError, StoreError
from partnercore.money import DECIMAL_CONTEXT as DECIMAL
from partnercore.postgres import MIGRATIONS, SCHEMA_VERSION, PostgresStore
from partnercore.postgres._migrations import CLIENT_TABLES, move_client
from partnercore.postgres._schema import SCHEMA_TABLE, tables_of

#: Tables that belong to no partner (see the distribution key in _migrations.py).
GLOBAL_TABLES = {
    "users",
    "price_books",
    "number_sequences",
    "events",
    "event_revision",
    "scenario_source",
    SCHEMA_TABLE,
}


def tables(url: str, schema: str) -> set[str]:
    with psycopg.connect(url, autocommit=True) as other:
        rows = other.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchall()
    return {row[0] for row in rows}


def versions(url: str, schema: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as other:
        return other.execute(
            f'SELECT version, applied_at FROM "{schema}".{SCHEMA_TABLE} ORDER BY version'
        ).fetchall()


def test_opening_a_fresh_schema_creates_every_table_at_the_newest_version(
    postgres_url: str, schema: str
) -> None:
    with PostgresStore.connect(postgres_url, schema=schema) as store:
        assert SCHEMA_VERSION == store.schema_version
    assert set(tables_of(MIGRATIONS)) | {SCHEMA_TABLE} == tables(postgres_url, schema)
    assert list(range(1, SCHEMA_VERSION + 1)) == [v for v, _ in versions(postgres_url, schema)]


def test_opening_again_applies_nothing(postgres_url: str, schema: str) -> None:
    PostgresStore.connect(postgres_url, schema=schema).close()
    before = versions(postgres_url, schema)
    with PostgresStore.connect(postgres_url, schema=schema) as store:
        assert SCHEMA_VERSION == store.schema_version
    assert before == versions(postgres_url, schema)


def test_a_schema_migrated_in_a_host_transaction_that_rolls_back_is_not_there(
    connection: psycopg.Connection[tuple[object, ...]], postgres_url: str, schema: str
) -> None:
    with connection.transaction():
        PostgresStore.on(connection, schema=schema)
        migrated = connection.execute(f'SELECT version FROM "{schema}".{SCHEMA_TABLE}')
        assert SCHEMA_VERSION == len(migrated.fetchall())
        raise psycopg.Rollback
    assert set() == tables(postgres_url, schema)


def test_a_second_opener_waits_for_the_first_and_then_applies_nothing(
    connection: psycopg.Connection[tuple[object, ...]], postgres_url: str, schema: str
) -> None:
    opened: list[int] = []
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with PostgresStore.connect(postgres_url, schema=schema) as store:
                opened.append(store.schema_version)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=second)
    with connection.transaction():
        PostgresStore.on(connection, schema=schema)  # migrated, not committed: lock held
        thread.start()
        time.sleep(0.5)
        assert (True, [], []) == (thread.is_alive(), opened, errors)  # waiting for the lock
    thread.join(30)
    assert ([SCHEMA_VERSION], []) == (opened, errors)
    assert SCHEMA_VERSION == len(versions(postgres_url, schema))


OPEN_WHEN_TOLD = """
import sys
from partnercore.postgres import PostgresStore
url, schema = sys.argv[1], sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()
try:
    with PostgresStore.connect(url, schema=schema) as store:
        print("opened", store.schema_version, flush=True)
except Exception as error:
    print("failed", type(error).__name__, error, flush=True)
"""


def test_processes_opening_a_fresh_schema_at_once_all_succeed_and_migrate_it_once(
    postgres_url: str, schema: str
) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_WHEN_TOLD, postgres_url, schema],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in processes:
        assert process.stdout is not None
        assert "ready" == process.stdout.readline().strip()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=60)[0].strip() for process in processes]
    assert [f"opened {SCHEMA_VERSION}"] * 4 == outputs
    assert list(range(1, SCHEMA_VERSION + 1)) == [v for v, _ in versions(postgres_url, schema)]


def test_a_schema_written_by_a_newer_partnercore_is_refused(postgres_url: str, schema: str) -> None:
    PostgresStore.connect(postgres_url, schema=schema).close()
    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute(
            f"INSERT INTO \"{schema}\".{SCHEMA_TABLE} (version, description) VALUES (%s, 'later')",
            (SCHEMA_VERSION + 1,),
        )
    with pytest.raises(ConflictError, match="upgrade partnercore") as caught:
        PostgresStore.connect(postgres_url, schema=schema)
    assert "schema" == caught.value.kind


def test_a_schema_holding_tables_of_something_else_is_refused_and_left_alone(
    postgres_url: str, schema: str
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute(f'CREATE SCHEMA "{schema}"')
        other.execute(f'CREATE TABLE "{schema}".orders (id integer)')
    with pytest.raises(StoreError, match="holds tables of something else"):
        PostgresStore.connect(postgres_url, schema=schema)
    assert {"orders"} == tables(postgres_url, schema)


def test_a_schema_missing_a_table_of_its_version_is_refused(postgres_url: str, schema: str) -> None:
    PostgresStore.connect(postgres_url, schema=schema).close()
    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute(f'DROP TABLE "{schema}".grants')
    with pytest.raises(StoreError, match="has no grants table"):
        PostgresStore.connect(postgres_url, schema=schema)


def test_importing_partnercore_never_imports_psycopg() -> None:
    code = "import sys, partnercore; print('psycopg' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "False" == done.stdout.strip()


# -- the distribution key ----------------------------------------------------------------


def primary_keys(url: str, schema: str) -> dict[str, list[str]]:
    query = """
        SELECT c.relname, a.attname
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) ON true
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE i.indisprimary AND n.nspname = %s
        ORDER BY c.relname, k.position
    """
    keys: dict[str, list[str]] = {}
    with psycopg.connect(url, autocommit=True) as other:
        for table, column in other.execute(query, (schema,)).fetchall():
            keys.setdefault(table, []).append(column)
    return keys


def test_every_primary_key_of_a_partners_records_leads_with_the_partner_id(
    store: PostgresStore, postgres_url: str
) -> None:
    keys = primary_keys(postgres_url, store.schema)
    partnered = {table for table, columns in keys.items() if columns[0] == "partner_id"}
    assert (set(keys) - GLOBAL_TABLES, GLOBAL_TABLES) == (partnered, set(keys) - partnered)


def test_moving_a_client_gives_every_record_of_it_the_new_partner_id(
    store: PostgresStore,
) -> None:
    db = store.database
    inserts = {
        "memberships": "INSERT INTO {schema}.memberships"
        " (partner_id, id, user_id, team_id, active_from, record)"
        " VALUES ('p1', 'm1', 'u1', 'c1', now(), '{}')",
        "consent_changes": "INSERT INTO {schema}.consent_changes"
        " (partner_id, client_id, at, record) VALUES ('p1', 'c1', now(), '{}')",
        "team_changes": "INSERT INTO {schema}.team_changes"
        " (partner_id, team_id, kind, at, record) VALUES ('p1', 'c1', 'status', now(), '{}')",
        "licenses": "INSERT INTO {schema}.licenses (partner_id, team_id, version, record)"
        " VALUES ('p1', 'c1', 1, '{}')",
        "usage_records": "INSERT INTO {schema}.usage_records"
        " (partner_id, client_id, metric, at, quantity) VALUES ('p1', 'c1', 'm', now(), 1)",
        "copy_events": "INSERT INTO {schema}.copy_events"
        " (partner_id, client_id, item_id, record) VALUES ('p1', 'c1', 'i1', '{}')",
    }
    assert {table for table, _ in CLIENT_TABLES} == set(inserts)
    with db.unit_of_work():
        for statement in inserts.values():
            db.execute(statement)
            db.execute(statement.replace("'c1'", "'c2'").replace("'m1'", "'m2'"))
        assert len(CLIENT_TABLES) == move_client(db, "c1", "p2")
    for table, column in CLIENT_TABLES:
        rows = db.query(f"SELECT {column}, partner_id FROM {{schema}}.{table} ORDER BY 1")
        assert [("c1", "p2"), ("c2", "p1")] == rows


# -- an index for every port query -------------------------------------------------------

PORT_QUERIES = {
    "teams.get": ("SELECT record FROM {schema}.teams WHERE id = %s", ("t",)),
    "teams.partners": (
        "SELECT record FROM {schema}.teams WHERE kind = 'partner' ORDER BY id",
        (),
    ),
    "teams.clients_of": (
        "SELECT record FROM {schema}.teams WHERE partner_id = %s AND kind = 'client' ORDER BY id",
        ("p",),
    ),
    "teams.clients_of_partners": (
        "SELECT partner_id, record FROM {schema}.teams"
        " WHERE partner_id = ANY(%s) AND kind = 'client' ORDER BY partner_id, id",
        (["p", "q"],),
    ),
    "memberships.for_teams": (
        "SELECT team_id, record FROM {schema}.memberships"
        " WHERE team_id = ANY(%s) ORDER BY team_id, active_from, seq",
        (["t", "u"],),
    ),
    "history.transfers_from_partners": (
        "SELECT from_partner, record FROM {schema}.team_changes"
        " WHERE from_partner = ANY(%s) AND kind = 'transfer' ORDER BY from_partner, at, seq",
        (["p", "q"],),
    ),
    "accounts.for_partners": (
        "SELECT partner_id, record FROM {schema}.billing_accounts WHERE partner_id = ANY(%s)",
        (["p", "q"],),
    ),
    "invoices.for_partners": (
        "SELECT partner_id, record FROM {schema}.invoices"
        " WHERE partner_id = ANY(%s) AND period = %s ORDER BY partner_id, id",
        (["p", "q"], "2026-01"),
    ),
    "credit_notes.issued_for_partners": (
        "SELECT partner_id, record FROM {schema}.credit_notes"
        " WHERE partner_id = ANY(%s) AND at >= %s AND at < %s ORDER BY partner_id, at, number",
        (["p", "q"], "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
    ),
    "users.get": ("SELECT record FROM {schema}.users WHERE id = %s", ("u",)),
    "memberships.get": ("SELECT record FROM {schema}.memberships WHERE id = %s", ("m",)),
    "memberships.for_team": (
        "SELECT record FROM {schema}.memberships WHERE team_id = %s ORDER BY active_from, seq",
        ("t",),
    ),
    "memberships.for_user": (
        "SELECT record FROM {schema}.memberships WHERE user_id = %s ORDER BY active_from, seq",
        ("u",),
    ),
    "memberships.between": (
        "SELECT record FROM {schema}.memberships WHERE user_id = %s AND team_id = %s"
        " ORDER BY active_from, seq",
        ("u", "t"),
    ),
    "grants.get": ("SELECT record FROM {schema}.grants WHERE id = %s", ("g",)),
    "grants.for_client": (
        "SELECT record FROM {schema}.grants WHERE partner_id = %s AND client_id = %s"
        " ORDER BY granted_at, seq",
        ("p", "c"),
    ),
    "grants.for_partner": (
        "SELECT record FROM {schema}.grants WHERE partner_id = %s ORDER BY granted_at, seq",
        ("p",),
    ),
    "grants.for_advisor": (
        "SELECT record FROM {schema}.grants WHERE advisor_id = %s ORDER BY granted_at, seq",
        ("a",),
    ),
    "consents.for_client": (
        "SELECT record FROM {schema}.consent_changes WHERE client_id = %s ORDER BY at, seq",
        ("c",),
    ),
    "history.for_team": (
        "SELECT kind, record FROM {schema}.team_changes WHERE team_id = %s ORDER BY at, seq",
        ("t",),
    ),
    "history.transfers_from": (
        "SELECT record FROM {schema}.team_changes WHERE from_partner = %s"
        " AND kind = 'transfer' ORDER BY at, seq",
        ("p",),
    ),
    "licenses.get": ("SELECT record FROM {schema}.licenses WHERE team_id = %s", ("t",)),
    "licenses.of_partner": (
        "SELECT record FROM {schema}.licenses WHERE partner_id = %s ORDER BY team_id",
        ("p",),
    ),
    "licenses.for_organisation": (
        "SELECT record FROM {schema}.licenses WHERE organisation_key = %s ORDER BY team_id",
        ("o",),
    ),
    "price_books.get": ("SELECT record FROM {schema}.price_books WHERE id = %s", ("b",)),
    "accounts.get": (
        "SELECT record FROM {schema}.billing_accounts WHERE partner_id = %s",
        ("p",),
    ),
    "usage.totals": (
        "SELECT client_id, metric, sum(quantity), min(shift) FROM {schema}.usage_records"
        " WHERE client_id = ANY(%s) AND at >= %s AND at < %s GROUP BY client_id, metric"
        " ORDER BY client_id, metric",
        (["c1", "c2"], "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
    ),
    "usage.records": (
        "SELECT metric, at, quantity, shift FROM {schema}.usage_records WHERE client_id = %s"
        " ORDER BY at, seq",
        ("c",),
    ),
    "invoices.get": ("SELECT record FROM {schema}.invoices WHERE id = %s", ("i",)),
    "invoices.for_partner": (
        "SELECT record FROM {schema}.invoices WHERE partner_id = %s AND period = %s ORDER BY id",
        ("p", "2026-01"),
    ),
    "items.get": ("SELECT record FROM {schema}.content_items WHERE id = %s", ("i",)),
    "items.owned_by": (
        "SELECT record FROM {schema}.content_items WHERE partner_id = %s ORDER BY id",
        ("p",),
    ),
    "libraries.for_partner": (
        "SELECT record FROM {schema}.library_selections WHERE partner_id = %s ORDER BY seq",
        ("p",),
    ),
    "installs.for_client": (
        "SELECT record FROM {schema}.copy_events WHERE client_id = %s ORDER BY seq",
        ("c",),
    ),
    "installs.for_item": (
        "SELECT record FROM {schema}.copy_events WHERE item_id = %s ORDER BY seq",
        ("i",),
    ),
    "templates.get": ("SELECT record FROM {schema}.client_templates WHERE id = %s", ("t",)),
    "templates.for_partner": (
        "SELECT record FROM {schema}.client_templates WHERE partner_id = %s ORDER BY id",
        ("p",),
    ),
    "onboardings.find": (
        "SELECT record FROM {schema}.onboardings WHERE request_id = %s",
        ("r",),
    ),
    "numbers.last": (
        "SELECT last FROM {schema}.number_sequences WHERE sequence = %s AND year = %s",
        ("invoice", 2026),
    ),
    "issued_invoices.find": (
        "SELECT record FROM {schema}.issued_invoices WHERE invoice_id = %s",
        ("i",),
    ),
    "issued_invoices.list": (
        "SELECT record FROM {schema}.issued_invoices ORDER BY number",
        (),
    ),
    "issued_invoices.list_period": (
        "SELECT record FROM {schema}.issued_invoices WHERE period = %s ORDER BY number",
        ("2026-01",),
    ),
    "credit_notes.find": (
        "SELECT record FROM {schema}.credit_notes WHERE request_id = %s",
        ("r",),
    ),
    "credit_notes.for_invoice": (
        "SELECT record FROM {schema}.credit_notes WHERE invoice_id = %s ORDER BY number",
        ("i",),
    ),
    "credit_notes.issued": (
        "SELECT record FROM {schema}.credit_notes"
        " WHERE partner_id = %s AND at >= %s AND at < %s ORDER BY at, number",
        ("p", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
    ),
    "credit_notes.list": ("SELECT record FROM {schema}.credit_notes ORDER BY number", ()),
    "events.since": (
        "SELECT revision, record FROM {schema}.events WHERE revision > %s"
        " ORDER BY revision LIMIT %s",
        (0, 10),
    ),
    "events.about": (
        "SELECT revision, record FROM {schema}.events WHERE team_id = %s ORDER BY revision",
        ("t",),
    ),
}


@pytest.fixture(scope="module")
def shared_store(postgres_url: str) -> Iterator[PostgresStore]:
    """One migrated store for every query below (they only read)."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    with PostgresStore.connect(postgres_url, schema=name, max_size=2) as opened:
        yield opened
    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.mark.parametrize("query", sorted(PORT_QUERIES))
def test_every_port_query_is_answered_from_an_index(
    shared_store: PostgresStore, query: str
) -> None:
    sql, parameters = PORT_QUERIES[query]
    db = shared_store.database
    with db.unit_of_work():
        db.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(str(row[0]) for row in db.query("EXPLAIN " + sql, parameters))
    assert "Seq Scan" not in plan, plan


# -- exact usage totals ------------------------------------------------------------------

quantities = st.builds(
    lambda digits, places: DECIMAL.scaleb(Decimal(digits), -places),
    st.integers(0, 10**15),
    st.integers(0, 8),
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(quantities, min_size=1, max_size=20))
def test_usage_totals_summed_by_the_server_equal_the_exact_decimal_sum(
    store: PostgresStore, values: list[Decimal]
) -> None:
    db = store.database
    with db.unit_of_work():
        db.execute("DELETE FROM {schema}.usage_records")
        db.execute_many(
            "INSERT INTO {schema}.usage_records (partner_id, client_id, metric, at, quantity)"
            " VALUES ('p1', 'c1', 'm', now(), %s)",
            [(value,) for value in values],
        )
        row = db.query_one("SELECT sum(quantity) FROM {schema}.usage_records")
    expected = values[0]
    for value in values[1:]:
        expected = DECIMAL.add(expected, value)
    assert row is not None
    assert (expected, str(expected)) == (row[0], str(row[0]))
