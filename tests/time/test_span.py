from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.time import Span
from tests.strategies.time import utc_instants

T0 = datetime(2026, 11, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


@st.composite
def spans(draw: st.DrawFn) -> Span:
    start = draw(utc_instants())
    length = draw(st.none() | st.integers(min_value=0, max_value=10_000))
    return Span(start, None if length is None else start + timedelta(minutes=length))


def test_a_span_holds_its_start_and_not_its_end() -> None:
    span = Span(T0, T0 + HOUR)

    assert (True, False, False) == (
        span.contains(T0),
        span.contains(T0 + HOUR),
        span.contains(T0 - HOUR),
    )


def test_an_open_span_holds_every_later_instant() -> None:
    assert Span(T0).contains(T0 + timedelta(days=10_000))


def test_a_span_ending_before_it_starts_is_refused_naming_end() -> None:
    with pytest.raises(ValidationError) as raised:
        Span(T0, T0 - HOUR)

    assert "end" == raised.value.problems[0].path


def test_a_naive_start_is_refused_naming_start() -> None:
    with pytest.raises(ValidationError) as raised:
        Span(datetime(2026, 11, 1))

    assert "start" == raised.value.problems[0].path


def test_an_empty_span_overlaps_nothing() -> None:
    assert (True, False, None) == (
        Span(T0, T0).is_empty,
        Span(T0, T0).overlaps(T0 - HOUR, None),
        Span(T0, T0).clip(T0 - HOUR, T0 + HOUR),
    )


def test_clipping_keeps_the_shared_part() -> None:
    assert Span(T0 + HOUR, T0 + 2 * HOUR) == Span(T0, None).clip(T0 + HOUR, T0 + 2 * HOUR)


@given(spans(), utc_instants(), st.integers(min_value=0, max_value=10_000), utc_instants())
def test_an_instant_is_in_a_clip_exactly_when_it_is_in_both(
    span: Span, start: datetime, minutes: int, instant: datetime
) -> None:
    end = start + timedelta(minutes=minutes)
    clipped = span.clip(start, end)

    in_both = span.contains(instant) and start <= instant < end
    assert in_both == (clipped is not None and clipped.contains(instant))


@given(spans(), utc_instants(), st.none() | st.integers(min_value=0, max_value=10_000))
def test_a_span_overlaps_exactly_when_its_clip_is_not_empty(
    span: Span, start: datetime, minutes: int | None
) -> None:
    end = None if minutes is None else start + timedelta(minutes=minutes)
    clipped = span.clip(start, end)

    assert span.overlaps(start, end) == (clipped is not None and not clipped.is_empty)
