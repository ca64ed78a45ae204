"""The checks of a scenario that span entries: what the converter cannot see in one entry.

Ids used twice, references to ids no table declares, and the rules between keys and
between tables (a metric the client's price book does not price, a deal in another
currency, overlapping discounts, tiers out of order, ...). The shape and values of each
entry were checked when it was read (``_keys.structure_entry``). Every problem names the
entry by its position in the file (and its id) and the key; labels and paths are written
only for the problems found.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import Problem, ValidationError
from partnercore.billing import Invoicing, PricingModel
from partnercore.scenario._document import (
    ARRAYS,
    DiscountEntry,
    Document,
    PriceBookEntry,
)
from partnercore.scenario._keys import EntryKeys, entry_keys, entry_label, join_path, quote

__all__ = ["CrossChecks", "id_spaces"]

_ONE = Decimal(1)

_NOUN = {
    "pricebooks": "price book",
    "partners": "partner",
    "clients": "client",
    "teams": "team",
    "users": "user",
    "content": "content item",
    "templates": "template",
}

# Ids that must be unique: (id space, table, field).
_UNIQUE = (
    ("pricebooks", "pricebooks", "id"),
    ("teams", "partners", "id"),
    ("teams", "clients", "id"),
    ("users", "users", "id"),
    ("grants", "grants", "id"),
    ("content", "content", "id"),
    ("templates", "templates", "id"),
)


def _raw_ids(data: Mapping[str, Any], table: str, field: str = "id") -> set[str]:
    """The ids written in ``table``, whether or not their entries are otherwise valid."""
    raw = data.get(table)
    if not isinstance(raw, list):
        return set()
    return {e[field] for e in raw if isinstance(e, Mapping) and isinstance(e.get(field), str)}


def id_spaces(data: Mapping[str, Any]) -> dict[str, set[str]]:
    """Every id space of the parsed file: an id counts as known when its table writes it,
    so one broken entry does not cascade into many unknown references."""
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


class CrossChecks:
    """The checks across the entries of ``document``.

    ``positions`` gives, for a table that lost entries when it was read, the position in
    the file of each entry kept (so problems name the entry the file has there).
    """

    def __init__(self, document: Document, positions: Mapping[str, list[int]]) -> None:
        self.document = document
        self.positions = positions

    def label(self, table: str, index: int, entry: object) -> str:
        """``clients[2] (id "c3")``: the entry as the file has it."""
        kept = self.positions.get(table)
        return entry_label(table, index if kept is None else kept[index], entry)

    def at(self, table: str, index: int, entry: object, *keys: str) -> str:
        """The path of ``keys`` in an entry."""
        path = self.label(table, index, entry)
        for name in keys:
            path = join_path(path, name)
        return path

    def all(self, spaces: Mapping[str, set[str]]) -> list[Problem]:
        """Every problem across the entries of a whole scenario."""
        problems = list(self.duplicates(_UNIQUE))
        for table in ARRAYS:
            problems.extend(self.references(table, spaces))
        problems.extend(self.licence_event_options())
        problems.extend(self.usage_metrics())
        problems.extend(self.content_prices())
        problems.extend(self.pricebooks())
        problems.extend(self.referral_rates())
        problems.extend(self.client_terms())
        problems.extend(self.discounts())
        problems.extend(self.invoicing())
        return problems

    # -- ids --------------------------------------------------------------------------------

    def duplicates(self, unique: tuple[tuple[str, str, str], ...]) -> Iterator[Problem]:
        """Ids used twice in one id space; ``unique`` lists (space, table, field)."""
        first: dict[tuple[str, str], tuple[str, int, object]] = {}
        for space, table, field in unique:
            for index, entry in enumerate(getattr(self.document, table)):
                value = getattr(entry, field)
                earlier = first.setdefault((space, value), (table, index, entry))
                if earlier[:2] != (table, index):
                    message = f"duplicate id {quote(value)}: already used by {self.label(*earlier)}"
                    yield Problem(self.at(table, index, entry, field), message)

    def references(self, table: str, spaces: Mapping[str, set[str]]) -> Iterator[Problem]:
        """References of ``table``'s entries to ids no table declares."""
        keys = entry_keys(ARRAYS[table])
        if not keys.references and not keys.nested:
            return
        for index, entry in enumerate(getattr(self.document, table)):
            if _all_known(entry, keys, spaces):
                continue
            yield from _unknown(entry, keys, spaces, self.label(table, index, entry))

    # -- rules between keys ---------------------------------------------------------------

    def licence_event_options(self) -> Iterator[Problem]:
        """``skip_trial`` only with ``upgrade``, ``at_period_end`` only with ``downgrade``."""
        for index, event in enumerate(self.document.license_events):
            if event.skip_trial is not None and event.event != "upgrade":
                where = self.at("license_events", index, event, "skip_trial")
                yield Problem(where, 'only allowed with event = "upgrade"')
            if event.at_period_end is not None and event.event != "downgrade":
                where = self.at("license_events", index, event, "at_period_end")
                yield Problem(where, 'only allowed with event = "downgrade"')

    def content_prices(self) -> Iterator[Problem]:
        """A price only on a partner's item, and with its type."""
        for index, item in enumerate(self.document.content):
            if item.price is not None and item.owner == "platform":
                where = self.at("content", index, item, "price")
                yield Problem(where, "only partner-owned items have a price")
            if item.price is not None and item.price_type is None:
                yield Problem(self.at("content", index, item, "price_type"), "required with price")
            if item.price_type is not None and item.price is None:
                yield Problem(self.at("content", index, item, "price"), "required with price_type")

    def usage_metrics(self) -> Iterator[Problem]:
        """Usage of a metric the client's price book (its deal's, or its partner's) does
        not price: one dictionary lookup per record."""
        books = self.client_books()
        for index, usage in enumerate(self.document.usage):
            book = books.get(usage.team)
            if book is None or usage.metric in book.usage or usage.metric in book.usage_tiers:
                continue
            known = ", ".join(book.metrics()) or "none"
            yield Problem(
                self.at("usage", index, usage, "metric"),
                f"unknown usage metric {quote(usage.metric)}: price book {quote(book.id)} "
                f"prices {known}",
            )

    def client_books(self) -> dict[str, PriceBookEntry]:
        """The price book that prices each client's usage: its deal's, else its partner's."""
        document = self.document
        pricebooks = {p.id: p for p in document.pricebooks}
        partners = {p.id: p for p in document.partners}
        books: dict[str, PriceBookEntry] = {}
        for client in {*document.client_ids()}:
            partner = partners.get(document.client_partner(client) or "")
            book = pricebooks.get(partner.pricebook) if partner else None
            if book is not None:
                books[client] = book
        for client_entry in document.clients:
            deal = client_entry.pricebook
            if deal is not None:
                if deal in pricebooks:
                    books[client_entry.id] = pricebooks[deal]
                else:
                    books.pop(client_entry.id, None)
        return books

    # -- price books ----------------------------------------------------------------------

    def pricebooks(self) -> Iterator[Problem]:
        for index, book in enumerate(self.document.pricebooks):
            label = self.label("pricebooks", index, book)
            yield from _licence_fee_problems(label, book)
            yield from _tier_model_problems(label, book)
            if book.partner_tiers is not None:
                yield from _partner_tier_problems(join_path(label, "partner_tiers"), book)

    def referral_rates(self) -> Iterator[Problem]:
        """A partner gives a referral rate unless its price book has partner tiers."""
        pricebooks = {p.id: p for p in self.document.pricebooks}
        for index, partner in enumerate(self.document.partners):
            book = pricebooks.get(partner.pricebook)
            if book is None:
                continue
            where = self.at("partners", index, partner, "referral_rate")
            if book.partner_tiers is not None and partner.referral_rate is not None:
                message = f"not allowed: price book {quote(book.id)} sets the rate by partner tiers"
                yield Problem(where, message)
            if book.partner_tiers is None and partner.referral_rate is None:
                message = f"missing required key (price book {quote(book.id)} has no partner tiers)"
                yield Problem(where, message)

    def client_terms(self) -> Iterator[Problem]:
        """Deal books in the partner's currency; client sizes under banded books."""
        document = self.document
        pricebooks = {p.id: p for p in document.pricebooks}
        partners = {p.id: p for p in document.partners}

        def book_of(partner_id: str) -> PriceBookEntry | None:
            partner = partners.get(partner_id)
            return None if partner is None else pricebooks.get(partner.pricebook)

        for index, client in enumerate(document.clients):
            book = book_of(client.partner)
            deal = pricebooks.get(client.pricebook) if client.pricebook is not None else None
            if deal is not None and book is not None and deal.currency != book.currency:
                yield Problem(
                    self.at("clients", index, client, "pricebook"),
                    f"deal price book {quote(deal.id)} is in {deal.currency} but partner "
                    f"{quote(client.partner)} bills in {book.currency}: a deal is in the "
                    "partner's currency",
                )
            applies = deal or book
            if applies is not None and applies.banded and client.employee_count is None:
                where = self.at("clients", index, client, "employee_count")
                yield Problem(where, _size_required(applies))
        templates = {t.id: t for t in document.templates}
        for index, step in enumerate(document.onboard):
            template = templates.get(step.template)
            book = None if template is None else book_of(template.partner)
            if book is not None and book.banded and step.employee_count is None:
                yield Problem(
                    self.at("onboard", index, step, "employee_count"), _size_required(book)
                )

    def discounts(self) -> Iterator[Problem]:
        """Discounts above 0, ending after they start, not overlapping for one client."""
        earlier: dict[str, list[tuple[str, DiscountEntry]]] = {}
        for index, discount in enumerate(self.document.discounts):
            label = self.label("discounts", index, discount)
            if discount.percent == 0:
                message = "must be more than 0 (a fraction: 0.10 is 10 %)"
                yield Problem(join_path(label, "percent"), message)
            if discount.last is not None and discount.last < discount.first:
                message = f"{discount.last} is before from = {discount.first}"
                yield Problem(join_path(label, "until"), message)
            for other_label, other in earlier.get(discount.client, []):
                first = max(discount.first, other.first)
                ends = [end for end in (discount.last, other.last) if end is not None]
                if not ends or first <= min(ends):
                    yield Problem(
                        join_path(label, "from"),
                        f"overlaps {other_label} of client {quote(discount.client)}: two "
                        "discounts of one client may not overlap",
                    )
            earlier.setdefault(discount.client, []).append((label, discount))

    # -- invoicing --------------------------------------------------------------------------

    def invoicing(self) -> Iterator[Problem]:
        """The invoicing settings, tax rates and credit notes (§5.2)."""
        document = self.document
        if document.invoicing is not None:
            settings = document.invoicing
            for name in ("number_prefix", "credit_note_prefix", "payment_terms_days"):
                try:
                    attrs.evolve(Invoicing(), **{name: getattr(settings, name)})
                except ValidationError as error:
                    yield Problem(join_path("invoicing", name), error.problems[0].message)
        countries: dict[str, str] = {}
        for index, rate in enumerate(document.tax_rates):
            label = self.label("tax_rates", index, rate)
            earlier = countries.setdefault(rate.country, label)
            if earlier != label:
                message = f"{quote(rate.country)} has a rate already in {earlier}"
                yield Problem(join_path(label, "country"), message)
            if rate.rate >= _ONE:
                message = f"must be a fraction below 1, got {quote(rate.rate)}"
                yield Problem(join_path(label, "rate"), message)
        for index, note in enumerate(document.credit_notes):
            where = self.at("credit_notes", index, note, "lines")
            if note.full and note.lines:
                yield Problem(where, "not allowed with full = true")
            if not note.full and not note.lines:
                yield Problem(where, "at least one line is required (or full = true)")


