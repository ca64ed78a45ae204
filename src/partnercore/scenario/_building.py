"""Building a scenario's world: every entry applied through the library's own services.

:func:`build_world` applies a checked :class:`Document` to a store, table by table, through
the same write services a host application calls (``create_partner``, ``grant_access``,
``request_upgrade``, ``add_price_book``, ``record_usage``, ``onboard``, ...), all in one unit
of work: the store holds the whole world or, on any error, nothing of it. Every entry acts as
:data:`~partnercore.events.SYSTEM` unless it names its actor (``by``), whose rights are then
checked as the service checks any user's. :func:`apply_changes` applies only the event tables
of a document (memberships, grants, consent, licence events, usage, installs, pushes,
onboardings) to a store that already holds a world.

A domain error raised by an entry (an impossible licence event, a membership whose role does
not fit its team, an actor without the right, ...) is re-raised as a
:class:`~partnercore.ValidationError` naming the table, the entry and the key; a conflict
with another writer (a busy store, a stale licence) is re-raised as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import attrs

from partnercore._errors import (
    AccessDeniedError,
    ConflictError,
    PartnercoreError,
    Problem,
    StaleWriteError,
    StoreClosedError,
    StoreError,
    ValidationError,
)
from partnercore.billing import (
    BillingAccount,
    ClientTerms,
    CreditLine,
    Discount,
    PriceBook,
    UsageRecord,
    add_price_book,
    finalise,
    issue_credit_note,
    open_billing_account,
    record_usage,
)
from partnercore.content import (
    ClientTemplate,
    ContentItem,
    ContentPrice,
    InstalledContentCharges,
    TemplateGrant,
    add_item,
    add_template,
    install,
    onboard,
    publish,
    push,
    select,
)
from partnercore.events import SYSTEM, Actor
from partnercore.licensing import (
    LicensePolicy,
    cancel_trial,
    convert,
    downgrade,
    open_license,
    request_upgrade,
    upgrade,
)
from partnercore.money import Money
from partnercore.scenario._document import (
    CreditNoteEntry,
    Document,
    FinaliseEntry,
    PriceBookEntry,
    UsageEntry,
    invoicing_of,
)
from partnercore.scenario._keys import entry_keys, entry_label, quote
from partnercore.store import Store
from partnercore.tenancy import (
    BillingModel,
    Grant,
    Membership,
    User,
    add_membership,
    add_user,
    change_partner_access,
    create_client,
    create_partner,
    grant_access,
)
from partnercore.time import format_instant

__all__ = ["CHANGE_TABLES", "apply_changes", "build_world"]

S = TypeVar("S", bound=Store)

CHANGE_TABLES = (
    "memberships",
    "grants",
    "consent",
    "license_events",
    "usage",
    "installs",
    "pushes",
    "onboard",
)
"""The event tables: what a file of changes (``partnercore apply``) may hold."""


# Domain field names, as the key a scenario file spells them.
_KEYS = {
    "active_from": "from",
    "active_until": "until",
    "advisor_id": "advisor",
    "client_id": "client",
    "first_period": "from",
    "last_period": "until",
    "opened_at": "created_at",
    "parent_id": "partner",
    "partner_id": "partner",
    "price_book_id": "pricebook",
    "team_id": "team",
    "user_id": "user",
    "usage_prices": "usage",
}


# The key a table's entries give as a service's ``at`` (when the table has no ``at`` key).
_AT = {
    "partners": "created_at",
    "clients": "created_at",
    "memberships": "from",
    "grants": "granted_at",
}


def _key_path(path: str, keys: frozenset[str], default: str, at: str | None = None) -> str:
    """A domain error's field path as the entry's key: ``advisor_id`` -> ``advisor``.

    ``at`` is the key the service's ``at`` came from, if not ``at``. A path that names no
    key of the entry's table (``operated_by`` on a consent change) becomes ``default``.
    """
    head, dot, rest = path.partition(".")
    bracket = head.find("[")
    name, index = (head, "") if bracket < 0 else (head[:bracket], head[bracket:])
    name = at if name == "at" and at is not None else _KEYS.get(name, name)
    if name not in keys:
        return default
    return name + index + dot + rest


def _renamed(
    error: PartnercoreError, label: str, keys: frozenset[str], default: str, at: str | None
) -> ValidationError | None:
    """A domain error from applying one entry as a ValidationError naming it; ``None`` for
    an error that is not the entry's fault (the store failed, another process holds it).

    ``default`` is the key named when the error does not say which of ``keys`` it is about;
    an access denial names ``by`` (who attempted it) when the table has that key.
    """
    if isinstance(error, ValidationError):
        return ValidationError(
            Problem(f"{label}.{_key_path(p.path, keys, default, at)}", p.message)
            for p in error.problems
        )
    if isinstance(error, AccessDeniedError):
        key = "by" if "by" in keys else default
        return ValidationError.at(f"{label}.{key}", str(error))
    if isinstance(error, StoreError | StoreClosedError | StaleWriteError):
        return None  # the store failed (a full disk, a damaged file): not the entry's fault
    if isinstance(error, ConflictError) and error.kind == "database":
        return None  # another process holds the store: worth retrying, not the entry's fault
    # NotFoundError, ConflictError, InvalidTransitionError, ...
    return ValidationError.at(f"{label}.{default}", str(error))


class _Naming:
    """The context applying one entry: re-raises a domain error as a ValidationError
    naming the entry (its label is written only then)."""

    __slots__ = ("at", "default", "entry", "index", "keys", "table")

    def __init__(
        self, table: str, index: int, entry: object, keys: frozenset[str], default: str
    ) -> None:
        self.table, self.index, self.entry = table, index, entry
        self.keys, self.default, self.at = keys, default, _AT.get(table)

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: Any
    ) -> None:
        if not isinstance(error, PartnercoreError):
            return
        label = entry_label(self.table, self.index, self.entry)
        renamed = _renamed(error, label, self.keys, self.default, self.at)
        if renamed is not None:
            raise renamed from None


def _check_arguments(store: object, document: object) -> None:
    if not isinstance(document, Document):
        raise ValidationError.at(
            "document", f"expected a Document (see scenario.read), got {type(document).__name__}"
        )
    if not callable(getattr(store, "unit_of_work", None)) or getattr(store, "events", None) is None:
        raise ValidationError.at(
            "store",
            f"expected a Store (InMemoryStore, SqliteStore, ...), got {type(store).__name__}",
        )


def build_world(
    store: S,
    document: Document,
    *,
    billing_models: Mapping[str, str] | None = None,
) -> S:
    """Every entry of ``document`` applied to ``store``, in one unit of work; returns ``store``.

    The tables are applied in this order, each in file order: price books; partners (with
    their billing accounts); clients (with their licences); users; content items, new versions
    (``publish``) and library selections; templates; memberships in declared teams;
    onboardings; memberships in onboarded teams; grants; consent changes; licence events;
    usage; installs; pushes; then finalisations and credit notes together, in order of their
    ``at`` (at one instant, finalisations first; otherwise in file order), with the
    document's invoicing settings (``[invoicing]``, ``[[tax_rates]]``). Every entry acts as
    :data:`~partnercore.events.SYSTEM` unless it names ``by``. ``billing_models`` (client id
    to ``reseller`` or ``non_reseller``) overrides the billing model of those clients
    (what-if analysis).

    The first domain error stops the build as a :class:`~partnercore.ValidationError` naming
    the table, entry and key, and the unit of work leaves ``store`` as it was (when the
    caller has a unit of work open, the build is a savepoint inside it).
    """
    _check_arguments(store, document)
    builder = _Builder(store, document, _overrides(billing_models))
    with store.unit_of_work():
        builder.run()
    return store


def apply_changes(store: S, document: Document) -> S:
    """The event tables of ``document`` applied to ``store``, in one unit of work.

    ``document`` holds only :data:`CHANGE_TABLES` (read one with
    :func:`~partnercore.scenario.read_changes`); its ids name what ``store`` already holds
    (or what an ``[[onboard]]`` entry of the same document creates). The tables are applied
    in the order :func:`build_world` applies them, each entry acting as
    :data:`~partnercore.events.SYSTEM` unless it names ``by``. The first refusal (an unknown
    id, an impossible licence event, an actor without the right) raises a
    :class:`~partnercore.ValidationError` naming the entry, and nothing of the document is
    written; so does a conflict with another writer (a busy store, a licence changed
    meanwhile), raised as it is.
    """
    _check_arguments(store, document)
    extra = [
        field.name
        for field in attrs.fields(Document)
        if field.name not in CHANGE_TABLES
        and field.name != "license_policy"
        and getattr(document, field.name)
    ]
    if extra:
        raise ValidationError.at(
            extra[0], f"a file of changes holds only {', '.join(CHANGE_TABLES)}"
        )
    builder = _Builder(store, document, {})
    with store.unit_of_work():
        builder.run_changes()
    return store


def _price_book(book: PriceBookEntry) -> PriceBook:
    """The price book a ``[[pricebooks]]`` entry describes."""
    return PriceBook.of(
        book.id,
        book.currency,
        advisor_monthly_fee=book.advisor_monthly_fee,
        full_license_monthly_fee=book.full_license_monthly_fee,
        usage=book.usage,
        usage_tiers={
            metric: {
                "model": model.model,
                "tiers": [
                    {"up_to": tier.up_to, "unit_price": tier.unit_price, "flat_fee": tier.flat_fee}
                    for tier in model.tiers or ()
                ],
                "size": model.size,
                "package_price": model.package_price,
            }
            for metric, model in book.usage_tiers.items()
        },
        full_license_fee_by_size=[
            {"up_to": band.up_to, "fee": band.fee} for band in book.full_license_fee_by_size or ()
        ],
        partner_tiers=[
            {
                "name": tier.name,
                "from_trailing_revenue": tier.from_trailing_revenue,
                "referral_rate": tier.referral_rate,
            }
            for tier in book.partner_tiers or ()
        ],
        rounding=book.rounding,
        seat_policy=book.seat_policy,
        proration=book.proration,
        referral_base=book.referral_base,
        referral_settlement=book.referral_settlement,
        content_revenue_share=book.content_revenue_share,
    )


def _client_terms(document: Document) -> dict[str, tuple[ClientTerms, ...]]:
    """The terms each partner agreed with its clients (deal books, sizes, discounts), by
    partner: what its billing account keeps."""
    deals: dict[str, str | None] = {}
    sizes: dict[str, int | None] = {}
    for client in document.clients:
        deals[client.id] = client.pricebook
        sizes[client.id] = client.employee_count
    for step in document.onboard:
        sizes.setdefault(step.client, step.employee_count)
    discounts: dict[str, list[Discount]] = {}
    for entry in document.discounts:
        discounts.setdefault(entry.client, []).append(
            Discount(percent=entry.percent, first_period=entry.first, last_period=entry.last)
        )
    found: dict[str, list[ClientTerms]] = {}
    for client_id in document.client_ids():
        deal, size = deals.get(client_id), sizes.get(client_id)
        off = discounts.get(client_id, [])
        partner = document.client_partner(client_id)
        if partner is None or (deal is None and size is None and not off):
            continue
        found.setdefault(partner, []).append(
            ClientTerms(client_id=client_id, price_book_id=deal, employee_count=size, discounts=off)
        )
    return {partner: tuple(terms) for partner, terms in found.items()}


def _overrides(billing_models: Mapping[str, str] | None) -> dict[str, str]:
    """``billing_models`` checked: client ids to billing models, as their plain values."""
    if billing_models is None:
        return {}
    if not isinstance(billing_models, Mapping):
        kind = type(billing_models).__name__
        raise ValidationError.at("billing_models", f"expected a mapping, got {kind}")
    overrides = {}
    for client, model in billing_models.items():
        if not isinstance(client, str):
            raise ValidationError.at("billing_models", f"expected client ids, got {client!r}")
        try:
            overrides[client] = BillingModel(model).value
        except ValueError:
            raise ValidationError.at(
                f"billing_models.{client}",
                f"unknown billing model {model!r}; expected reseller or non_reseller",
            ) from None
    return overrides


class _Builder:
    def __init__(self, store: Store, document: Document, overrides: dict[str, str]) -> None:
        self.store = store
        self.document = document
        self.overrides = overrides
        self.epoch = document.epoch()
        self.policy = LicensePolicy(
            trial_days=document.license_policy.trial_days,
            on_trial_end=document.license_policy.on_trial_end,
        )
        self.partners = {p.id: p for p in document.partners}
        self.books = {b.id: b for b in document.pricebooks}
        self.terms = _client_terms(document)
        self.invoicing = invoicing_of(document)

    def each(self, table: str, key: str) -> Iterator[tuple[Any, AbstractContextManager[None]]]:
        """Every entry of ``table``, with a context that re-raises its errors as naming it.

        ``key`` is the key named when a domain error does not say which field it is about.
        """
        entries = getattr(self.document, table)
        if not entries:
            return
        keys = entry_keys(type(entries[0])).known
        for index, entry in enumerate(entries):
            yield entry, _Naming(table, index, entry, keys, key)

    def run(self) -> None:
        steps: list[Callable[[], None]] = [
            self.pricebooks,
            self.partner_teams,
            self.clients,
            self.users,
            self.content,
            self.templates,
        ]
        for step in steps:
            step()
        self.run_changes()
        self.documents()

    def run_changes(self) -> None:
        onboarded = {step.client for step in self.document.onboard}
        steps: list[Callable[[], None]] = [
            lambda: self.memberships(lambda team: team not in onboarded),
            self.onboardings,
            lambda: self.memberships(lambda team: team in onboarded),
            self.grants,
            self.consent,
            self.license_events,
            self.usage,
            self.installs,
            self.pushes,
        ]
        for step in steps:
            step()

    # -- tenancy, licences, billing -------------------------------------------------

    def pricebooks(self) -> None:
        for book, naming in self.each("pricebooks", "id"):
            with naming:
                add_price_book(self.store, _price_book(book), at=self.epoch, by=SYSTEM)

    def partner_teams(self) -> None:
        for partner, naming in self.each("partners", "id"):
            with naming:
                created = partner.created_at or self.epoch
                create_partner(
                    self.store,
                    partner.id,
                    partner.name,
                    at=created,
                    by=SYSTEM,
                    timezone=partner.timezone,
                    country=partner.country,
                    tax_id=partner.tax_id,
                )
                open_billing_account(
                    self.store,
                    BillingAccount(
                        partner.id,
                        partner.pricebook,
                        partner.referral_rate,
                        clients=self.terms.get(partner.id, ()),
                    ),
                    at=created,
                    by=SYSTEM,
                )

    def clients(self) -> None:
        for client, naming in self.each("clients", "id"):
            with naming:
                created = client.created_at or self.epoch
                create_client(
                    self.store,
                    client.id,
                    client.name,
                    partner_id=client.partner,
                    operated_by=client.operated_by,
                    billing_model=self.overrides.get(client.id, client.billing_model),
                    at=created,
                    by=SYSTEM,
                    timezone=client.timezone,
                    organisation_key=client.organisation_key,
                    status=client.status,
                    country=client.country,
                    tax_id=client.tax_id,
                )
                open_license(
                    self.store,
                    client.id,
                    at=created,
                    by=SYSTEM,
                    timezone=client.timezone,
                    organisation_key=client.organisation_key,
                    policy=self.policy,
                    billing_timezone=self.partners[client.partner].timezone,
                )

    def users(self) -> None:
        for user, naming in self.each("users", "id"):
            with naming:
                add_user(
                    self.store,
                    User(user.id, user.email, user.name or user.id),
                    at=self.epoch,
                    by=SYSTEM,
                )

    def memberships(self, include: Callable[[str], bool]) -> None:
        for membership, naming in self.each("memberships", "from"):
            with naming:
                if include(membership.team):
                    add_membership(
                        self.store,
                        Membership(
                            user_id=membership.user,
                            team_id=membership.team,
                            role=membership.role,
                            active_from=membership.active_from,
                            active_until=membership.active_until,
                        ),
                        at=membership.active_from,
                        by=_actor(membership.by),
                    )

    def grants(self) -> None:
        for grant, naming in self.each("grants", "id"):
            with naming:
                grant_access(
                    self.store,
                    Grant(
                        id=grant.id,
                        partner_id=grant.partner,
                        client_id=grant.client,
                        advisor_id=grant.advisor,
                        role=grant.role,
                        granted_at=grant.granted_at,
                        expires_at=grant.expires_at,
                        revoked_at=grant.revoked_at,
                        granted_by=grant.granted_by or grant.by or grant.partner,
                        revoked_by=grant.revoked_by,
                    ),
                    at=grant.granted_at,
                    by=_actor(grant.by),
                )

    def consent(self) -> None:
        for change, naming in self.each("consent", "partner_access"):
            with naming:
                change_partner_access(
                    self.store,
                    change.client,
                    change.partner_access,
                    at=change.at,
                    by=change.by,
                )

    def license_events(self) -> None:
        store = self.store
        for event, naming in self.each("license_events", "event"):
            with naming:
                team, at, by = event.team, event.at, _actor(event.by)
                if event.event == "request_upgrade":
                    request_upgrade(store, team, at=at, by=by)
                elif event.event == "upgrade":
                    upgrade(store, team, at=at, by=by, skip_trial=event.skip_trial is not False)
                elif event.event == "convert":
                    convert(store, team, at=at, by=by)
                elif event.event == "cancel_trial":
                    cancel_trial(store, team, at=at, by=by)
                else:
                    downgrade(store, team, at=at, by=by, at_period_end=bool(event.at_period_end))

    def usage(self) -> None:
        # The most numerous table: one ``record_usage`` call (and event) per entry, without a
        # naming context per entry (an error is named when there is one).
        entries = self.document.usage
        if not entries:
            return
        store = self.store
        for index, usage in enumerate(entries):
            try:
                record = UsageRecord(
                    client_id=usage.team, metric=usage.metric, quantity=usage.quantity, at=usage.at
                )
                record_usage(store, [record], at=usage.at, by=SYSTEM)
            except PartnercoreError:
                with _Naming("usage", index, usage, entry_keys(UsageEntry).known, "metric"):
                    raise

    def documents(self) -> None:
        """``[[finalise]]`` and ``[[credit_notes]]`` together, in order of ``at``."""
        steps: list[tuple[Any, int, int, Any, AbstractContextManager[None]]] = []
        for index, (entry, naming) in enumerate(self.each("finalise", "period")):
            steps.append((entry.at, 0, index, entry, naming))
        for index, (entry, naming) in enumerate(self.each("credit_notes", "request_id")):
            steps.append((entry.at, 1, index, entry, naming))
        steps.sort(key=lambda step: step[:3])
        content = InstalledContentCharges(self.store)
        for _, _, _, entry, naming in steps:
            with naming:
                if isinstance(entry, FinaliseEntry):
                    finalise(
                        self.store,
                        entry.period,
                        at=entry.at,
                        by=SYSTEM,
                        content=content,
                        invoicing=self.invoicing,
                    )
                else:
                    self.credit_note(entry)

    def credit_note(self, entry: CreditNoteEntry) -> None:
        invoice = self.store.invoices.find(entry.invoice)
        if invoice is None:
            raise ValidationError.at(
                "invoice",
                f"{quote(entry.invoice)} is not a finalised invoice at {format_instant(entry.at)}"
                ": only a finalised invoice can be credited",
            )
        lines = [
            CreditLine(
                kind=line.kind,
                amount=Money(line.amount, invoice.currency),
                client_id=line.client,
                metric=line.metric,
            )
            for line in entry.lines
        ]
        issue_credit_note(
            self.store,
            entry.request_id,
            entry.invoice,
            reason=entry.reason,
            full=entry.full,
            lines=lines,
            at=entry.at,
            by=SYSTEM,
            invoicing=self.invoicing,
        )

    # -- content and onboarding ---------------------------------------------------------

    def currency_of(self, partner_id: str) -> str:
        return self.books[self.partners[partner_id].pricebook].currency

    def content(self) -> None:
        store = self.store
        for item, naming in self.each("content", "id"):
            with naming:
                price = None
                if item.price is not None and item.price_type is not None:
                    money = Money.of(item.price, self.currency_of(item.owner))
                    price = ContentPrice(money, item.price_type)
                add_item(
                    store,
                    ContentItem.create(
                        id=item.id,
                        kind=item.kind,
                        title=item.title,
                        owner=item.owner,
                        version=item.version,
                        status=item.status,
                        price=price,
                    ),
                    at=self.epoch,
                    by=SYSTEM,
                )
        for release, naming in self.each("publish", "version"):
            with naming:
                publish(store, release.item, release.version, at=release.at, by=SYSTEM)
        for selection, naming in self.each("library", "item"):
            with naming:
                select(
                    store,
                    selection.partner,
                    selection.item,
                    at=self.epoch,
                    by=SYSTEM,
                    since_always=True,
                )

    def templates(self) -> None:
        for template, naming in self.each("templates", "id"):
            with naming:
                add_template(
                    self.store,
                    ClientTemplate(
                        id=template.id,
                        partner_id=template.partner,
                        name=template.name,
                        license=template.license,
                        billing_model=template.billing_model,
                        operated_by=template.operated_by,
                        content=template.content,
                        grants=tuple(TemplateGrant(g.advisor, g.role) for g in template.grants),
                    ),
                    at=self.epoch,
                    by=SYSTEM,
                )

    def onboardings(self) -> None:
        teams = self.store.teams
        for step, naming in self.each("onboard", "client"):
            with naming:
                onboard(
                    self.store,
                    step.template,
                    step.client,
                    step.name,
                    at=step.at,
                    by=_actor(step.by),
                    request_id=step.request_id,
                    timezone=step.timezone,
                    organisation_key=step.organisation_key,
                    license_policy=self.policy,
                )
                model = self.overrides.get(step.client)
                team = teams.get(step.client)
                if model is not None and team.billing_model != model:
                    # What-if analysis only: the onboarded client re-saved with another model.
                    teams.save(attrs.evolve(team, billing_model=BillingModel(model)))

    def installs(self) -> None:
        for copy, naming in self.each("installs", "item"):
            with naming:
                install(self.store, copy.client, copy.item, at=copy.at, by=_actor(copy.by))

    def pushes(self) -> None:
        for pushed, naming in self.each("pushes", "item"):
            with naming:
                push(
                    self.store,
                    pushed.partner,
                    pushed.item,
                    clients=pushed.clients,
                    templates=pushed.templates,
                    locked=pushed.locked,
                    at=pushed.at,
                    by=_actor(pushed.by),
                )


def _actor(by: str | None) -> Actor:
    """The actor an entry names (``by``), or :data:`~partnercore.events.SYSTEM`."""
    return SYSTEM if by is None else by
