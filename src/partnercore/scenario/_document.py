"""A scenario document: every table of the scenario format, checked and typed.

Each entry class declares the keys of one table (see ``_schema.key``). :func:`read_document`
turns the parsed TOML into a :class:`Document`, collecting every problem it can find
(unknown tables and keys, wrong types, unknown enum values, floats where money is expected,
naive datetimes, duplicate ids and references to unknown ids) before it raises one
:class:`~partnercore.ValidationError` listing them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import attrs

from partnercore._errors import Problem, ValidationError
from partnercore.billing import (
    Invoicing,
    LineKind,
    PricingModel,
    Proration,
    ReferralBase,
    ReferralSettlement,
    SeatPolicy,
    TaxRate,
    TaxTable,
)
from partnercore.content import ContentKind, ContentStatus, InitialLicense, PriceType
from partnercore.licensing import LicenseEventKind, LicenseState
from partnercore.money import Rounding
from partnercore.scenario._schema import (
    Amount,
    Choice,
    Countries,
    Country,
    CurrencyCode,
    Flag,
    Identifier,
    Instant,
    Models,
    Month,
    Prices,
    Strings,
    Tables,
    Text,
    Whole,
    Zone,
    describe,
    entry_label,
    join_path,
    key,
    keys_of,
    parse_entry,
    quote,
)
from partnercore.tenancy import BillingModel, GrantRole, OperatedBy, PartnerAccess, Role, TeamStatus

__all__ = [
    "FORMAT",
    "TABLES",
    "ClientEntry",
    "ConsentEntry",
    "ContentEntry",
    "CreditLineEntry",
    "CreditNoteEntry",
    "DiscountEntry",
    "Document",
    "FinaliseEntry",
    "GrantEntry",
    "InstallEntry",
    "InvoicingEntry",
    "LibraryEntry",
    "LicenseEventEntry",
    "LicensePolicyEntry",
    "MembershipEntry",
    "OnboardEntry",
    "PartnerEntry",
    "PartnerTierEntry",
    "PriceBookEntry",
    "PublishEntry",
    "PushEntry",
    "SizeBandEntry",
    "TaxRateEntry",
    "TemplateEntry",
    "TemplateGrantEntry",
    "TierEntry",
    "UsageEntry",
    "UsageTiersEntry",
    "UserEntry",
    "invoicing_of",
    "read_document",
]

FORMAT = 1
"""The scenario format version this library reads."""


def _values(kind: Iterable[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


# Enum values come from the domain's own enums (spelled as in the specification).
ROUNDING = _values(Rounding)
SEAT_POLICY = _values(SeatPolicy)
PRORATION = _values(Proration)
PRICING_MODEL = _values(PricingModel)
REFERRAL_BASE = _values(ReferralBase)
REFERRAL_SETTLEMENT = _values(ReferralSettlement)
BILLING_MODEL = _values(BillingModel)
OPERATED_BY = _values(OperatedBy)
TEAM_STATUS = _values(TeamStatus)
MEMBER_ROLE = _values(Role)
GRANT_ROLE = _values(GrantRole)
PARTNER_ACCESS = _values(PartnerAccess)
LICENSE_EVENT = _values(LicenseEventKind)
LICENSE_STATE = _values(InitialLicense)
ON_TRIAL_END = tuple(v for v in _values(LicenseState) if v != LicenseState.TRIAL)
CONTENT_KIND = _values(ContentKind)
CONTENT_STATUS = _values(ContentStatus)
PRICE_TYPE = _values(PriceType)
CREDIT_KIND = tuple(  # what a credit note may name (a discount or referral credit is no charge)
    v for v in _values(LineKind) if v not in (LineKind.DISCOUNT, LineKind.REFERRAL_CREDIT)
)

_ONE = Decimal(1)
_DEFAULT_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


# -- entries, one class per table -------------------------------------------------------


@attrs.frozen(kw_only=True)
class TierEntry:
    up_to: int | None = attrs.field(metadata=key(Whole(minimum=1), default=None))
    unit_price: Decimal = attrs.field(metadata=key(Amount()))
    flat_fee: Decimal | None = attrs.field(metadata=key(Amount(), default=None))


@attrs.frozen(kw_only=True)
class UsageTiersEntry:
    model: str = attrs.field(metadata=key(Choice(PRICING_MODEL)))
    tiers: tuple[TierEntry, ...] | None = attrs.field(metadata=key(Tables(TierEntry), default=None))
    size: int | None = attrs.field(metadata=key(Whole(minimum=1), default=None))
    package_price: Decimal | None = attrs.field(metadata=key(Amount(), default=None))


@attrs.frozen(kw_only=True)
class SizeBandEntry:
    up_to: int | None = attrs.field(metadata=key(Whole(minimum=1), default=None))
    fee: Decimal = attrs.field(metadata=key(Amount()))


@attrs.frozen(kw_only=True)
class PartnerTierEntry:
    name: str = attrs.field(metadata=key(Text()))
    from_trailing_revenue: Decimal = attrs.field(metadata=key(Amount()))
    referral_rate: Decimal = attrs.field(metadata=key(Amount(maximum=_ONE)))


@attrs.frozen(kw_only=True)
class PriceBookEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    currency: str = attrs.field(metadata=key(CurrencyCode()))
    advisor_monthly_fee: Decimal = attrs.field(metadata=key(Amount()))
    full_license_monthly_fee: Decimal | None = attrs.field(metadata=key(Amount(), default=None))
    rounding: str = attrs.field(metadata=key(Choice(ROUNDING), default="half_up"))
    seat_policy: str = attrs.field(metadata=key(Choice(SEAT_POLICY), default="any_time"))
    proration: str = attrs.field(metadata=key(Choice(PRORATION), default="daily"))
    referral_base: str = attrs.field(metadata=key(Choice(REFERRAL_BASE), default="all_charges"))
    referral_settlement: str = attrs.field(
        metadata=key(Choice(REFERRAL_SETTLEMENT), default="statement")
    )
    content_revenue_share: Decimal = attrs.field(metadata=key(Amount(maximum=_ONE), default=_ONE))
    usage: Mapping[str, Decimal] = attrs.field(metadata=key(Prices(), default={}))
    usage_tiers: Mapping[str, UsageTiersEntry] = attrs.field(
        metadata=key(Models(UsageTiersEntry), default={})
    )
    full_license_fee_by_size: tuple[SizeBandEntry, ...] | None = attrs.field(
        metadata=key(Tables(SizeBandEntry), default=None)
    )
    partner_tiers: tuple[PartnerTierEntry, ...] | None = attrs.field(
        metadata=key(Tables(PartnerTierEntry), default=None)
    )

    @property
    def banded(self) -> bool:
        """Whether full licences are priced by client size."""
        return self.full_license_fee_by_size is not None

    def prices(self, metric: str) -> bool:
        """Whether the book prices ``metric`` (per unit or by a tier model)."""
        return metric in self.usage or metric in self.usage_tiers

    def metrics(self) -> list[str]:
        return sorted({*self.usage, *self.usage_tiers})


@attrs.frozen(kw_only=True)
class PartnerEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    name: str = attrs.field(metadata=key(Text()))
    pricebook: str = attrs.field(metadata=key(Identifier(), ref="pricebooks"))
    referral_rate: Decimal | None = attrs.field(metadata=key(Amount(maximum=_ONE), default=None))
    timezone: str = attrs.field(metadata=key(Zone(), default="UTC"))
    created_at: datetime | None = attrs.field(metadata=key(Instant(), default=None))
    country: str | None = attrs.field(metadata=key(Country(), default=None))
    tax_id: str | None = attrs.field(metadata=key(Text(), default=None))


@attrs.frozen(kw_only=True)
class ClientEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    name: str = attrs.field(metadata=key(Text()))
    partner: str = attrs.field(metadata=key(Identifier(), ref="partners"))
    billing_model: str = attrs.field(metadata=key(Choice(BILLING_MODEL)))
    operated_by: str = attrs.field(metadata=key(Choice(OPERATED_BY)))
    timezone: str = attrs.field(metadata=key(Zone(), default="UTC"))
    status: str = attrs.field(metadata=key(Choice(TEAM_STATUS), default="active"))
    organisation_key: str | None = attrs.field(metadata=key(Text(), default=None))
    created_at: datetime | None = attrs.field(metadata=key(Instant(), default=None))
    employee_count: int | None = attrs.field(metadata=key(Whole(minimum=1), default=None))
    pricebook: str | None = attrs.field(metadata=key(Identifier(), ref="pricebooks", default=None))
    country: str | None = attrs.field(metadata=key(Country(), default=None))
    tax_id: str | None = attrs.field(metadata=key(Text(), default=None))


@attrs.frozen(kw_only=True)
class DiscountEntry:
    client: str = attrs.field(metadata=key(Identifier(), ref="clients"))
    percent: Decimal = attrs.field(metadata=key(Amount(maximum=_ONE)))
    first: str = attrs.field(metadata=key(Month(), name="from"))
    last: str | None = attrs.field(metadata=key(Month(), name="until", default=None))


@attrs.frozen(kw_only=True)
class UserEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    email: str = attrs.field(metadata=key(Text()))
    name: str | None = attrs.field(metadata=key(Text(), default=None))


@attrs.frozen(kw_only=True)
class MembershipEntry:
    user: str = attrs.field(metadata=key(Identifier(), ref="users"))
    team: str = attrs.field(metadata=key(Identifier(), ref="teams"))
    role: str = attrs.field(metadata=key(Choice(MEMBER_ROLE)))
    active_from: datetime = attrs.field(metadata=key(Instant(), name="from"))
    active_until: datetime | None = attrs.field(metadata=key(Instant(), name="until", default=None))
    by: str | None = attrs.field(metadata=key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class GrantEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    partner: str = attrs.field(metadata=key(Identifier(), ref="partners"))
    client: str = attrs.field(metadata=key(Identifier(), ref="clients", also=("*",)))
    advisor: str = attrs.field(metadata=key(Identifier(), ref="users", also=("*",)))
    role: str = attrs.field(metadata=key(Choice(GRANT_ROLE)))
    granted_at: datetime = attrs.field(metadata=key(Instant()))
    expires_at: datetime | None = attrs.field(metadata=key(Instant(), default=None))
    revoked_at: datetime | None = attrs.field(metadata=key(Instant(), default=None))
    granted_by: str | None = attrs.field(metadata=key(Identifier(), ref="users", default=None))
    revoked_by: str | None = attrs.field(metadata=key(Identifier(), ref="users", default=None))
    by: str | None = attrs.field(metadata=key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class ConsentEntry:
    client: str = attrs.field(metadata=key(Identifier(), ref="clients"))
    partner_access: str = attrs.field(metadata=key(Choice(PARTNER_ACCESS)))
    at: datetime = attrs.field(metadata=key(Instant()))
    by: str = attrs.field(metadata=key(Identifier(), ref="users"))


@attrs.frozen(kw_only=True)
class LicenseEventEntry:
    team: str = attrs.field(metadata=key(Identifier(), ref="clients"))
    event: str = attrs.field(metadata=key(Choice(LICENSE_EVENT)))
    at: datetime = attrs.field(metadata=key(Instant()))
    skip_trial: bool | None = attrs.field(metadata=key(Flag(), default=None))
    at_period_end: bool | None = attrs.field(metadata=key(Flag(), default=None))
    by: str | None = attrs.field(metadata=key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class LicensePolicyEntry:
    trial_days: int = attrs.field(metadata=key(Whole(minimum=1), default=14))
    on_trial_end: str = attrs.field(metadata=key(Choice(ON_TRIAL_END), default="free"))


@attrs.frozen(kw_only=True)
class UsageEntry:
    team: str = attrs.field(metadata=key(Identifier(), ref="clients"))
    metric: str = attrs.field(metadata=key(Identifier()))
    quantity: Decimal = attrs.field(metadata=key(Amount()))
    at: datetime = attrs.field(metadata=key(Instant()))


@attrs.frozen(kw_only=True)
class ContentEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    kind: str = attrs.field(metadata=key(Choice(CONTENT_KIND)))
    title: str = attrs.field(metadata=key(Text()))
    owner: str = attrs.field(metadata=key(Identifier(), ref="partners", also=("platform",)))
    version: int = attrs.field(metadata=key(Whole(minimum=1), default=1))
    status: str = attrs.field(metadata=key(Choice(CONTENT_STATUS), default="published"))
    price: Decimal | None = attrs.field(metadata=key(Amount(), default=None))
    price_type: str | None = attrs.field(metadata=key(Choice(PRICE_TYPE), default=None))


@attrs.frozen(kw_only=True)
class PublishEntry:
    item: str = attrs.field(metadata=key(Identifier(), ref="content"))
    version: int = attrs.field(metadata=key(Whole(minimum=1)))
    at: datetime = attrs.field(metadata=key(Instant()))


@attrs.frozen(kw_only=True)
class LibraryEntry:
    partner: str = attrs.field(metadata=key(Identifier(), ref="partners"))
    item: str = attrs.field(metadata=key(Identifier(), ref="content"))


@attrs.frozen(kw_only=True)
class TemplateGrantEntry:
    advisor: str = attrs.field(metadata=key(Identifier(), ref="users", also=("*",)))
    role: str = attrs.field(metadata=key(Choice(GRANT_ROLE)))


@attrs.frozen(kw_only=True)
class TemplateEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    partner: str = attrs.field(metadata=key(Identifier(), ref="partners"))
    name: str = attrs.field(metadata=key(Text()))
    license: str = attrs.field(metadata=key(Choice(LICENSE_STATE), default="free"))
    billing_model: str = attrs.field(metadata=key(Choice(BILLING_MODEL)))
    operated_by: str = attrs.field(metadata=key(Choice(OPERATED_BY)))
    content: tuple[str, ...] = attrs.field(metadata=key(Strings(), ref="content", default=()))
    grants: tuple[TemplateGrantEntry, ...] = attrs.field(
        metadata=key(Tables(TemplateGrantEntry), default=())
    )


@attrs.frozen(kw_only=True)
class OnboardEntry:
    request_id: str = attrs.field(metadata=key(Identifier()))
    template: str = attrs.field(metadata=key(Identifier(), ref="templates"))
    client: str = attrs.field(metadata=key(Identifier()))
    name: str = attrs.field(metadata=key(Text()))
    at: datetime = attrs.field(metadata=key(Instant()))
    timezone: str = attrs.field(metadata=key(Zone(), default="UTC"))
    organisation_key: str | None = attrs.field(metadata=key(Text(), default=None))
    by: str | None = attrs.field(metadata=key(Identifier(), ref="users", default=None))
    employee_count: int | None = attrs.field(metadata=key(Whole(minimum=1), default=None))


@attrs.frozen(kw_only=True)
class InstallEntry:
    client: str = attrs.field(metadata=key(Identifier(), ref="clients"))
    item: str = attrs.field(metadata=key(Identifier(), ref="content"))
    at: datetime = attrs.field(metadata=key(Instant()))
    by: str | None = attrs.field(metadata=key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class PushEntry:
    partner: str = attrs.field(metadata=key(Identifier(), ref="partners"))
    item: str = attrs.field(metadata=key(Identifier(), ref="content"))
    clients: tuple[str, ...] = attrs.field(metadata=key(Strings(), ref="clients", default=()))
    templates: tuple[str, ...] = attrs.field(metadata=key(Strings(), ref="templates", default=()))
    locked: bool = attrs.field(metadata=key(Flag(), default=False))
    at: datetime = attrs.field(metadata=key(Instant()))
    by: str | None = attrs.field(metadata=key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class InvoicingEntry:
    number_prefix: str = attrs.field(metadata=key(Text(), default="INV-"))
    credit_note_prefix: str = attrs.field(metadata=key(Text(), default="CN-"))
    payment_terms_days: int = attrs.field(metadata=key(Whole(minimum=0), default=30))
    issuer_country: str | None = attrs.field(metadata=key(Country(), default=None))
    reverse_charge_zone: tuple[str, ...] = attrs.field(metadata=key(Countries(), default=()))


@attrs.frozen(kw_only=True)
class TaxRateEntry:
    country: str = attrs.field(metadata=key(Country()))
    rate: Decimal = attrs.field(metadata=key(Amount(maximum=_ONE)))
    name: str = attrs.field(metadata=key(Text()))


@attrs.frozen(kw_only=True)
class FinaliseEntry:
    period: str = attrs.field(metadata=key(Month()))
    at: datetime = attrs.field(metadata=key(Instant()))


@attrs.frozen(kw_only=True)
class CreditLineEntry:
    client: str | None = attrs.field(metadata=key(Identifier(), ref="clients", default=None))
    kind: str = attrs.field(metadata=key(Choice(CREDIT_KIND)))
    metric: str | None = attrs.field(metadata=key(Identifier(), default=None))
    amount: Decimal = attrs.field(metadata=key(Amount()))


@attrs.frozen(kw_only=True)
class CreditNoteEntry:
    request_id: str = attrs.field(metadata=key(Identifier()))
    invoice: str = attrs.field(metadata=key(Identifier()))
    at: datetime = attrs.field(metadata=key(Instant()))
    reason: str = attrs.field(metadata=key(Text()))
    full: bool = attrs.field(metadata=key(Flag(), default=False))
    lines: tuple[CreditLineEntry, ...] = attrs.field(
        metadata=key(Tables(CreditLineEntry), default=())
    )


# -- the document -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Document:
    """A checked scenario: one tuple of typed entries per table, in file order."""

    pricebooks: tuple[PriceBookEntry, ...] = ()
    partners: tuple[PartnerEntry, ...] = ()
    clients: tuple[ClientEntry, ...] = ()
    users: tuple[UserEntry, ...] = ()
    memberships: tuple[MembershipEntry, ...] = ()
    grants: tuple[GrantEntry, ...] = ()
    consent: tuple[ConsentEntry, ...] = ()
    license_events: tuple[LicenseEventEntry, ...] = ()
    license_policy: LicensePolicyEntry = LicensePolicyEntry(trial_days=14, on_trial_end="free")
    usage: tuple[UsageEntry, ...] = ()
    content: tuple[ContentEntry, ...] = ()
    publish: tuple[PublishEntry, ...] = ()
    library: tuple[LibraryEntry, ...] = ()
    templates: tuple[TemplateEntry, ...] = ()
    onboard: tuple[OnboardEntry, ...] = ()
    installs: tuple[InstallEntry, ...] = ()
    pushes: tuple[PushEntry, ...] = ()
    discounts: tuple[DiscountEntry, ...] = ()
    invoicing: InvoicingEntry | None = None
    tax_rates: tuple[TaxRateEntry, ...] = ()
    finalise: tuple[FinaliseEntry, ...] = ()
    credit_notes: tuple[CreditNoteEntry, ...] = ()

    def instants(self) -> Iterator[datetime]:
        """Every instant written in the document."""
        for table in attrs.fields(Document):
            value = getattr(self, table.name)
            entries = value if isinstance(value, tuple) else (value,)
            for entry in entries:
                if entry is None:
                    continue
                for field in attrs.fields(type(entry)):
                    item = getattr(entry, field.name)
                    if isinstance(item, datetime):
                        yield item

    def epoch(self) -> datetime:
        """The earliest instant in the document: when teams without ``created_at`` begin."""
        return min(self.instants(), default=_DEFAULT_EPOCH)

    def latest(self) -> datetime:
        """The latest instant in the document."""
        return max(self.instants(), default=_DEFAULT_EPOCH)

    def client_partner(self, client: str) -> str | None:
        """The partner of a client declared in ``[[clients]]`` or created by ``[[onboard]]``."""
        for entry in self.clients:
            if entry.id == client:
                return entry.partner
        templates = {t.id: t for t in self.templates}
        for step in self.onboard:
            if step.client == client and step.template in templates:
                return templates[step.template].partner
        return None

    def client_ids(self) -> tuple[str, ...]:
        """Every client id, declared or onboarded, in order of first appearance."""
        seen: dict[str, None] = {c.id: None for c in self.clients}
        for step in self.onboard:
            seen.setdefault(step.client, None)
        return tuple(seen)


ARRAYS: dict[str, type] = {
    "pricebooks": PriceBookEntry,
    "partners": PartnerEntry,
    "clients": ClientEntry,
    "users": UserEntry,
    "memberships": MembershipEntry,
    "grants": GrantEntry,
    "consent": ConsentEntry,
    "license_events": LicenseEventEntry,
    "usage": UsageEntry,
    "content": ContentEntry,
    "publish": PublishEntry,
    "library": LibraryEntry,
    "templates": TemplateEntry,
    "onboard": OnboardEntry,
    "installs": InstallEntry,
    "pushes": PushEntry,
    "discounts": DiscountEntry,
    "tax_rates": TaxRateEntry,
    "finalise": FinaliseEntry,
    "credit_notes": CreditNoteEntry,
}
"""Tables written as arrays of tables (``[[partners]]``), by name."""

TABLES: tuple[str, ...] = ("format", "license_policy", "invoicing", *ARRAYS)
"""Every top-level name a scenario file may use."""


def _read_arrays(data: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """Every entry that parses, by table; the problems of the others go to ``problems``."""
    tables: dict[str, Any] = {}
    for name, entry in ARRAYS.items():
        if name not in data:
            continue
        raw = data[name]
        if not isinstance(raw, list):
            problems.append(
                Problem(name, f"expected an array of tables ([[{name}]]), got {describe(raw)}")
            )
            continue
        entries: list[Any] = []
        for index, item in enumerate(raw):
            parsed, found = parse_entry(entry, item, entry_label(name, index, item))
            problems.extend(found)
            if parsed is not None:
                entries.append(parsed)
        tables[name] = tuple(entries)
    return tables


def _raw_ids(data: Mapping[str, Any], table: str, field: str = "id") -> set[str]:
    """The ids written in ``table``, whether or not their entries are otherwise valid."""
    raw = data.get(table)
    if not isinstance(raw, list):
        return set()
    return {e[field] for e in raw if isinstance(e, Mapping) and isinstance(e.get(field), str)}


def _id_spaces(data: Mapping[str, Any]) -> dict[str, set[str]]:
    partners = _raw_ids(data, "partners")
    clients = _raw_ids(data, "clients") | _raw_ids(data, "onboard", "client")
    return {
        "pricebooks": _raw_ids(data, "pricebooks"),
        "partners": partners,
        "clients": clients,
        "teams": partners | clients,
        "users": _raw_ids(data, "users"),
        "content": _raw_ids(data, "content"),
        "templates": _raw_ids(data, "templates"),
    }


def read_document(data: Mapping[str, Any]) -> Document:
    """Check parsed TOML against the scenario format; every problem found, or a Document.

    References are checked even when other entries have problems: an id counts as known
    when it is written in its table, so one broken entry does not cascade into many.
    """
    problems: list[Problem] = []
    for name in data:
        if name not in TABLES:
            problems.append(
                Problem(
                    join_path("", str(name)),
                    f"unknown table or key; expected one of {', '.join(sorted(TABLES))}",
                )
            )
    if "format" in data:
        version = data["format"]
        if isinstance(version, bool) or version != FORMAT:
            problems.append(
                Problem("format", f"unsupported format {describe(version)}; expected {FORMAT}")
            )
    tables = _read_arrays(data, problems)
    if "license_policy" in data:
        policy, found = parse_entry(LicensePolicyEntry, data["license_policy"], "license_policy")
        problems.extend(found)
        if policy is not None:
            tables["license_policy"] = policy
    if "invoicing" in data:
        settings, found = parse_entry(InvoicingEntry, data["invoicing"], "invoicing")
        problems.extend(found)
        if settings is not None:
            tables["invoicing"] = settings
    document = Document(**tables)
    problems.extend(_check_references(document, _id_spaces(data)))
    if problems:
        raise ValidationError(problems)
    return document


# -- references -------------------------------------------------------------------------


def _labelled(document: Document, table: str) -> Iterator[tuple[str, Any]]:
    for index, entry in enumerate(getattr(document, table)):
        label = f"{table}[{index}]"
        if isinstance(getattr(entry, "id", None), str):
            label += f" (id {quote(entry.id)})"
        yield label, entry


def _duplicates(document: Document, spaces: Iterable[tuple[str, str, str]]) -> Iterator[Problem]:
    """Ids used twice in one id space; ``spaces`` lists (space, table, field)."""
    first: dict[tuple[str, str], str] = {}
    for space, table, field in spaces:
        for label, entry in _labelled(document, table):
            value = getattr(entry, field)
            earlier = first.setdefault((space, value), label)
            if earlier != label:
                message = f"duplicate id {quote(value)}: already used by {earlier}"
                yield Problem(join_path(label, field), message)


_NOUN = {
    "pricebooks": "price book",
    "partners": "partner",
    "clients": "client",
    "teams": "team",
    "users": "user",
    "content": "content item",
    "templates": "template",
}


def _reference_problems(
    entry: Any, label: str, spaces: Mapping[str, set[str]]
) -> Iterator[Problem]:
    for field_name, spec in keys_of(type(entry)):
        value = getattr(entry, field_name)
        path = join_path(label, spec.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str):
            for index, nested in enumerate(value):
                yield from _reference_problems(nested, f"{path}[{index}]", spaces)
            continue
        if spec.ref is None or value is None:
            continue
        known = spaces[spec.ref]
        values = value if isinstance(value, tuple) else (value,)
        for index, item in enumerate(values):
            if item in spec.also or item in known:
                continue
            where = f"{path}[{index}]" if isinstance(value, tuple) else path
            noun = _NOUN[spec.ref]
            hint = "".join(f" or {quote(a)}" for a in spec.also)
            message = f"unknown {noun} {quote(item)}"
            yield Problem(where, f"{message}; expected a {noun} id{hint}" if hint else message)


def _rule_problems(document: Document) -> Iterator[Problem]:
    """Checks that involve more than one key."""
    pricebooks = {p.id: p for p in document.pricebooks}
    partners = {p.id: p for p in document.partners}
    for label, event in _labelled(document, "license_events"):
        if event.skip_trial is not None and event.event != "upgrade":
            yield Problem(join_path(label, "skip_trial"), 'only allowed with event = "upgrade"')
        if event.at_period_end is not None and event.event != "downgrade":
            yield Problem(
                join_path(label, "at_period_end"), 'only allowed with event = "downgrade"'
            )
    deals = {c.id: c.pricebook for c in document.clients if c.pricebook is not None}
    for label, usage in _labelled(document, "usage"):
        partner = partners.get(document.client_partner(usage.team) or "")
        book = pricebooks.get(partner.pricebook) if partner else None
        deal = deals.get(usage.team)
        if deal is not None:
            book = pricebooks.get(deal)
        if book is not None and not book.prices(usage.metric):
            known = ", ".join(book.metrics()) or "none"
            yield Problem(
                join_path(label, "metric"),
                f"unknown usage metric {quote(usage.metric)}: price book {quote(book.id)} "
                f"prices {known}",
            )
    for label, item in _labelled(document, "content"):
        if item.price is not None and item.owner == "platform":
            yield Problem(join_path(label, "price"), "only partner-owned items have a price")
        if item.price is not None and item.price_type is None:
            yield Problem(join_path(label, "price_type"), "required with price")
        if item.price_type is not None and item.price is None:
            yield Problem(join_path(label, "price"), "required with price_type")


def _bound_problems(bounds: list[int | None], path: str) -> Iterator[Problem]:
    """Tier or band bounds: strictly ascending, only the last one without ``up_to``."""
    previous = 0
    for index, bound in enumerate(bounds):
        where = f"{path}[{index}].up_to"
        last = index == len(bounds) - 1
        if bound is None:
            if not last:
                yield Problem(where, "missing: only the last tier may be unbounded")
        elif last:
            yield Problem(where, "not allowed on the last tier: it is unbounded")
        elif bound <= previous:
            yield Problem(
                where, f"must be greater than the previous tier's up_to ({previous}), got {bound}"
            )
        else:
            previous = bound


def _tier_model_problems(label: str, book: PriceBookEntry) -> Iterator[Problem]:
    for metric, model in book.usage_tiers.items():
        path = join_path(join_path(label, "usage_tiers"), metric)
        if metric in book.usage:
            yield Problem(
                path, "metric priced both per unit (in usage) and by a tier model: give one"
            )
        only = f'model = "{model.model}"'
        if model.model == PricingModel.PACKAGE:
            if model.tiers is not None:
                yield Problem(join_path(path, "tiers"), f"not allowed with {only}")
            for name in ("size", "package_price"):
                if getattr(model, name) is None:
                    yield Problem(join_path(path, name), f"required with {only}")
            continue
        for name in ("size", "package_price"):
            if getattr(model, name) is not None:
                yield Problem(join_path(path, name), 'only allowed with model = "package"')
        if not model.tiers:
            yield Problem(join_path(path, "tiers"), f"at least one tier is required with {only}")
        else:
            yield from _bound_problems([t.up_to for t in model.tiers], join_path(path, "tiers"))


def _pricebook_problems(document: Document) -> Iterator[Problem]:
    for label, book in _labelled(document, "pricebooks"):
        if book.full_license_monthly_fee is None and not book.banded:
            yield Problem(
                join_path(label, "full_license_monthly_fee"),
                "missing required key (or give full_license_fee_by_size)",
            )
        if book.full_license_monthly_fee is not None and book.banded:
            yield Problem(
                join_path(label, "full_license_fee_by_size"),
                "not allowed with full_license_monthly_fee: give one or the other",
            )
        if book.full_license_fee_by_size is not None:
            path = join_path(label, "full_license_fee_by_size")
            if not book.full_license_fee_by_size:
                yield Problem(path, "at least one band is required")
            bounds = [band.up_to for band in book.full_license_fee_by_size]
            yield from _bound_problems(bounds, path)
        yield from _tier_model_problems(label, book)
        if book.partner_tiers is not None:
            path = join_path(label, "partner_tiers")
            if not book.partner_tiers:
                yield Problem(path, "at least one tier is required")
            names: set[str] = set()
            previous: Decimal | None = None
            for index, tier in enumerate(book.partner_tiers):
                where = f"{path}[{index}]"
                if tier.name in names:
                    yield Problem(join_path(where, "name"), f"tier {quote(tier.name)} named twice")
                names.add(tier.name)
                threshold = tier.from_trailing_revenue
                at = join_path(where, "from_trailing_revenue")
                if previous is None and threshold != 0:
                    yield Problem(at, f"the first tier starts at 0, got {quote(threshold)}")
                elif previous is not None and threshold <= previous:
                    yield Problem(
                        at,
                        f"must be greater than the previous tier's ({previous}), "
                        f"got {quote(threshold)}",
                    )
                previous = threshold if previous is None or threshold > previous else previous


def _deal_problems(document: Document) -> Iterator[Problem]:
    """Partners on tiered books, clients' deal books and sizes, discounts."""
    pricebooks = {p.id: p for p in document.pricebooks}
    partners = {p.id: p for p in document.partners}
    for label, partner in _labelled(document, "partners"):
        book = pricebooks.get(partner.pricebook)
        if book is None:
            continue
        if book.partner_tiers is not None and partner.referral_rate is not None:
            yield Problem(
                join_path(label, "referral_rate"),
                f"not allowed: price book {quote(book.id)} sets the rate by partner tiers",
            )
        if book.partner_tiers is None and partner.referral_rate is None:
            yield Problem(
                join_path(label, "referral_rate"),
                f"missing required key (price book {quote(book.id)} has no partner tiers)",
            )

    def book_of(partner_id: str) -> PriceBookEntry | None:
        partner = partners.get(partner_id)
        return None if partner is None else pricebooks.get(partner.pricebook)

    for label, client in _labelled(document, "clients"):
        book = book_of(client.partner)
        deal = pricebooks.get(client.pricebook) if client.pricebook is not None else None
        if deal is not None and book is not None and deal.currency != book.currency:
            yield Problem(
                join_path(label, "pricebook"),
                f"deal price book {quote(deal.id)} is in {deal.currency} but partner "
                f"{quote(client.partner)} bills in {book.currency}: a deal is in the "
                "partner's currency",
            )
        applies = deal or book
        if applies is not None and applies.banded and client.employee_count is None:
            yield Problem(
                join_path(label, "employee_count"),
                f"required: price book {quote(applies.id)} prices full licences by employee count",
            )
    templates = {t.id: t for t in document.templates}
    for label, step in _labelled(document, "onboard"):
        template = templates.get(step.template)
        book = None if template is None else book_of(template.partner)
        if book is not None and book.banded and step.employee_count is None:
            yield Problem(
                join_path(label, "employee_count"),
                f"required: price book {quote(book.id)} prices full licences by employee count",
            )
    earlier: dict[str, list[tuple[str, DiscountEntry]]] = {}
    for label, discount in _labelled(document, "discounts"):
        if discount.percent == 0:
            yield Problem(
                join_path(label, "percent"), "must be more than 0 (a fraction: 0.10 is 10 %)"
            )
        if discount.last is not None and discount.last < discount.first:
            yield Problem(
                join_path(label, "until"), f"{discount.last} is before from = {discount.first}"
            )
        for other_label, other in earlier.get(discount.client, []):
            first = max(discount.first, other.first)
            ends = [end for end in (discount.last, other.last) if end is not None]
            if not ends or first <= min(ends):
                yield Problem(
                    join_path(label, "from"),
                    f"overlaps {other_label} of client {quote(discount.client)}: two discounts "
                    "of one client may not overlap",
                )
        earlier.setdefault(discount.client, []).append((label, discount))


