"""The kinds of event the library's services append, one class each.

Each names the team it is about (``team_id``) and carries the facts a host needs to react
without reading the store again: ids, instants, states, amounts as text.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from partnercore.events._event import Event
from partnercore.time import format_instant

__all__ = [
    "ClientCreated",
    "ClientOnboarded",
    "ClientTransferred",
    "ConsentRestored",
    "ConsentRevoked",
    "ContentInstalled",
    "ContentItemChanged",
    "ContentPushed",
    "ContentUninstalled",
    "CreditNoteIssued",
    "GrantCreated",
    "GrantRevoked",
    "InvoiceFinalised",
    "LibraryChanged",
    "LicenseChanged",
    "MembershipAdded",
    "MembershipEnded",
    "PartnerCreated",
    "PriceBookChanged",
    "TeamStatusChanged",
    "TemplateChanged",
    "TrialStarted",
    "UsageRecorded",
    "UserAdded",
]


def _until(value: datetime | None) -> str:
    return "open-ended" if value is None else f"until {format_instant(value)}"


# -- tenancy -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PartnerCreated(Event):
    """A partner team was created."""

    kind = "partner_created"
    name: str

    def describe(self) -> str:
        return f"partner {self.team_id} ({self.name}) created"


@attrs.frozen(kw_only=True)
class ClientCreated(Event):
    """A client team was created under ``partner_id``."""

    kind = "client_created"
    partner_id: str
    name: str
    operated_by: str
    billing_model: str
    organisation_key: str | None = None

    def describe(self) -> str:
        return (
            f"client {self.team_id} ({self.name}) created under {self.partner_id}, "
            f"operated by the {self.operated_by}, {self.billing_model.replace('_', '-')}"
        )


@attrs.frozen(kw_only=True)
class ClientTransferred(Event):
    """A client moved from one partner to another (its delegated grants ended)."""

    kind = "client_transferred"
    from_partner: str
    to_partner: str

    def describe(self) -> str:
        return f"client {self.team_id} transferred from {self.from_partner} to {self.to_partner}"


@attrs.frozen(kw_only=True)
class TeamStatusChanged(Event):
    """A team was suspended, archived or reactivated."""

    kind = "team_status_changed"
    status: str
    previous: str

    def describe(self) -> str:
        return f"team {self.team_id} {self.previous} -> {self.status}"


@attrs.frozen(kw_only=True)
class UserAdded(Event):
    """A user was added (``team_id`` is ``None``: users belong to no team by themselves)."""

    kind = "user_added"
    user_id: str
    email: str

    def describe(self) -> str:
        return f"user {self.user_id} <{self.email}> added"


@attrs.frozen(kw_only=True)
class MembershipAdded(Event):
    """A user became a member of ``team_id`` with ``role``."""

    kind = "membership_added"
    membership_id: str
    user_id: str
    role: str
    active_from: datetime
    active_until: datetime | None = None

    def describe(self) -> str:
        return (
            f"{self.user_id} is {self.role} of {self.team_id} from "
            f"{format_instant(self.active_from)}, {_until(self.active_until)}"
        )


@attrs.frozen(kw_only=True)
class MembershipEnded(Event):
    """A membership was ended at ``active_until``."""

    kind = "membership_ended"
    membership_id: str
    user_id: str
    role: str
    active_until: datetime

    def describe(self) -> str:
        return (
            f"{self.user_id}'s {self.role} membership of {self.team_id} ends "
            f"{format_instant(self.active_until)}"
        )


@attrs.frozen(kw_only=True)
class GrantCreated(Event):
    """A partner gave delegated access (R3). ``team_id`` is the client, or the partner for
    an all-clients grant."""

    kind = "grant_created"
    grant_id: str
    partner_id: str
    client_id: str
    advisor_id: str
    role: str
    granted_at: datetime
    expires_at: datetime | None = None

    def describe(self) -> str:
        return (
            f"grant {self.grant_id}: {self.advisor_id} of {self.partner_id} is {self.role} "
            f"on {self.client_id} from {format_instant(self.granted_at)}, "
            f"{_until(self.expires_at)}"
        )


@attrs.frozen(kw_only=True)
class GrantRevoked(Event):
    """A delegated grant was revoked."""

    kind = "grant_revoked"
    grant_id: str
    partner_id: str
    client_id: str
    advisor_id: str

    def describe(self) -> str:
        return f"grant {self.grant_id} ({self.advisor_id} on {self.client_id}) revoked"


@attrs.frozen(kw_only=True)
class ConsentRevoked(Event):
    """A client admin revoked its partner's data access (R4)."""

    kind = "consent_revoked"
    partner_id: str

    def describe(self) -> str:
        return f"{self.team_id} revoked partner {self.partner_id}'s data access"


@attrs.frozen(kw_only=True)
class ConsentRestored(Event):
    """A client admin restored its partner's data access (R4)."""

    kind = "consent_restored"
    partner_id: str

    def describe(self) -> str:
        return f"{self.team_id} restored partner {self.partner_id}'s data access"


