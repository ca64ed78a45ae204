"""The contracts every content port must honour, and their part in a store's units of work."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from partnercore._errors import ConflictError, NotFoundError, StaleWriteError
from partnercore.content import (
    ClientTemplate,
    ContentItem,
    ContentItemRepository,
    ContentPrice,
    CopyEvent,
    InstallRepository,
    LibraryRepository,
    LibrarySelection,
    Onboarding,
    OnboardingRepository,
    OnboardingRequest,
    TemplateContent,
    TemplateGrant,
    TemplateRepository,
)
from partnercore.licensing import License
from partnercore.money import Money
from partnercore.store import Store
from partnercore.tenancy import Grant, Team
from partnercore.testing._hostile import (
    NOT_RECORDS,
    ODD_KEYS,
    ODD_TEXTS,
    REFUSED_OR_KEPT,
    TROUBLESOME_TEXTS,
    answers,
    kept_or_refused,
    label,
)

__all__ = [
    "ContentItemRepositoryContract",
    "ContentStoreContract",
    "InstallRepositoryContract",
    "LibraryRepositoryContract",
    "OnboardingRepositoryContract",
    "TemplateRepositoryContract",
]

_T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _day(day: int) -> datetime:
    return datetime(2026, 3, day, 9, 30, tzinfo=UTC)


def _item(item_id: str = "gap", owner: str = "acme", **changes: object) -> ContentItem:
    fields: dict[str, object] = {
        "id": item_id,
        "kind": "assessment_template",
        "title": "Gap assessment",
        "owner": owner,
        "version": 2,
        "status": "published",
        "at": _T0,
    }
    fields.update(changes)
    return ContentItem.create(**fields)  # type: ignore[arg-type]


def _priced() -> ContentItem:
    """An item with a price and a history using every kind of change."""
    item = _item(price=ContentPrice(Money.of("25.50", "EUR"), "monthly"), status="draft")
    return item.publish(2, _day(2)).publish(4, _day(5)).retire(_day(9))


def _event(client: str, item: str, day: int, **changes: object) -> CopyEvent:
    fields: dict[str, object] = {
        "client_id": client,
        "item_id": item,
        "change": "install",
        "at": _day(day),
        "version": 1,
    }
    fields.update(changes)
    return CopyEvent(**fields)  # type: ignore[arg-type]


#: Odd text as long as content's display text may be (200 characters).
_DISPLAY_TEXTS = tuple(text[:200] for text in ODD_TEXTS)


def _refused(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "raises ValidationError" for value in values}


def _none(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "None" for value in values}


def _not_found(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "raises NotFoundError" for value in values}


def _nothing(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "nothing" for value in values}


def _template(template_id: str = "readiness", partner: str = "acme") -> ClientTemplate:
    return ClientTemplate(
        id=template_id,
        partner_id=partner,
        name="ISO 27001 readiness",
        license="trial",
        billing_model="reseller",
        operated_by="partner",
        content=[
            "iso27001",
            TemplateContent(
                item_id="gap", locked=True, version=3, pushed_by="paula", pushed_at=_day(2)
            ),
        ],
        grants=[TemplateGrant("*", "advisor"), TemplateGrant("alice", "advisor_admin")],
    )


def _onboarding(request_id: str = "req-1", client: str = "c9") -> Onboarding:
    request = OnboardingRequest(
        request_id=request_id,
        template_id="readiness",
        client_id=client,
        name="Client Nine",
        at=_day(3),
        by="paula",
        timezone="Europe/Paris",
        organisation_key="nine.example",
    )
    return Onboarding(
        request=request,
        partner_id="acme",
        license="trial",
        installed=[
            _event(client, "gap", 3, change="onboard", locked=True, template_id="readiness")
        ],
        grants=[
            Grant(
                id=f"{client}-g1",
                partner_id="acme",
                client_id=client,
                advisor_id="*",
                role="advisor",
                granted_at=_day(3),
                granted_by="paula",
            )
        ],
    )


class ContentItemRepositoryContract:
    """Subclass and override the ``items`` fixture with an empty ``ContentItemRepository``.

    Override ``other_items`` too, with a second repository over the same stored items opened
    separately (another connection to the same database): the stale-write tests then save
    through both. By default it is ``items`` itself (one connection only).
    """

    @pytest.fixture
    def items(self) -> ContentItemRepository:
        raise NotImplementedError("provide a fixture 'items': an empty ContentItemRepository")

    @pytest.fixture
    def other_items(self, items: ContentItemRepository) -> ContentItemRepository:
        """A second connection to the items behind ``items`` (default: the same one)."""
        return items

    def test_an_added_item_comes_back_exactly_as_it_was_stored(
        self, items: ContentItemRepository
    ) -> None:
        original = _priced()
        items.add(original)
        loaded = items.get(original.id)
        assert original == loaded
        assert all(step.at is None or step.at.tzinfo is not None for step in loaded.history)

    def test_an_undated_open_item_comes_back_undated(self, items: ContentItemRepository) -> None:
        original = _item("iso27001", "platform", at=None)
        items.add(original)
        assert original == items.get("iso27001")

    def test_getting_an_unknown_item_raises_not_found(self, items: ContentItemRepository) -> None:
        with pytest.raises(NotFoundError) as caught:
            items.get("nothing")
        assert "nothing" == caught.value.id

    def test_finding_an_unknown_item_gives_none(self, items: ContentItemRepository) -> None:
        assert items.find("nothing") is None

    def test_adding_an_item_twice_conflicts_and_keeps_the_first(
        self, items: ContentItemRepository
    ) -> None:
        first = _item()
        items.add(first)
        with pytest.raises(ConflictError):
            items.add(_item(title="Another"))
        assert first == items.get("gap")

    def test_saving_the_next_revision_replaces_the_item(self, items: ContentItemRepository) -> None:
        items.add(_item())
        published = items.get("gap").publish(3, _day(4))
        items.save(published)
        assert published == items.get("gap")

    def test_saving_from_a_stale_copy_raises_and_keeps_the_stored_item(
        self, items: ContentItemRepository
    ) -> None:
        items.add(_item())
        stale = items.get("gap")
        first = stale.publish(3, _day(4))
        items.save(first)
        with pytest.raises(StaleWriteError):
            items.save(stale.retire(_day(5)))
        assert first == items.get("gap")

    def test_saving_a_skipped_revision_raises(self, items: ContentItemRepository) -> None:
        items.add(_item())
        with pytest.raises(StaleWriteError):
            items.save(items.get("gap").publish(3, _day(4)).retire(_day(5)))
        assert 1 == items.get("gap").revision

    def test_saving_an_unknown_item_raises_not_found(self, items: ContentItemRepository) -> None:
        with pytest.raises(NotFoundError):
            items.save(_item().publish(3, _day(4)))

    def test_owned_by_lists_the_owners_items_sorted_by_id(
        self, items: ContentItemRepository
    ) -> None:
        for item in [_item("b"), _item("iso", "platform"), _item("a"), _item("z", "bolt")]:
            items.add(item)
        assert (["a", "b"], ["iso"], []) == (
            [item.id for item in items.owned_by("acme")],
            [item.id for item in items.owned_by("platform")],
            [item.id for item in items.owned_by("nobody")],
        )

    def test_a_stale_save_through_another_connection_raises_and_loses_nothing(
        self, items: ContentItemRepository, other_items: ContentItemRepository
    ) -> None:
        items.add(_item())
        mine = items.get("gap")
        theirs = other_items.get("gap").publish(3, _day(4))
        other_items.save(theirs)
        with pytest.raises(StaleWriteError):
            items.save(mine.retire(_day(5)))
        assert (theirs, theirs, (theirs,)) == (
            items.get("gap"),
            other_items.get("gap"),
            tuple(items.owned_by("acme")),
        )

    def test_writing_anything_but_an_item_is_a_validation_error_and_changes_nothing(
        self, items: ContentItemRepository
    ) -> None:
        items.add(_item())
        wrong = (*NOT_RECORDS, _template("gap"))
        assert (_refused(wrong), _refused(wrong), _item()) == (
            answers(items.add, wrong),
            answers(items.save, wrong),
            items.get("gap"),
        )

    def test_a_key_no_item_can_have_finds_nothing(self, items: ContentItemRepository) -> None:
        items.add(_item("p1", "p1"))
        assert (_none(ODD_KEYS), _not_found(ODD_KEYS), _nothing(ODD_KEYS)) == (
            answers(items.find, ODD_KEYS),
            answers(items.get, ODD_KEYS),
            answers(items.owned_by, ODD_KEYS),
        )

    def test_odd_titles_come_back_exactly(self, items: ContentItemRepository) -> None:
        added = [_item(f"i{n}", title=title) for n, title in enumerate(_DISPLAY_TEXTS)]
        for item in added:
            items.add(item)
        assert (added, added) == (
            [items.get(item.id) for item in added],
            list(items.owned_by("acme")),
        )

    def test_troublesome_titles_are_refused_or_kept_exactly(
        self, items: ContentItemRepository
    ) -> None:
        def outcome(n: int, title: str) -> str:
            return kept_or_refused(
                lambda: _item(f"i{n}", title=title), items.add, lambda: items.find(f"i{n}")
            )

        assert {label(title): REFUSED_OR_KEPT for title in TROUBLESOME_TEXTS} == {
            label(title): outcome(n, title) for n, title in enumerate(TROUBLESOME_TEXTS)
        }


class LibraryRepositoryContract:
    """Subclass and override the ``libraries`` fixture with an empty ``LibraryRepository``."""

    @pytest.fixture
    def libraries(self) -> LibraryRepository:
        raise NotImplementedError("provide a fixture 'libraries': an empty LibraryRepository")

    def test_a_partner_without_selections_has_none(self, libraries: LibraryRepository) -> None:
        assert [] == list(libraries.for_partner("acme"))

    def test_selections_come_back_in_the_order_recorded(self, libraries: LibraryRepository) -> None:
        recorded = [
            LibrarySelection("acme", "nist"),
            LibrarySelection("acme", "iso", _day(2)),
            LibrarySelection("acme", "nist", _day(4), selected=False),
        ]
        for selection in recorded:
            libraries.add(selection)
        assert recorded == list(libraries.for_partner("acme"))

    def test_another_partners_selections_stay_apart(self, libraries: LibraryRepository) -> None:
        libraries.add(LibrarySelection("acme", "iso", _day(2)))
        libraries.add(LibrarySelection("bolt", "nist", _day(2)))
        assert [LibrarySelection("bolt", "nist", _day(2))] == list(libraries.for_partner("bolt"))

    def test_adding_anything_but_a_selection_is_a_validation_error_and_changes_nothing(
        self, libraries: LibraryRepository
    ) -> None:
        wrong = (*NOT_RECORDS, _item())
        assert (_refused(wrong), []) == (
            answers(libraries.add, wrong),
            list(libraries.for_partner("acme")),
        )

    def test_a_key_no_partner_can_have_finds_nothing(self, libraries: LibraryRepository) -> None:
        libraries.add(LibrarySelection("p1", "iso", _day(2)))
        assert _nothing(ODD_KEYS) == answers(libraries.for_partner, ODD_KEYS)


class InstallRepositoryContract:
    """Subclass and override the ``installs`` fixture with an empty ``InstallRepository``."""

    @pytest.fixture
    def installs(self) -> InstallRepository:
        raise NotImplementedError("provide a fixture 'installs': an empty InstallRepository")

    def test_a_client_without_events_has_none(self, installs: InstallRepository) -> None:
        assert ([], []) == (list(installs.for_client("c1")), list(installs.for_item("gap")))

    def test_events_come_back_exactly_and_in_the_order_recorded(
        self, installs: InstallRepository
    ) -> None:
        recorded = [
            _event("c1", "gap", 2, by="carol"),
            _event("c1", "iso", 2, change="push", locked=True, by="paula", version=3),
            _event("c1", "gap", 4, change="uninstall", version=None),
            _event("c1", "pack", 1, change="onboard", template_id="readiness"),
        ]
        installs.add_all(recorded[:2])
        installs.add_all(recorded[2:])
        assert recorded == list(installs.for_client("c1"))

    def test_events_by_item_span_every_client(self, installs: InstallRepository) -> None:
        installs.add_all([_event("c1", "gap", 2), _event("c2", "iso", 2), _event("c2", "gap", 3)])
        assert [("c1", 2), ("c2", 3)] == [
            (event.client_id, event.at.day) for event in installs.for_item("gap")
        ]

    def test_events_of_other_clients_stay_apart(self, installs: InstallRepository) -> None:
        installs.add_all([_event("c1", "gap", 2), _event("c2", "gap", 3)])
        assert [_event("c2", "gap", 3)] == list(installs.for_client("c2"))

    def test_an_empty_batch_stores_nothing(self, installs: InstallRepository) -> None:
        installs.add_all([])
        assert [] == list(installs.for_item("gap"))

    def test_a_batch_that_is_not_a_sequence_of_events_is_a_validation_error(
        self, installs: InstallRepository
    ) -> None:
        not_batches = (None, 0, 7.5, _event("c1", "gap", 2), {"client_id": "c1"}.keys())
        assert _refused(not_batches) == answers(installs.add_all, not_batches)

    def test_a_batch_holding_anything_but_events_stores_none_of_it(
        self, installs: InstallRepository
    ) -> None:
        batches = tuple([_event("c1", "gap", 2), value] for value in NOT_RECORDS)
        assert (_refused(batches), [], []) == (
            answers(installs.add_all, batches),
            list(installs.for_client("c1")),
            list(installs.for_item("gap")),
        )

    def test_a_key_no_client_or_item_can_have_finds_nothing(
        self, installs: InstallRepository
    ) -> None:
        installs.add_all([_event("p1", "p1", 2)])
        assert (_nothing(ODD_KEYS), _nothing(ODD_KEYS)) == (
            answers(installs.for_client, ODD_KEYS),
            answers(installs.for_item, ODD_KEYS),
        )


class TemplateRepositoryContract:
    """Subclass and override the ``templates`` fixture with an empty ``TemplateRepository``.

    Override ``other_templates`` too, with a second repository over the same stored
    templates opened separately (another connection to the same database): the stale-write
    tests then save through both. By default it is ``templates`` itself.
    """

    @pytest.fixture
    def templates(self) -> TemplateRepository:
        raise NotImplementedError("provide a fixture 'templates': an empty TemplateRepository")

    @pytest.fixture
    def other_templates(self, templates: TemplateRepository) -> TemplateRepository:
        """A second connection to the templates behind ``templates`` (default: the same one)."""
        return templates

    def test_an_added_template_comes_back_exactly(self, templates: TemplateRepository) -> None:
        templates.add(_template())
        assert _template() == templates.get("readiness")

    def test_getting_an_unknown_template_raises_not_found(
        self, templates: TemplateRepository
    ) -> None:
        with pytest.raises(NotFoundError):
            templates.get("nothing")
        assert templates.find("nothing") is None

    def test_adding_a_template_twice_conflicts_and_keeps_the_first(
        self, templates: TemplateRepository
    ) -> None:
        templates.add(_template())
        with pytest.raises(ConflictError):
            templates.add(attrs.evolve(_template(), name="Other"))
        assert _template() == templates.get("readiness")

    def test_saving_the_next_revision_replaces_the_template(
        self, templates: TemplateRepository
    ) -> None:
        templates.add(_template())
        changed = templates.get("readiness").with_entry(TemplateContent(item_id="extra"))
        templates.save(changed)
        assert changed == templates.get("readiness")

    def test_saving_from_a_stale_copy_raises_and_keeps_the_stored_template(
        self, templates: TemplateRepository
    ) -> None:
        templates.add(_template())
        stale = templates.get("readiness")
        first = stale.with_entry(TemplateContent(item_id="one"))
        templates.save(first)
        with pytest.raises(StaleWriteError):
            templates.save(stale.with_entry(TemplateContent(item_id="two")))
        assert first == templates.get("readiness")

    def test_saving_an_unknown_template_raises_not_found(
        self, templates: TemplateRepository
    ) -> None:
        with pytest.raises(NotFoundError):
            templates.save(_template().with_entry(TemplateContent(item_id="one")))

    def test_for_partner_lists_the_partners_templates_sorted_by_id(
        self, templates: TemplateRepository
    ) -> None:
        for template_id, partner in [("b", "acme"), ("x", "bolt"), ("a", "acme")]:
            templates.add(_template(template_id, partner))
        assert (["a", "b"], []) == (
            [t.id for t in templates.for_partner("acme")],
            [t.id for t in templates.for_partner("nobody")],
        )

    def test_a_stale_save_through_another_connection_raises_and_loses_nothing(
        self, templates: TemplateRepository, other_templates: TemplateRepository
    ) -> None:
        templates.add(_template())
        mine = templates.get("readiness")
        theirs = other_templates.get("readiness").with_entry(TemplateContent(item_id="one"))
        other_templates.save(theirs)
        with pytest.raises(StaleWriteError):
            templates.save(mine.with_entry(TemplateContent(item_id="two")))
        assert (theirs, theirs) == (templates.get("readiness"), other_templates.get("readiness"))

    def test_writing_anything_but_a_template_is_a_validation_error_and_changes_nothing(
        self, templates: TemplateRepository
    ) -> None:
        templates.add(_template())
        wrong = (*NOT_RECORDS, _item("readiness"))
        assert (_refused(wrong), _refused(wrong), _template()) == (
            answers(templates.add, wrong),
            answers(templates.save, wrong),
            templates.get("readiness"),
        )

    def test_a_key_no_template_can_have_finds_nothing(self, templates: TemplateRepository) -> None:
        templates.add(_template("p1", "p1"))
        assert (_none(ODD_KEYS), _not_found(ODD_KEYS), _nothing(ODD_KEYS)) == (
            answers(templates.find, ODD_KEYS),
            answers(templates.get, ODD_KEYS),
            answers(templates.for_partner, ODD_KEYS),
        )

    def test_odd_names_come_back_exactly(self, templates: TemplateRepository) -> None:
        added = [
            attrs.evolve(_template(f"t{n}"), name=name) for n, name in enumerate(_DISPLAY_TEXTS)
        ]
        for template in added:
            templates.add(template)
        assert added == list(templates.for_partner("acme"))


class OnboardingRepositoryContract:
    """Subclass and override the ``onboardings`` fixture with an empty
    ``OnboardingRepository``."""

    @pytest.fixture
    def onboardings(self) -> OnboardingRepository:
        raise NotImplementedError("provide a fixture 'onboardings': an empty OnboardingRepository")

    def test_a_recorded_onboarding_comes_back_exactly(
        self, onboardings: OnboardingRepository
    ) -> None:
        onboardings.add(_onboarding())
        assert _onboarding() == onboardings.find("req-1")

    def test_an_unknown_request_has_no_onboarding(self, onboardings: OnboardingRepository) -> None:
        assert onboardings.find("req-1") is None

    def test_a_request_id_is_recorded_once(self, onboardings: OnboardingRepository) -> None:
        onboardings.add(_onboarding())
        with pytest.raises(ConflictError):
            onboardings.add(_onboarding(client="c10"))
        assert _onboarding() == onboardings.find("req-1")

    def test_adding_anything_but_an_onboarding_is_a_validation_error(
        self, onboardings: OnboardingRepository
    ) -> None:
        wrong = (*NOT_RECORDS, _onboarding().request)
        assert (_refused(wrong), None) == (
            answers(onboardings.add, wrong),
            onboardings.find("req-1"),
        )

    def test_a_key_no_request_can_have_finds_nothing(
        self, onboardings: OnboardingRepository
    ) -> None:
        onboardings.add(_onboarding("p1"))
        assert _none(ODD_KEYS) == answers(onboardings.find, ODD_KEYS)


class ContentStoreContract:
    """Subclass and override the ``store`` fixture with an empty :class:`~partnercore.store.Store`.

    Checks that the content repositories take part in the store's units of work: what is
    written inside a block is kept when the block ends normally, and undone in every
    repository (tenancy, licences, content) when it raises.
    """

    @pytest.fixture
    def store(self) -> Store:
        raise NotImplementedError("provide a fixture 'store': an empty Store")

    def _write_everything(self, store: Store) -> None:
        store.teams.add(Team.partner("acme", "Acme", created_at=_T0))
        store.licenses.add(License.open("c9", _T0))
        store.items.add(_item())
        store.libraries.add(LibrarySelection("acme", "iso", _day(2)))
        store.installs.add_all([_event("c9", "gap", 3)])
        store.templates.add(_template())
        store.onboardings.add(_onboarding())

    def _state(self, store: Store) -> tuple[object, ...]:
        return (
            store.teams.find("acme"),
            store.licenses.find("c9"),
            store.items.find("gap"),
            list(store.libraries.for_partner("acme")),
            list(store.installs.for_client("c9")),
            store.templates.find("readiness"),
            store.onboardings.find("req-1"),
        )

    def test_a_unit_of_work_keeps_its_content_writes(self, store: Store) -> None:
        with store.unit_of_work():
            self._write_everything(store)
        assert all(part not in (None, []) for part in self._state(store))

    def test_a_unit_of_work_that_raises_undoes_every_content_write(self, store: Store) -> None:
        before = self._state(store)

        def abandoned() -> None:
            with store.unit_of_work():
                self._write_everything(store)
                raise RuntimeError("abandon")

        with pytest.raises(RuntimeError, match="abandon"):
            abandoned()
        assert before == self._state(store)

    def test_content_writes_before_a_failed_unit_stay(self, store: Store) -> None:
        store.items.add(_item("kept"))

        def abandoned() -> None:
            with store.unit_of_work():
                store.items.add(_item())
                raise RuntimeError("abandon")

        with pytest.raises(RuntimeError, match="abandon"):
            abandoned()
        assert (True, None) == (store.items.find("kept") is not None, store.items.find("gap"))

    def test_a_failed_nested_unit_undoes_only_its_own_content_writes(self, store: Store) -> None:
        def nested() -> None:
            with store.unit_of_work():
                store.templates.save(
                    store.templates.get("readiness").with_entry(TemplateContent(item_id="gap"))
                )
                store.installs.add_all([_event("c9", "gap", 5)])
                raise RuntimeError("abandon")

        with store.unit_of_work():
            self._write_everything(store)
            with pytest.raises(RuntimeError, match="abandon"):
                nested()
            store.items.save(store.items.get("gap").retire(_day(6)))
        assert (1, 1, "retired") == (
            store.templates.get("readiness").revision,
            len(store.installs.for_client("c9")),
            store.items.get("gap").status.value,
        )
