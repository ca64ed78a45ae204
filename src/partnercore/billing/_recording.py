"""Billing's write services besides finalising: price books, accounts and usage (§5).

They are platform operations: only :data:`~partnercore.events.SYSTEM` may perform them
(a price list or a metering pipeline is no user's act).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

from partnercore._errors import ValidationError
from partnercore._fields import check_instance
from partnercore._trusted import trusted
from partnercore.billing._ports import BillingStore
from partnercore.billing._pricebook import BillingAccount, PriceBook
from partnercore.billing._usage import UsageRecord
from partnercore.events import Actor, PriceBookChanged, UsageRecorded, actor_id
from partnercore.tenancy import Team, TeamKind, system_only
from partnercore.time import ensure_aware, format_instant

__all__ = ["add_price_book", "open_billing_account", "record_usage", "save_price_book"]


def add_price_book(
    store: BillingStore, price_book: PriceBook, *, at: datetime, by: Actor
) -> PriceBook:
    """Store a new price book (:class:`~partnercore.ConflictError` if the id is taken)."""
    at = ensure_aware(at)
    with store.unit_of_work():
        system_only(by, "add price books")
        check_instance(price_book, PriceBook, "price_book")
        store.price_books.add(price_book)
        store.events.append([_changed(price_book, None, at, by)])
        return price_book


def save_price_book(
    store: BillingStore, price_book: PriceBook, *, at: datetime, by: Actor
) -> PriceBook:
    """Replace a stored price book (:class:`~partnercore.NotFoundError` if there is none)."""
    at = ensure_aware(at)
    with store.unit_of_work():
        system_only(by, "change price books")
        check_instance(price_book, PriceBook, "price_book")
        store.price_books.save(price_book)
        store.events.append([_changed(price_book, None, at, by)])
        return price_book


def open_billing_account(
    store: BillingStore, account: BillingAccount, *, at: datetime, by: Actor
) -> BillingAccount:
    """Open the billing account of a partner: which price book bills it, at what referral
    rate, with which client terms. The partner and the price books must exist."""
    at = ensure_aware(at)
    with store.unit_of_work():
        system_only(by, "open billing accounts")
        check_instance(account, BillingAccount, "account")
        partner = store.teams.get(account.partner_id)
        if partner.kind is not TeamKind.PARTNER:
            raise ValidationError.at(
                "partner_id", f"{partner.id!r} is a client team; accounts belong to partners"
            )
        book = store.price_books.get(account.price_book_id)
        store.accounts.add(account)
        store.events.append([_changed(book, partner.id, at, by)])
        return account


def record_usage(
    store: BillingStore, records: Iterable[UsageRecord], *, at: datetime, by: Actor
) -> list[UsageRecord]:
    """Record usage of client teams (metering). Each client must exist and the usage must
    not be dated before the client was created; one ``usage_recorded`` event is appended
    per client."""
    at = ensure_aware(at)
    batch = list(records) if not isinstance(records, str) else [records]
    with store.unit_of_work():
        system_only(by, "record usage")
        teams = store.teams
        for index, record in enumerate(batch):
            _check(teams.get, record, index)
        usage = store.usage
        for record in batch:
            usage.add(record)
        store.events.append(_recorded(batch, at, actor_id(by)))
        return batch


def _recorded(batch: list[UsageRecord], at: datetime, by: str) -> list[UsageRecorded]:
    """The events of recording ``batch``: one per client, in order of client id."""
    if len(batch) == 1:  # one record (a metering call, a scenario's usage entry)
        only = batch[0]
        # Every value is checked: ``at`` is aware UTC, ``by`` an actor id, the record's client
        # id and metric passed its own validators (the constructor would change nothing).
        return [
            trusted(
                UsageRecorded,
                at=at,
                by=by,
                team_id=only.client_id,
                revision=0,
                records=1,
                metrics=_one_metric(only.metric),
            )
        ]
    metrics: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for record in batch:
        metrics[record.client_id].add(record.metric)
        counts[record.client_id] += 1
    return [
        UsageRecorded(
            at=at,
            by=by,
            team_id=client_id,
            records=counts[client_id],
            metrics=tuple(sorted(metrics[client_id])),
        )
        for client_id in sorted(counts)
    ]


#: The ``metrics`` of events about one metric, one tuple per metric name: a metering pipeline
#: records a few metrics very many times, and events are frozen, so they share it (kept for
#: at most 1,024 names; then it starts afresh).
_ONE_METRIC: dict[str, tuple[str]] = {}


def _one_metric(metric: str) -> tuple[str]:
    if metric.__class__ is not str:  # a subclass of str: kept as it is
        return (metric,)
    metrics = _ONE_METRIC.get(metric)
    if metrics is None:
        if len(_ONE_METRIC) >= 1024:
            _ONE_METRIC.clear()
        metrics = _ONE_METRIC[metric] = (metric,)
    return metrics


def _check(team: Callable[[str], Team], record: UsageRecord, index: int) -> None:
    """``record`` (``records[index]``) is a usage record of a client that existed then."""
    if not isinstance(record, UsageRecord):  # the path is written only when it is needed
        check_instance(record, UsageRecord, f"records[{index}]")  # raises, naming it
    client = team(record.client_id)
    if client.kind is not TeamKind.CLIENT:
        raise ValidationError.at(
            f"records[{index}].client_id", f"{client.id!r} is a partner, not a client"
        )
    if record.at < client.created_at:
        raise ValidationError.at(
            f"records[{index}].at",
            f"{format_instant(record.at)} is before client {client.id!r} was created "
            f"({format_instant(client.created_at)})",
        )


def _changed(book: PriceBook, partner_id: str | None, at: datetime, by: Actor) -> PriceBookChanged:
    return PriceBookChanged(
        at=at,
        by=actor_id(by),
        team_id=partner_id,
        price_book_id=book.id,
        currency=book.currency.code,
    )
