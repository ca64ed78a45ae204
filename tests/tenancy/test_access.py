"""Rules R1 to R7, each with its allowed and its denied side, and the explanations."""

from __future__ import annotations

from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from partnercore import AccessDeniedError, NotFoundError, ValidationError
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    ALL,
    Decision,
    Grant,
    Membership,
    Permission,
    Role,
    Rule,
    TenancyReader,
    add_membership,
    archive_team,
    check,
    create_client,
    create_partner,
    end_membership,
    grant_access,
    reactivate_team,
    require,
    restore_partner_access,
    revoke_grant,
    revoke_partner_access,
    suspend_team,
    teams,
    transfer_client,
    who,
)
from tests.tenancy.conftest import T0, USERS, at, membership_id

NOW = at("2026-06-01")
P = Permission


def decided(decision: Decision) -> tuple[bool, Rule, str | None]:
    return (decision.allowed, decision.rule, decision.via)


def allowed(store: InMemoryStore, user: str, permission: str, team: str, when: str) -> bool:
    return check(store, user, permission, team, at(when)).allowed


# -- R1 membership ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "permissions"),
    [
        ("carol", {P.TEAM_VIEW, P.TEAM_EDIT, P.TEAM_ADMIN, P.LICENSE_VIEW, P.CONTENT_VIEW}),
        ("mike", {P.TEAM_VIEW, P.TEAM_EDIT, P.CONTENT_VIEW}),
        ("vera", {P.TEAM_VIEW, P.CONTENT_VIEW}),
    ],
)
def test_a_client_role_holds_exactly_its_permissions_on_its_team(
    world: InMemoryStore, user: str, permissions: set[Permission]
) -> None:
    held = {p for p in Permission if check(world, user, p, "c1", NOW).allowed}
    assert permissions == held
    assert (True, Rule.R1, membership_id(user)) == decided(
        check(world, user, "team.view", "c1", NOW)
    )


def test_a_client_admin_sees_billing_only_when_the_client_pays_for_itself(
    world: InMemoryStore,
) -> None:
    assert (True, Rule.R1) == decided(check(world, "cedric", "billing.view", "c3", NOW))[:2]
    denied = check(world, "carol", "billing.view", "c1", NOW)
    assert (False, Rule.R1, None) == decided(denied)
    assert "carol is client_admin of c1; client_admin does not hold billing.view there" == (
        denied.explanation
    )


def test_a_viewer_cannot_edit_and_is_told_why(world: InMemoryStore) -> None:
    decision = check(world, "vera", "team.edit", "c1", NOW)
    assert (False, Rule.R1, None) == decided(decision)
    assert "vera is viewer of c1; viewer does not hold team.edit there" == decision.explanation


def test_an_advisor_holds_team_and_content_view_on_its_partner_team(world: InMemoryStore) -> None:
    held = {p for p in Permission if check(world, "alice", p, "acme", NOW).allowed}
    assert {P.TEAM_VIEW, P.CONTENT_VIEW} == held
    assert (False, Rule.R1, None) == decided(check(world, "alice", "team.edit", "acme", NOW))


def test_a_partner_admin_holds_every_permission_on_its_partner_team(world: InMemoryStore) -> None:
    assert set(Permission) == {
        p for p in Permission if allowed(world, "paula", p, "acme", "2026-06-01")
    }


def test_a_membership_holds_only_during_its_interval(world: InMemoryStore) -> None:
    end_membership(world, membership_id("mike"), at=at("2026-03-01"), by=SYSTEM)
    assert allowed(world, "mike", "team.edit", "c1", "2026-02-28T23:59")
    decision = check(world, "mike", "team.edit", "c1", at("2026-03-01"))
    assert (False, Rule.R1, None) == decided(decision)
    assert "mike's membership in c1 ended 2026-03-01T00:00:00Z" == decision.explanation


def test_a_membership_that_has_not_started_gives_nothing_yet(world: InMemoryStore) -> None:
    add_membership(
        world,
        Membership(user_id="sam", team_id="c3", role="member", active_from=at("2026-07-01")),
        at=NOW,
        by=SYSTEM,
    )
    decision = check(world, "sam", "team.view", "c3", NOW)
    assert "sam's membership in c3 starts 2026-07-01T00:00:00Z" == decision.explanation
    assert allowed(world, "sam", "team.view", "c3", "2026-07-01")


