"""Granting and revoking delegated access (R3), with its events (the audit trail)."""

from __future__ import annotations

from datetime import datetime
from re import escape

import pytest

from partnercore import ConflictError, InvalidTransitionError, NotFoundError, ValidationError
from partnercore.events import SYSTEM, GrantCreated, GrantRevoked
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    ALL,
    Grant,
    GrantRole,
    Membership,
    add_membership,
    audit_trail,
    check,
    create_client,
    grant_access,
    revoke_grant,
)
from tests.tenancy.conftest import add_late_teams, assert_rejected_without_change, at

NOW = at("2026-06-15")


def _grant(**changes: object) -> Grant:
    fields: dict[str, object] = {
        "id": "g2",
        "partner_id": "acme",
        "client_id": "c3",
        "advisor_id": "adam",
        "role": "advisor",
        "granted_at": at("2026-03-01"),
        "granted_by": "paula",
    }
    fields.update(changes)
    return Grant(**fields)  # type: ignore[arg-type]


def _granted(grant: Grant, at: datetime, by: str, revision: int) -> GrantCreated:
    return GrantCreated(
        at=at,
        by=by,
        team_id=grant.partner_id if grant.client_id == ALL else grant.client_id,
        grant_id=grant.id,
        partner_id=grant.partner_id,
        client_id=grant.client_id,
        advisor_id=grant.advisor_id,
        role=grant.role.value,
        granted_at=grant.granted_at,
        expires_at=grant.expires_at,
        revision=revision,
    )


def test_a_grant_is_stored_indexed_and_audited(world: InMemoryStore) -> None:
    grant = grant_access(world, _grant(expires_at=at("2026-09-01")), at=NOW, by="paula")
    assert grant == world.grants.get("g2")
    assert [grant] == list(world.grants.for_client("acme", "c3"))
    assert ["g2"] == [g.id for g in world.grants.for_advisor("adam")]
    event = audit_trail(world, "c3")[-1]
    assert _granted(grant, NOW, "paula", world.revision()) == event
    assert (
        "grant g2: adam of acme is advisor on c3 from 2026-03-01T00:00:00Z, "
        "until 2026-09-01T00:00:00Z"
    ) == event.describe()


def test_an_all_clients_all_advisors_grant_is_audited_on_the_partner(world: InMemoryStore) -> None:
    grant = _grant(client_id=ALL, advisor_id=ALL, role="advisor_readonly")
    grant_access(world, grant, at=NOW, by="paula")
    assert _granted(grant, NOW, "paula", world.revision()) == audit_trail(world, "acme")[-1]


def test_revoking_a_grant_records_who_and_when(world: InMemoryStore) -> None:
    revoked = revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    assert (at("2026-05-01"), "paula") == (revoked.revoked_at, revoked.revoked_by)
    assert revoked == world.grants.get("g1")
    assert (
        GrantRevoked(
            at=at("2026-05-01"),
            by="paula",
            team_id="c1",
            grant_id="g1",
            partner_id="acme",
            client_id="c1",
            advisor_id="alice",
            revision=world.revision(),
        )
        == audit_trail(world, "c1")[-1]
    )


def test_a_system_revocation_is_recorded_as_by_the_system(world: InMemoryStore) -> None:
    revoked = revoke_grant(world, "g1", at=at("2026-05-01"), by=SYSTEM)
    assert ("system", "system") == (revoked.revoked_by, audit_trail(world, "c1")[-1].by)


def test_a_grant_recorded_as_revoked_is_audited_twice(world: InMemoryStore) -> None:
    grant = _grant(revoked_at=at("2026-04-01"), revoked_by="peter")
    grant_access(world, grant, at=NOW, by=SYSTEM)
    created, revoked = audit_trail(world, "c3")[-2:]
    assert _granted(grant, NOW, "system", world.revision() - 1) == created
    assert (GrantRevoked, at("2026-04-01"), "peter", world.revision()) == (
        type(revoked),
        revoked.at,
        revoked.by,
        revoked.revision,
    )
    assert not check(world, "adam", "team.view", "c3", at("2026-04-01")).allowed


def test_a_user_records_only_the_grants_they_make(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: grant_access(world, _grant(granted_by="bianca"), at=NOW, by="paula"),
        "granted_by: 'bianca' is not the acting user 'paula'",
    )
    assert (
        "bianca" == grant_access(world, _grant(granted_by="bianca"), at=NOW, by=SYSTEM).granted_by
    )


