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
from partnercore.events import SYSTEM, Actor  # noqa: E402
from partnercore.memory import InMemoryStore  # noqa: E402
from partnercore.tenancy import (  # noqa: E402
    ALL,
    Grant,
    GrantRole,
    Membership,
    Role,
    TenancyStore,
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


def tenancy_snapshot(store: TenancyStore, teams: tuple[str, ...], users: tuple[str, ...]) -> object:
    """Everything the store holds about these teams and users, read through its
    repositories, and every event it holds."""
    return (
        [store.teams.find(t) for t in teams],
        [store.users.find(u) for u in users],
        [t.id for t in store.teams.partners()],
        [[c.id for c in store.teams.clients_of(t)] for t in teams],
        [store.memberships.for_team(t) for t in teams],
        [store.memberships.for_user(u) for u in users],
        [list(store.grants.for_partner(t)) for t in teams],
        [list(store.grants.for_all_clients(t)) for t in teams],
        [[list(store.grants.for_client(p, c)) for c in teams] for p in teams],
        [list(store.consents.for_client(t)) for t in teams],
        [list(store.history.for_team(t)) for t in teams],
        store.events.since(0),
        store.revision(),
    )


@attrs.frozen
class TenancyWorld:
    """A store built by random operations, with what was rejected along the way."""

    store: InMemoryStore
    partners: tuple[str, ...]
    clients: tuple[str, ...]
    users: tuple[str, ...]
    rejected: tuple[str, ...]  #: operations the services refused, with the error
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
    kind, created on different days (a client never before its partner; some attempts to do
    that are refused), memberships that fit (and some that do not, or start before their
    team exists), grants of every shape (per client, ``"*"`` clients, ``"*"`` advisors,
    expiring, revoked, some dated before their partner or client exists), then a timeline of
    membership ends, revocations, transfers, status changes and consent changes, some of
    them invalid. Teams, users, memberships and grants are set up by ``SYSTEM``; the
    timeline's changes are made by ``SYSTEM`` or by any user (often one without the right,
    who is refused), consent changes often by a client admin of the client.

    With ``watch_rejections`` every operation the services refuse is checked to have left
    the store as it was (slower: the store is read before each operation)."""
    store = InMemoryStore()
    partners = tuple(f"p{i}" for i in range(draw(st.integers(1, max_partners))))
    users = tuple(f"u{i}" for i in range(draw(st.integers(1, max_users))))
    # every client id the world may hold, so a refused creation is watched too
    watched = partners + tuple(f"{p}c{i}" for p in partners for i in range(max_clients))
    rejected: list[str] = []
    changed: list[str] = []

    def attempt(description: str, operation: Callable[[], object]) -> bool:
        before = tenancy_snapshot(store, watched, users) if watch_rejections else None
        try:
            operation()
        except PartnercoreError as error:
            rejected.append(f"{description}: {error}")
            if watch_rejections and tenancy_snapshot(store, watched, users) != before:
                changed.append(description)
            return False
        return True

    # Teams are created in the first half of the timeline, each on its own day (often day 0).
    creation_days = st.just(0) | st.integers(0, TENANCY_DAYS // 2)
    created: dict[str, int] = {}
    clients: list[str] = []
    for p in partners:
        created[p] = draw(creation_days)
        create_partner(store, p, f"Partner {p}", at=tenancy_day(created[p]), by=SYSTEM)
    for p in partners:
        for i in range(draw(st.integers(0, max_clients))):
            client = f"{p}c{i}"
            day = draw(creation_days)
            create = partial(
                create_client,
                store,
                client,
                f"Client {client}",
                partner_id=p,
                operated_by=draw(st.sampled_from(["client", "partner"])),
                billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
                by=SYSTEM,
            )
            if day >= created[p]:
                create(at=tenancy_day(day))
            elif not attempt(f"create {client} at day {day}", partial(create, at=tenancy_day(day))):
                # refused, as it should be: created on the partner's day or later instead
                day = draw(st.integers(created[p], TENANCY_DAYS // 2))
                create(at=tenancy_day(day))
            created[client] = day
            clients.append(client)
    for user in users:
        add_user(store, User(user, f"{user}@example.com"), at=TENANCY_T0, by=SYSTEM)
    teams = partners + tuple(clients)

    def starts(*team_ids: str) -> st.SearchStrategy[int]:
        """Any day, or a day once all of ``team_ids`` exist."""
        first = max((created[t] for t in team_ids if t in created), default=0)
        return st.integers(0, TENANCY_DAYS) | st.integers(first, TENANCY_DAYS)

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
        start, length = draw(starts(team)), draw(lengths)
        membership = Membership(
            user_id=user,
            team_id=team,
            role=role,
            active_from=tenancy_day(start),
            active_until=None if length is None else tenancy_day(start + length),
        )
        memberships.append(membership.id)
        add = partial(add_membership, store, membership, at=membership.active_from, by=SYSTEM)
        attempt(f"add {membership.id}", add)
    grant_ids: list[str] = []

    def staff(partner: str) -> list[str]:
        return [m.user_id for m in store.memberships.for_team(partner)]

    anywhere = st.sampled_from([ALL, *clients])
    anyone = st.sampled_from([ALL, *users])

    for n in range(draw(st.integers(0, max_operations))):
        partner = draw(st.sampled_from(partners))
        own = [c for c in clients if c.startswith(f"{partner}c")]
        client = draw(st.sampled_from([ALL, *own]) if draw(st.integers(0, 3)) else anywhere)
        start, expiry, revoked = draw(starts(partner, client)), draw(lengths), draw(lengths)
        grant = Grant(
            id=f"g{n}",
            partner_id=partner,
            client_id=client,
            advisor_id=draw(
                st.sampled_from([ALL, *staff(partner)]) if draw(st.booleans()) else anyone
            ),
            role=draw(st.sampled_from(list(GrantRole))),
            granted_at=tenancy_day(start),
            expires_at=None if expiry is None else tenancy_day(start + expiry),
            revoked_at=None if revoked is None else tenancy_day(start + revoked),
            granted_by=draw(st.sampled_from(users)),
        )
        grant_ids.append(grant.id)
        add_grant = partial(grant_access, store, grant, at=grant.granted_at, by=SYSTEM)
        attempt(f"grant {grant.id}", add_grant)
    events: list[tuple[int, str, Callable[[], object]]] = []
    actors: st.SearchStrategy[Actor] = st.sampled_from([SYSTEM, *users])
    for _ in range(draw(st.integers(0, max_operations))):
        day = draw(days)
        at = tenancy_day(day)
        by = draw(st.just(SYSTEM) | actors)
        kind = draw(
            st.sampled_from(
                ["end", "revoke", "transfer", "suspend", "archive", "reactivate",
                 "revoke_consent", "restore_consent", "revoke_consent"]
            )
        )  # fmt: skip
        if kind == "end" and memberships:
            m_id = draw(st.sampled_from(memberships))
            end = partial(end_membership, store, m_id, at=at, by=by)
            events.append((day, f"end {m_id} by {by}", end))
        elif kind == "revoke" and grant_ids:
            g_id = draw(st.sampled_from(grant_ids))
            revoke = partial(revoke_grant, store, g_id, at=at, by=by)
            events.append((day, f"revoke {g_id} by {by}", revoke))
        elif kind == "transfer" and clients:
            c, p = draw(st.sampled_from(clients)), draw(st.sampled_from(partners))
            move = partial(transfer_client, store, c, p, at=at, by=by)
            events.append((day, f"transfer {c} to {p} by {by}", move))
        elif kind in ("suspend", "archive", "reactivate"):
            team = draw(st.sampled_from(teams))
            change = {"suspend": suspend_team, "archive": archive_team}.get(kind, reactivate_team)
            events.append(
                (day, f"{kind} {team} by {by}", partial(change, store, team, at=at, by=by))
            )
        elif kind in ("revoke_consent", "restore_consent") and clients:
            c = draw(st.sampled_from(clients))
            admins = [m for m in store.memberships.for_team(c) if m.role is Role.CLIENT_ADMIN]
            if draw(st.booleans()) and admins:  # often an admin, while a member
                admin = draw(st.sampled_from(admins))
                by = admin.user_id
                first = (admin.active_from - TENANCY_T0).days
                until = admin.active_until or tenancy_day(TENANCY_DAYS + 1)
                day = draw(st.integers(first, max(first, (until - TENANCY_T0).days - 1)))
                at = tenancy_day(day)
            consent = revoke_partner_access if kind == "revoke_consent" else restore_partner_access
            events.append((day, f"{kind} {c} by {by}", partial(consent, store, c, at=at, by=by)))
    for c in clients:  # a client_admin revokes (and maybe restores) while a member
        admins = [m for m in store.memberships.for_team(c) if m.role is Role.CLIENT_ADMIN]
        if draw(st.booleans()) and admins:
            admin = draw(st.sampled_from(admins))
            first = (admin.active_from - TENANCY_T0).days
            until = admin.active_until or tenancy_day(TENANCY_DAYS + 1)
            last = (until - TENANCY_T0).days - 1
            day = draw(st.integers(first, max(first, last)))
            revoke = partial(revoke_partner_access, store, c, at=tenancy_day(day), by=admin.user_id)
            events.append((day, f"revoke_consent {c} by {admin.user_id}", revoke))
            if draw(st.booleans()):
                day = draw(st.integers(day, max(day, last)))
                restore = partial(
                    restore_partner_access, store, c, at=tenancy_day(day), by=admin.user_id
                )
                events.append((day, f"restore_consent {c} by {admin.user_id}", restore))
    for day, description, operation in sorted(events, key=lambda e: e[0]):
        attempt(f"{description} at day {day}", operation)
    return TenancyWorld(
        store=store,
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
from partnercore.billing import (  # noqa: E402
    ClientBillingInput,
    PartnerBillingInput,
    PriceBook,
    SeatHolding,
    UsageTotal,
)

BILLING_METRICS = ("assessments", "reports", "api_calls")
BILLING_ZONES = ("UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo")


def billing_months(zone: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[BillingPeriod]:
    """A month between 2020 and 2030 in one of a few zones (DST changes included)."""
    return st.builds(
        BillingPeriod,
        year=st.integers(2020, 2030),
        month=st.integers(1, 12),
        timezone=zone if zone is not None else st.sampled_from(BILLING_ZONES),
    )


def instants_around(period: BillingPeriod) -> st.SearchStrategy[datetime]:
    """Instants from a week before the period to a week after it, often on a whole hour."""
    span = int((period.end - period.start).total_seconds())
    week = 7 * 86400
    seconds = st.integers(-week, span + week)
    on_hour = st.integers(-week // 3600, (span + week) // 3600).map(lambda h: h * 3600)
    micros = st.integers(0, 999_999)
    return st.one_of(
        on_hour.map(lambda s: period.start + timedelta(seconds=s)),
        st.tuples(seconds, micros).map(
            lambda p: period.start + timedelta(seconds=p[0], microseconds=p[1])
        ),
    )


@st.composite
def spans_around(
    draw: st.DrawFn, period: BillingPeriod, open_ended: bool = True
) -> tuple[datetime, datetime | None]:
    """A ``[start, end)`` span near the period (``end`` may be ``None``)."""
    start = draw(instants_around(period))
    if open_ended and draw(st.booleans()):
        return start, None
    end = draw(instants_around(period))
    return (start, end) if start <= end else (end, start)


def billing_amounts(
    currency: Currency, max_units: int = 10**7, *, finer: bool = True
) -> st.SearchStrategy[Money]:
    """Non-negative Money, usually rounded, sometimes (``finer``) with two extra digits."""
    rounded = st.integers(0, max_units).map(
        lambda n: Money(Decimal(n).scaleb(-currency.minor_units), currency)
    )
    if not finer:
        return rounded
    fine = st.integers(0, max_units * 100).map(
        lambda n: Money(Decimal(n).scaleb(-currency.minor_units - 2), currency)
    )
    return st.one_of(rounded, rounded, fine)


@st.composite
def price_books(draw: st.DrawFn, currency: Currency | None = None) -> PriceBook:
    """A price book with every policy drawn, in USD, JPY, KWD or EUR unless given."""
    code = currency or Currency.of(draw(st.sampled_from(["USD", "JPY", "KWD", "EUR"])))
    fees = billing_amounts(code, finer=False)
    return PriceBook(
        id="book",
        currency=code,
        advisor_monthly_fee=draw(fees),
        full_license_monthly_fee=draw(fees),
        usage_prices={metric: draw(billing_amounts(code)) for metric in BILLING_METRICS},
        rounding=draw(st.sampled_from(["half_up", "half_even"])),
        seat_policy=draw(st.sampled_from(["any_time", "prorated_daily", "period_end"])),
        proration=draw(st.sampled_from(["daily", "exact"])),
        referral_base=draw(st.sampled_from(["all_charges", "usage_only"])),
        referral_settlement=draw(st.sampled_from(["statement", "net_on_invoice"])),
        content_revenue_share=draw(st.sampled_from(["1.00", "0.70", "0.333"])),
    )


@st.composite
def client_billing_inputs(
    draw: st.DrawFn, client_id: str, period: BillingPeriod
) -> ClientBillingInput:
    """A client with random full-licence spans and usage totals of the period."""
    usage = [
        UsageTotal(
            client_id=client_id,
            metric=metric,
            period=period,
            quantity=draw(
                st.one_of(
                    st.integers(0, 10**6).map(Decimal),
                    st.integers(0, 10**6).map(lambda n: Decimal(n).scaleb(-3)),
                )
            ),
        )
        for metric in draw(st.lists(st.sampled_from(BILLING_METRICS), unique=True, max_size=3))
    ]
    return ClientBillingInput(
        client_id=client_id,
        billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
        full_intervals=draw(st.lists(spans_around(period), max_size=3)),
        usage=usage,
    )


@st.composite
def partner_billing_inputs(
    draw: st.DrawFn,
    partner_id: str = "acme",
    period: BillingPeriod | None = None,
    max_clients: int = 5,
) -> tuple[BillingPeriod, PartnerBillingInput]:
    """A period and a partner with up to ``max_clients`` clients and up to 4 advisor seats."""
    month = period or draw(billing_months())
    seats = [
        SeatHolding(f"u{index}", *draw(spans_around(month)))
        for index in range(draw(st.integers(0, 4)))
    ]
    clients = [
        draw(client_billing_inputs(f"{partner_id}-c{index}", month))
        for index in range(draw(st.integers(0, max_clients)))
    ]
    return month, PartnerBillingInput(
        partner_id=partner_id,
        price_book=draw(price_books()),
        referral_rate=draw(st.sampled_from(["0", "0.20", "0.125", "0.333", "1"])),
        timezone=month.timezone,
        seats=seats,
        clients=clients,
    )


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

#: Content worlds start here; every operation happens on a whole day after it.
CONTENT_T0 = datetime(2026, 1, 1, tzinfo=UTC)
CONTENT_DAYS = 40


def content_day(n: int) -> datetime:
    """The instant ``n`` days after :data:`CONTENT_T0`."""
    return CONTENT_T0 + timedelta(days=n)


@attrs.frozen
class ContentWorld:
    """A content store built by random operations (some of them refused)."""

    ports: InMemoryStore
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
    ports = InMemoryStore()
    partners = tuple(f"p{i}" for i in range(draw(st.integers(1, max_partners))))
    clients: list[str] = []
    for p in partners:
        create_partner(ports, p, f"Partner {p}", at=CONTENT_T0, by=SYSTEM)
        for i in range(draw(st.integers(1, max_clients))):
            client = f"{p}c{i}"
            create_client(
                ports,
                client,
                f"Client {client}",
                partner_id=p,
                operated_by=draw(st.sampled_from(["client", "partner"])),
                billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
                at=CONTENT_T0,
                by=SYSTEM,
            )
            clients.append(client)
    add_user(ports, User("admin", "admin@example.com"), at=CONTENT_T0, by=SYSTEM)
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
        add_item(ports, item, at=CONTENT_T0, by=SYSTEM)
        items.append(item.id)
    owners = {item_id: ports.items.get(item_id).owner for item_id in items}
    rejected: list[str] = []
    for partner in partners:
        for item_id in draw(st.lists(st.sampled_from(items), max_size=3, unique=True)):
            try:
                select(ports, partner, item_id, at=CONTENT_T0, by=SYSTEM, since_always=True)
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
            operation: Callable[[], object] = partial(
                select, ports, partner, item_id, at=at, by=SYSTEM
            )
        elif kind == "deselect":
            operation = partial(deselect, ports, partner, item_id, at=at, by=SYSTEM)
        elif kind == "publish":
            version = draw(st.integers(1, 5))
            operation = partial(publish, ports, item_id, version, at=at, by=SYSTEM)
        elif kind == "retire":
            operation = partial(retire, ports, item_id, at=at, by=SYSTEM)
        elif kind == "transfer":
            operation = partial(transfer_client, ports, client, partner, at=at, by=SYSTEM)
        elif kind == "install":
            operation = partial(install, ports, client, item_id, at=at, by=SYSTEM)
        elif kind == "push":
            chosen = draw(st.lists(st.sampled_from(clients), max_size=3, unique=True))
            locked = draw(st.booleans())
            operation = partial(
                push, ports, partner, item_id, at=at, by=SYSTEM, clients=chosen, locked=locked
            )
        else:
            operation = partial(uninstall, ports, client, item_id, at=at, by=SYSTEM)
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


# == sqlite =================================================================================
from partnercore.billing import UsageRecord  # noqa: E402

#: Usage in these tests falls in, or just around, the last quarter of 2026.
SQLITE_USAGE_START = datetime(2026, 9, 30, tzinfo=UTC)
SQLITE_USAGE_END = datetime(2027, 1, 2, tzinfo=UTC)


def usage_quantities() -> st.SearchStrategy[Decimal]:
    """Quantities with every shape a store must sum exactly and give back as written:
    integers, decimals of several scales (``2.50``), positive exponents (``1E+3``) and
    mantissas too long for a 64-bit integer."""
    return st.one_of(
        st.integers(0, 10**6).map(Decimal),
        st.builds(
            lambda mantissa, exponent: Decimal(mantissa).scaleb(exponent),
            st.integers(0, 10**6),
            st.integers(-4, 3),
        ),
        st.integers(10**18, 10**22).map(lambda m: Decimal(m).scaleb(-2)),
    )


def usage_instants(zones: tuple[str, ...] = INTERESTING_ZONES) -> st.SearchStrategy[datetime]:
    """Instants in the last quarter of 2026, often exactly on a month's start in a zone."""
    starts = [
        BillingPeriod(2026, month, zone).start for month in (10, 11, 12) for zone in zones
    ] + [BillingPeriod(2027, 1, zone).start for zone in zones]
    return st.one_of(
        st.sampled_from(starts),
        st.sampled_from(starts).map(lambda at: at - timedelta(microseconds=1)),
        st.datetimes(
            min_value=SQLITE_USAGE_START.replace(tzinfo=None),
            max_value=SQLITE_USAGE_END.replace(tzinfo=None),
        ).map(lambda at: at.replace(tzinfo=UTC)),
    )