# -- R2 partner administration -----------------------------------------------------------------


def test_a_partner_admin_administers_every_client_of_its_partner(world: InMemoryStore) -> None:
    r2 = {P.LICENSE_VIEW, P.LICENSE_MANAGE, P.BILLING_VIEW, P.TEAM_ADMIN, P.CONTENT_VIEW}
    assert r2 | {P.BILLING_MANAGE} == {
        p for p in Permission if check(world, "paula", p, "c1", NOW).allowed
    }
    assert r2 == {p for p in Permission if check(world, "paula", p, "c3", NOW).allowed}
    assert (True, Rule.R2, membership_id("paula")) == decided(
        check(world, "paula", "license.manage", "c1", NOW)
    )


def test_a_partner_admin_manages_billing_only_of_reseller_clients(world: InMemoryStore) -> None:
    assert allowed(world, "paula", "billing.manage", "c1", "2026-06-01")
    decision = check(world, "paula", "billing.manage", "c3", NOW)
    assert (False, Rule.R3) == decided(decision)[:2]
    assert decision.explanation.startswith(
        "paula is partner_admin of acme; R2 gives partner admins no billing.manage on c3 "
        "(a non_reseller client)"
    )


def test_a_partner_admin_cannot_edit_a_client_run_team_without_a_grant(
    world: InMemoryStore,
) -> None:
    decision = check(world, "paula", "team.edit", "c1", NOW)
    assert (False, Rule.R3, None) == decided(decision)
    assert (
        "paula is partner_admin of acme; R2 gives partner admins no team.edit on c1 and paula "
        "has no active grant on c1 that gives it"
    ) == decision.explanation


def test_an_advisor_does_not_hold_partner_administration(world: InMemoryStore) -> None:
    assert not allowed(world, "adam", "license.view", "c1", "2026-06-01")


# -- R3 delegated access ----------------------------------------------------------------------


def test_an_active_grant_gives_its_role_on_the_client(world: InMemoryStore) -> None:
    decision = check(world, "alice", "team.edit", "c1", NOW)
    assert (True, Rule.R3, "g1") == decided(decision)
    assert "grant g1 gives alice advisor on c1, which includes team.edit" == decision.explanation
    assert not allowed(world, "alice", "team.admin", "c1", "2026-06-01")


def test_a_grant_holds_from_granted_at_until_just_before_expiry(world: InMemoryStore) -> None:
    assert allowed(world, "alice", "team.view", "c1", "2026-02-01")
    assert allowed(world, "alice", "team.view", "c1", "2026-10-31T23:59:59")
    assert not allowed(world, "alice", "team.view", "c1", "2026-11-01")


def test_an_expired_grant_gives_no_access(world: InMemoryStore) -> None:
    decision = check(world, "alice", "team.view", "c1", at("2026-11-15"))
    assert (False, Rule.R3, None) == decided(decision)
    assert "grant g1 expired 2026-11-01T00:00:00Z" == decision.explanation


def test_a_check_before_the_grant_starts_is_denied(world: InMemoryStore) -> None:
    decision = check(world, "alice", "team.view", "c1", at("2026-01-15"))
    assert (False, Rule.R3, None) == decided(decision)
    assert "grant g1 starts 2026-02-01T00:00:00Z" == decision.explanation


def test_a_revoked_grant_gives_nothing_from_the_revocation_on(world: InMemoryStore) -> None:
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    assert allowed(world, "alice", "team.view", "c1", "2026-04-30T23:59")
    decision = check(world, "alice", "team.view", "c1", NOW)
    assert (False, Rule.R3, None) == decided(decision)
    assert "grant g1 was revoked at 2026-05-01T00:00:00Z by paula" == decision.explanation


def test_an_advisor_who_left_the_partner_loses_the_grant_even_after_rejoining(
    world: InMemoryStore,
) -> None:
    end_membership(world, membership_id("alice"), at=at("2026-04-01"), by=SYSTEM)
    decision = check(world, "alice", "team.view", "c1", at("2026-04-02"))
    assert (False, Rule.R3, None) == decided(decision)
    assert decision.explanation.startswith("alice's membership in acme ended 2026-04-01T00:00:00Z")
    add_membership(
        world,
        Membership(user_id="alice", team_id="acme", role="advisor", active_from=at("2026-05-01")),
        at=at("2026-05-01"),
        by=SYSTEM,
    )
    rejoined = check(world, "alice", "team.view", "c1", NOW)
    assert (False, Rule.R3, None) == decided(rejoined)
    assert "grant g1 ended when alice left acme at 2026-04-01T00:00:00Z" == rejoined.explanation
    assert allowed(world, "alice", "team.view", "c1", "2026-03-31")