def test_revoking_twice_is_an_invalid_transition(world: InMemoryStore) -> None:
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: revoke_grant(world, "g1", at=at("2026-06-01"), by="paula"),
        "revoked",
    )


def test_revoking_before_the_grant_starts_is_rejected(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: revoke_grant(world, "g1", at=at("2026-01-15"), by="paula"),
        "before the grant starts",
    )


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"id": "g1"}, ConflictError, "already exists"),
        ({"partner_id": "c1"}, ValidationError, "partner_id: 'c1' is a client team"),
        ({"partner_id": "nope"}, NotFoundError, "unknown team"),
        ({"client_id": "acme"}, ValidationError, "client_id: 'acme' is a partner team"),
        ({"client_id": "d1"}, ValidationError, "client_id: 'd1' is not a client of 'acme'"),
        ({"client_id": "nope"}, NotFoundError, "unknown team"),
        ({"advisor_id": "bob"}, ValidationError, "advisor_id: 'bob' holds no advisor"),
        ({"advisor_id": "carol"}, ValidationError, "advisor_id: 'carol' holds no advisor"),
        ({"advisor_id": "nobody"}, NotFoundError, "unknown user"),
    ],
)
def test_a_grant_that_makes_no_sense_is_rejected_and_changes_nothing(
    world: InMemoryStore, changes: dict[str, object], error: type[Exception], match: str
) -> None:
    assert_rejected_without_change(
        world, error, lambda: grant_access(world, _grant(**changes), at=NOW, by=SYSTEM), match
    )


def test_a_grant_on_a_client_before_it_was_created_is_rejected(world: InMemoryStore) -> None:
    add_late_teams(world)  # x1, a client of acme, created 2026-06-01 (acme: 2026-01-01)
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: grant_access(
            world, _grant(client_id="x1", granted_at=at("2026-05-01")), at=NOW, by="paula"
        ),
        escape(
            "granted_at: 2026-05-01T00:00:00Z is before team 'x1' was created "
            "(2026-06-01T00:00:00Z)"
        ),
    )
    on_time = _grant(client_id="x1", granted_at=at("2026-06-01"))
    assert "x1" == grant_access(world, on_time, at=NOW, by="paula").client_id


@pytest.mark.parametrize("client", ["*", "x2"])
@pytest.mark.parametrize("advisor", ["*", "sam"])
def test_a_grant_of_a_partner_before_it_was_created_is_rejected(
    world: InMemoryStore, client: str, advisor: str
) -> None:
    add_late_teams(world)  # late, a partner created 2026-06-01
    add_membership(
        world,
        Membership(user_id="sam", team_id="late", role="advisor", active_from=at("2026-06-01")),
        at=at("2026-06-01"),
        by=SYSTEM,
    )
    create_client(
        world, "x2", "X2", partner_id="late", operated_by="client", billing_model="reseller",
        at=at("2026-06-01"), by=SYSTEM,
    )  # fmt: skip
    early = _grant(
        partner_id="late", client_id=client, advisor_id=advisor, granted_at=at("2026-03-01")
    )
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: grant_access(world, early, at=at("2026-06-01"), by=SYSTEM),
        escape(
            "granted_at: 2026-03-01T00:00:00Z is before team 'late' was created "
            "(2026-06-01T00:00:00Z)"
        ),
    )
    assert world.grants.find("g2") is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "owner"}, "role"),
        ({"client_id": "a b"}, "client_id"),
        ({"advisor_id": ""}, "advisor_id"),
        ({"granted_by": "*"}, "granted_by"),
        ({"expires_at": at("2026-02-01")}, "expires_at"),
        ({"revoked_at": at("2026-02-01")}, "revoked_at"),
        ({"granted_at": "2026-03-01"}, "granted_at"),
    ],
)
def test_an_invalid_grant_record_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _grant(**changes)
    assert field == raised.value.problems[0].path


def test_grant_roles_use_the_spec_spelling() -> None:
    assert ["advisor_admin", "advisor", "advisor_readonly"] == [r.value for r in GrantRole]
    assert (True, True) == (_grant(client_id=ALL).all_clients, _grant(advisor_id=ALL).all_advisors)