def usage_records(
    zones: tuple[str, ...] = INTERESTING_ZONES,
) -> st.SearchStrategy[UsageRecord]:
    """Usage of a few clients and metrics (one of them not ASCII)."""
    return st.builds(
        UsageRecord,
        client_id=st.sampled_from(["c1", "c2", "c10"]),
        metric=st.sampled_from(["assessments", "api_calls", "évaluations"]),
        quantity=usage_quantities(),
        at=usage_instants(zones),
    )


# == scenario ===============================================================================
import copy  # noqa: E402
import functools  # noqa: E402
import tomllib  # noqa: E402
from datetime import date, time, timezone  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


@functools.cache
def scenario_world() -> dict[str, Any]:
    """The checked-in scenario every mutation starts from (parsed TOML; copy before changing)."""
    path = Path(__file__).resolve().parent / "data" / "world.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


_SCENARIO_OFFSETS = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30)))


def _toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def toml_value(value: object) -> str:
    """``value`` as an inline TOML value (tables inline, arrays on one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_toml_string(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"not a TOML value: {value!r}")


def toml_text(document: dict[str, Any]) -> str:
    """A parsed TOML document written back as TOML text (``tomllib.loads`` gives it back)."""
    return "".join(f"{_toml_string(str(k))} = {toml_value(v)}\n" for k, v in document.items())


def toml_scalars() -> st.SearchStrategy[object]:
    """Any TOML scalar: strings, integers, floats (nan, inf), booleans, datetimes with and
    without an offset, dates and times."""
    return st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
        st.sampled_from(["2026-11", "*", "", "reseller", "c1", "acme", "0.20", "-1", "1e3"]),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.datetimes(timezones=st.sampled_from(_SCENARIO_OFFSETS) | st.none()),
        st.dates(),
        st.times(),
    )


def toml_values() -> st.SearchStrategy[object]:
    """Any TOML value, arrays and tables nested a few levels deep."""
    keys = st.text(st.characters(exclude_categories=("Cs",)), max_size=8) | st.sampled_from(
        ["id", "team", "at", "from", "metric", "usage", "partner", "client"]
    )
    return st.recursive(
        toml_scalars(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=6,
    )


def _scenario_paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            paths.extend(_scenario_paths(value, (*prefix, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            paths.extend(_scenario_paths(value, (*prefix, index)))
    return paths


def _scenario_mutate(document: Any, path: tuple[Any, ...], action: str, value: object) -> None:
    *parents, last = path
    container = document
    for step in parents:
        container = container[step]
    if action == "drop":
        del container[last]
    elif action == "replace":
        container[last] = value
    elif action == "add" and isinstance(container[last], dict):
        container[last][str(value)[:10] or "x"] = value
    elif action == "duplicate" and isinstance(container, list):
        container.insert(int(last), copy.deepcopy(container[last]))
    else:
        container[last] = value


def _scenario_words(document: Any) -> list[str]:
    """Every string in the document (ids, enum values, names): plausible replacements."""
    if isinstance(document, str):
        return [document]
    values = document.values() if isinstance(document, dict) else document
    if isinstance(values, list) or isinstance(document, dict):
        return sorted({word for value in values for word in _scenario_words(value)})
    return []


@functools.cache
def _world_words() -> list[str]:
    return _scenario_words(scenario_world())


def _plausible(draw: st.DrawFn, current: object) -> object:
    """A value of the same type as ``current``: another id or enum value, another aware
    instant, another small number: wrong in meaning, right in type (reaches the domain)."""
    if isinstance(current, bool):
        return not current
    if isinstance(current, int):
        return draw(st.integers(-2, 40))
    if isinstance(current, str):
        return draw(st.sampled_from(_world_words()))
    if isinstance(current, datetime):
        return draw(
            st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1)).map(
                lambda at: at.replace(microsecond=0, tzinfo=UTC)
            )
        )
    return draw(toml_values())


@st.composite
def mutated_scenarios(draw: st.DrawFn, max_mutations: int = 3) -> dict[str, Any]:
    """The checked-in scenario with a few random changes: keys dropped, values replaced by
    anything (wrong types, floats, naive datetimes, random strings) or by plausible values
    of the right type (another id, enum value or instant), keys and tables added, entries
    duplicated."""
    document = copy.deepcopy(scenario_world())
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = _scenario_paths(document)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(
            st.sampled_from(["drop", "replace", "plausible", "plausible", "add", "duplicate"])
        )
        if action == "plausible":
            current: Any = document
            for step in path:
                current = current[step]
            _scenario_mutate(document, path, "replace", _plausible(draw, current))
        else:
            _scenario_mutate(document, path, action, draw(toml_values()))
    if draw(st.booleans()):
        document[draw(st.sampled_from(["widgets", "format", "usage", "license_policy"]))] = draw(
            toml_values()
        )
    return document
