"""The tenancy and licence repositories on PostgreSQL: the distribution key follows the client."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import attrs
import pytest

from partnercore import ConflictError
from partnercore.licensing import License
from partnercore.postgres import PostgresStore
from partnercore.postgres._migrations import CLIENT_TABLES
from partnercore.tenancy import Membership, Team, User

AT = datetime(2026, 3, 1, tzinfo=UTC)


def partner_ids(store: PostgresStore, client_id: str) -> dict[str, set[str]]:
    """The distribution key of every record of ``client_id``, per table holding any."""
    found: dict[str, set[str]] = {}
    for table, column in (("teams", "id"), *CLIENT_TABLES):
        rows = store.database.query(
            f"SELECT partner_id FROM {{schema}}.{table} WHERE {column} = %s", (client_id,)
        )
        if rows:
            found[table] = {row[0] for row in rows}
    return found


def client(team_id: str, partner_id: str) -> Team:
    return Team.client(
        team_id,
        "A client",
        parent_id=partner_id,
        operated_by="client",
        billing_model="reseller",
        created_at=AT,
    )


def test_a_clients_records_carry_its_partner_and_move_with_it_when_it_is_transferred(
    store: PostgresStore,
) -> None:
    store.teams.add(Team.partner("p1", "One", created_at=AT))
    store.teams.add(Team.partner("p2", "Two", created_at=AT))
    store.teams.add(client("c1", "p1"))
    store.users.add(User(id="u1", email="u1@example.com", name="U"))
    store.memberships.add(Membership(user_id="u1", team_id="c1", role="member", active_from=AT))
    store.licenses.add(License.open("c1", AT))
    before = partner_ids(store, "c1")
    with store.unit_of_work():
        store.teams.save(attrs.evolve(store.teams.get("c1"), parent_id="p2"))
    after = partner_ids(store, "c1")
    tables = {"teams", "memberships", "licenses"}
    assert ({t: {"p1"} for t in tables}, {t: {"p2"} for t in tables}) == (before, after)
    assert (["c1"], []) == (
        [team.id for team in store.teams.clients_of("p2")],
        store.teams.clients_of("p1"),
    )


def test_a_record_of_a_team_not_stored_is_keyed_by_the_teams_own_id(store: PostgresStore) -> None:
    store.licenses.add(License.open("c9", AT))
    assert {"licenses": {"c9"}} == partner_ids(store, "c9")


def test_two_connections_adding_the_same_id_at_once_give_one_team_and_one_conflict(
    postgres_url: str, store: PostgresStore
) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def add(name: str) -> None:
        with PostgresStore.connect(postgres_url, schema=store.schema, max_size=1) as other:
            start.wait(10)
            try:
                other.teams.add(Team.partner("p1", name, created_at=AT))
            except ConflictError:
                outcomes.append("conflict")
            else:
                outcomes.append("added")

    threads = [threading.Thread(target=add, args=(name,)) for name in ("One", "Uno")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert (["added", "conflict"], 1) == (sorted(outcomes), len(store.teams.partners()))


def test_a_duplicate_inside_a_host_unit_leaves_the_unit_usable(store: PostgresStore) -> None:
    with store.unit_of_work():
        store.users.add(User(id="u1", email="u1@example.com", name="U"))
        with pytest.raises(ConflictError, match="already exists"):
            store.users.add(User(id="u1", email="other@example.com", name="V"))
        store.users.add(User(id="u2", email="u2@example.com", name="W"))
    assert 2 == len(store.users)