def test_a_role_change_without_a_gap_is_not_leaving(world: InMemoryStore) -> None:
    end_membership(world, membership_id("alice"), at=at("2026-04-01"), by=SYSTEM)
    add_membership(
        world,
        Membership(
            user_id="alice", team_id="acme", role="partner_admin", active_from=at("2026-04-01")
        ),
        at=at("2026-04-01"),
        by=SYSTEM,
    )
    assert (True, Rule.R3, "g1") == decided(check(world, "alice", "team.edit", "c1", NOW))


def test_a_transferred_client_ends_the_old_partners_grants(world: InMemoryStore) -> None:
    transfer_client(world, "c1", "beta", at=at("2026-05-01"), by=SYSTEM)
    decision = check(world, "alice", "team.view", "c1", NOW)
    assert (False, Rule.R5, None) == decided(decision)
    assert (
        "alice belongs to partner acme, but c1 is a client of beta (c1 was transferred from "
        "acme at 2026-05-01T00:00:00Z; delegated grants of acme ended then): nothing reaches "
        "across partners"
    ) == decision.explanation
    # decisions at earlier instants still see the old partner
    assert (True, Rule.R3, "g1") == decided(
        check(world, "alice", "team.view", "c1", at("2026-04-30"))
    )
    assert allowed(world, "paula", "license.manage", "c1", "2026-04-30")
    assert not allowed(world, "paula", "license.manage", "c1", "2026-05-01")
    assert allowed(world, "bianca", "license.manage", "c1", "2026-05-01")
    assert not allowed(world, "bianca", "license.manage", "c1", "2026-04-30")


def test_a_client_transferred_away_and_back_does_not_revive_a_per_client_grant(
    world: InMemoryStore,
) -> None:
    transfer_client(world, "c1", "beta", at=at("2026-05-01"), by=SYSTEM)
    transfer_client(world, "c1", "acme", at=at("2026-05-10"), by=SYSTEM)
    decision = check(world, "alice", "team.view", "c1", NOW)
    assert (False, Rule.R3, None) == decided(decision)
    assert (
        "grant g1 ended when c1 was transferred from acme to beta at 2026-05-01T00:00:00Z"
        == decision.explanation
    )


def test_an_all_clients_grant_covers_present_and_future_clients(world: InMemoryStore) -> None:
    grant_access(
        world, _grant("g2", client=ALL, advisor="adam", role="advisor_readonly"), at=T0, by=SYSTEM
    )
    create_client(
        world,
        "c9",
        "Later",
        partner_id="acme",
        operated_by="client",
        billing_model="reseller",
        at=at("2026-05-01"),
        by="paula",
    )
    for client in ("c1", "c2", "c3", "c9"):
        assert (True, Rule.R3, "g2") == decided(check(world, "adam", "team.view", client, NOW))
    assert (
        "grant g2 gives adam advisor_readonly on every client of acme, which includes team.view"
    ) == check(world, "adam", "team.view", "c9", NOW).explanation
    assert not allowed(world, "adam", "team.view", "d1", "2026-06-01")


def test_a_read_only_grant_does_not_give_edit(world: InMemoryStore) -> None:
    grant_access(
        world, _grant("g2", client=ALL, advisor="adam", role="advisor_readonly"), at=T0, by=SYSTEM
    )
    decision = check(world, "adam", "team.edit", "c3", NOW)
    assert (False, Rule.R3, None) == decided(decision)
    assert (
        "grant g2 gives advisor_readonly on c3, which does not include team.edit"
        == decision.explanation
    )


