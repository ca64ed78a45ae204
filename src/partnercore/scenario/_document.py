"""A scenario document: every table of the scenario format, checked and typed.

Each entry class declares the keys of one table (see ``_keys.key``); the library's
converter reads each entry (``_keys.structure_entry``). :func:`read_tables` reads every
table of the parsed TOML, collecting the problems of every entry (unknown keys, wrong types,
unknown enum values, floats where money is expected, naive datetimes); the checks across
entries (duplicate ids, references to unknown ids, rules between keys) are in
``_cross_checks.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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
from partnercore.scenario._keys import (
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
    Name,
    Prices,
    Strings,
    Tables,
    Text,
    Whole,
    Zone,
    describe,
    entry_keys,
    entry_label,
    entry_reader,
    join_path,
    key,
    structure_entry,
)
from partnercore.tenancy import BillingModel, GrantRole, OperatedBy, PartnerAccess, Role, TeamStatus

__all__ = [
    "ARRAYS",
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
    "format_problems",
    "invoicing_of",
    "read_table",
    "read_tables",
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
    up_to: int | None = attrs.field(**key(Whole(minimum=1), default=None))
    unit_price: Decimal = attrs.field(**key(Amount()))
    flat_fee: Decimal | None = attrs.field(**key(Amount(), default=None))


@attrs.frozen(kw_only=True)
class UsageTiersEntry:
    model: str = attrs.field(**key(Choice(PRICING_MODEL)))
    tiers: tuple[TierEntry, ...] | None = attrs.field(**key(Tables(TierEntry), default=None))
    size: int | None = attrs.field(**key(Whole(minimum=1), default=None))
    package_price: Decimal | None = attrs.field(**key(Amount(), default=None))


@attrs.frozen(kw_only=True)
class SizeBandEntry:
    up_to: int | None = attrs.field(**key(Whole(minimum=1), default=None))
    fee: Decimal = attrs.field(**key(Amount()))


@attrs.frozen(kw_only=True)
class PartnerTierEntry:
    name: str = attrs.field(**key(Text()))
    from_trailing_revenue: Decimal = attrs.field(**key(Amount()))
    referral_rate: Decimal = attrs.field(**key(Amount(maximum=_ONE)))


@attrs.frozen(kw_only=True)
class PriceBookEntry:
    id: str = attrs.field(**key(Identifier()))
    currency: str = attrs.field(**key(CurrencyCode()))
    advisor_monthly_fee: Decimal = attrs.field(**key(Amount()))
    full_license_monthly_fee: Decimal | None = attrs.field(**key(Amount(), default=None))
    rounding: str = attrs.field(**key(Choice(ROUNDING), default="half_up"))
    seat_policy: str = attrs.field(**key(Choice(SEAT_POLICY), default="any_time"))
    proration: str = attrs.field(**key(Choice(PRORATION), default="daily"))
    referral_base: str = attrs.field(**key(Choice(REFERRAL_BASE), default="all_charges"))
    referral_settlement: str = attrs.field(**key(Choice(REFERRAL_SETTLEMENT), default="statement"))
    content_revenue_share: Decimal = attrs.field(**key(Amount(maximum=_ONE), default=_ONE))
    usage: Mapping[str, Decimal] = attrs.field(**key(Prices(), default={}))
    usage_tiers: Mapping[str, UsageTiersEntry] = attrs.field(
        **key(Models(UsageTiersEntry), default={})
    )
    full_license_fee_by_size: tuple[SizeBandEntry, ...] | None = attrs.field(
        **key(Tables(SizeBandEntry), default=None)
    )
    partner_tiers: tuple[PartnerTierEntry, ...] | None = attrs.field(
        **key(Tables(PartnerTierEntry), default=None)
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
    id: str = attrs.field(**key(Identifier()))
    name: str = attrs.field(**key(Text()))
    pricebook: str = attrs.field(**key(Identifier(), ref="pricebooks"))
    referral_rate: Decimal | None = attrs.field(**key(Amount(maximum=_ONE), default=None))
    timezone: str = attrs.field(**key(Zone(), default="UTC"))
    created_at: datetime | None = attrs.field(**key(Instant(), default=None))
    country: str | None = attrs.field(**key(Country(), default=None))
    tax_id: str | None = attrs.field(**key(Text(), default=None))


@attrs.frozen(kw_only=True)
class ClientEntry:
    id: str = attrs.field(**key(Identifier()))
    name: str = attrs.field(**key(Text()))
    partner: str = attrs.field(**key(Identifier(), ref="partners"))
    billing_model: str = attrs.field(**key(Choice(BILLING_MODEL)))
    operated_by: str = attrs.field(**key(Choice(OPERATED_BY)))
    timezone: str = attrs.field(**key(Zone(), default="UTC"))
    status: str = attrs.field(**key(Choice(TEAM_STATUS), default="active"))
    organisation_key: str | None = attrs.field(**key(Text(), default=None))
    created_at: datetime | None = attrs.field(**key(Instant(), default=None))
    employee_count: int | None = attrs.field(**key(Whole(minimum=1), default=None))
    pricebook: str | None = attrs.field(**key(Identifier(), ref="pricebooks", default=None))
    country: str | None = attrs.field(**key(Country(), default=None))
    tax_id: str | None = attrs.field(**key(Text(), default=None))


@attrs.frozen(kw_only=True)
class DiscountEntry:
    client: str = attrs.field(**key(Identifier(), ref="clients"))
    percent: Decimal = attrs.field(**key(Amount(maximum=_ONE)))
    first: str = attrs.field(**key(Month(), name="from"))
    last: str | None = attrs.field(**key(Month(), name="until", default=None))


@attrs.frozen(kw_only=True)
class UserEntry:
    id: str = attrs.field(**key(Identifier()))
    email: str = attrs.field(**key(Text()))
    name: str | None = attrs.field(**key(Text(), default=None))


@attrs.frozen(kw_only=True)
class MembershipEntry:
    user: str = attrs.field(**key(Identifier(), ref="users"))
    team: str = attrs.field(**key(Identifier(), ref="teams"))
    role: str = attrs.field(**key(Choice(MEMBER_ROLE)))
    active_from: datetime = attrs.field(**key(Instant(), name="from"))
    active_until: datetime | None = attrs.field(**key(Instant(), name="until", default=None))
    by: str | None = attrs.field(**key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class GrantEntry:
    id: str = attrs.field(**key(Identifier()))
    partner: str = attrs.field(**key(Identifier(), ref="partners"))
    client: str = attrs.field(**key(Identifier(), ref="clients", also=("*",)))
    advisor: str = attrs.field(**key(Identifier(), ref="users", also=("*",)))
    role: str = attrs.field(**key(Choice(GRANT_ROLE)))
    granted_at: datetime = attrs.field(**key(Instant()))
    expires_at: datetime | None = attrs.field(**key(Instant(), default=None))
    revoked_at: datetime | None = attrs.field(**key(Instant(), default=None))
    granted_by: str | None = attrs.field(**key(Identifier(), ref="users", default=None))
    revoked_by: str | None = attrs.field(**key(Identifier(), ref="users", default=None))
    by: str | None = attrs.field(**key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class ConsentEntry:
    client: str = attrs.field(**key(Identifier(), ref="clients"))
    partner_access: str = attrs.field(**key(Choice(PARTNER_ACCESS)))
    at: datetime = attrs.field(**key(Instant()))
    by: str = attrs.field(**key(Identifier(), ref="users"))


@attrs.frozen(kw_only=True)
class LicenseEventEntry:
    team: str = attrs.field(**key(Identifier(), ref="clients"))
    event: str = attrs.field(**key(Choice(LICENSE_EVENT)))
    at: datetime = attrs.field(**key(Instant()))
    skip_trial: bool | None = attrs.field(**key(Flag(), default=None))
    at_period_end: bool | None = attrs.field(**key(Flag(), default=None))
    by: str | None = attrs.field(**key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class LicensePolicyEntry:
    trial_days: int = attrs.field(**key(Whole(minimum=1), default=14))
    on_trial_end: str = attrs.field(**key(Choice(ON_TRIAL_END), default="free"))


@attrs.frozen(kw_only=True)
class UsageEntry:
    team: str = attrs.field(**key(Identifier(), ref="clients"))
    metric: str = attrs.field(**key(Name()))
    quantity: Decimal = attrs.field(**key(Amount()))
    at: datetime = attrs.field(**key(Instant()))


@attrs.frozen(kw_only=True)
class ContentEntry:
    id: str = attrs.field(**key(Identifier()))
    kind: str = attrs.field(**key(Choice(CONTENT_KIND)))
    title: str = attrs.field(**key(Text()))
    owner: str = attrs.field(**key(Identifier(), ref="partners", also=("platform",)))
    version: int = attrs.field(**key(Whole(minimum=1), default=1))
    status: str = attrs.field(**key(Choice(CONTENT_STATUS), default="published"))
    price: Decimal | None = attrs.field(**key(Amount(), default=None))
    price_type: str | None = attrs.field(**key(Choice(PRICE_TYPE), default=None))


@attrs.frozen(kw_only=True)
class PublishEntry:
    item: str = attrs.field(**key(Identifier(), ref="content"))
    version: int = attrs.field(**key(Whole(minimum=1)))
    at: datetime = attrs.field(**key(Instant()))


@attrs.frozen(kw_only=True)
class LibraryEntry:
    partner: str = attrs.field(**key(Identifier(), ref="partners"))
    item: str = attrs.field(**key(Identifier(), ref="content"))


@attrs.frozen(kw_only=True)
class TemplateGrantEntry:
    advisor: str = attrs.field(**key(Identifier(), ref="users", also=("*",)))
    role: str = attrs.field(**key(Choice(GRANT_ROLE)))


@attrs.frozen(kw_only=True)
class TemplateEntry:
    id: str = attrs.field(**key(Identifier()))
    partner: str = attrs.field(**key(Identifier(), ref="partners"))
    name: str = attrs.field(**key(Text()))
    license: str = attrs.field(**key(Choice(LICENSE_STATE), default="free"))
    billing_model: str = attrs.field(**key(Choice(BILLING_MODEL)))
    operated_by: str = attrs.field(**key(Choice(OPERATED_BY)))
    content: tuple[str, ...] = attrs.field(**key(Strings(), ref="content", default=()))
    grants: tuple[TemplateGrantEntry, ...] = attrs.field(
        **key(Tables(TemplateGrantEntry), default=())
    )


@attrs.frozen(kw_only=True)
class OnboardEntry:
    request_id: str = attrs.field(**key(Identifier()))
    template: str = attrs.field(**key(Identifier(), ref="templates"))
    client: str = attrs.field(**key(Identifier()))
    name: str = attrs.field(**key(Text()))
    at: datetime = attrs.field(**key(Instant()))
    timezone: str = attrs.field(**key(Zone(), default="UTC"))
    organisation_key: str | None = attrs.field(**key(Text(), default=None))
    by: str | None = attrs.field(**key(Identifier(), ref="users", default=None))
    employee_count: int | None = attrs.field(**key(Whole(minimum=1), default=None))


@attrs.frozen(kw_only=True)
class InstallEntry:
    client: str = attrs.field(**key(Identifier(), ref="clients"))
    item: str = attrs.field(**key(Identifier(), ref="content"))
    at: datetime = attrs.field(**key(Instant()))
    by: str | None = attrs.field(**key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class PushEntry:
    partner: str = attrs.field(**key(Identifier(), ref="partners"))
    item: str = attrs.field(**key(Identifier(), ref="content"))
    clients: tuple[str, ...] = attrs.field(**key(Strings(), ref="clients", default=()))
    templates: tuple[str, ...] = attrs.field(**key(Strings(), ref="templates", default=()))
    locked: bool = attrs.field(**key(Flag(), default=False))
    at: datetime = attrs.field(**key(Instant()))
    by: str | None = attrs.field(**key(Identifier(), ref="users", default=None))


@attrs.frozen(kw_only=True)
class InvoicingEntry:
    number_prefix: str = attrs.field(**key(Text(), default="INV-"))
    credit_note_prefix: str = attrs.field(**key(Text(), default="CN-"))
    payment_terms_days: int = attrs.field(**key(Whole(minimum=0), default=30))
    issuer_country: str | None = attrs.field(**key(Country(), default=None))
    reverse_charge_zone: tuple[str, ...] = attrs.field(**key(Countries(), default=()))


@attrs.frozen(kw_only=True)
class TaxRateEntry:
    country: str = attrs.field(**key(Country()))
    rate: Decimal = attrs.field(**key(Amount(maximum=_ONE)))
    name: str = attrs.field(**key(Text()))


@attrs.frozen(kw_only=True)
class FinaliseEntry:
    period: str = attrs.field(**key(Month()))
    at: datetime = attrs.field(**key(Instant()))


@attrs.frozen(kw_only=True)
class CreditLineEntry:
    client: str | None = attrs.field(**key(Identifier(), ref="clients", default=None))
    kind: str = attrs.field(**key(Choice(CREDIT_KIND)))
    metric: str | None = attrs.field(**key(Name(), default=None))
    amount: Decimal = attrs.field(**key(Amount()))


@attrs.frozen(kw_only=True)
class CreditNoteEntry:
    request_id: str = attrs.field(**key(Identifier()))
    invoice: str = attrs.field(**key(Identifier()))
    at: datetime = attrs.field(**key(Instant()))
    reason: str = attrs.field(**key(Text()))
    full: bool = attrs.field(**key(Flag(), default=False))
    lines: tuple[CreditLineEntry, ...] = attrs.field(**key(Tables(CreditLineEntry), default=()))


# -- the document -----------------------------------------------------------------------


def _client_partners(document: Document) -> dict[str, str]:
    """Each client's partner: declared in ``[[clients]]`` or created by ``[[onboard]]``."""
    partners = {entry.id: entry.partner for entry in reversed(document.clients)}
    templates = {t.id: t.partner for t in document.templates}
    for step in document.onboard:
        partner = templates.get(step.template)
        if partner is not None:
            partners.setdefault(step.client, partner)
    return partners


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
    _partner_of: Mapping[str, str] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(_client_partners, takes_self=True),
    )

    def instants(self) -> Iterator[datetime]:
        """Every instant written in the document."""
        for table in attrs.fields(Document):
            value = getattr(self, table.name)
            if value is None or isinstance(value, Mapping):
                continue
            entries = value if isinstance(value, tuple) else (value,)
            if not entries:
                continue
            names = _instant_fields(type(entries[0]))
            for entry in entries:
                for name in names:
                    item = getattr(entry, name)
                    if item is not None:
                        yield item

    def epoch(self) -> datetime:
        """The earliest instant in the document: when teams without ``created_at`` begin."""
        return min(self.instants(), default=_DEFAULT_EPOCH)

    def latest(self) -> datetime:
        """The latest instant in the document."""
        return max(self.instants(), default=_DEFAULT_EPOCH)

    def client_partner(self, client: str) -> str | None:
        """The partner of a client declared in ``[[clients]]`` or created by ``[[onboard]]``."""
        return self._partner_of.get(client)

    def client_ids(self) -> tuple[str, ...]:
        """Every client id, declared or onboarded, in order of first appearance."""
        seen: dict[str, None] = {c.id: None for c in self.clients}
        for step in self.onboard:
            seen.setdefault(step.client, None)
        return tuple(seen)