# -- licensing ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LicenseChanged(Event):
    """A licence event was recorded: ``change`` (``open``, ``request_upgrade``, ...) decided
    ``state`` from ``effective_at``; ``version`` is the licence's stored version."""

    kind = "license_changed"
    change: str
    state: str
    effective_at: datetime
    version: int

    def describe(self) -> str:
        return (
            f"licence of {self.team_id}: {self.change} -> {self.state} from "
            f"{format_instant(self.effective_at)}"
        )


@attrs.frozen(kw_only=True)
class TrialStarted(Event):
    """A client's trial started; it ends at ``ends_at`` unless converted or cancelled."""

    kind = "trial_started"
    ends_at: datetime
    organisation_key: str | None = None

    def describe(self) -> str:
        return f"trial of {self.team_id} started, ends {format_instant(self.ends_at)}"


# -- billing -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PriceBookChanged(Event):
    """A price book was added or replaced (``team_id``: the partner whose account names it,
    or ``None``)."""

    kind = "price_book_changed"
    price_book_id: str
    currency: str

    def describe(self) -> str:
        return f"price book {self.price_book_id} ({self.currency}) stored"


@attrs.frozen(kw_only=True)
class UsageRecorded(Event):
    """``records`` usage records of the client ``team_id`` were recorded (one event per
    client and call, not per record)."""

    kind = "usage_recorded"
    records: int
    metrics: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.records} usage record(s) of {self.team_id}: {', '.join(self.metrics)}"


@attrs.frozen(kw_only=True)
class InvoiceFinalised(Event):
    """An invoice was finalised (``team_id`` is the team billed)."""

    kind = "invoice_finalised"
    invoice_id: str
    partner_id: str
    period: str
    total: str
    currency: str

    def describe(self) -> str:
        return f"invoice {self.invoice_id} finalised: {self.total} {self.currency}"


@attrs.frozen(kw_only=True)
class CreditNoteIssued(Event):
    """A credit note was issued against a finalised invoice (``team_id`` is the team billed)."""

    kind = "credit_note_issued"
    number: str
    request_id: str
    invoice_id: str
    partner_id: str
    total: str
    currency: str

    def describe(self) -> str:
        return f"credit note {self.number} against {self.invoice_id}: {self.total} {self.currency}"


# -- content -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ContentItemChanged(Event):
    """A content item was added, published or retired (``team_id``: its owning partner, or
    ``None`` for a platform item)."""

    kind = "content_item_changed"
    item_id: str
    change: str
    version: int
    status: str

    def describe(self) -> str:
        return f"content item {self.item_id} {self.change}: version {self.version}, {self.status}"


@attrs.frozen(kw_only=True)
class LibraryChanged(Event):
    """A partner selected an open-library item into its library, or removed it."""

    kind = "library_changed"
    item_id: str
    selected: bool

    def describe(self) -> str:
        verb = "selected" if self.selected else "deselected"
        return f"{self.team_id} {verb} {self.item_id}"


@attrs.frozen(kw_only=True)
class ContentInstalled(Event):
    """A copy of a content item was installed on (or updated on) the client ``team_id``."""

    kind = "content_installed"
    item_id: str
    version: int
    pushed: bool

    def describe(self) -> str:
        how = "pushed to" if self.pushed else "installed on"
        return f"{self.item_id} v{self.version} {how} {self.team_id}"


@attrs.frozen(kw_only=True)
class ContentUninstalled(Event):
    """A copy of a content item was removed from the client ``team_id``."""

    kind = "content_uninstalled"
    item_id: str

    def describe(self) -> str:
        return f"{self.item_id} uninstalled from {self.team_id}"


@attrs.frozen(kw_only=True)
class ContentPushed(Event):
    """A partner pushed an item to clients and templates (``changed``: the clients whose
    copy changed)."""

    kind = "content_pushed"
    item_id: str
    version: int
    locked: bool
    clients: tuple[str, ...]
    templates: tuple[str, ...]
    changed: tuple[str, ...]

    def describe(self) -> str:
        return (
            f"{self.team_id} pushed {self.item_id} v{self.version} to "
            f"{len(self.clients)} client(s) and {len(self.templates)} template(s)"
        )


@attrs.frozen(kw_only=True)
class TemplateChanged(Event):
    """A partner added or changed a client template."""

    kind = "template_changed"
    template_id: str

    def describe(self) -> str:
        return f"{self.team_id} stored template {self.template_id}"


@attrs.frozen(kw_only=True)
class ClientOnboarded(Event):
    """A client was onboarded from a template (``request_id`` makes it idempotent)."""

    kind = "client_onboarded"
    partner_id: str
    template_id: str
    request_id: str

    def describe(self) -> str:
        return f"{self.team_id} onboarded by {self.partner_id} from template {self.template_id}"
