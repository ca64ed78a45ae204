"""Permissions, roles, grant roles and the rules of §3, with the role -> permission tables.

The tables are written once, here, as frozensets; the access service only looks them up.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from partnercore.tenancy._team import BillingModel, TeamKind

__all__ = [
    "ADVISOR_ADMIN_PERMISSIONS",
    "ALL_PERMISSIONS",
    "ARCHIVED_KEEPS",
    "CLIENT_ROLE_PERMISSIONS",
    "CONSENT_REVOKED_KEEPS",
    "GRANT_ROLE_PERMISSIONS",
    "PARTNER_ROLES",
    "PARTNER_ROLE_PERMISSIONS",
    "R2_PERMISSIONS",
    "SUSPENDED_KEEPS",
    "GrantRole",
    "Permission",
    "Role",
    "Rule",
    "client_role_permissions",
    "partner_admin_permissions_on_client",
    "partner_role_permissions",
]


class Permission(StrEnum):
    """The closed set of permissions of §3."""

    TEAM_VIEW = "team.view"
    TEAM_EDIT = "team.edit"
    TEAM_ADMIN = "team.admin"
    LICENSE_VIEW = "license.view"
    LICENSE_MANAGE = "license.manage"
    BILLING_VIEW = "billing.view"
    BILLING_MANAGE = "billing.manage"
    CONTENT_VIEW = "content.view"
    CONTENT_MANAGE = "content.manage"
    REFERRAL_VIEW = "referral.view"
    CLIENT_CREATE = "client.create"


class Role(StrEnum):
    """A membership role. The first two fit partner teams, the last three client teams."""

    PARTNER_ADMIN = "partner_admin"
    ADVISOR = "advisor"
    CLIENT_ADMIN = "client_admin"
    MEMBER = "member"
    VIEWER = "viewer"

    @property
    def team_kind(self) -> TeamKind:
        """The kind of team this role fits."""
        return TeamKind.PARTNER if self in PARTNER_ROLES else TeamKind.CLIENT


class GrantRole(StrEnum):
    """The role a delegated grant (R3) gives on a client team."""

    ADVISOR_ADMIN = "advisor_admin"
    ADVISOR = "advisor"
    ADVISOR_READONLY = "advisor_readonly"


class Rule(StrEnum):
    """The rule that decided an access check.

    ``R1`` .. ``R7`` are the rules of §3. ``DEFAULT`` is deny-by-default: no rule relates the
    user to the team at all.
    """

    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    R4 = "R4"
    R5 = "R5"
    R6 = "R6"
    R7 = "R7"
    DEFAULT = "default"


P = Permission

ALL_PERMISSIONS: frozenset[Permission] = frozenset(Permission)

PARTNER_ROLES: frozenset[Role] = frozenset({Role.PARTNER_ADMIN, Role.ADVISOR})

# R1 on a partner team. referral.view is listed for partner_admin because it holds "all
# permissions"; R7 is what decides it.
PARTNER_ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.PARTNER_ADMIN: ALL_PERMISSIONS,
    Role.ADVISOR: frozenset({P.TEAM_VIEW, P.CONTENT_VIEW}),
}

# R1 on a client team, by billing model (client_admin sees billing only when non_reseller).
_CLIENT_ADMIN_BASE = frozenset(
    {P.TEAM_VIEW, P.TEAM_EDIT, P.TEAM_ADMIN, P.LICENSE_VIEW, P.CONTENT_VIEW}
)
CLIENT_ROLE_PERMISSIONS: Mapping[tuple[Role, BillingModel], frozenset[Permission]] = {
    (Role.CLIENT_ADMIN, BillingModel.RESELLER): _CLIENT_ADMIN_BASE,
    (Role.CLIENT_ADMIN, BillingModel.NON_RESELLER): _CLIENT_ADMIN_BASE | {P.BILLING_VIEW},
    (Role.MEMBER, BillingModel.RESELLER): frozenset({P.TEAM_VIEW, P.TEAM_EDIT, P.CONTENT_VIEW}),
    (Role.MEMBER, BillingModel.NON_RESELLER): frozenset({P.TEAM_VIEW, P.TEAM_EDIT, P.CONTENT_VIEW}),
    (Role.VIEWER, BillingModel.RESELLER): frozenset({P.TEAM_VIEW, P.CONTENT_VIEW}),
    (Role.VIEWER, BillingModel.NON_RESELLER): frozenset({P.TEAM_VIEW, P.CONTENT_VIEW}),
}

# R2: a partner_admin of P on every client of P.
_R2_BASE = frozenset(
    {P.LICENSE_VIEW, P.LICENSE_MANAGE, P.BILLING_VIEW, P.TEAM_ADMIN, P.CONTENT_VIEW}
)
R2_PERMISSIONS: Mapping[BillingModel, frozenset[Permission]] = {
    BillingModel.RESELLER: _R2_BASE | {P.BILLING_MANAGE},
    BillingModel.NON_RESELLER: _R2_BASE,
}

# R3: what a grant role gives on a client team.
GRANT_ROLE_PERMISSIONS: Mapping[GrantRole, frozenset[Permission]] = {
    GrantRole.ADVISOR_ADMIN: frozenset({P.TEAM_VIEW, P.TEAM_EDIT, P.TEAM_ADMIN, P.CONTENT_VIEW}),
    GrantRole.ADVISOR: frozenset({P.TEAM_VIEW, P.TEAM_EDIT, P.CONTENT_VIEW}),
    GrantRole.ADVISOR_READONLY: frozenset({P.TEAM_VIEW, P.CONTENT_VIEW}),
}

#: On a partner-operated client, partner admins hold ``advisor_admin`` implicitly (R3).
ADVISOR_ADMIN_PERMISSIONS = GRANT_ROLE_PERMISSIONS[GrantRole.ADVISOR_ADMIN]

#: R4: while a client has revoked partner data access, R2 keeps only these.
CONSENT_REVOKED_KEEPS: frozenset[Permission] = frozenset(
    {P.LICENSE_VIEW, P.LICENSE_MANAGE, P.BILLING_VIEW, P.BILLING_MANAGE}
)

#: R6: on a suspended team only a partner admin's licence, billing and team.admin hold.
SUSPENDED_KEEPS: frozenset[Permission] = frozenset(
    {P.LICENSE_VIEW, P.LICENSE_MANAGE, P.BILLING_VIEW, P.BILLING_MANAGE, P.TEAM_ADMIN}
)

#: R6: on an archived team only the partner admin's billing.view holds.
ARCHIVED_KEEPS: frozenset[Permission] = frozenset({P.BILLING_VIEW})


def partner_role_permissions(role: Role) -> frozenset[Permission]:
    """R1 on a partner team: what ``role`` holds there (empty for a client role)."""
    return PARTNER_ROLE_PERMISSIONS.get(role, frozenset())


def client_role_permissions(role: Role, billing_model: BillingModel) -> frozenset[Permission]:
    """R1 on a client team: what ``role`` holds there (empty for a partner role)."""
    return CLIENT_ROLE_PERMISSIONS.get((role, billing_model), frozenset())


def partner_admin_permissions_on_client(billing_model: BillingModel) -> frozenset[Permission]:
    """R2: what a partner admin of P holds on a client of P with this billing model."""
    return R2_PERMISSIONS[billing_model]
