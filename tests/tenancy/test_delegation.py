"""Granting and revoking delegated access (R3), with its audit trail."""

from __future__ import annotations

from re import escape

import pytest

from partnercore import ConflictError, InvalidTransitionError, NotFoundError, ValidationError
from partnercore.tenancy import (
    ALL,
    AuditAction,
    Grant,
    GrantRole,
    Membership,
    TenancyPorts,
    add_membership,
    check,
    create_client,
    grant_access,
    revoke_grant,
)
from tests.tenancy.conftest import add_late_teams, assert_rejected_without_change, at


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


def test_a_grant_is_stored_indexed_and_audited(world: TenancyPorts) -> None:
    grant = grant_access(world, _grant(expires_at=at("2026-09-01")))
    assert grant == world.grants.get("g2")
    assert [grant] == list(world.grants.for_client("acme", "c3"))
    assert ["g2"] == [g.id for g in world.grants.for_advisor("adam")]
    entry = world.audit.for_team("c3")[-1]
    assert (at("2026-03-01"), "paula", AuditAction.GRANT_CREATED, "g2") == (
        entry.at,
        entry.actor,
        entry.action,
        entry.subject,
    )
    assert "grant g2: advisor on c3 to adam until 2026-09-01T00:00:00Z" == entry.detail


def test_an_all_clients_all_advisors_grant_is_audited_on_the_partner(world: TenancyPorts) -> None:
    grant_access(world, _grant(client_id=ALL, advisor_id=ALL, role="advisor_readonly"))
    entry = world.audit.for_team("acme")[-1]
    assert "grant g2: advisor_readonly on every client of acme to every advisor of acme" == (
        entry.detail
    )


def test_revoking_a_grant_records_who_and_when(world: TenancyPorts) -> None:
    revoked = revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    assert (at("2026-05-01"), "paula") == (revoked.revoked_at, revoked.revoked_by)
    assert revoked == world.grants.get("g1")
    entry = world.audit.for_team("c1")[-1]
    assert (at("2026-05-01"), "paula", AuditAction.GRANT_REVOKED, "g1") == (
        entry.at,
        entry.actor,
        entry.action,
        entry.subject,
    )


def test_a_grant_recorded_as_revoked_is_audited_twice(world: TenancyPorts) -> None:
    grant_access(world, _grant(revoked_at=at("2026-04-01"), revoked_by="paula"))
    assert [AuditAction.GRANT_CREATED, AuditAction.GRANT_REVOKED] == [
        e.action for e in world.audit.for_team("c3")[-2:]
    ]
    assert not check(world, "adam", "team.view", "c3", at("2026-04-01")).allowed


def test_revoking_twice_is_an_invalid_transition(world: TenancyPorts) -> None:
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: revoke_grant(world, "g1", at=at("2026-06-01"), by="paula"),
        "revoked",
    )


def test_revoking_before_the_grant_starts_is_rejected(world: TenancyPorts) -> None:
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
    world: TenancyPorts, changes: dict[str, object], error: type[Exception], match: str
) -> None:
    assert_rejected_without_change(
        world, error, lambda: grant_access(world, _grant(**changes)), match
    )


def test_a_grant_on_a_client_before_it_was_created_is_rejected(world: TenancyPorts) -> None:
    add_late_teams(world)  # x1, a client of acme, created 2026-06-01 (acme: 2026-01-01)
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: grant_access(world, _grant(client_id="x1", granted_at=at("2026-05-01"))),
        escape(
            "granted_at: 2026-05-01T00:00:00Z is before team 'x1' was created "
            "(2026-06-01T00:00:00Z)"
        ),
    )
    assert (
        "x1" == grant_access(world, _grant(client_id="x1", granted_at=at("2026-06-01"))).client_id
    )


@pytest.mark.parametrize("client", ["*", "x2"])
@pytest.mark.parametrize("advisor", ["*", "sam"])
def test_a_grant_of_a_partner_before_it_was_created_is_rejected(
    world: TenancyPorts, client: str, advisor: str
) -> None:
    add_late_teams(world)  # late, a partner created 2026-06-01
    add_membership(
        world,
        Membership(user_id="sam", team_id="late", role="advisor", active_from=at("2026-06-01")),
    )
    create_client(
        world, "x2", "X2", partner_id="late", operated_by="client", billing_model="reseller",
        at=at("2026-06-01"),
    )  # fmt: skip
    early = _grant(
        partner_id="late", client_id=client, advisor_id=advisor, granted_at=at("2026-03-01")
    )
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: grant_access(world, early),
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
