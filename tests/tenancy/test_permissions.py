"""The closed permission set and the role -> permission tables, against §3 word for word."""

from __future__ import annotations

from partnercore.tenancy import (
    BillingModel,
    GrantRole,
    Permission,
    Role,
    Rule,
    TeamKind,
    client_role_permissions,
    partner_admin_permissions_on_client,
    partner_role_permissions,
)
from partnercore.tenancy._permissions import GRANT_ROLE_PERMISSIONS


def names(permissions: frozenset[Permission]) -> set[str]:
    return {p.value for p in permissions}


def test_the_permissions_are_exactly_the_eleven_of_the_spec() -> None:
    assert [
        "team.view", "team.edit", "team.admin", "license.view", "license.manage", "billing.view",
        "billing.manage", "content.view", "content.manage", "referral.view", "client.create",
    ] == [p.value for p in Permission]  # fmt: skip


def test_roles_fit_their_team_kinds() -> None:
    assert {Role.PARTNER_ADMIN: TeamKind.PARTNER, Role.ADVISOR: TeamKind.PARTNER,
            Role.CLIENT_ADMIN: TeamKind.CLIENT, Role.MEMBER: TeamKind.CLIENT,
            Role.VIEWER: TeamKind.CLIENT} == {r: r.team_kind for r in Role}  # fmt: skip


def test_r1_on_a_partner_team() -> None:
    assert set(Permission) == set(partner_role_permissions(Role.PARTNER_ADMIN))
    assert {"team.view", "content.view"} == names(partner_role_permissions(Role.ADVISOR))
    assert set() == names(partner_role_permissions(Role.MEMBER))


def test_r1_on_a_client_team() -> None:
    admin = {"team.view", "team.edit", "team.admin", "license.view", "content.view"}
    assert admin == names(client_role_permissions(Role.CLIENT_ADMIN, BillingModel.RESELLER))
    assert admin | {"billing.view"} == names(
        client_role_permissions(Role.CLIENT_ADMIN, BillingModel.NON_RESELLER)
    )
    for model in BillingModel:
        assert {"team.view", "team.edit", "content.view"} == names(
            client_role_permissions(Role.MEMBER, model)
        )
        assert {"team.view", "content.view"} == names(client_role_permissions(Role.VIEWER, model))
        assert set() == names(client_role_permissions(Role.ADVISOR, model))


def test_r2_a_partner_admin_on_its_clients() -> None:
    base = {"license.view", "license.manage", "billing.view", "team.admin", "content.view"}
    assert base | {"billing.manage"} == names(
        partner_admin_permissions_on_client(BillingModel.RESELLER)
    )
    assert base == names(partner_admin_permissions_on_client(BillingModel.NON_RESELLER))


def test_r3_grant_roles() -> None:
    assert {
        GrantRole.ADVISOR_ADMIN: {"team.view", "team.edit", "team.admin", "content.view"},
        GrantRole.ADVISOR: {"team.view", "team.edit", "content.view"},
        GrantRole.ADVISOR_READONLY: {"team.view", "content.view"},
    } == {role: names(GRANT_ROLE_PERMISSIONS[role]) for role in GrantRole}


def test_rules_are_named_as_in_the_spec_plus_deny_by_default() -> None:
    assert ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "default"] == [r.value for r in Rule]