def _check_references(document: Document, spaces: Mapping[str, set[str]]) -> list[Problem]:
    problems = list(
        _duplicates(
            document,
            (
                ("pricebooks", "pricebooks", "id"),
                ("teams", "partners", "id"),
                ("teams", "clients", "id"),
                ("users", "users", "id"),
                ("grants", "grants", "id"),
                ("content", "content", "id"),
                ("templates", "templates", "id"),
            ),
        )
    )
    for table in ARRAYS:
        for label, entry in _labelled(document, table):
            problems.extend(_reference_problems(entry, label, spaces))
    problems.extend(_rule_problems(document))
    problems.extend(_pricebook_problems(document))
    problems.extend(_deal_problems(document))
    problems.extend(_invoicing_problems(document))
    return problems


def invoicing_of(document: Document) -> Invoicing:
    """The issuer's invoicing settings the ``[invoicing]`` and ``[[tax_rates]]`` tables give
    (the defaults, with no tax at all, when the document has neither)."""
    settings = document.invoicing
    rates = TaxTable(
        TaxRate(country=rate.country, rate=rate.rate, name=rate.name) for rate in document.tax_rates
    )
    if settings is None:
        return Invoicing(tax_rates=rates)
    return Invoicing(
        number_prefix=settings.number_prefix,
        credit_note_prefix=settings.credit_note_prefix,
        payment_terms_days=settings.payment_terms_days,
        issuer_country=settings.issuer_country,
        reverse_charge_zone=settings.reverse_charge_zone,
        tax_rates=rates,
    )


