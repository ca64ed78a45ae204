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
from partnercore.billing import Proration, ReferralBase, ReferralSettlement, SeatPolicy
from partnercore.content import ContentKind, ContentStatus, InitialLicense, PriceType
from partnercore.licensing import LicenseEventKind, LicenseState
from partnercore.money import Rounding
from partnercore.scenario._schema import (
    Amount,
    Choice,
    CurrencyCode,
    Flag,
    Identifier,
    Instant,
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
    "Document",
    "GrantEntry",
    "InstallEntry",
    "LibraryEntry",
    "LicenseEventEntry",
    "LicensePolicyEntry",
    "MembershipEntry",
    "OnboardEntry",
    "PartnerEntry",
    "PriceBookEntry",
    "PublishEntry",
    "PushEntry",
    "TemplateEntry",
    "TemplateGrantEntry",
    "UsageEntry",
    "UserEntry",
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

_ONE = Decimal(1)
_DEFAULT_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


# -- entries, one class per table -------------------------------------------------------


@attrs.frozen(kw_only=True)
class PriceBookEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    currency: str = attrs.field(metadata=key(CurrencyCode()))
    advisor_monthly_fee: Decimal = attrs.field(metadata=key(Amount()))
    full_license_monthly_fee: Decimal = attrs.field(metadata=key(Amount()))
    rounding: str = attrs.field(metadata=key(Choice(ROUNDING), default="half_up"))
    seat_policy: str = attrs.field(metadata=key(Choice(SEAT_POLICY), default="any_time"))
    proration: str = attrs.field(metadata=key(Choice(PRORATION), default="daily"))
    referral_base: str = attrs.field(metadata=key(Choice(REFERRAL_BASE), default="all_charges"))
    referral_settlement: str = attrs.field(
        metadata=key(Choice(REFERRAL_SETTLEMENT), default="statement")
    )
    content_revenue_share: Decimal = attrs.field(metadata=key(Amount(maximum=_ONE), default=_ONE))
    usage: Mapping[str, Decimal] = attrs.field(metadata=key(Prices(), default={}))


@attrs.frozen(kw_only=True)
class PartnerEntry:
    id: str = attrs.field(metadata=key(Identifier()))
    name: str = attrs.field(metadata=key(Text()))
    pricebook: str = attrs.field(metadata=key(Identifier(), ref="pricebooks"))
    referral_rate: Decimal = attrs.field(metadata=key(Amount(maximum=_ONE)))
    timezone: str = attrs.field(metadata=key(Zone(), default="UTC"))
    created_at: datetime | None = attrs.field(metadata=key(Instant(), default=None))


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

    def instants(self) -> Iterator[datetime]:
        """Every instant written in the document."""
        for table in attrs.fields(Document):
            value = getattr(self, table.name)
            entries = value if isinstance(value, tuple) else (value,)
            for entry in entries:
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
}
"""Tables written as arrays of tables (``[[partners]]``), by name."""

TABLES: tuple[str, ...] = ("format", "license_policy", *ARRAYS)
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
    for label, usage in _labelled(document, "usage"):
        partner = partners.get(document.client_partner(usage.team) or "")
        book = pricebooks.get(partner.pricebook) if partner else None
        if book is not None and usage.metric not in book.usage:
            known = ", ".join(sorted(book.usage)) or "none"
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
    return problems


def map_entries(document: Document, table: str, change: Callable[[Any], Any]) -> Document:
    """``document`` with ``change`` applied to every entry of ``table``."""
    changes: dict[str, Any] = {table: tuple(change(e) for e in getattr(document, table))}
    return attrs.evolve(document, **changes)
