"""Each access decision's rule and exact explanation, at the boundaries of what it looks at."""

from __future__ import annotations

from datetime import datetime

import pytest

from partnercore import NotFoundError, ValidationError
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    ALL,
    ConsentChange,
    Grant,
    Holder,
    Membership,
    Permission,
    Rule,
    Team,
    add_membership,
    add_team,
    archive_team,
    check,
    end_membership,
    grant_access,
    reactivate_team,
    revoke_partner_access,
    suspend_team,
    teams,
    transfer_client,
    who,
)
from tests.tenancy.conftest import T0, at, membership_id

NOW = at("2026-06-01")


def explained(
    store: InMemoryStore, user: str, permission: str, team: str, when: datetime = NOW
) -> tuple[bool, Rule, str]:
    decision = check(store, user, permission, team, when)
    return (decision.allowed, decision.rule, decision.explanation)


def grant(store: InMemoryStore, grant_id: str, advisor: str, client: str, **fields: object) -> None:
    values: dict[str, object] = {
        "id": grant_id,
        "partner_id": "acme",
        "client_id": client,
        "advisor_id": advisor,
        "role": "advisor",
        "granted_at": at("2026-02-01"),
        "granted_by": "paula",
    } | fields
    grant_access(store, Grant(**values), at=at("2026-02-01"), by=SYSTEM)  # type: ignore[arg-type]


def away_and_back(store: InMemoryStore, client: str) -> None:
    """``client`` moves from acme to beta on March 1st and back on April 1st."""
    transfer_client(store, client, "beta", at=at("2026-03-01"), by=SYSTEM)
    transfer_client(store, client, "acme", at=at("2026-04-01"), by=SYSTEM)


def leaves_and_returns(store: InMemoryStore, user: str) -> None:
    """``user`` leaves acme on March 1st and joins it again on April 1st."""
    end_membership(store, membership_id(user), at=at("2026-03-01"), by=SYSTEM)
    returned = Membership(
        user_id=user, team_id="acme", role="advisor", active_from=at("2026-04-01")
    )
    add_membership(store, returned, at=at("2026-04-01"), by=SYSTEM)


# -- what is looked up -----------------------------------------------------------------------


def test_an_unknown_team_or_user_is_named_in_the_error(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError) as team:
        check(world, "paula", "team.view", "nope", NOW)
    with pytest.raises(NotFoundError) as user:
        teams(world, "nobody", "team.view", NOW)

    assert ("team", "nope", "unknown team 'nope'") == (
        team.value.kind,
        team.value.id,
        str(team.value),
    )
    assert ("user", "nobody", "unknown user 'nobody'") == (
        user.value.kind,
        user.value.id,
        str(user.value),
    )


def test_an_instant_that_is_not_a_datetime_is_a_validation_error(world: InMemoryStore) -> None:
    with pytest.raises(ValidationError) as raised:
        check(world, "paula", "team.view", "acme", "2026-06-01")  # type: ignore[arg-type]

    assert "at: expected a timezone-aware datetime, got '2026-06-01'" == str(raised.value)


@pytest.mark.parametrize(
    "lookup",
    [
        lambda store: check(store, "paula", "nope", "acme", NOW),
        lambda store: teams(store, "paula", "nope", NOW),
        lambda store: who(store, "acme", "nope", NOW),
    ],
)
def test_an_unknown_permission_is_rejected_by_every_lookup_listing_the_permissions(
    world: InMemoryStore, lookup: object
) -> None:
    every = ", ".join(permission.value for permission in Permission)

    with pytest.raises(ValidationError) as raised:
        lookup(world)  # type: ignore[operator]

    assert f"permission: expected one of {every}, got 'nope'" == str(raised.value)


def test_a_permission_that_is_not_text_is_rejected_naming_it(world: InMemoryStore) -> None:
    every = ", ".join(permission.value for permission in Permission)

    with pytest.raises(ValidationError) as raised:
        check(world, "paula", ["team.view"], "acme", NOW)  # type: ignore[arg-type]

    assert f"permission: expected one of {every}, got ['team.view']" == str(raised.value)