def test_an_all_advisors_grant_covers_whoever_is_an_advisor_at_the_check(
    world: InMemoryStore,
) -> None:
    grant_access(
        world, _grant("g3", client="c3", advisor=ALL, role="advisor_admin"), at=T0, by=SYSTEM
    )
    assert (True, Rule.R3, "g3") == decided(check(world, "adam", "team.admin", "c3", NOW))
    assert allowed(world, "paula", "team.edit", "c3", "2026-06-01")
    add_membership(
        world,
        Membership(user_id="sam", team_id="acme", role="advisor", active_from=at("2026-07-01")),
        at=NOW,
        by=SYSTEM,
    )
    assert not allowed(world, "sam", "team.view", "c3", "2026-06-30")
    assert allowed(world, "sam", "team.view", "c3", "2026-07-01")
    assert not allowed(world, "bob", "team.view", "c3", "2026-07-01")


def test_an_advisor_without_a_grant_is_told_so(world: InMemoryStore) -> None:
    decision = check(world, "adam", "team.view", "c1", NOW)
    assert (False, Rule.R3, None) == decided(decision)
    assert "adam is advisor of acme but has no active grant on c1" == decision.explanation


def test_partner_admins_hold_advisor_admin_on_partner_operated_clients(
    world: InMemoryStore,
) -> None:
    decision = check(world, "paula", "team.edit", "c2", NOW)
    assert (True, Rule.R3, membership_id("paula")) == decided(decision)
    assert (
        "paula is partner_admin of acme and c2 is operated by its partner: partner admins hold "
        "advisor_admin there, which gives team.edit"
    ) == decision.explanation
    assert not allowed(world, "adam", "team.edit", "c2", "2026-06-01")
    assert not allowed(world, "paula", "team.edit", "c1", "2026-06-01")


def test_of_several_missed_grants_the_one_that_would_cover_the_permission_is_named(
    world: InMemoryStore,
) -> None:
    grant_access(
        world, _grant("g2", client="c1", advisor="alice", role="advisor_readonly"), at=T0, by=SYSTEM
    )
    decision = check(world, "alice", "team.edit", "c1", at("2026-12-01"))
    assert "grant g1 expired 2026-11-01T00:00:00Z" == decision.explanation


# -- R4 client consent --------------------------------------------------------------------------


def test_consent_revoked_then_restored(world: InMemoryStore) -> None:
    revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
    restore_partner_access(world, "c1", at=at("2026-07-01"), by="carol")
    decision = check(world, "alice", "team.view", "c1", NOW)
    assert (False, Rule.R4, None) == decided(decision)
    assert decision.explanation.startswith(
        "partner data access revoked by client at 2026-05-01T00:00:00Z (by carol)"
    )
    assert (True, Rule.R3, "g1") == decided(
        check(world, "alice", "team.view", "c1", at("2026-07-01"))
    )
    assert allowed(world, "alice", "team.view", "c1", "2026-04-30")


def test_while_consent_is_revoked_partner_admins_keep_only_licence_and_billing(
    world: InMemoryStore,
) -> None:
    revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
    held = {p for p in Permission if check(world, "paula", p, "c1", NOW).allowed}
    assert {P.LICENSE_VIEW, P.LICENSE_MANAGE, P.BILLING_VIEW, P.BILLING_MANAGE} == held
    assert Rule.R4 == check(world, "paula", "team.admin", "c1", NOW).rule
    assert Rule.R4 == check(world, "paula", "content.view", "c1", NOW).rule


def test_revoked_consent_does_not_touch_the_clients_own_members(world: InMemoryStore) -> None:
    revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
    assert allowed(world, "mike", "team.edit", "c1", "2026-06-01")


# -- R5 isolation -------------------------------------------------------------------------------


def test_a_client_member_probing_a_sibling_client_is_denied(world: InMemoryStore) -> None:
    decision = check(world, "carol", "team.view", "c3", NOW)
    assert (False, Rule.R5, None) == decided(decision)
    assert (
        "carol is client_admin of client c1; a client's members hold nothing on a sibling "
        "client such as c3"
    ) == decision.explanation


def test_a_client_member_probing_the_partner_team_is_denied(world: InMemoryStore) -> None:
    for permission in Permission:
        decision = check(world, "carol", permission, "acme", NOW)
        assert (False, Rule.R5, None) == decided(decision)
    assert (
        "carol is client_admin of client c1; a client's members hold nothing on their partner "
        "team acme"
    ) == check(world, "carol", "team.view", "acme", NOW).explanation


