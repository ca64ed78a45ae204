"""Hypothesis strategies shared by the whole test suite, one section per package."""

from __future__ import annotations

# == money and time =========================================================================
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from partnercore.money import Currency, Money
from partnercore.time import BillingPeriod

#: Zones with the awkward cases: DST at 01:00 UTC, 02:00 local or at midnight (Asuncion,
#: Santiago), half-hour DST (Lord Howe), odd offsets (Kathmandu, Chatham), +14 and -12,
#: the southern hemisphere, a skipped day (Apia, December 2011), and UTC itself.
INTERESTING_ZONES = (
    "UTC",
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Asuncion",
    "America/Santiago",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "Etc/GMT+12",
    "Asia/Tokyo",
)


def currencies() -> st.SearchStrategy[Currency]:
    """Any ISO 4217 currency (0, 2, 3 and 4 minor units all occur)."""
    return st.sampled_from(Currency.codes()).map(Currency.of)


def decimals_with_places(places: int, max_units: int = 10**12) -> st.SearchStrategy[Decimal]:
    """Decimals with exactly ``places`` digits after the point, up to ``max_units`` of them."""
    return st.integers(-max_units, max_units).map(lambda n: Decimal(n).scaleb(-places))


def moneys(
    currency: st.SearchStrategy[Currency] | None = None, *, extra_places: int = 0
) -> st.SearchStrategy[Money]:
    """Money in a currency; ``extra_places`` digits beyond the minor unit (0: already rounded)."""

    def build(c: Currency) -> st.SearchStrategy[Money]:
        places = c.minor_units + extra_places
        return decimals_with_places(places).map(lambda amount: Money(amount, c))

    return (currency if currency is not None else currencies()).flatmap(build)


def ratio_lists() -> st.SearchStrategy[list[Decimal]]:
    """Non-empty lists of non-negative ratios (zeros, ties and mixed scales), not all zero."""
    ratio = st.one_of(
        st.integers(0, 10).map(Decimal),
        st.integers(0, 10**9).map(lambda n: Decimal(n).scaleb(-6)),
        st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("1e-20"), Decimal("1e20")]),
    )
    return st.lists(ratio, min_size=1, max_size=12).filter(lambda rs: any(r > 0 for r in rs))


def zone_names() -> st.SearchStrategy[str]:
    """An IANA zone name: mostly the awkward ones above, sometimes any zone at all."""
    any_zone = st.timezone_keys(allow_prefix=False).filter(
        lambda name: name not in {"localtime", "posixrules"}  # machine files, not zones
    )
    return st.one_of(st.sampled_from(INTERESTING_ZONES), any_zone)


