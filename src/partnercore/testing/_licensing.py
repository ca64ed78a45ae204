"""The contract every ``LicenseRepository`` must honour."""

# Assertions read ``expected == actual``.

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import attrs
import pytest

from partnercore._errors import ConflictError, NotFoundError, StaleWriteError
from partnercore.licensing import License, LicensePolicy, LicenseRepository, LicenseState
from partnercore.tenancy import Team
from partnercore.testing._hostile import NOT_RECORDS, ODD_KEYS, answers, label

__all__ = ["LicenseRepositoryContract"]

_T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _day(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 30, tzinfo=UTC)


def _eventful() -> License:
    """A licence whose history uses every event kind, zones and a deferred downgrade."""
    license = License.open(
        "c-eventful",
        _T0,
        timezone="Europe/London",
        organisation_key="eventful.example",
        policy=LicensePolicy(trial_days=7, on_trial_end="full"),
        billing_timezone="America/New_York",
    )
    license = license.request_upgrade(_day(2))  # trial (ends 2026-03-09, across DST)
    license = license.downgrade(_day(12), at_period_end=True)  # full until April (New York)
    license = license.downgrade(_day(13))  # free now: supersedes the scheduled one
    license = license.upgrade(_day(20))
    return license.downgrade(_day(25), at_period_end=True)