def _invoicing_problems(document: Document) -> Iterator[Problem]:
    """The invoicing settings, tax rates and credit notes (§5.2)."""
    if document.invoicing is not None:
        settings = document.invoicing
        for name in ("number_prefix", "credit_note_prefix", "payment_terms_days"):
            try:
                attrs.evolve(Invoicing(), **{name: getattr(settings, name)})
            except ValidationError as error:
                yield Problem(join_path("invoicing", name), error.problems[0].message)
    countries: dict[str, str] = {}
    for label, rate in _labelled(document, "tax_rates"):
        earlier = countries.setdefault(rate.country, label)
        if earlier != label:
            yield Problem(
                join_path(label, "country"),
                f"{quote(rate.country)} has a rate already in {earlier}",
            )
        if rate.rate >= _ONE:
            yield Problem(
                join_path(label, "rate"), f"must be a fraction below 1, got {quote(rate.rate)}"
            )
    for label, note in _labelled(document, "credit_notes"):
        if note.full and note.lines:
            yield Problem(join_path(label, "lines"), "not allowed with full = true")
        if not note.full and not note.lines:
            yield Problem(
                join_path(label, "lines"), "at least one line is required (or full = true)"
            )


def map_entries(document: Document, table: str, change: Callable[[Any], Any]) -> Document:
    """``document`` with ``change`` applied to every entry of ``table``."""
    changes: dict[str, Any] = {table: tuple(change(e) for e in getattr(document, table))}
    return attrs.evolve(document, **changes)