def test_a_permission_given_as_text_is_the_permission(world: InMemoryStore) -> None:
    assert [] == who(world, "c1", "referral.view", NOW)
    assert [Holder("paula", Rule.R7, membership_id("paula"))] == who(
        world, "acme", "referral.view", NOW
    )
    assert ["acme"] == teams(world, "paula", "referral.view", NOW)


def test_a_team_reached_both_as_member_and_through_the_partner_is_listed_once(
    world: InMemoryStore,
) -> None:
    add_membership(
        world,
        Membership(user_id="paula", team_id="c1", role="viewer", active_from=T0),
        at=T0,
        by=SYSTEM,
    )

    assert ["acme", "c1", "c2", "c3"] == teams(world, "paula", "team.admin", NOW)


# -- partner teams ---------------------------------------------------------------------------


def test_a_membership_holds_from_the_instant_it_starts(world: InMemoryStore) -> None:
    decision = check(world, "paula", "team.view", "acme", T0)

    assert (True, Rule.R1, membership_id("paula")) == (
        decision.allowed,
        decision.rule,
        decision.via,
    )
    assert "paula is partner_admin of acme; partner_admin holds team.view there" == (
        decision.explanation
    )


def test_referral_statements_are_explained_for_partner_admins_and_advisors(
    world: InMemoryStore,
) -> None:
    assert (
        True,
        Rule.R7,
        "paula is partner_admin of acme; referral statements are for partner admins of "
        "their own partner team",
    ) == explained(world, "paula", "referral.view", "acme")
    assert (
        False,
        Rule.R7,
        "alice is advisor of acme; referral statements (referral.view) are only for a "
        "partner_admin on its own partner team",
    ) == explained(world, "alice", "referral.view", "acme")


def test_an_ended_membership_in_a_partner_says_when_it_ended(world: InMemoryStore) -> None:
    end_membership(world, membership_id("alice"), at=at("2026-03-01"), by=SYSTEM)

    ended = (False, Rule.R1, "alice's membership in acme ended 2026-03-01T00:00:00Z")
    assert ended == explained(world, "alice", "team.view", "acme")
    assert ended == explained(world, "alice", "team.view", "acme", at("2026-03-01"))
    assert explained(world, "alice", "team.view", "acme", at("2026-02-28T23:59"))[0]
    assert (
        False,
        Rule.R3,
        "alice's membership in acme ended 2026-03-01T00:00:00Z; delegated access to c1 needs "
        "an advisor or partner_admin of acme",
    ) == explained(world, "alice", "team.view", "c1", at("2026-03-01"))
    assert explained(world, "alice", "team.view", "c1", at("2026-02-28T23:59"))[0]


def test_an_ended_membership_in_a_client_holds_nothing_from_the_instant_it_ended(
    world: InMemoryStore,
) -> None:
    end_membership(world, membership_id("mike"), at=at("2026-03-01"), by=SYSTEM)

    assert (False, Rule.R1, "mike's membership in c1 ended 2026-03-01T00:00:00Z") == explained(
        world, "mike", "team.view", "c1", at("2026-03-01")
    )
    assert explained(world, "mike", "team.view", "c1", at("2026-02-28T23:59"))[0]


def test_strangers_to_a_partner_team_are_denied_by_default_or_by_r5(
    world: InMemoryStore,
) -> None:
    assert (False, Rule.DEFAULT, "no membership in acme") == explained(
        world, "sam", "team.view", "acme"
    )
    assert (
        False,
        Rule.R5,
        "bob belongs to partner beta, not to acme: nothing reaches across partners",
    ) == explained(world, "bob", "team.view", "acme", T0)
    assert (
        False,
        Rule.R5,
        "carol is client_admin of client c1; a client's members hold nothing on their partner "
        "team acme",
    ) == explained(world, "carol", "team.view", "acme")
    assert (
        False,
        Rule.R5,
        "dora is client_admin of client d1 of partner beta; nothing reaches across partners "
        "to acme",
    ) == explained(world, "dora", "team.view", "acme")