def test_another_partners_roles_reach_nothing_here(world: InMemoryStore) -> None:
    for user in ("bianca", "bob", "dora"):
        for team in ("acme", "c1", "c2", "c3"):
            for permission in Permission:
                decision = check(world, user, permission, team, NOW)
                assert not decision.allowed
                assert Rule.R5 == decision.rule or permission is P.REFERRAL_VIEW
    assert (
        "bianca belongs to partner beta, but c1 is a client of acme: nothing reaches across "
        "partners"
    ) == check(world, "bianca", "license.view", "c1", NOW).explanation
    assert ("bob belongs to partner beta, not to acme: nothing reaches across partners") == check(
        world, "bob", "team.view", "acme", NOW
    ).explanation


def test_a_grant_cannot_name_another_partners_client(world: InMemoryStore) -> None:
    with pytest.raises(ValidationError, match="client_id"):
        grant_access(world, _grant("g9", client="d1", advisor="alice"), at=T0, by=SYSTEM)
    assert not allowed(world, "alice", "team.view", "d1", "2026-06-01")


def test_a_user_with_no_membership_anywhere_is_denied_by_default(world: InMemoryStore) -> None:
    decision = check(world, "sam", "team.view", "c1", NOW)
    assert (False, Rule.DEFAULT, None) == decided(decision)
    assert "no membership in c1 and no active grant" == decision.explanation
    assert "no membership in acme" == check(world, "sam", "team.view", "acme", NOW).explanation


# -- R6 status ---------------------------------------------------------------------------------


def test_on_a_suspended_client_only_the_partner_admins_administration_holds(
    world: InMemoryStore,
) -> None:
    suspend_team(world, "c1", at=at("2026-05-01"), by="paula")
    held = {p for p in Permission if check(world, "paula", p, "c1", NOW).allowed}
    assert {P.LICENSE_VIEW, P.LICENSE_MANAGE, P.BILLING_VIEW, P.BILLING_MANAGE, P.TEAM_ADMIN} == (
        held
    )
    for user in ("carol", "mike", "alice"):
        decision = check(world, user, "team.view", "c1", NOW)
        assert (False, Rule.R6, None) == decided(decision)
    assert (
        "c1 is suspended since 2026-05-01T00:00:00Z: only the partner admin's license.*, "
        "billing.* and team.admin (R2) hold"
    ) == check(world, "carol", "team.view", "c1", NOW).explanation
    assert allowed(world, "carol", "team.view", "c1", "2026-04-30")


def test_on_an_archived_client_only_the_partner_admins_billing_view_holds(
    world: InMemoryStore,
) -> None:
    archive_team(world, "c3", at=at("2026-05-01"), by="paula")
    assert {P.BILLING_VIEW} == {
        p for p in Permission if check(world, "paula", p, "c3", NOW).allowed
    }
    assert not any(check(world, "cedric", p, "c3", NOW).allowed for p in Permission)
    decision = check(world, "cedric", "billing.view", "c3", NOW)
    assert (False, Rule.R6, None) == decided(decision)
    assert (
        "c3 is archived since 2026-05-01T00:00:00Z: only billing.view for the partner admin holds"
    ) == decision.explanation


def test_a_reactivated_client_is_reachable_again(world: InMemoryStore) -> None:
    suspend_team(world, "c1", at=at("2026-05-01"), by="paula")
    reactivate_team(world, "c1", at=at("2026-05-15"), by="paula")
    assert not allowed(world, "alice", "team.view", "c1", "2026-05-14")
    assert allowed(world, "alice", "team.view", "c1", "2026-05-15")


def test_a_suspended_partner_team_keeps_its_admins_administration_only(
    world: InMemoryStore,
) -> None:
    suspend_team(world, "acme", at=at("2026-05-01"), by=SYSTEM)
    assert (False, Rule.R6) == decided(check(world, "alice", "team.view", "acme", NOW))[:2]
    assert allowed(world, "paula", "billing.view", "acme", "2026-06-01")
    assert not allowed(world, "paula", "team.edit", "acme", "2026-06-01")
    assert allowed(world, "alice", "team.view", "c1", "2026-06-01")  # R6 looks at the team checked


# -- R7 referral statements ---------------------------------------------------------------------


def test_referral_view_is_for_a_partner_admin_on_its_own_partner_team(world: InMemoryStore) -> None:
    decision = check(world, "paula", "referral.view", "acme", NOW)
    assert (True, Rule.R7, membership_id("paula")) == decided(decision)