class LicenseRepositoryContract:
    """Subclass in a test module and override the ``licenses`` fixture with an empty store.

    Override ``other_licenses`` too, with a second repository over the same stored licences
    opened separately (another connection to the same database, as a second process would
    have): the concurrency tests then save through both. By default it is ``licenses``
    itself, which checks the same rules within one connection only.
    """

    @pytest.fixture
    def licenses(self) -> LicenseRepository:
        raise NotImplementedError("provide a fixture 'licenses': an empty LicenseRepository")

    @pytest.fixture
    def other_licenses(self, licenses: LicenseRepository) -> LicenseRepository:
        """A second connection to the licences behind ``licenses`` (default: the same one)."""
        return licenses

    # -- add and get -------------------------------------------------------------------

    def test_an_added_licence_is_stored_at_version_one(self, licenses: LicenseRepository) -> None:
        stored = licenses.add(License.open("c1", _T0))
        assert 1 == stored.version
        assert stored == licenses.get("c1")

    def test_a_licence_comes_back_exactly_as_it_was_stored(
        self, licenses: LicenseRepository
    ) -> None:
        original = _eventful()
        licenses.add(original)
        loaded = licenses.get(original.team_id)
        assert attrs.evolve(original, version=1) == loaded
        assert original.timeline() == loaded.timeline()
        assert original.trial_ends_at == loaded.trial_ends_at
        assert all(event.at.tzinfo is not None for event in loaded.events)

    def test_getting_an_unknown_team_raises_not_found(self, licenses: LicenseRepository) -> None:
        with pytest.raises(NotFoundError) as caught:
            licenses.get("nobody")
        assert "nobody" == caught.value.id

    def test_finding_an_unknown_team_gives_none(self, licenses: LicenseRepository) -> None:
        assert licenses.find("nobody") is None

    def test_find_returns_the_stored_licence(self, licenses: LicenseRepository) -> None:
        stored = licenses.add(License.open("c1", _T0))
        assert stored == licenses.find("c1")

    def test_adding_a_second_licence_for_a_team_conflicts_and_keeps_the_first(
        self, licenses: LicenseRepository
    ) -> None:
        first = licenses.add(License.open("c1", _T0))
        with pytest.raises(ConflictError):
            licenses.add(License.open("c1", _day(5), initial_state=LicenseState.FULL))
        assert first == licenses.get("c1")

    # -- save and optimistic concurrency -----------------------------------------------

    def test_saving_records_the_events_and_moves_the_version_on(
        self, licenses: LicenseRepository
    ) -> None:
        stored = licenses.add(License.open("c1", _T0))
        saved = licenses.save(stored.upgrade(_day(3)))
        assert 2 == saved.version
        assert saved == licenses.get("c1")
        assert LicenseState.FULL == licenses.get("c1").state_at(_day(4))

    def test_a_saved_copy_can_be_saved_again(self, licenses: LicenseRepository) -> None:
        stored = licenses.add(License.open("c1", _T0))
        saved = licenses.save(stored.upgrade(_day(3)))
        again = licenses.save(saved.downgrade(_day(4)))
        assert 3 == again.version
        assert 2 == len(licenses.get("c1").events)

    def test_saving_a_stale_copy_raises_and_writes_nothing(
        self, licenses: LicenseRepository
    ) -> None:
        stored = licenses.add(License.open("c1", _T0))
        winner = licenses.save(stored.upgrade(_day(3)))
        with pytest.raises(StaleWriteError) as caught:
            licenses.save(stored.request_upgrade(_day(4)))
        assert (1, 2) == (caught.value.expected, caught.value.actual)
        assert winner == licenses.get("c1")
        assert 2 == licenses.get("c1").version

    def test_saving_a_copy_from_the_future_is_stale_too(self, licenses: LicenseRepository) -> None:
        stored = licenses.add(License.open("c1", _T0))
        with pytest.raises(StaleWriteError):
            licenses.save(attrs.evolve(stored.upgrade(_day(3)), version=7))
        assert stored == licenses.get("c1")

    def test_saving_a_never_added_licence_raises_not_found(
        self, licenses: LicenseRepository
    ) -> None:
        with pytest.raises(NotFoundError):
            licenses.save(License.open("c1", _T0))
        assert licenses.find("c1") is None

    # -- two connections ---------------------------------------------------------------

    def test_a_stale_save_through_another_connection_raises_and_loses_nothing(
        self, licenses: LicenseRepository, other_licenses: LicenseRepository
    ) -> None:
        licenses.add(License.open("c1", _T0))
        mine = licenses.get("c1")
        theirs = other_licenses.get("c1")
        winner = other_licenses.save(theirs.upgrade(_day(3)))
        with pytest.raises(StaleWriteError) as caught:
            licenses.save(mine.request_upgrade(_day(4)))
        assert ((1, 2), winner, winner) == (
            (caught.value.expected, caught.value.actual),
            licenses.get("c1"),
            other_licenses.get("c1"),
        )

    def test_each_connection_sees_what_the_other_saved(
        self, licenses: LicenseRepository, other_licenses: LicenseRepository
    ) -> None:
        licenses.add(License.open("c1", _T0, organisation_key="one.example"))
        first = other_licenses.save(other_licenses.get("c1").upgrade(_day(3)))
        second = licenses.save(licenses.get("c1").downgrade(_day(4)))
        with pytest.raises(StaleWriteError):
            other_licenses.save(first.downgrade(_day(5)))
        assert (3, second, (second,)) == (
            second.version,
            other_licenses.get("c1"),
            other_licenses.for_organisation("one.example"),
        )

    # -- bad input ---------------------------------------------------------------------

    def test_writing_anything_but_a_licence_is_a_validation_error_and_changes_nothing(
        self, licenses: LicenseRepository
    ) -> None:
        stored = licenses.add(License.open("c1", _T0))
        wrong = (*NOT_RECORDS, Team.partner("c1", "C1", created_at=_T0))
        refused = {label(value): "raises ValidationError" for value in wrong}
        assert (refused, refused, stored) == (
            answers(licenses.add, wrong),
            answers(licenses.save, wrong),
            licenses.get("c1"),
        )

    def test_a_key_no_licence_can_have_finds_nothing(self, licenses: LicenseRepository) -> None:
        licenses.add(License.open("p1", _T0, organisation_key="p1"))
        assert (
            {label(key): "None" for key in ODD_KEYS},
            {label(key): "raises NotFoundError" for key in ODD_KEYS},
            {label(key): "nothing" for key in ODD_KEYS},
        ) == (
            answers(licenses.find, ODD_KEYS),
            answers(licenses.get, ODD_KEYS),
            answers(licenses.for_organisation, ODD_KEYS),
        )

    # -- organisations -----------------------------------------------------------------

    def test_for_organisation_lists_every_licence_with_that_key_by_team(
        self, licenses: LicenseRepository
    ) -> None:
        licenses.add(License.open("c2", _T0, organisation_key="one.example"))
        licenses.add(License.open("c1", _T0, organisation_key="one.example"))
        licenses.add(License.open("c3", _T0, organisation_key="two.example"))
        licenses.add(License.open("c4", _T0))
        found = licenses.for_organisation("one.example")
        assert ["c1", "c2"] == [license.team_id for license in found]

    def test_for_organisation_sees_saved_changes(self, licenses: LicenseRepository) -> None:
        stored = licenses.add(License.open("c1", _T0, organisation_key="one.example"))
        licenses.save(stored.request_upgrade(_day(3)))
        (found,) = licenses.for_organisation("one.example")
        assert _day(3) == found.trial_started_at

    def test_for_organisation_compares_keys_exactly(self, licenses: LicenseRepository) -> None:
        licenses.add(License.open("c1", _T0, organisation_key="One.example"))
        assert () == tuple(licenses.for_organisation("one.example"))

    def test_for_an_unknown_organisation_there_is_nothing(
        self, licenses: LicenseRepository
    ) -> None:
        assert () == tuple(licenses.for_organisation("nobody.example"))

    def test_odd_organisation_keys_are_compared_exactly(self, licenses: LicenseRepository) -> None:
        keys = ["\U0001f680.example", "e\u0301cole.example", "\u00e9cole.example", "k" * 200]
        for n, key in enumerate(keys):
            licenses.add(License.open(f"c{n}", _T0, organisation_key=key))
        assert [[f"c{n}"] for n in range(len(keys))] == [
            [license.team_id for license in licenses.for_organisation(key)] for key in keys
        ]

    # -- many teams at once ------------------------------------------------------------

    def test_for_teams_gives_the_licences_of_the_teams_that_have_one(
        self, licenses: LicenseRepository
    ) -> None:
        one = licenses.add(License.open("c1", _T0))
        two = licenses.save(licenses.add(License.open("c2", _T0)).upgrade(_day(3)))
        licenses.add(License.open("c3", _T0))
        found = licenses.for_teams(["c2", "nobody", "c1", "c2"])
        assert {"c1": one, "c2": two} == dict(found)
        assert (two, {}, {}) == (
            licenses.for_teams({"c2"})["c2"],
            dict(licenses.for_teams([])),
            dict(licenses.for_teams(cast(list[str], list(ODD_KEYS)))),
        )

    def test_for_teams_sees_saved_changes_and_other_connections(
        self, licenses: LicenseRepository, other_licenses: LicenseRepository
    ) -> None:
        stored = licenses.add(License.open("c1", _T0))
        before = dict(licenses.for_teams(["c1", "c2"]))
        saved = other_licenses.save(stored.upgrade(_day(3)))
        other_licenses.add(License.open("c2", _T0))
        after = dict(licenses.for_teams(["c1", "c2"]))
        assert ({"c1": stored}, saved, ["c1", "c2"]) == (before, after["c1"], sorted(after))

    def test_for_teams_wants_a_collection_of_ids_not_one_id(
        self, licenses: LicenseRepository
    ) -> None:
        licenses.add(License.open("c1", _T0))
        refused = {label(value): "raises ValidationError" for value in ("c1", b"c1", None, 7)}
        assert refused == answers(licenses.for_teams, ("c1", b"c1", None, 7))
