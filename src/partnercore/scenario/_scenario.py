"""A loaded scenario: a whole partner world in a store, and the questions one asks of it.

Every question goes through the library's own services (``tenancy.check``,
``licensing`` timelines, ``billing.bill_period``, ``content.library_view``) over the
store the scenario was built into (an ``InMemoryStore``, unless it was made with
:meth:`Scenario.over`); :class:`Scenario` only wires them together.
"""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import NotFoundError, ValidationError
from partnercore.billing import BillingRun, FinalisedDocuments, Invoicing, bill_period
from partnercore.billing import finalised_documents as _finalised_documents
from partnercore.content import InstalledContentCharges, LibraryView, library_view
from partnercore.memory import InMemoryStore
from partnercore.scenario._building import build_world
from partnercore.scenario._document import Document, invoicing_of
from partnercore.scenario._revenue import BillingRange, month_rows
from partnercore.scenario._showing import Timeline, scenario_html, scenario_repr
from partnercore.store import Store
from partnercore.tenancy import (
    AccessIndex,
    BillingModel,
    Decision,
    Holder,
    Permission,
    Team,
    TeamKind,
    check,
    teams,
    who,
)
from partnercore.time import BillingPeriod, ensure_aware

__all__ = ["Scenario"]

_ALL = "*"