def test_a_suspended_partner_keeps_its_admins_licence_billing_and_team_admin_only(
    world: InMemoryStore,
) -> None:
    suspend_team(world, "acme", at=at("2026-03-01"), by=SYSTEM)
    reactivate_team(world, "acme", at=at("2026-04-01"), by=SYSTEM)
    suspended = "acme is suspended since 2026-03-01T00:00:00Z: only its partner admins' " + (
        "license.*, billing.* and team.admin hold"
    )

    assert (False, Rule.R6, suspended) == explained(
        world, "alice", "team.view", "acme", at("2026-03-01")
    )
    assert (False, Rule.R6, suspended) == explained(
        world, "paula", "content.view", "acme", at("2026-03-15")
    )
    assert explained(world, "paula", "license.manage", "acme", at("2026-03-15"))[0]
    assert explained(world, "alice", "team.view", "acme", NOW)[0]


def test_an_archived_partner_keeps_only_its_admins_billing_view(world: InMemoryStore) -> None:
    archive_team(world, "d1", at=at("2026-02-01"), by=SYSTEM)
    archive_team(world, "beta", at=at("2026-03-01"), by=SYSTEM)

    assert (
        False,
        Rule.R6,
        "beta is archived since 2026-03-01T00:00:00Z: only billing.view for the partner admin "
        "holds",
    ) == explained(world, "bianca", "license.manage", "beta")
    assert (True, Rule.R1) == explained(world, "bianca", "billing.view", "beta")[:2]


# -- client teams: restrictions ----------------------------------------------------------------


def test_a_suspended_client_denies_what_r2_and_the_implicit_r3_would_give(
    world: InMemoryStore,
) -> None:
    suspend_team(world, "c1", at=at("2026-03-01"), by=SYSTEM)
    suspend_team(world, "c2", at=at("2026-03-01"), by=SYSTEM)
    rest = "only the partner admin's license.*, billing.* and team.admin (R2) hold"

    assert (False, Rule.R6, f"c1 is suspended since 2026-03-01T00:00:00Z: {rest}") == explained(
        world, "paula", "content.view", "c1"
    )
    assert (False, Rule.R6, f"c2 is suspended since 2026-03-01T00:00:00Z: {rest}") == explained(
        world, "paula", "team.view", "c2"
    )
    assert explained(world, "paula", "license.manage", "c1")[0]


def test_a_revoked_consent_is_explained_with_who_revoked_it_and_when(
    world: InMemoryStore,
) -> None:
    revoke_partner_access(world, "c1", at=at("2026-03-01"), by="carol")

    assert (
        False,
        Rule.R4,
        "partner data access revoked by client at 2026-03-01T00:00:00Z (by carol): grants "
        "give nothing and partner admins keep only license.* and billing.*",
    ) == explained(world, "paula", "content.view", "c1")


def test_consent_matters_only_on_a_client_run_team(world: InMemoryStore) -> None:
    # A consent change recorded for a partner-operated client (as an import might hold)
    # restricts nothing: R4 is about client-run teams.
    world.consents.add(ConsentChange(client_id="c2", partner_access="revoked", at=T0, by="x"))

    assert (True, Rule.R2) == explained(world, "paula", "content.view", "c2")[:2]
    assert (True, Rule.R3) == explained(world, "paula", "team.edit", "c2")[:2]


# -- client teams: grants ----------------------------------------------------------------------


def test_the_grant_that_gives_a_permission_is_found_after_those_that_do_not(
    world: InMemoryStore,
) -> None:
    grant(world, "ga", "adam", "c3")  # names someone else
    grant(world, "gb", "alice", "c3", role="advisor_readonly")  # does not give team.edit
    grant(world, "gc", "alice", "c3", expires_at=at("2026-03-01"))  # over
    grant(world, "gd", "alice", "c3")

    decision = check(world, "alice", "team.edit", "c3", NOW)

    assert (True, Rule.R3, "gd") == (decision.allowed, decision.rule, decision.via)
    assert "grant gd gives alice advisor on c3, which includes team.edit" == decision.explanation


def test_a_client_grant_ends_for_good_when_the_client_is_transferred_away(
    world: InMemoryStore,
) -> None:
    grant(world, "g2", "adam", "c1")  # no end of its own
    away_and_back(world, "c1")
    ended = "grant g2 ended when c1 was transferred from acme to beta at 2026-03-01T00:00:00Z"

    assert (False, Rule.R3, ended) == explained(world, "adam", "team.view", "c1")
    assert (False, Rule.R3, ended) == explained(world, "adam", "team.admin", "c1")
    assert explained(world, "adam", "team.view", "c1", at("2026-02-15"))[0]