def _instant_fields(entry: type) -> tuple[str, ...]:
    """The fields of ``entry`` that hold an instant."""
    return tuple(
        field for field, _, spec in entry_keys(entry).keys if isinstance(spec.kind, Instant)
    )


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


def read_table(
    name: str, raw: object, problems: list[Problem], *, consume: bool = False
) -> tuple[Any, list[int] | None]:
    """The entries of the array of tables ``name`` that read well, and, when some did not,
    the position in the file of each one kept (``None``: every entry was kept). The
    problems of the others go to ``problems``.

    ``consume``: ``raw`` is the reader's own, and each raw table is let go (its place set to
    ``None``) once read, so a large file's parsed tables are freed while its entries are
    made, not all at the end.
    """
    if not isinstance(raw, list):
        problems.append(
            Problem(name, f"expected an array of tables ([[{name}]]), got {describe(raw)}")
        )
        return (), None
    entry = ARRAYS[name]
    read = entry_reader(entry)
    entries: list[Any] = []
    kept: list[int] | None = None  # the positions kept, once an entry is not
    for index, item in enumerate(raw):
        parsed = read(item)
        if parsed is None:  # not a plain table, or a problem: read it again, for its problems
            parsed, found = structure_entry(entry, item, "")
            if parsed is None:
                if kept is None:
                    kept = list(range(index))
                label = entry_label(name, index, item)
                problems.extend(ValidationError(found).prefixed(label).problems)
                if consume:
                    raw[index] = None
                continue
        entries.append(parsed)
        if consume:
            raw[index] = None
        if kept is not None:
            kept.append(index)
    return tuple(entries), kept


