"""Clocks: the system clock in UTC, and a fixed clock that moves only when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from partnercore import ValidationError
from partnercore.time import Clock, FixedClock, SystemClock

START = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def test_a_fixed_clock_stands_still() -> None:
    clock = FixedClock(START)

    assert START == clock.now()
    assert START == clock.now()


def test_a_fixed_clock_keeps_its_time_in_utc() -> None:
    clock = FixedClock(datetime(2026, 11, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))

    assert START == clock.now()
    assert UTC is clock.now().tzinfo


def test_a_fixed_clock_rejects_a_naive_datetime() -> None:
    with pytest.raises(ValidationError) as caught:
        FixedClock(datetime(2026, 11, 3, 9, 0))

    assert "at: naive datetime 2026-11-03T09:00:00 rejected: give it a time zone" == str(
        caught.value
    )


def test_advancing_a_fixed_clock_moves_it_and_returns_the_new_now() -> None:
    clock = FixedClock(START)

    assert START + timedelta(hours=1) == clock.advance(timedelta(hours=1))
    assert START + timedelta(days=15, hours=1) == clock.advance(days=14, hours=24)
    assert START + timedelta(days=15, hours=1) == clock.now()


def test_setting_a_fixed_clock_puts_it_at_that_instant() -> None:
    clock = FixedClock(START)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))

    assert datetime(2027, 1, 1, tzinfo=UTC) == clock.now()
    with pytest.raises(ValidationError, match="naive datetime"):
        clock.set(datetime(2027, 1, 1))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((5,), {}, "delta: expected a timedelta, got 5"),
        ((timedelta(1),), {"days": 1}, "delta: give a timedelta or keyword units, not both"),
        ((), {"fortnights": 1}, "delta: cannot advance the clock: "),
        ((), {"days": "1"}, "delta: cannot advance the clock: "),
        ((timedelta(days=10**7),), {}, "delta: cannot advance the clock: "),
    ],
)
def test_a_bad_step_is_rejected_and_the_clock_does_not_move(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    clock = FixedClock(START)

    with pytest.raises(ValidationError) as caught:
        clock.advance(*args, **kwargs)  # type: ignore[arg-type]

    assert str(caught.value).startswith(message)
    assert START == clock.now()


def test_both_clocks_satisfy_the_clock_protocol() -> None:
    assert isinstance(FixedClock(START), Clock)
    assert isinstance(SystemClock(), Clock)


def test_the_system_clock_reads_the_real_time_in_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)

    assert UTC is now.tzinfo
    assert before <= now <= after


def test_clocks_show_what_they_are() -> None:
    assert "FixedClock('2026-11-03T09:00:00+00:00')" == repr(FixedClock(START))
    assert "SystemClock()" == repr(SystemClock())