def test_an_all_clients_grant_survives_a_client_leaving_and_coming_back(
    world: InMemoryStore,
) -> None:
    grant(world, "g2", "adam", ALL, expires_at=at("2027-01-01"))
    away_and_back(world, "c1")

    assert (
        True,
        Rule.R3,
        "grant g2 gives adam advisor on every client of acme, which includes team.view",
    ) == explained(world, "adam", "team.view", "c1")


def test_a_grant_that_expired_before_a_transfer_is_explained_as_expired(
    world: InMemoryStore,
) -> None:
    grant(world, "g2", "adam", "c1", expires_at=at("2026-02-15"))
    grant(world, "g3", "adam", "c3", expires_at=at("2026-03-01"))
    away_and_back(world, "c1")
    transfer_client(world, "c3", "beta", at=at("2026-03-01"), by=SYSTEM)
    transfer_client(world, "c3", "acme", at=at("2026-04-01"), by=SYSTEM)

    assert (False, Rule.R3, "grant g2 expired 2026-02-15T00:00:00Z") == explained(
        world, "adam", "team.view", "c1"
    )
    # Expiry and transfer at the same instant: the expiry is named.
    assert (False, Rule.R3, "grant g3 expired 2026-03-01T00:00:00Z") == explained(
        world, "adam", "team.view", "c3"
    )


def test_a_named_advisors_grant_ends_for_good_when_they_leave_the_partner(
    world: InMemoryStore,
) -> None:
    grant(world, "g2", "adam", "c3")  # no end of its own
    leaves_and_returns(world, "adam")
    ended = "grant g2 ended when adam left acme at 2026-03-01T00:00:00Z"

    assert (False, Rule.R3, ended) == explained(world, "adam", "team.view", "c3")
    assert (False, Rule.R3, ended) == explained(world, "adam", "team.admin", "c3")


def test_a_grant_to_every_advisor_covers_an_advisor_who_left_and_came_back(
    world: InMemoryStore,
) -> None:
    grant(world, "g2", ALL, "c3", expires_at=at("2027-01-01"))
    leaves_and_returns(world, "adam")

    assert (True, Rule.R3) == explained(world, "adam", "team.view", "c3")[:2]


def test_a_revoked_grant_names_who_revoked_it_when_known(world: InMemoryStore) -> None:
    grant(world, "g2", "adam", "c1", revoked_at=at("2026-03-01"), revoked_by="paula")
    grant(world, "g3", "adam", "c3", revoked_at=at("2026-03-01"))
    grant(world, "g4", "alice", "c3", expires_at=at("2026-03-01"), revoked_at=at("2026-03-01"))

    assert (False, Rule.R3, "grant g2 was revoked at 2026-03-01T00:00:00Z by paula") == explained(
        world, "adam", "team.view", "c1"
    )
    assert (False, Rule.R3, "grant g3 was revoked at 2026-03-01T00:00:00Z") == explained(
        world, "adam", "team.view", "c3"
    )
    # Revoked at the instant it expired: it expired.
    assert (False, Rule.R3, "grant g4 expired 2026-03-01T00:00:00Z") == explained(
        world, "alice", "team.view", "c3"
    )


def test_a_denial_explains_the_grant_naming_the_user_not_the_first_grant(
    world: InMemoryStore,
) -> None:
    grant(world, "gz", "adam", "c1", expires_at=at("2026-03-01"))  # after g1 (alice)

    assert (False, Rule.R3, "grant gz expired 2026-03-01T00:00:00Z") == explained(
        world, "adam", "team.view", "c1"
    )


def test_a_grant_without_the_permission_is_explained_by_its_end_once_it_ended(
    world: InMemoryStore,
) -> None:
    assert (
        False,
        Rule.R3,
        "grant g1 gives advisor on c1, which does not include team.admin",
    ) == explained(world, "alice", "team.admin", "c1")
    assert (False, Rule.R3, "grant g1 expired 2026-11-01T00:00:00Z") == explained(
        world, "alice", "team.admin", "c1", at("2026-12-01")
    )


