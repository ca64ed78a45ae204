"""The contract every :class:`~partnercore.store.Store` must honour: units of work and events."""

# Assertions read ``expected == actual``.

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore._errors import ValidationError
from partnercore.billing import UsageRecord
from partnercore.events import Event, UserAdded
from partnercore.licensing import License
from partnercore.store import Store
from partnercore.tenancy import Team, User
from partnercore.time import BillingPeriod

__all__ = ["StoreContract"]

_T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
_MARCH = BillingPeriod.parse("2026-03")


class _Refused(Exception):
    """What the tests raise inside a unit of work to see it undone."""


def _abort(store: Store, *writes: Callable[[], object]) -> None:
    """Make ``writes`` inside a unit of work of ``store``, then leave it with an error."""

    def failing() -> None:
        with store.unit_of_work():
            for write in writes:
                write()
            raise _Refused

    with pytest.raises(_Refused):
        failing()


def _user_added(user_id: str) -> UserAdded:
    return UserAdded(
        at=_T0, by="system", team_id=None, user_id=user_id, email=f"{user_id}@example.com"
    )


def _partner(team_id: str) -> Team:
    return Team.partner(team_id, f"Partner {team_id}", created_at=_T0)


def _client(team_id: str, partner_id: str) -> Team:
    return Team.client(
        team_id,
        f"Client {team_id}",
        parent_id=partner_id,
        operated_by="client",
        billing_model="reseller",
        created_at=_T0,
    )


def _write_everywhere(store: Store, name: str) -> None:
    """One write to several repositories and the event log."""
    store.teams.add(_partner(f"p-{name}"))
    store.teams.add(_client(f"c-{name}", f"p-{name}"))
    store.users.add(User(f"u-{name}", f"u-{name}@example.com"))
    store.licenses.add(License.open(f"c-{name}", _T0))
    store.usage.add(UsageRecord(client_id=f"c-{name}", metric="scans", quantity=Decimal(3), at=_T0))
    store.events.append([_user_added(f"u-{name}")])


def _holds(store: Store, name: str) -> list[bool]:
    """Which of :func:`_write_everywhere`'s writes the store holds."""
    return [
        store.teams.find(f"p-{name}") is not None,
        store.teams.find(f"c-{name}") is not None,
        store.users.find(f"u-{name}") is not None,
        store.licenses.find(f"c-{name}") is not None,
        bool(store.usage.totals(_MARCH, [f"c-{name}"])),
        any(getattr(e, "user_id", None) == f"u-{name}" for e in store.events.since(0)),
    ]