def _name(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationError.at("name", f"expected text, got {type(value).__name__}")
    return value


def _period(value: BillingPeriod | str, name: str = "period") -> BillingPeriod:
    if isinstance(value, BillingPeriod):
        return value
    try:
        return BillingPeriod.parse(value)
    except ValidationError as error:
        raise ValidationError.at(name, error.problems[0].message) from None


class Scenario:
    """A partner world loaded from a scenario file (see :func:`partnercore.scenario.load`).

    Build one with :func:`~partnercore.scenario.load` or :func:`~partnercore.scenario.loads`
    (into a fresh ``InMemoryStore``), or with :meth:`Scenario.over` over a store the world
    is already in. ``store`` is that store, for anything the methods here do not cover.
    """

    __slots__ = ("_billing_models", "_document", "_name", "_store")

    def __init__(
        self,
        document: Document,
        *,
        billing_models: dict[str, str] | None = None,
        name: str | None = None,
    ):
        models = dict(billing_models or {})
        self._store: Store = build_world(InMemoryStore(), document, billing_models=models)
        self._document = document
        self._billing_models = models
        self._name = _name(name)

    @classmethod
    def over(cls, store: Store, document: Document, *, name: str | None = None) -> Scenario:
        """The scenario ``document`` describes, answered from ``store`` as it is.

        Nothing is built or written: ``store`` already holds the world (built earlier with
        :func:`~partnercore.scenario.build_world`, maybe in another process, and maybe
        changed since), and every question reads it as it is now. ``document`` gives what
        only the file knows (its first and last instants, its client ids).
        :meth:`with_billing_model` builds a new in-memory scenario from ``document``, never
        writing to ``store``.
        """
        if not callable(getattr(store, "unit_of_work", None)) or not hasattr(store, "teams"):
            kind = type(store).__name__
            raise ValidationError.at("store", f"expected a Store, got {kind}")
        if not isinstance(document, Document):
            kind = type(document).__name__
            raise ValidationError.at("document", f"expected a Document, got {kind}")
        scenario = cls.__new__(cls)
        scenario._store = store
        scenario._document = document
        scenario._billing_models = {}
        scenario._name = _name(name)
        return scenario

    # -- what it is made of -------------------------------------------------------------

    @property
    def name(self) -> str | None:
        """What the scenario is called (its file's name, ``"demo"``), if it was told."""
        return self._name

    @property
    def document(self) -> Document:
        """The checked scenario document it was built from."""
        return self._document

    @property
    def invoicing(self) -> Invoicing:
        """The issuer's invoicing settings (``[invoicing]``, ``[[tax_rates]]``): number
        prefixes, payment terms and tax. Without those tables: the defaults, with no tax."""
        return invoicing_of(self._document)

    @property
    def store(self) -> Store:
        """The store the scenario reads (every repository, the event log)."""
        return self._store

    def team(self, team_id: str) -> Team:
        """The team; :class:`~partnercore.NotFoundError` if the scenario has none."""
        return self._store.teams.get(team_id)

    def partners(self) -> list[Team]:
        """Every partner team, sorted by id."""
        return self._store.teams.partners()

    def clients_of(self, partner_id: str) -> list[Team]:
        """The partner's clients, sorted by id."""
        return self._store.teams.clients_of(partner_id)

    @property
    def first_instant(self) -> datetime:
        """The earliest instant written in the scenario (when undated teams begin)."""
        return self._document.epoch()

    @property
    def last_instant(self) -> datetime:
        """The latest instant written in the scenario."""
        return self._document.latest()

    # -- access -------------------------------------------------------------------------

    def check(
        self, *, user: str, permission: Permission | str, team: str, at: datetime
    ) -> Decision:
        """May ``user`` exercise ``permission`` on ``team`` at ``at``? (rules R1 to R7)"""
        return check(self._store, user, permission, team, at)

    def teams(self, *, user: str, permission: Permission | str, at: datetime) -> list[str]:
        """Every team ``user`` can reach with ``permission`` at ``at``, sorted."""
        return teams(self._store, user, permission, at)

    def who(self, *, team: str, permission: Permission | str, at: datetime) -> list[Holder]:
        """Every user who can reach ``team`` with ``permission`` at ``at``, sorted by user,
        each with the rule and the membership or grant that gives it."""
        return who(self._store, team, permission, at)

    # -- licences -----------------------------------------------------------------------

    def timeline(
        self, *, team: str, start: datetime | None = None, end: datetime | None = None
    ) -> Timeline:
        """The licence states of client ``team`` over ``[start, end)`` as intervals (a
        tuple of :class:`~partnercore.licensing.LicenseInterval` that shows as a table).

        ``start`` defaults to when the licence was opened; without ``end`` the last
        interval is open-ended.
        """
        found = self.team(team)
        if found.kind is not TeamKind.CLIENT:
            raise ValidationError.at(
                "team", f"{team!r} is a partner team: only client teams have a licence"
            )
        begin = None if start is None else ensure_aware(start, "start")
        stop = None if end is None else ensure_aware(end, "end")
        return Timeline(team, self._store.licenses.get(team).timeline(begin, stop))

    # -- billing --------------------------------------------------------------------------

    def bill(self, period: BillingPeriod | str) -> BillingRun:
        """Every invoice and referral statement of ``period`` (``"2026-11"``).

        Each partner's month is taken in its own billing time zone.
        ``run.to_dict()`` is exactly the ``partnercore bill --format json`` document.
        """
        month = _period(period)
        return bill_period(
            self._store,
            month.key,
            content=InstalledContentCharges(self._store),
            invoicing=self.invoicing,
        )

    def invoices(self, period: BillingPeriod | str | None = None) -> FinalisedDocuments:
        """The finalised invoices (numbers, issue and due dates, tax, credited, balance) and
        credit notes, in number order: all, or those of ``period`` and the credit notes
        against them. ``str()`` of it is the ``partnercore invoices`` text; ``to_dict()``
        its ``--format json`` document."""
        key = None if period is None else _period(period).key
        return _finalised_documents(self._store, key)

    def bill_range(
        self, first: BillingPeriod | str, last: BillingPeriod | str, *, keep_runs: bool = False
    ) -> BillingRange:
        """Every month from ``first`` to ``last`` (inclusive) billed: a row per month and
        partner (:meth:`BillingRange.to_rows`), and with ``keep_runs=True`` each month's
        whole billing run too (``runs``, and the ``to_dict()`` document). Without it each
        run is summarised and dropped once billed, so a long range costs what its months
        billed one by one cost."""
        start, stop = _period(first, "first"), _period(last, "last")
        if stop < start:
            raise ValidationError.at("last", f"{stop.key} is before {start.key}")
        months = start.until(stop)
        if keep_runs:
            return BillingRange.of(self.bill(month) for month in months)
        rows = tuple(row for month in months for row in month_rows(self.bill(month)))
        return BillingRange(tuple(month.key for month in start.until(stop)), rows)

    def with_billing_model(self, client: str, model: BillingModel | str) -> Scenario:
        """The same scenario with ``client`` (or ``"*"``: every client) billed as ``model``.

        A new, independent scenario: this one is unchanged.
        """
        try:
            chosen = BillingModel(model)
        except ValueError:
            raise ValidationError.at(
                "model", f"unknown billing model {model!r}; expected reseller or non_reseller"
            ) from None
        clients = self._document.client_ids()
        if client != _ALL and client not in clients:
            raise NotFoundError("client", client)
        targets = clients if client == _ALL else (client,)
        models = dict(self._billing_models)
        models.update(dict.fromkeys(targets, chosen.value))
        return Scenario(self._document, billing_models=models, name=self._name)

    # -- content --------------------------------------------------------------------------

    def library(self, *, team: str, at: datetime | None = None) -> LibraryView:
        """The content ``team`` can see at ``at``, what it has installed and the updates
        available (``at`` defaults to the scenario's last instant)."""
        self.team(team)
        moment = self.last_instant if at is None else ensure_aware(at, "at")
        return library_view(self._store, team, moment)

    # -- access index ---------------------------------------------------------------------

    def index(self) -> AccessIndex:
        """A new access index over the scenario's store (:class:`AccessIndex`): the same
        decisions as :meth:`check`, :meth:`teams` and :meth:`who`, compiled."""
        return AccessIndex(self._store)

    # -- how it shows -------------------------------------------------------------------

    def __repr__(self) -> str:
        """``<Scenario 'demo': 1 partner, 3 clients, usage 2026-01..2026-12>``: what its
        document declares."""
        return scenario_repr(self._name, self._document)

    def _repr_html_(self) -> str:
        return scenario_html(self._name, self._document, type(self._store).__name__)