def test_a_client_member_with_a_partner_role_is_denied_by_the_role_or_the_grant(
    world: InMemoryStore,
) -> None:
    grant(world, "g2", "adam", "c3")  # names someone else
    for client in ("c1", "c3"):
        add_membership(
            world,
            Membership(user_id="alice", team_id=client, role="viewer", active_from=T0),
            at=T0,
            by=SYSTEM,
        )

    assert (
        False,
        Rule.R1,
        "alice is viewer of c3; viewer does not hold team.edit there",
    ) == explained(world, "alice", "team.edit", "c3")
    assert (
        False,
        Rule.R3,
        "grant g1 gives advisor on c1, which does not include team.admin",
    ) == explained(world, "alice", "team.admin", "c1")


# -- client teams: strangers --------------------------------------------------------------------


def test_a_client_member_elsewhere_is_explained_with_the_partner_their_client_had_then(
    world: InMemoryStore,
) -> None:
    transfer_client(world, "d1", "acme", at=at("2026-03-01"), by=SYSTEM)

    assert (
        False,
        Rule.R5,
        "dora is client_admin of client d1 of partner beta; nothing reaches across partners to c1",
    ) == explained(world, "dora", "team.view", "c1", at("2026-02-01"))
    assert (
        False,
        Rule.R5,
        "dora is client_admin of client d1; a client's members hold nothing on a sibling "
        "client such as c1",
    ) == explained(world, "dora", "team.view", "c1")


def test_an_advisor_of_the_partner_a_client_left_is_told_when_it_left(
    world: InMemoryStore,
) -> None:
    transfer_client(world, "d1", "acme", at=at("2026-03-01"), by=SYSTEM)
    suspend_team(world, "c1", at=at("2026-02-01"), by=SYSTEM)
    moved = (
        "bob belongs to partner beta, but d1 is a client of acme (d1 was transferred from beta "
        "at 2026-03-01T00:00:00Z; delegated grants of beta ended then): nothing reaches across "
        "partners"
    )

    assert (False, Rule.R5, moved) == explained(world, "bob", "team.view", "d1", at("2026-03-01"))
    assert (
        False,
        Rule.R5,
        "bob belongs to partner beta, but c1 is a client of acme: nothing reaches across partners",
    ) == explained(world, "bob", "team.view", "c1")


def test_only_memberships_held_at_the_instant_explain_a_stranger(world: InMemoryStore) -> None:
    add_membership(
        world,
        Membership(
            user_id="sam",
            team_id="beta",
            role="advisor",
            active_from=T0,
            active_until=at("2026-03-01"),
        ),
        at=T0,
        by=SYSTEM,
    )
    add_membership(
        world,
        Membership(user_id="sam", team_id="d1", role="viewer", active_from=at("2026-09-01")),
        at=T0,
        by=SYSTEM,
    )

    assert (
        False,
        Rule.R5,
        "sam belongs to partner beta, not to acme: nothing reaches across partners",
    ) == explained(world, "sam", "team.view", "acme", at("2026-02-01"))
    assert (False, Rule.DEFAULT, "no membership in acme") == explained(
        world, "sam", "team.view", "acme", at("2026-03-01")
    )
    assert (False, Rule.DEFAULT, "no membership in c1 and no active grant") == explained(
        world, "sam", "team.view", "c1", at("2026-08-31")
    )
    assert (
        False,
        Rule.R5,
        "sam is viewer of client d1 of partner beta; nothing reaches across partners to c1",
    ) == explained(world, "sam", "team.view", "c1", at("2026-09-01"))


def test_a_grant_that_ended_before_its_advisor_left_is_explained_by_its_own_end(
    world: InMemoryStore,
) -> None:
    grant(world, "g2", "adam", "c3", expires_at=at("2026-02-15"))
    grant(world, "g3", "adam", "c2", expires_at=at("2026-03-01"))
    leaves_and_returns(world, "adam")

    assert (False, Rule.R3, "grant g2 expired 2026-02-15T00:00:00Z") == explained(
        world, "adam", "team.view", "c3"
    )
    # Expiry and leaving at the same instant: the expiry is named.
    assert (False, Rule.R3, "grant g3 expired 2026-03-01T00:00:00Z") == explained(
        world, "adam", "team.view", "c2"
    )