def billing_periods(zone: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[BillingPeriod]:
    """A month in a zone, mostly near now, sometimes anywhere whose neighbours exist too."""
    years = st.one_of(st.integers(1990, 2040), st.integers(3, 9997))
    return st.builds(
        BillingPeriod,
        year=years,
        month=st.integers(1, 12),
        timezone=zone if zone is not None else zone_names(),
    )


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes in any zone (gaps and repeated hours too), years 3 to 9997."""
    return st.datetimes(
        min_value=datetime(3, 1, 1), max_value=datetime(9997, 12, 31), timezones=st.timezones()
    )


def utc_instants(
    start: datetime = datetime(1970, 1, 1, tzinfo=UTC), years: int = 100
) -> st.SearchStrategy[datetime]:
    """UTC instants to the microsecond, from ``start`` over ``years`` years."""
    span = int(timedelta(days=365 * years).total_seconds() * 1_000_000)
    return st.integers(0, span).map(lambda us: start + timedelta(microseconds=us))


# == tenancy ================================================================================
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402

import attrs  # noqa: E402

from partnercore import PartnercoreError  # noqa: E402
from partnercore.memory import InMemoryTenancy  # noqa: E402
from partnercore.tenancy import (  # noqa: E402
    ALL,
    Grant,
    GrantRole,
    Membership,
    Role,
    TenancyPorts,
    User,
    add_membership,
    add_user,
    archive_team,
    create_client,
    create_partner,
    end_membership,
    grant_access,
    reactivate_team,
    restore_partner_access,
    revoke_grant,
    revoke_partner_access,
    suspend_team,
    transfer_client,
)

#: Tenancy worlds start here; every operation happens on a whole day after it, so probing
#: whole days hits every boundary (a grant's start and expiry, a transfer, ...) exactly.
TENANCY_T0 = datetime(2026, 1, 1, tzinfo=UTC)
TENANCY_DAYS = 20


def tenancy_day(n: int) -> datetime:
    """The instant ``n`` days after :data:`TENANCY_T0`."""
    return TENANCY_T0 + timedelta(days=n)


def tenancy_snapshot(ports: TenancyPorts, teams: tuple[str, ...], users: tuple[str, ...]) -> object:
    """Everything the stores hold about these teams and users, read through the ports."""
    return (
        [ports.teams.find(t) for t in teams],
        [ports.users.find(u) for u in users],
        [t.id for t in ports.teams.partners()],
        [[c.id for c in ports.teams.clients_of(t)] for t in teams],
        [ports.memberships.for_team(t) for t in teams],
        [ports.memberships.for_user(u) for u in users],
        [list(ports.grants.for_partner(t)) for t in teams],
        [list(ports.grants.for_all_clients(t)) for t in teams],
        [[list(ports.grants.for_client(p, c)) for c in teams] for p in teams],
        [list(ports.consents.for_client(t)) for t in teams],
        [list(ports.history.for_team(t)) for t in teams],
        ports.audit.entries(),
    )


@attrs.frozen
class TenancyWorld:
    """A store built by random operations, with what was rejected along the way."""

    ports: TenancyPorts
    partners: tuple[str, ...]
    clients: tuple[str, ...]
    users: tuple[str, ...]
    rejected: tuple[str, ...]  #: operations the services refused
    changed_by_rejected: tuple[str, ...]  #: refused operations that changed the store anyway

    @property
    def teams(self) -> tuple[str, ...]:
        return self.partners + self.clients


@st.composite
def tenancy_worlds(
    draw: st.DrawFn,
    *,
    max_partners: int = 3,
    max_clients: int = 3,
    max_users: int = 6,
    max_operations: int = 20,
    watch_rejections: bool = False,
) -> TenancyWorld:
    """A random partner world built through the services: partners and clients of every
    kind, memberships that fit (and some that do not), grants of every shape (per client,
    ``"*"`` clients, ``"*"`` advisors, expiring, revoked), then a timeline of membership ends,
    revocations, transfers, status changes and consent changes, some of them invalid.

    With ``watch_rejections`` every operation the services refuse is checked to have left
    the store as it was (slower: the store is read before each operation)."""
    ports = InMemoryTenancy()
    partners = tuple(f"p{i}" for i in range(draw(st.integers(1, max_partners))))
    clients: list[str] = []
    for p in partners:
        create_partner(ports, p, f"Partner {p}", at=TENANCY_T0)
        for i in range(draw(st.integers(0, max_clients))):
            client = f"{p}c{i}"
            create_client(
                ports,
                client,
                f"Client {client}",
                partner_id=p,
                operated_by=draw(st.sampled_from(["client", "partner"])),
                billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
                at=TENANCY_T0,
            )
            clients.append(client)
    users = tuple(f"u{i}" for i in range(draw(st.integers(1, max_users))))
    for user in users:
        add_user(ports, User(user, f"{user}@example.com"))
    teams = partners + tuple(clients)
    rejected: list[str] = []
    changed: list[str] = []

    def attempt(description: str, operation: Callable[[], object]) -> None:
        before = tenancy_snapshot(ports, teams, users) if watch_rejections else None
        try:
            operation()
        except PartnercoreError:
            rejected.append(description)
            if watch_rejections and tenancy_snapshot(ports, teams, users) != before:
                changed.append(description)

    days = st.integers(0, TENANCY_DAYS)
    lengths = st.one_of(st.none(), st.integers(1, TENANCY_DAYS))
    memberships: list[str] = []
    for _ in range(draw(st.integers(0, max_operations))):
        user = draw(st.sampled_from(users))
        team = draw(st.sampled_from(teams))
        fitting = [Role.PARTNER_ADMIN, Role.ADVISOR] if team in partners else [
            Role.CLIENT_ADMIN, Role.MEMBER, Role.VIEWER
        ]  # fmt: skip
        role = draw(st.sampled_from(fitting) | st.sampled_from(list(Role)))
        start, length = draw(days), draw(lengths)
        membership = Membership(
            user_id=user,
            team_id=team,
            role=role,
            active_from=tenancy_day(start),
            active_until=None if length is None else tenancy_day(start + length),
        )
        memberships.append(membership.id)
        attempt(f"add {membership.id}", partial(add_membership, ports, membership))
    grant_ids: list[str] = []

    def staff(partner: str) -> list[str]:
        return [m.user_id for m in ports.memberships.for_team(partner)]

    for n in range(draw(st.integers(0, max_operations))):
        partner = draw(st.sampled_from(partners))
        own = [c for c in clients if c.startswith(f"{partner}c")]
        start, expiry, revoked = draw(days), draw(lengths), draw(lengths)
        grant = Grant(
            id=f"g{n}",
            partner_id=partner,
            client_id=draw(st.sampled_from([ALL, *own, *clients])),
            advisor_id=draw(st.sampled_from([ALL, *staff(partner), *users])),
            role=draw(st.sampled_from(list(GrantRole))),
            granted_at=tenancy_day(start),
            expires_at=None if expiry is None else tenancy_day(start + expiry),
            revoked_at=None if revoked is None else tenancy_day(start + revoked),
            granted_by=draw(st.sampled_from(users)),
        )
        grant_ids.append(grant.id)
        attempt(f"grant {grant}", partial(grant_access, ports, grant))
    events: list[tuple[int, str, Callable[[], object]]] = []
    for _ in range(draw(st.integers(0, max_operations // 2))):
        day = draw(days)
        at = tenancy_day(day)
        by = draw(st.sampled_from(users))
        kind = draw(
            st.sampled_from(
                ["end", "revoke", "transfer", "suspend", "archive", "reactivate",
                 "revoke_consent", "restore_consent", "revoke_consent"]
            )
        )  # fmt: skip
        if kind == "end" and memberships:
            m_id = draw(st.sampled_from(memberships))
            events.append((day, f"end {m_id}", partial(end_membership, ports, m_id, at=at)))
        elif kind == "revoke" and grant_ids:
            g_id = draw(st.sampled_from(grant_ids))
            events.append((day, f"revoke {g_id}", partial(revoke_grant, ports, g_id, at=at, by=by)))
        elif kind == "transfer" and clients:
            c, p = draw(st.sampled_from(clients)), draw(st.sampled_from(partners))
            events.append(
                (day, f"transfer {c} to {p}", partial(transfer_client, ports, c, p, at=at, by=by))
            )
        elif kind in ("suspend", "archive", "reactivate"):
            team = draw(st.sampled_from(teams))
            change = {"suspend": suspend_team, "archive": archive_team}.get(kind, reactivate_team)
            events.append((day, f"{kind} {team}", partial(change, ports, team, at=at, by=by)))
        elif kind in ("revoke_consent", "restore_consent") and clients:
            c = draw(st.sampled_from(clients))
            admins = [m for m in ports.memberships.for_team(c) if m.role is Role.CLIENT_ADMIN]
            if admins and draw(st.booleans()):  # mostly an admin, while a member
                admin = draw(st.sampled_from(admins))
                by = admin.user_id
                first = (admin.active_from - TENANCY_T0).days
                last = (admin.active_until or tenancy_day(TENANCY_DAYS + 1)) - TENANCY_T0
                day = draw(st.integers(first, max(first, last.days - 1)))
                at = tenancy_day(day)
            consent = revoke_partner_access if kind == "revoke_consent" else restore_partner_access
            events.append((day, f"{kind} {c} by {by}", partial(consent, ports, c, at=at, by=by)))
    for day, description, operation in sorted(events, key=lambda e: e[0]):
        attempt(f"{description} at day {day}", operation)
    return TenancyWorld(
        ports=ports,
        partners=partners,
        clients=tuple(clients),
        users=users,
        rejected=tuple(rejected),
        changed_by_rejected=tuple(changed),
    )


# == licensing ==============================================================================
from partnercore.licensing import (  # noqa: E402
    TRANSITIONS,
    License,
    LicenseEventKind,
    LicensePolicy,
    LicenseState,
)

#: Zones for licences: DST in both hemispheres, half-hour DST, odd offsets, and UTC.
LICENSING_ZONES = (
    "UTC",
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
)

#: Licences in these tests open on or after this instant.
LICENSE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def license_policies() -> st.SearchStrategy[LicensePolicy]:
    """Short and standard trials, ending free or full."""
    return st.builds(
        LicensePolicy,
        trial_days=st.one_of(st.just(14), st.integers(1, 31)),
        on_trial_end=st.sampled_from([LicenseState.FREE, LicenseState.FULL]),
    )


def license_steps() -> st.SearchStrategy[timedelta]:
    """How far time moves between two licence events: nothing, minutes or weeks."""
    return st.one_of(
        st.just(timedelta(0)),
        st.integers(1, 60 * 24 * 3).map(lambda m: timedelta(minutes=m)),
        st.integers(1, 45).map(lambda d: timedelta(days=d)),
    )


def apply_license_event(
    license: License,
    kind: LicenseEventKind,
    at: datetime,
    *,
    at_period_end: bool = False,
    trial_used: bool = False,
) -> License:
    """Call the licence's method for ``kind`` (the aggregate, not a service)."""
    if kind is LicenseEventKind.REQUEST_UPGRADE:
        return license.request_upgrade(at, trial_used=trial_used)
    if kind is LicenseEventKind.UPGRADE:
        return license.upgrade(at)
    if kind is LicenseEventKind.CONVERT:
        return license.convert(at)
    if kind is LicenseEventKind.CANCEL_TRIAL:
        return license.cancel_trial(at)
    return license.downgrade(at, at_period_end=at_period_end)


@st.composite
def licenses(draw: st.DrawFn, *, max_events: int = 6) -> License:
    """A licence with a random valid history: any zone and policy, events of every kind,
    instants exactly on trial ends and scheduled downgrades, deferred downgrades."""
    opened_at = LICENSE_EPOCH + draw(license_steps())
    license = License.open(
        "c1",
        opened_at,
        timezone=draw(st.sampled_from(LICENSING_ZONES)),
        organisation_key=draw(st.sampled_from([None, "one.example"])),
        initial_state=draw(st.sampled_from(list(LicenseState))),
        policy=draw(license_policies()),
        billing_timezone=draw(st.sampled_from(LICENSING_ZONES)),
    )
    at = opened_at
    for _ in range(draw(st.integers(0, max_events))):
        ahead = [s.start for s in license.timeline(at) if s.start > at]
        jump = draw(st.booleans())  # sometimes exactly when the next change takes effect
        at = draw(st.sampled_from(ahead)) if ahead and jump else at + draw(license_steps())
        kind = draw(st.sampled_from(sorted(TRANSITIONS[license.state_at(at)])))
        license = apply_license_event(
            license,
            kind,
            at,
            at_period_end=draw(st.booleans()),
            trial_used=draw(st.booleans()),
        )
    return license


# == billing ================================================================================

# == content ================================================================================
from partnercore.content import (  # noqa: E402
    ContentItem,
    ContentKind,
    ContentPrice,
    add_item,
    deselect,
    install,
    publish,
    push,
    retire,
    select,
    uninstall,
)
from partnercore.memory import InMemoryContent  # noqa: E402

#: Content worlds start here; every operation happens on a whole day after it.
CONTENT_T0 = datetime(2026, 1, 1, tzinfo=UTC)
CONTENT_DAYS = 40


def content_day(n: int) -> datetime:
    """The instant ``n`` days after :data:`CONTENT_T0`."""
    return CONTENT_T0 + timedelta(days=n)


@attrs.frozen
class ContentWorld:
    """A content store built by random operations (some of them refused)."""

    ports: InMemoryContent
    partners: tuple[str, ...]
    clients: tuple[str, ...]
    items: tuple[str, ...]
    rejected: tuple[str, ...]


@st.composite
def content_worlds(
    draw: st.DrawFn,
    *,
    max_partners: int = 3,
    max_clients: int = 2,
    max_items: int = 6,
    max_operations: int = 16,
) -> ContentWorld:
    """A random content world built through the services: partners with clients, open and
    partner items in every status (some priced), then a timeline of selections (including of
    other partners' items), publications, retirements, transfers, installs of any item on
    any client, pushes of any item to any clients, and uninstalls."""
    ports = InMemoryContent()
    partners = tuple(f"p{i}" for i in range(draw(st.integers(1, max_partners))))
    clients: list[str] = []
    for p in partners:
        create_partner(ports.tenancy, p, f"Partner {p}", at=CONTENT_T0)
        for i in range(draw(st.integers(1, max_clients))):
            client = f"{p}c{i}"
            create_client(
                ports.tenancy,
                client,
                f"Client {client}",
                partner_id=p,
                operated_by=draw(st.sampled_from(["client", "partner"])),
                billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
                at=CONTENT_T0,
            )
            clients.append(client)
    add_user(ports.tenancy, User("admin", "admin@example.com"))
    items: list[str] = []
    for n in range(draw(st.integers(1, max_items))):
        owner = draw(st.sampled_from(["platform", *partners]))
        priced = owner != "platform" and draw(st.booleans())
        item = ContentItem.create(
            id=f"i{n}",
            kind=draw(st.sampled_from(list(ContentKind))),
            title=f"Item {n}",
            owner=owner,
            version=draw(st.integers(1, 3)),
            status=draw(
                st.sampled_from(["draft", "published", "published", "published", "retired"])
            ),
            price=ContentPrice(
                Money.of("10.00", "USD"), draw(st.sampled_from(["monthly", "one_off"]))
            )
            if priced
            else None,
        )
        add_item(ports, item)
        items.append(item.id)
    owners = {item_id: ports.items.get(item_id).owner for item_id in items}
    rejected: list[str] = []
    for partner in partners:
        for item_id in draw(st.lists(st.sampled_from(items), max_size=3, unique=True)):
            try:
                select(ports, partner, item_id)
            except PartnercoreError:
                rejected.append(f"select {partner} {item_id}")
    events: list[tuple[int, str, Callable[[], object]]] = []
    days = st.integers(0, CONTENT_DAYS)
    for _ in range(draw(st.integers(max_operations // 4, max_operations))):
        day = draw(days)
        at = content_day(day)
        kind = draw(
            st.sampled_from(
                ["select", "deselect", "publish", "retire", "transfer", "transfer", "install",
                 "install", "install", "push", "push", "uninstall"]
            )
        )  # fmt: skip
        partner = draw(st.sampled_from(partners))
        client = draw(st.sampled_from(clients))
        # Mostly items that could succeed (the partner's own or open ones), sometimes any.
        home = client[: client.index("c")]
        likely = [i for i in items if owners[i] in ("platform", partner, home)]
        item_id = draw(st.sampled_from(likely or items) | st.sampled_from(items))
        if kind == "select":
            operation: Callable[[], object] = partial(select, ports, partner, item_id, at)
        elif kind == "deselect":
            operation = partial(deselect, ports, partner, item_id, at)
        elif kind == "publish":
            version = draw(st.integers(1, 5))
            operation = partial(publish, ports, item_id, version, at)
        elif kind == "retire":
            operation = partial(retire, ports, item_id, at)
        elif kind == "transfer":
            operation = partial(transfer_client, ports.tenancy, client, partner, at=at, by="admin")
        elif kind == "install":
            operation = partial(install, ports, client, item_id, at)
        elif kind == "push":
            chosen = draw(st.lists(st.sampled_from(clients), max_size=3, unique=True))
            locked = draw(st.booleans())
            operation = partial(push, ports, partner, item_id, at, clients=chosen, locked=locked)
        else:
            operation = partial(uninstall, ports, client, item_id, at)
        events.append((day, f"{kind} {partner} {client} {item_id} at day {day}", operation))
    for _, description, operation in sorted(events, key=lambda e: e[0]):
        try:
            operation()
        except PartnercoreError:
            rejected.append(description)
    return ContentWorld(
        ports=ports,
        partners=partners,
        clients=tuple(clients),
        items=tuple(items),
        rejected=tuple(rejected),
    )
