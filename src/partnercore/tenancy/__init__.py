"""Tenancy and access: partner/client teams, memberships, delegated grants, consent, and the
explained access decisions of rules R1 to R7 (domain.md §2, §3).

Write services take the store first and the acting user (``by``, or ``SYSTEM``) last; each
authorises its actor before it writes anything (``authorise``, ``system_only``) and appends
its events, which are the audit trail (``audit_trail``). ``check``, ``teams`` and ``who`` read
the store on every call; ``AccessIndex`` gives the same decisions compiled, fresh on request,
with the access-change feed (§7).
"""

from partnercore.tenancy._access import check, require, teams, who
from partnercore.tenancy._actors import authorise, system_only
from partnercore.tenancy._audit import audit_trail
from partnercore.tenancy._consent import ConsentChange, PartnerAccess, consent_at
from partnercore.tenancy._decision import Decision, Holder
from partnercore.tenancy._delegation import grant_access, revoke_grant
from partnercore.tenancy._grants import ALL, Grant
from partnercore.tenancy._hierarchy import (
    add_team,
    archive_team,
    create_client,
    create_partner,
    reactivate_team,
    suspend_team,
    transfer_client,
)
from partnercore.tenancy._history import (
    StatusChange,
    TeamChange,
    Transfer,
    client_partner_at,
    parent_at,
    status_at,
)
from partnercore.tenancy._index import AccessChange, AccessIndex
from partnercore.tenancy._memberships import add_membership, add_user, end_membership
from partnercore.tenancy._partner_access import (
    change_partner_access,
    restore_partner_access,
    revoke_partner_access,
)
from partnercore.tenancy._people import Membership, User
from partnercore.tenancy._permissions import (
    PARTNER_ROLES,
    GrantRole,
    Permission,
    Role,
    Rule,
    client_role_permissions,
    partner_admin_permissions_on_client,
    partner_role_permissions,
)
from partnercore.tenancy._ports import (
    ConsentRepository,
    GrantRepository,
    MembershipRepository,
    TeamHistory,
    TeamRepository,
    TenancyReader,
    TenancyStore,
    UserRepository,
)
from partnercore.tenancy._team import BillingModel, OperatedBy, Team, TeamKind, TeamStatus

__all__ = [
    "ALL",
    "PARTNER_ROLES",
    "AccessChange",
    "AccessIndex",
    "BillingModel",
    "ConsentChange",
    "ConsentRepository",
    "Decision",
    "Grant",
    "GrantRepository",
    "GrantRole",
    "Holder",
    "Membership",
    "MembershipRepository",
    "OperatedBy",
    "PartnerAccess",
    "Permission",
    "Role",
    "Rule",
    "StatusChange",
    "Team",
    "TeamChange",
    "TeamHistory",
    "TeamKind",
    "TeamRepository",
    "TeamStatus",
    "TenancyReader",
    "TenancyStore",
    "Transfer",
    "User",
    "UserRepository",
    "add_membership",
    "add_team",
    "add_user",
    "archive_team",
    "audit_trail",
    "authorise",
    "change_partner_access",
    "check",
    "client_partner_at",
    "client_role_permissions",
    "consent_at",
    "create_client",
    "create_partner",
    "end_membership",
    "grant_access",
    "parent_at",
    "partner_admin_permissions_on_client",
    "partner_role_permissions",
    "reactivate_team",
    "require",
    "restore_partner_access",
    "revoke_grant",
    "revoke_partner_access",
    "status_at",
    "suspend_team",
    "system_only",
    "teams",
    "transfer_client",
    "who",
]