def test_a_grant_given_the_instant_its_advisor_left_lasts_after_they_return(
    world: InMemoryStore,
) -> None:
    end_membership(world, membership_id("adam"), at=at("2026-02-01"), by=SYSTEM)
    returned = Membership(user_id="adam", team_id="acme", role="advisor", active_from=NOW)
    add_membership(world, returned, at=NOW, by=SYSTEM)
    grant(world, "g2", "adam", "c3")  # granted 2026-02-01, when adam had just left

    decision = check(world, "adam", "team.view", "c3", NOW)

    assert (True, Rule.R3, "g2") == (decision.allowed, decision.rule, decision.via)


def test_leaving_before_a_grant_does_not_hide_leaving_after_it(world: InMemoryStore) -> None:
    # adam leaves before the grant, comes back, leaves after it and comes back again.
    end_membership(world, membership_id("adam"), at=at("2026-01-15"), by=SYSTEM)
    for start, until in [("2026-01-20", "2026-03-01"), ("2026-04-01", None)]:
        add_membership(
            world,
            Membership(
                user_id="adam",
                team_id="acme",
                role="advisor",
                active_from=at(start),
                active_until=None if until is None else at(until),
            ),
            at=at(start),
            by=SYSTEM,
        )
    grant(world, "g2", "adam", "c3")

    assert (False, Rule.R3, "grant g2 ended when adam left acme at 2026-03-01T00:00:00Z") == (
        explained(world, "adam", "team.view", "c3")
    )


def test_a_role_change_without_a_gap_is_not_leaving_the_partner(world: InMemoryStore) -> None:
    end_membership(world, membership_id("adam"), at=at("2026-02-15"), by=SYSTEM)
    for role, start, until in [
        ("partner_admin", "2026-02-15", "2026-03-01"),
        ("advisor", "2026-04-01", None),
    ]:
        add_membership(
            world,
            Membership(
                user_id="adam",
                team_id="acme",
                role=role,
                active_from=at(start),
                active_until=None if until is None else at(until),
            ),
            at=at(start),
            by=SYSTEM,
        )
    grant(world, "g2", "adam", "c3")

    assert (True, Rule.R3) == explained(world, "adam", "team.view", "c3", at("2026-02-20"))[:2]
    assert (False, Rule.R3, "grant g2 ended when adam left acme at 2026-03-01T00:00:00Z") == (
        explained(world, "adam", "team.view", "c3")
    )


def test_a_status_is_explained_with_the_change_in_force_at_the_instant(
    world: InMemoryStore,
) -> None:
    transfer_client(world, "c1", "beta", at=at("2026-02-01"), by=SYSTEM)
    transfer_client(world, "c1", "acme", at=at("2026-02-15"), by=SYSTEM)
    suspend_team(world, "c1", at=at("2026-03-01"), by=SYSTEM)
    reactivate_team(world, "c1", at=at("2026-04-01"), by=SYSTEM)
    suspend_team(world, "c1", at=at("2026-05-01"), by=SYSTEM)
    rest = "only the partner admin's license.*, billing.* and team.admin (R2) hold"

    assert (False, Rule.R6, f"c1 is suspended since 2026-03-01T00:00:00Z: {rest}") == explained(
        world, "paula", "content.view", "c1", at("2026-03-15")
    )
    assert (False, Rule.R6, f"c1 is suspended since 2026-05-01T00:00:00Z: {rest}") == explained(
        world, "paula", "content.view", "c1"
    )


def test_a_team_recorded_as_suspended_without_a_change_says_so_without_a_date(
    world: InMemoryStore,
) -> None:
    add_team(
        world,
        Team(
            id="c9",
            name="Client c9",
            kind="client",
            parent_id="acme",
            operated_by="client",
            billing_model="reseller",
            status="suspended",
            created_at=T0,
        ),
        by=SYSTEM,
    )

    assert (
        False,
        Rule.R6,
        "c9 is suspended: only the partner admin's license.*, billing.* and team.admin (R2) hold",
    ) == explained(world, "paula", "content.view", "c9")