@pytest.mark.parametrize(
    ("user", "team", "rule"),
    [
        ("alice", "acme", Rule.R7),
        ("paula", "c1", Rule.R7),
        ("carol", "c1", Rule.R7),
        ("bianca", "acme", Rule.R5),
    ],
)
def test_referral_view_is_denied_to_everyone_else(
    world: InMemoryStore, user: str, team: str, rule: Rule
) -> None:
    decision = check(world, user, "referral.view", team, NOW)
    assert (False, rule, None) == decided(decision)
    assert decision.explanation


# -- the service's edges ------------------------------------------------------------------------


def test_unknown_users_teams_and_permissions_are_rejected(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError, match="team"):
        check(world, "paula", "team.view", "nope", NOW)
    with pytest.raises(NotFoundError, match="user"):
        check(world, "nobody", "team.view", "c1", NOW)
    with pytest.raises(ValidationError, match="permission"):
        check(world, "paula", "team.fly", "c1", NOW)


class HostText(str):
    """Text of a host's own string type (a ``str`` subclass)."""


def test_a_permission_given_as_text_decides_as_the_member(world: InMemoryStore) -> None:
    for user in USERS:
        for team in ("acme", "beta", "c1", "c2", "c3", "d1"):
            for permission in Permission:
                expected = check(world, user, permission, team, NOW)
                for text in (permission.value, "".join(permission.value), HostText(permission)):
                    assert expected == check(world, user, text, team, NOW), (user, text, team)


@pytest.mark.parametrize(
    "permission",
    [None, 3, b"team.view", ["team.view"], ("team.view",), "Team.View", "", Role.ADVISOR, P],
)
def test_a_permission_that_is_not_one_is_a_validation_error_naming_it(
    world: InMemoryStore, permission: object
) -> None:
    with pytest.raises(ValidationError, match="permission"):
        check(world, "paula", permission, "c1", NOW)  # type: ignore[arg-type]


def test_a_naive_instant_is_rejected(world: InMemoryStore) -> None:
    with pytest.raises(ValidationError, match="naive"):
        check(world, "paula", "team.view", "c1", datetime(2026, 6, 1))


