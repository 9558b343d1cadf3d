"""The playground's clock: real time plus an offset that only moves forward, and the next results time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.playground.clock import OffsetClock, next_weekly

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY, NINE = 0, time(9, 0)


class Real:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_the_clock_starts_where_asked_and_runs_in_real_time() -> None:
    real = Real()
    clock = OffsetClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC), real)
    assert clock() == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    real.now += timedelta(minutes=3)
    assert clock() == datetime(2026, 11, 25, 8, 3, tzinfo=UTC)
    assert clock.timestamp() == clock().timestamp()


def test_the_clock_jumps_forward_but_never_back() -> None:
    real = Real()
    clock = OffsetClock(None, real)
    assert clock() == real.now
    clock.move_to(real.now + timedelta(days=5))
    assert clock() == real.now + timedelta(days=5)
    clock.move_to(real.now - timedelta(days=1))
    assert clock() == real.now + timedelta(days=5)


def test_next_results_time_is_the_coming_monday_at_nine_local() -> None:
    wednesday = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert next_weekly(wednesday, ZoneInfo("UTC"), MONDAY, NINE) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert next_weekly(wednesday, BERLIN, MONDAY, NINE) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_on_the_day_itself_before_and_at_the_time() -> None:
    before = datetime(2026, 11, 30, 7, 59, tzinfo=UTC)  # Monday 08:59 in Berlin
    assert next_weekly(before, BERLIN, MONDAY, NINE) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert next_weekly(at, BERLIN, MONDAY, NINE) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_across_a_daylight_saving_change() -> None:
    saturday = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # Berlin leaves summer time on Sunday the 25th
    assert next_weekly(saturday, BERLIN, MONDAY, NINE) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert next_weekly(saturday, BERLIN, 6, time(2, 30)).astimezone(BERLIN).hour == 2
