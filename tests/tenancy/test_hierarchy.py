"""Hierarchy operations: every §2 invariant, a clear error, and no change on violation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from re import escape

import pytest

from partnercore import ConflictError, InvalidTransitionError, NotFoundError, ValidationError
from partnercore.events import SYSTEM, ClientCreated, ClientTransferred, PartnerCreated
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    StatusChange,
    Team,
    TeamKind,
    TeamStatus,
    Transfer,
    add_team,
    archive_team,
    audit_trail,
    client_partner_at,
    create_client,
    create_partner,
    parent_at,
    reactivate_team,
    status_at,
    suspend_team,
    transfer_client,
)
from tests.tenancy.conftest import T0, add_late_teams, assert_rejected_without_change, at


def test_creating_a_partner_and_a_client_stores_both_and_audits_them(world: InMemoryStore) -> None:
    partner = create_partner(
        world, "gamma", "Gamma", at=at("2026-03-01"), timezone="Asia/Tokyo", by=SYSTEM
    )
    client = create_client(
        world,
        "g1c",
        "G One",
        partner_id="gamma",
        operated_by="partner",
        billing_model="reseller",
        at=at("2026-03-02"),
        by=SYSTEM,
        organisation_key="gone.example",
    )
    assert partner == world.teams.get("gamma")
    assert client == world.teams.get("g1c")
    assert (TeamKind.CLIENT, "gamma", "Asia/Tokyo") == (
        client.kind,
        client.parent_id,
        partner.timezone,
    )
    assert ["g1c"] == [c.id for c in world.teams.clients_of("gamma")]
    revision = world.revision()
    assert [
        PartnerCreated(
            at=at("2026-03-01"), by="system", team_id="gamma", name="Gamma", revision=revision - 1
        )
    ] == audit_trail(world, "gamma")
    assert [
        ClientCreated(
            at=at("2026-03-02"),
            by="system",
            team_id="g1c",
            partner_id="gamma",
            name="G One",
            operated_by="partner",
            billing_model="reseller",
            organisation_key="gone.example",
            revision=revision,
        )
    ] == audit_trail(world, "g1c")


def test_a_duplicate_team_id_conflicts_and_changes_nothing(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ConflictError,
        lambda: create_partner(world, "c1", "Again", at=T0, by=SYSTEM),
        "already exists",
    )


def test_a_client_under_a_client_is_rejected_and_changes_nothing(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: create_client(
            world,
            "x1",
            "X",
            partner_id="c1",
            operated_by="client",
            billing_model="reseller",
            at=T0,
            by=SYSTEM,
        ),
        "parent_id: 'c1' is a client team",
    )


def test_a_partner_with_a_parent_is_rejected_and_changes_nothing(world: InMemoryStore) -> None:
    def make() -> object:
        team = Team(id="x1", name="X", kind="partner", parent_id="acme", created_at=T0)
        return add_team(world, team, by=SYSTEM)

    assert_rejected_without_change(
        world, ValidationError, make, "parent_id: a partner has no parent"
    )


def test_a_client_of_an_unknown_partner_is_not_found(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        NotFoundError,
        lambda: create_client(
            world,
            "x1",
            "X",
            partner_id="nope",
            operated_by="client",
            billing_model="reseller",
            at=T0,
            by=SYSTEM,
        ),
        "unknown team 'nope'",
    )


def test_a_client_under_an_archived_partner_is_rejected(world: InMemoryStore) -> None:
    archive_team(world, "d1", at=at("2026-02-01"), by="bianca")
    archive_team(world, "beta", at=at("2026-02-02"), by=SYSTEM)
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: create_client(
            world,
            "x1",
            "X",
            partner_id="beta",
            operated_by="client",
            billing_model="reseller",
            at=at("2026-03-01"),
            by=SYSTEM,
        ),
        "archived",
    )


def test_a_client_created_before_its_partner_existed_is_rejected(world: InMemoryStore) -> None:
    def create(day: str) -> Team:
        return create_client(
            world,
            "x1",
            "X",
            partner_id="acme",
            operated_by="client",
            billing_model="reseller",
            at=at(day),
            by=SYSTEM,
        )

    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: create("2025-12-31"),
        escape(
            "created_at: 2025-12-31T00:00:00Z is before team 'acme' was created "
            "(2026-01-01T00:00:00Z)"
        ),
    )
    assert T0 == create("2026-01-01").created_at


def test_a_client_moves_only_to_a_partner_that_exists_at_the_transfer(
    world: InMemoryStore,
) -> None:
    add_late_teams(world)
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: transfer_client(world, "c1", "late", at=at("2026-05-31"), by=SYSTEM),
        escape("at: 2026-05-31T00:00:00Z is before team 'late' was created (2026-06-01T00:00:00Z)"),
    )
    assert "late" == transfer_client(world, "c1", "late", at=at("2026-06-01"), by=SYSTEM).parent_id


def test_a_transfer_moves_the_client_keeps_its_history_and_is_audited(world: InMemoryStore) -> None:
    moved = transfer_client(world, "c1", "beta", at=at("2026-05-01"), by=SYSTEM)
    assert "beta" == moved.parent_id == world.teams.get("c1").parent_id
    assert ["c2", "c3"] == [c.id for c in world.teams.clients_of("acme")]
    assert ["c1", "d1"] == [c.id for c in world.teams.clients_of("beta")]
    history = world.history.for_team("c1")
    assert [
        Transfer(
            client_id="c1", from_partner="acme", to_partner="beta", at=at("2026-05-01"), by="system"
        )
    ] == list(history)
    assert "acme" == parent_at(moved, history, at("2026-04-30T23:59"))
    assert "beta" == parent_at(moved, history, at("2026-05-01"))
    assert (
        ClientTransferred(
            at=at("2026-05-01"),
            by="system",
            team_id="c1",
            from_partner="acme",
            to_partner="beta",
            revision=world.revision(),
        )
        == audit_trail(world, "c1")[-1]
    )
    assert "client c1 transferred from acme to beta" == audit_trail(world, "c1")[-1].describe()


@pytest.mark.parametrize(
    ("client", "partner", "error", "match"),
    [
        ("c1", "acme", ValidationError, "already belongs"),
        ("c1", "c2", ValidationError, "is a client team"),
        ("acme", "beta", ValidationError, "only clients move"),
        ("c1", "nope", NotFoundError, "unknown team"),
        ("nope", "beta", NotFoundError, "unknown team"),
    ],
)
def test_an_invalid_transfer_is_rejected_and_changes_nothing(
    world: InMemoryStore, client: str, partner: str, error: type[Exception], match: str
) -> None:
    assert_rejected_without_change(
        world,
        error,
        lambda: transfer_client(world, client, partner, at=at("2026-05-01"), by=SYSTEM),
        match,
    )


def test_changes_out_of_order_are_rejected(world: InMemoryStore) -> None:
    transfer_client(world, "c1", "beta", at=at("2026-05-01"), by=SYSTEM)
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: suspend_team(world, "c1", at=at("2026-04-01"), by=SYSTEM),
        "before the last change",
    )
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: suspend_team(world, "c2", at=at("2025-12-31"), by=SYSTEM),
        "before team 'c2' was created",
    )


def test_status_changes_follow_their_transitions_and_keep_their_history(
    world: InMemoryStore,
) -> None:
    suspend_team(world, "c1", at=at("2026-03-01"), by="paula")
    archive_team(world, "c1", at=at("2026-04-01"), by="paula")
    team = reactivate_team(world, "c1", at=at("2026-05-01"), by="paula")
    assert TeamStatus.ACTIVE == team.status
    history = world.history.for_team("c1")
    assert [TeamStatus.SUSPENDED, TeamStatus.ARCHIVED, TeamStatus.ACTIVE] == [
        c.to_status for c in history if isinstance(c, StatusChange)
    ]
    assert [TeamStatus.ACTIVE, TeamStatus.SUSPENDED, TeamStatus.ARCHIVED, TeamStatus.ACTIVE] == [
        status_at(team, history, at(day))
        for day in ("2026-02-01", "2026-03-01", "2026-04-15", "2026-05-01")
    ]
    assert [
        ("team_status_changed", "paula", "active", "suspended"),
        ("team_status_changed", "paula", "suspended", "archived"),
        ("team_status_changed", "paula", "archived", "active"),
    ] == [
        (e.kind, e.by, getattr(e, "previous", None), getattr(e, "status", None))
        for e in audit_trail(world, "c1")[-3:]
    ]


@pytest.mark.parametrize(
    ("steps", "operation", "state"),
    [
        ([], reactivate_team, "active"),
        ([suspend_team], suspend_team, "suspended"),
        ([archive_team], archive_team, "archived"),
        ([archive_team], suspend_team, "archived"),
    ],
)
def test_an_impossible_status_change_is_an_invalid_transition(
    world: InMemoryStore,
    steps: list[Callable[..., Team]],
    operation: Callable[..., Team],
    state: str,
) -> None:
    for step in steps:
        step(world, "c2", at=at("2026-03-01"), by="paula")
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: operation(world, "c2", at=at("2026-04-01"), by="paula"),
        f"in state '{state}'",
    )


def test_a_partner_is_archived_only_after_its_clients(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: archive_team(world, "beta", at=at("2026-03-01"), by=SYSTEM),
        "still has clients that are not archived: d1",
    )
    archive_team(world, "d1", at=at("2026-03-01"), by="bianca")
    assert TeamStatus.ARCHIVED == archive_team(world, "beta", at=at("2026-03-02"), by=SYSTEM).status
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: reactivate_team(world, "d1", at=at("2026-03-03"), by=SYSTEM),
        "its partner 'beta' is archived",
    )
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: transfer_client(world, "c1", "beta", at=at("2026-03-03"), by=SYSTEM),
        "archived",
    )


def test_an_archived_client_cannot_be_transferred(world: InMemoryStore) -> None:
    archive_team(world, "c3", at=at("2026-03-01"), by="paula")
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: transfer_client(world, "c3", "beta", at=at("2026-03-02"), by=SYSTEM),
        "archived",
    )


def test_a_naive_instant_is_rejected_by_every_operation(world: InMemoryStore) -> None:
    naive = datetime(2026, 5, 1)
    for operation in (suspend_team, archive_team, reactivate_team):
        assert_rejected_without_change(
            world, ValidationError, partial(operation, world, "c1", at=naive, by="paula"), "naive"
        )
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: transfer_client(world, "c1", "beta", at=naive, by=SYSTEM),
        "naive",
    )


def test_a_clients_partner_at_an_instant_is_always_a_partner_id(world: InMemoryStore) -> None:
    moved = transfer_client(world, "c1", "beta", at=at("2026-05-01"), by=SYSTEM)
    history = world.history.for_team("c1")

    assert ("acme", "beta") == (
        client_partner_at(moved, history, at("2026-04-30T23:59")),
        client_partner_at(moved, history, at("2026-05-01")),
    )


def test_a_partner_has_no_partner_at_any_instant(world: InMemoryStore) -> None:
    with pytest.raises(ValidationError) as raised:
        client_partner_at(world.teams.get("acme"), (), at("2026-05-01"))

    assert "team_id: 'acme' is a partner team, not a client" == str(raised.value)