def test_an_instant_in_another_zone_is_the_same_instant(world: InMemoryStore) -> None:
    paris = datetime(2026, 11, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris"))  # 23:30Z the day before
    assert check(world, "alice", "team.view", "c1", paris).allowed


def test_require_raises_with_the_decision_on_denial(world: InMemoryStore) -> None:
    assert require(world, "carol", "team.view", "c1", NOW).allowed
    with pytest.raises(AccessDeniedError) as raised:
        require(world, "carol", "team.view", "c3", NOW)
    assert Rule.R5 == raised.value.decision.rule


# -- before a team exists ----------------------------------------------------------------------


def _late_client(world: InMemoryStore) -> None:
    """``x1``, a client-run reseller client of acme created on 2026-06-01 (acme: 2026-01-01)."""
    create_client(
        world,
        "x1",
        "Client x1",
        partner_id="acme",
        operated_by="client",
        billing_model="reseller",
        at=at("2026-06-01"),
        by="paula",
    )


BEFORE_X1 = "team x1 was created at 2026-06-01T00:00:00Z; nothing is allowed on it before then"


def test_a_partner_admin_holds_nothing_on_a_client_before_it_was_created(
    world: InMemoryStore,
) -> None:
    _late_client(world)
    decision = check(world, "paula", "license.view", "x1", at("2026-03-01"))
    assert (False, Rule.DEFAULT, None) == decided(decision)
    assert BEFORE_X1 == decision.explanation
    assert not allowed(world, "paula", "license.view", "x1", "2026-05-31T23:59")
    assert (True, Rule.R2, membership_id("paula")) == decided(
        check(world, "paula", "license.view", "x1", at("2026-06-01"))
    )


def test_before_a_team_was_created_every_user_and_permission_is_denied_the_same_way(
    world: InMemoryStore,
) -> None:
    _late_client(world)
    grant_access(
        world, _grant("g2", client=ALL, advisor=ALL, role="advisor_admin"), at=T0, by=SYSTEM
    )
    for user in ("paula", "alice", "adam", "bianca", "carol", "sam"):
        for permission in Permission:
            decision = check(world, user, permission, "x1", at("2026-03-01"))
            assert (False, Rule.DEFAULT, None, BEFORE_X1) == (
                *decided(decision),
                decision.explanation,
            )
    assert allowed(world, "alice", "team.admin", "x1", "2026-06-01")


def test_a_membership_a_store_holds_from_before_the_team_existed_gives_nothing_before(
    world: InMemoryStore,
) -> None:
    # written straight to the store, as a store filled before this rule could hold it
    _late_client(world)
    early = Membership(
        user_id="sam", team_id="x1", role="client_admin", active_from=at("2026-03-01")
    )
    world.memberships.add(early)
    assert (False, Rule.DEFAULT, None) == decided(
        check(world, "sam", "team.view", "x1", at("2026-04-01"))
    )
    assert [] == teams(world, "sam", "team.view", at("2026-04-01"))
    assert [] == who(world, "x1", "team.view", at("2026-04-01"))
    assert (True, Rule.R1, early.id) == decided(
        check(world, "sam", "team.view", "x1", at("2026-06-01"))
    )
    assert ["x1"] == teams(world, "sam", "team.view", at("2026-06-01"))


def test_a_partner_team_gives_nothing_before_it_was_created(world: InMemoryStore) -> None:
    create_partner(world, "late", "Late Partners", at=at("2026-06-01"), by=SYSTEM)
    world.memberships.add(
        Membership(user_id="sam", team_id="late", role="partner_admin", active_from=T0)
    )
    decision = check(world, "sam", "referral.view", "late", at("2026-03-01"))
    assert (False, Rule.DEFAULT, None) == decided(decision)
    assert (
        "team late was created at 2026-06-01T00:00:00Z; nothing is allowed on it before then"
        == decision.explanation
    )
    assert [] == teams(world, "sam", "team.view", at("2026-03-01"))
    assert [] == who(world, "late", "team.view", at("2026-03-01"))
    assert ["late"] == teams(world, "sam", "team.view", at("2026-06-01"))


def test_teams_and_who_leave_out_a_client_before_it_was_created(world: InMemoryStore) -> None:
    _late_client(world)
    assert ["acme", "c1", "c2", "c3"] == teams(world, "paula", "license.view", at("2026-03-01"))
    assert ["acme", "c1", "c2", "c3", "x1"] == teams(world, "paula", "license.view", NOW)
    assert [] == who(world, "x1", "license.view", at("2026-03-01"))
    assert ["paula"] == [h.user_id for h in who(world, "x1", "license.view", NOW)]


def test_an_unknown_user_is_not_found_before_a_team_was_created(world: InMemoryStore) -> None:
    _late_client(world)
    with pytest.raises(NotFoundError, match="unknown user 'nobody'"):
        check(world, "nobody", "team.view", "x1", at("2026-03-01"))


def test_require_before_a_team_was_created_says_why(world: InMemoryStore) -> None:
    _late_client(world)
    with pytest.raises(AccessDeniedError) as denied:
        require(world, "paula", "license.view", "x1", at("2026-03-01"))
    assert f"paula may not license.view on x1: {BEFORE_X1}" == str(denied.value)


# -- reverse lookups ----------------------------------------------------------------------------


def test_teams_lists_every_reachable_team_sorted(world: InMemoryStore) -> None:
    assert ["acme", "c1", "c2", "c3"] == teams(world, "paula", "team.admin", NOW)
    assert ["acme", "c1"] == teams(world, "alice", "team.view", NOW)
    assert ["acme"] == teams(world, "alice", "team.view", at("2026-11-15"))
    assert ["c1"] == teams(world, "alice", "team.edit", NOW)
    assert [] == teams(world, "sam", "team.view", NOW)


def test_teams_sees_a_transferred_client_at_instants_before_the_transfer(
    world: InMemoryStore,
) -> None:
    transfer_client(world, "c1", "beta", at=at("2026-05-01"), by=SYSTEM)
    assert ["acme", "c1", "c2", "c3"] == teams(world, "paula", "license.view", at("2026-04-30"))
    assert ["acme", "c2", "c3"] == teams(world, "paula", "license.view", NOW)
    assert ["beta", "c1", "d1"] == teams(world, "bianca", "license.view", NOW)


def test_who_lists_every_user_with_the_rule_and_what_gives_it(world: InMemoryStore) -> None:
    holders = who(world, "c1", "team.view", NOW)
    assert [
        ("alice", Rule.R3, "g1"),
        ("carol", Rule.R1, membership_id("carol")),
        ("mike", Rule.R1, membership_id("mike")),
        ("vera", Rule.R1, membership_id("vera")),
    ] == [(h.user_id, h.rule, h.via) for h in holders]
    assert ["paula"] == [h.user_id for h in who(world, "c1", "license.manage", NOW)]


def test_who_follows_a_transfer_old_partners_people_before_new_partners_after(
    world: InMemoryStore,
) -> None:
    transfer_client(world, "c1", "beta", at=at("2026-05-01"), by=SYSTEM)
    before = who(world, "c1", "license.view", at("2026-04-30"))
    assert [
        ("carol", Rule.R1, membership_id("carol")),
        ("paula", Rule.R2, membership_id("paula")),
    ] == [(h.user_id, h.rule, h.via) for h in before]
    after = who(world, "c1", "license.view", at("2026-05-01"))
    assert [
        ("bianca", Rule.R2, membership_id("bianca")),
        ("carol", Rule.R1, membership_id("carol")),
    ] == [(h.user_id, h.rule, h.via) for h in after]
    # the old partner's grant gives alice team.view until the transfer, then nothing
    assert ["alice", "carol", "mike", "vera"] == [
        h.user_id for h in who(world, "c1", "team.view", at("2026-04-30"))
    ]
    assert ["carol", "mike", "vera"] == [
        h.user_id for h in who(world, "c1", "team.view", at("2026-05-01"))
    ]


def _grant(
    grant_id: str, *, client: str, advisor: str, role: str = "advisor", start: str = "2026-02-01"
) -> Grant:
    return Grant(
        id=grant_id,
        partner_id="acme",
        client_id=client,
        advisor_id=advisor,
        role=role,
        granted_at=at(start),
        granted_by="paula",
    )


class _Spy:
    """Records which port methods are called."""

    def __init__(self, name: str, port: object, calls: list[str]) -> None:
        self._name, self._port, self._calls = name, port, calls

    def __getattr__(self, method: str) -> object:
        target = getattr(self._port, method)

        def call(*args: object, **kwargs: object) -> object:
            self._calls.append(f"{self._name}.{method}")
            return target(*args, **kwargs)

        return call


class _SpiedStore:
    """A store's tenancy repositories, each behind a :class:`_Spy`."""

    def __init__(self, world: InMemoryStore, calls: list[str]) -> None:
        for name in ("teams", "users", "memberships", "grants", "consents", "history"):
            setattr(self, name, _Spy(name, getattr(world, name), calls))


def _spied(world: InMemoryStore, calls: list[str]) -> TenancyReader:
    return cast(TenancyReader, _SpiedStore(world, calls))


KEYED = {
    "teams.find",
    "users.find",
    "memberships.between",
    "grants.for_client",
    "grants.for_all_clients",
    "consents.for_client",
    "history.for_team",
}


@pytest.mark.parametrize(
    ("user", "permission", "team"),
    [
        ("alice", "team.view", "c1"),
        ("paula", "team.edit", "c2"),
        ("carol", "team.view", "c1"),
        ("adam", "team.view", "c3"),
        ("paula", "referral.view", "acme"),
    ],
)
def test_a_check_uses_only_keyed_lookups(
    world: InMemoryStore, user: str, permission: str, team: str
) -> None:
    grant_access(
        world, _grant("g2", client=ALL, advisor=ALL, role="advisor_readonly"), at=T0, by=SYSTEM
    )
    revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
    calls: list[str] = []
    check(_spied(world, calls), user, permission, team, NOW)
    assert calls
    assert set() == set(calls) - KEYED


def test_a_check_never_writes_and_sees_changes_at_once(world: InMemoryStore) -> None:
    calls: list[str] = []
    spied = _spied(world, calls)
    assert check(spied, "alice", "team.view", "c1", NOW).allowed
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    assert not check(spied, "alice", "team.view", "c1", NOW).allowed
    assert not [c for c in calls if c.endswith((".add", ".save", ".append"))]


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("team", ["acme", "c1", "c2"])
def test_an_unknown_user_is_not_found_for_every_permission_and_team(
    world: InMemoryStore, permission: Permission, team: str
) -> None:
    with pytest.raises(NotFoundError, match="unknown user 'nobody'"):
        check(world, "nobody", permission, team, NOW)