class StoreContract:
    """Subclass in a test module and override the ``store`` fixture with an empty store.

    Override ``other_store`` too, with a second store over the same data opened separately
    (another connection, as a second process would have); by default it is ``store``.
    """

    @pytest.fixture
    def store(self) -> Store:
        raise NotImplementedError("provide a fixture 'store': an empty Store")

    @pytest.fixture
    def other_store(self, store: Store) -> Store:
        """A second connection to the data behind ``store`` (default: the same one)."""
        return store

    # -- units of work -------------------------------------------------------------------

    def test_a_unit_of_work_that_ends_normally_keeps_every_write(self, store: Store) -> None:
        with store.unit_of_work():
            _write_everywhere(store, "a")
        assert [True] * 6 == _holds(store, "a")

    def test_an_error_leaving_a_unit_of_work_undoes_every_write(self, store: Store) -> None:
        _abort(store, lambda: _write_everywhere(store, "a"))
        assert [False] * 6 == _holds(store, "a")
        assert 0 == store.revision()

    def test_a_library_error_leaving_a_unit_of_work_undoes_it_too(self, store: Store) -> None:
        store.teams.add(_partner("p-a"))

        def invalid() -> None:
            with store.unit_of_work():
                store.users.add(User("u-b", "u-b@example.com"))
                store.teams.add(None)  # type: ignore[arg-type]

        with pytest.raises(ValidationError):
            invalid()
        assert store.users.find("u-b") is None
        assert store.teams.find("p-a") is not None

    def test_a_nested_unit_is_a_savepoint_undoing_only_its_own_writes(self, store: Store) -> None:
        with store.unit_of_work():
            _write_everywhere(store, "outer")
            _abort(store, lambda: _write_everywhere(store, "inner"))
            _write_everywhere(store, "after")
        assert [True] * 6 == _holds(store, "outer")
        assert [False] * 6 == _holds(store, "inner")
        assert [True] * 6 == _holds(store, "after")
        assert [1, 2] == [event.revision for event in store.events.since(0)]

    def test_an_error_leaving_the_outer_unit_undoes_what_nested_units_kept(
        self, store: Store
    ) -> None:

        def nested() -> None:
            with store.unit_of_work():
                _write_everywhere(store, "inner")

        _abort(store, nested)
        assert [False] * 6 == _holds(store, "inner")

    def test_a_licence_saved_in_a_failed_unit_keeps_its_stored_version(self, store: Store) -> None:
        store.teams.add(_partner("p"))
        store.teams.add(_client("c", "p"))
        stored = store.licenses.add(License.open("c", _T0))
        _abort(store, lambda: store.licenses.save(stored.request_upgrade(_T0 + timedelta(days=1))))
        assert stored == store.licenses.get("c")
        assert 2 == store.licenses.save(stored.request_upgrade(_T0 + timedelta(days=1))).version

    # -- events --------------------------------------------------------------------------

    def test_appended_events_come_back_with_consecutive_revisions_in_order(
        self, store: Store
    ) -> None:
        with store.unit_of_work():
            first = store.events.append([_user_added("a1"), _user_added("a2")])
        second = store.events.append([_user_added("a3")])
        assert [1, 2, 3] == [event.revision for event in [*first, *second]]
        assert [*first, *second] == store.events.since(0)
        assert [second[0]] == store.events.since(2)
        assert first == store.events.since(0, limit=2)
        assert [] == store.events.since(3)
        assert 3 == store.revision()
        assert 3 == store.events.revision()

    def test_events_of_a_failed_unit_are_never_read_and_leave_no_gap(self, store: Store) -> None:
        store.events.append([_user_added("a1")])
        _abort(store, lambda: store.events.append([_user_added("lost")]))
        store.events.append([_user_added("a2")])
        events = store.events.since(0)
        assert [1, 2] == [event.revision for event in events]
        assert ["a1", "a2"] == [getattr(event, "user_id", None) for event in events]

    def test_events_are_visible_to_another_connection_only_once_committed(
        self, store: Store, other_store: Store
    ) -> None:
        with store.unit_of_work():
            store.events.append([_user_added("a1")])
            if other_store is not store:
                assert [] == other_store.events.since(0)
                assert 0 == other_store.revision()
        assert [1] == [event.revision for event in other_store.events.since(0)]
        assert 1 == other_store.revision()

    def test_the_events_about_a_team_are_its_audit_trail_in_order(self, store: Store) -> None:
        from partnercore.events import TeamStatusChanged

        def status(team: str, to: str) -> Event:
            return TeamStatusChanged(
                at=_T0, by="system", team_id=team, status=to, previous="active"
            )

        store.events.append([status("c1", "suspended"), status("c2", "suspended")])
        store.events.append([status("c1", "active")])
        assert [1, 3] == [event.revision for event in store.events.about("c1")]
        assert [] == store.events.about("nobody")
        assert [] == store.events.about(None)  # type: ignore[arg-type]

    def test_reading_events_from_a_revision_that_is_not_one_is_a_validation_error(
        self, store: Store
    ) -> None:
        for revision in (-1, "1", None, 1.0, True):
            with pytest.raises(ValidationError, match="revision"):
                store.events.since(revision)  # type: ignore[arg-type]
        for limit in (0, -1, "2", 2.0):
            with pytest.raises(ValidationError, match="limit"):
                store.events.since(0, limit=limit)  # type: ignore[arg-type]

    def test_appending_something_that_is_not_an_event_writes_nothing(self, store: Store) -> None:
        with pytest.raises(ValidationError):
            store.events.append([_user_added("a1"), "not an event"])  # type: ignore[list-item]
        assert [] == store.events.since(0)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
            HealthCheck.too_slow,
        ],
    )
    @given(outcomes=st.lists(st.booleans(), min_size=1, max_size=8))
    def test_after_any_mix_of_committed_and_failed_units_only_the_committed_remain(
        self, store: Store, outcomes: list[bool]
    ) -> None:
        start = store.revision()
        prefix = f"r{start}-"
        for index, commits in enumerate(outcomes):
            try:
                with store.unit_of_work():
                    _write_everywhere(store, f"{prefix}{index}")
                    if not commits:
                        raise _Refused
            except _Refused:
                pass
        for index, commits in enumerate(outcomes):
            assert [commits] * 6 == _holds(store, f"{prefix}{index}")
        revisions = [event.revision for event in store.events.since(start)]
        assert list(range(start + 1, start + 1 + sum(outcomes))) == revisions