def read_tables(
    data: Mapping[str, Any],
    names: Iterable[str],
    problems: list[Problem],
    *,
    consume: bool = False,
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """Every table of ``names`` present in ``data``, read (see :func:`read_table`); and, for
    the tables that lost entries, the file position of each entry kept. ``consume``: the
    arrays of ``data`` are the reader's own, emptied as they are read."""
    tables: dict[str, Any] = {}
    positions: dict[str, list[int]] = {}
    for name in names:
        if name not in data:
            continue
        if name in ARRAYS:
            tables[name], kept = read_table(name, data[name], problems, consume=consume)
            if kept is not None:
                positions[name] = kept
            continue
        entry = LicensePolicyEntry if name == "license_policy" else InvoicingEntry
        parsed, found = structure_entry(entry, data[name], name)
        problems.extend(found)
        if parsed is not None:
            tables[name] = parsed
    return tables, positions


def format_problems(data: Mapping[str, Any], allowed: Iterable[str]) -> Iterator[Problem]:
    """The top level of a file: names it may not use, and its ``format``."""
    names = tuple(allowed)
    for name in data:
        if name not in names:
            message = f"unknown table or key; expected one of {', '.join(sorted(names))}"
            yield Problem(join_path("", str(name)), message)
    if "format" in data:
        version = data["format"]
        if isinstance(version, bool) or version != FORMAT:
            yield Problem("format", f"unsupported format {describe(version)}; expected {FORMAT}")


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
