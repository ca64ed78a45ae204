"""Client consent (R4): only a client_admin of a client-run team revokes and restores."""

from __future__ import annotations

import pytest

from partnercore import AccessDeniedError, InvalidTransitionError, ValidationError
from partnercore.events import SYSTEM, ConsentRestored, ConsentRevoked
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    ConsentChange,
    Membership,
    PartnerAccess,
    Rule,
    audit_trail,
    change_partner_access,
    consent_at,
    end_membership,
    restore_partner_access,
    revoke_partner_access,
)
from tests.tenancy.conftest import (
    T0,
    add_late_teams,
    assert_rejected_without_change,
    at,
    membership_id,
)


def test_a_client_admin_revokes_and_restores_and_both_are_audited(world: InMemoryStore) -> None:
    revoked = revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
    restored = restore_partner_access(world, "c1", at=at("2026-06-01"), by="carol")
    assert [revoked, restored] == list(world.consents.for_client("c1"))
    assert (PartnerAccess.REVOKED, PartnerAccess.RESTORED) == (
        revoked.partner_access,
        restored.partner_access,
    )
    revision = world.revision()
    assert [
        ConsentRevoked(
            at=at("2026-05-01"), by="carol", team_id="c1", partner_id="acme", revision=revision - 1
        ),
        ConsentRestored(
            at=at("2026-06-01"), by="carol", team_id="c1", partner_id="acme", revision=revision
        ),
    ] == audit_trail(world, "c1")[-2:]


def test_consent_at_an_instant_is_the_revocation_then_in_force(world: InMemoryStore) -> None:
    revoked = revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
    restore_partner_access(world, "c1", at=at("2026-06-01"), by="carol")
    changes = world.consents.for_client("c1")
    assert [None, revoked, None] == [
        consent_at(changes, at(day)) for day in ("2026-04-30", "2026-05-01", "2026-06-01")
    ]


def test_a_partner_operated_team_cannot_revoke(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: revoke_partner_access(world, "c2", at=at("2026-05-01"), by="paula"),
        "operated_by: 'c2' is operated by its partner",
    )


@pytest.mark.parametrize("user", ["mike", "vera", "paula", "cedric", "sam", "nobody"])
def test_only_a_client_admin_of_the_team_can_revoke(world: InMemoryStore, user: str) -> None:
    assert_rejected_without_change(
        world,
        AccessDeniedError,
        lambda: revoke_partner_access(world, "c1", at=at("2026-05-01"), by=user),
        f"{user} may not revoke partner access to c1: {user} is not a client_admin of c1",
    )
    with pytest.raises(AccessDeniedError) as refused:
        revoke_partner_access(world, "c1", at=at("2026-05-01"), by=user)
    assert (False, Rule.R4) == (refused.value.decision.allowed, refused.value.decision.rule)


def test_the_system_may_change_consent_for_a_client(world: InMemoryStore) -> None:
    revoked = revoke_partner_access(world, "c1", at=at("2026-05-01"), by=SYSTEM)
    assert ("system", "system") == (revoked.by, audit_trail(world, "c1")[-1].by)


def test_a_former_client_admin_cannot_revoke(world: InMemoryStore) -> None:
    end_membership(world, membership_id("carol"), at=at("2026-04-01"), by=SYSTEM)
    assert_rejected_without_change(
        world,
        AccessDeniedError,
        lambda: revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol"),
        "not a client_admin",
    )


def test_a_partner_team_has_no_consent_to_change(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: revoke_partner_access(world, "acme", at=at("2026-05-01"), by="paula"),
        "consent belongs to client teams",
    )


def test_revoking_twice_or_restoring_what_is_not_revoked_is_invalid(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: restore_partner_access(world, "c1", at=at("2026-05-01"), by="carol"),
        "has not revoked it",
    )
    revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: revoke_partner_access(world, "c1", at=at("2026-05-02"), by="carol"),
        "already revoked it",
    )


def test_consent_changes_are_chronological(world: InMemoryStore) -> None:
    revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: restore_partner_access(world, "c1", at=at("2026-04-01"), by="carol"),
        "before the last consent change",
    )


def test_consent_cannot_change_before_the_client_was_created(world: InMemoryStore) -> None:
    add_late_teams(world)  # x1, created 2026-06-01
    # a client_admin from before the client existed, as a store filled earlier could hold
    world.memberships.add(
        Membership(user_id="sam", team_id="x1", role="client_admin", active_from=T0)
    )
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: revoke_partner_access(world, "x1", at=at("2026-05-01"), by="sam"),
        "at: 2026-05-01T00:00:00Z is before team 'x1' was created",
    )


def test_an_unknown_value_is_rejected(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: change_partner_access(world, "c1", "paused", at=at("2026-05-01"), by="carol"),
        "partner_access",
    )


def test_a_consent_change_record_names_a_bad_field() -> None:
    with pytest.raises(ValidationError) as raised:
        ConsentChange(client_id="c1", partner_access="revoked", at="2026", by="carol")
    assert "at" == raised.value.problems[0].path