def _all_known(entry: Any, keys: EntryKeys, spaces: Mapping[str, set[str]]) -> bool:
    """Whether every reference of ``entry`` (nested tables included) names a known id: the
    common case, decided without building a path."""
    for field, _, spec in keys.references:
        value = getattr(entry, field)
        if value is None:
            continue
        known = spaces[spec.ref or ""]
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if item not in known and item not in spec.also:
                return False
    for field, _ in keys.nested:
        for nested in _nested_entries(getattr(entry, field)):
            if not _all_known(nested, entry_keys(type(nested)), spaces):
                return False
    return True


def _nested_entries(value: object) -> tuple[Any, ...]:
    if isinstance(value, tuple):
        return value
    if isinstance(value, Mapping):
        return tuple(value.values())
    return ()


def _unknown(
    entry: Any, keys: EntryKeys, spaces: Mapping[str, set[str]], label: str
) -> Iterator[Problem]:
    """The references of ``entry`` to unknown ids, each named by its path."""
    for field, name, spec in keys.references:
        value = getattr(entry, field)
        if value is None:
            continue
        path = join_path(label, name)
        known, noun = spaces[spec.ref or ""], _NOUN[spec.ref or ""]
        values = value if isinstance(value, tuple) else (value,)
        for index, item in enumerate(values):
            if item in spec.also or item in known:
                continue
            where = f"{path}[{index}]" if isinstance(value, tuple) else path
            hint = "".join(f" or {quote(a)}" for a in spec.also)
            message = f"unknown {noun} {quote(item)}"
            yield Problem(where, f"{message}; expected a {noun} id{hint}" if hint else message)
    for field, name in keys.nested:
        value = getattr(entry, field)
        path = join_path(label, name)
        for index, nested in enumerate(_nested_entries(value)):
            if isinstance(value, Mapping):
                where = join_path(path, str(list(value)[index]))
            else:
                where = f"{path}[{index}]"
            yield from _unknown(nested, entry_keys(type(nested)), spaces, where)


def _size_required(book: PriceBookEntry) -> str:
    return f"required: price book {quote(book.id)} prices full licences by employee count"


def _licence_fee_problems(label: str, book: PriceBookEntry) -> Iterator[Problem]:
    """A full licence fee or fees by size, one of the two; bands in ascending order."""
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
        yield from _bound_problems([band.up_to for band in book.full_license_fee_by_size], path)


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


def _partner_tier_problems(path: str, book: PriceBookEntry) -> Iterator[Problem]:
    """Partner tiers: at least one, named once each, from 0 in ascending thresholds."""
    tiers = book.partner_tiers or ()
    if not tiers:
        yield Problem(path, "at least one tier is required")
    names: set[str] = set()
    previous: Decimal | None = None
    for index, tier in enumerate(tiers):
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
                f"must be greater than the previous tier's ({previous}), got {quote(threshold)}",
            )
        previous = threshold if previous is None or threshold > previous else previous
