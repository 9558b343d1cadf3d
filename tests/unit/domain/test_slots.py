"""bot/domain/slots.py (and bot/jobs.py's SlotTrigger built on it): `/quiz schedule` parsing, today's slot, the next post, and
the trigger across the 2026 DST changes in Europe/Berlin (29 March: 02:00 jumps
to 03:00; 25 October: 02:00-03:00 happens twice)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.slots import (
    Schedule,
    ScheduleError,
    end_of_local_day,
    format_days,
    local_slot_today,
    next_post,
    parse_days,
    parse_schedule,
    slot_key,
)
from bot.jobs import SlotTrigger

BERLIN = ZoneInfo("Europe/Berlin")
DAILY = tuple(range(7))
WEEKDAYS = tuple(range(5))
CET = timedelta(hours=1)
CEST = timedelta(hours=2)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def schedule(at: time = time(9, 30), days: tuple[int, ...] = DAILY, zone: str = "Europe/Berlin") -> Schedule:
    return Schedule(channel_id="C1", at=at, timezone=zone, days=days)


def trigger_of(sched: Schedule) -> SlotTrigger:
    return SlotTrigger(sched.at, sched.days, sched.zone)


def fires(sched: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Successive fire times in [start, end), each computed from the one before, as the scheduler does."""
    trigger = trigger_of(sched)
    out: list[datetime] = []
    previous: datetime | None = None
    now = start
    while True:
        fire: datetime | None = trigger.get_next_fire_time(previous, now)
        if fire is None or fire >= end:
            return out
        assert not out or fire > out[-1], "fire times must strictly increase"
        out.append(fire.astimezone(UTC))
        previous = now = fire


def in_berlin(moment: datetime) -> datetime:
    """Berlin wall time of an instant; via UTC, because astimezone into the zone a
    datetime already has returns it unchanged, even a wall time that never happened."""
    return moment.astimezone(UTC).astimezone(BERLIN)


def local_dates(moments: list[datetime]) -> Counter[date]:
    return Counter(in_berlin(m).date() for m in moments)


# --- parse_schedule -------------------------------------------------------------------


def test_time_zone_and_days() -> None:
    parsed = parse_schedule("C9", ["09:30", "Europe/Berlin", "mon-fri"], "UTC")
    assert parsed == Schedule(channel_id="C9", at=time(9, 30), timezone="Europe/Berlin", days=WEEKDAYS)
    assert parsed.zone == BERLIN
    assert parsed.describe() == "09:30 Europe/Berlin, mon-fri"


def test_the_zone_and_days_default() -> None:
    parsed = parse_schedule("C9", ["7:05"], "America/New_York")
    assert (parsed.at, parsed.timezone, parsed.days) == (time(7, 5), "America/New_York", WEEKDAYS)


def test_days_may_come_before_the_zone() -> None:
    parsed = parse_schedule("C9", ["18:00", "mon,wed,fri", "Asia/Tokyo"], "UTC")
    assert (parsed.timezone, parsed.days) == ("Asia/Tokyo", (0, 2, 4))


@pytest.mark.parametrize("word", ["UTC", "utc"])
def test_utc_is_a_zone(word: str) -> None:
    assert parse_schedule("C9", ["09:30", word], "Europe/Berlin").timezone == "UTC"


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", DAILY),
        ("mon-sun", DAILY),
        ("mon-fri", WEEKDAYS),
        ("weekdays", WEEKDAYS),
        ("weekends", (5, 6)),
        ("mon,wed,fri", (0, 2, 4)),
        ("fri,mon", (0, 4)),
        ("sat-mon", (0, 5, 6)),
        ("Monday-Friday", WEEKDAYS),
        ("tues,thurs", (1, 3)),
        ("wed", (2,)),
    ],
)
def test_days(text: str, days: tuple[int, ...]) -> None:
    assert parse_schedule("C9", ["09:30", text], "UTC").days == days
    assert parse_days(text) == days


def test_days_are_described_back_as_typed() -> None:
    assert format_days(DAILY) == "daily"
    assert format_days(WEEKDAYS) == "mon-fri"
    assert format_days((0, 2, 4)) == "mon,wed,fri"


@pytest.mark.parametrize("text", ["25:99", "24:00", "9.30", "0930", "09:60", "noon", "-1:00"])
def test_a_time_that_is_not_a_time_of_day(text: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("C9", [text, "Europe/Berlin"], "UTC")
    message = str(caught.value)
    assert f"'{text}' is not a time of day (HH:MM, 24-hour)" in message
    assert "/quiz schedule 09:30 Europe/Berlin mon-fri" in message


@pytest.mark.parametrize("zone", ["Mars/Base", "Europe/Berlinn", "../etc/passwd"])
def test_an_unknown_time_zone(zone: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("C9", ["09:30", zone], "UTC")
    assert str(caught.value).startswith(f"'{zone}' is not a time zone I know.")
    assert "Europe/Berlin" in str(caught.value)


@pytest.mark.parametrize("days", ["someday", "mon-", "mon,,fri", "monx", "mo", "mon-wed-fri"])
def test_days_that_are_not_days(days: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("C9", ["09:30", days], "UTC")
    assert str(caught.value).startswith(f"'{days}' is not a set of days.")
    assert "mon,wed,fri" in str(caught.value)


def test_no_words_asks_for_a_time() -> None:
    with pytest.raises(ScheduleError, match="Tell me when to post"):
        parse_schedule("C9", [], "UTC")


def test_too_many_words() -> None:
    with pytest.raises(ScheduleError, match="Too many words"):
        parse_schedule("C9", ["09:30", "Europe/Berlin", "mon", "fri"], "UTC")


@pytest.mark.parametrize("words", [["09:30", "mon", "fri"], ["09:30", "Europe/Berlin", "Asia/Tokyo"]])
def test_two_zones_or_two_sets_of_days_are_refused_not_half_kept(words: list[str]) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule("C9", words, "UTC")


def test_schedule_error_is_a_value_error() -> None:
    assert issubclass(ScheduleError, ValueError)


# --- local_slot_today --------------------------------------------------------------------


def test_no_slot_before_the_time() -> None:
    assert local_slot_today(schedule(), berlin(2026, 11, 26, 9, 29, 59)) is None


def test_the_slot_at_and_after_the_time_the_same_day() -> None:
    sched = schedule()
    for now in (berlin(2026, 11, 26, 9, 30), berlin(2026, 11, 26, 15, 0), berlin(2026, 11, 26, 23, 59)):
        slot = local_slot_today(sched, now)
        assert slot == berlin(2026, 11, 26, 9, 30)
        assert slot is not None and slot.tzinfo == BERLIN
        assert slot_key(slot) == "2026-11-26T09:30"


def test_now_in_another_zone_is_read_in_the_channels_zone() -> None:
    sched = schedule()
    # 08:29 UTC is 09:29 in Berlin in November; 08:31 UTC is 09:31.
    assert local_slot_today(sched, datetime(2026, 11, 26, 8, 29, tzinfo=UTC)) is None
    assert local_slot_today(sched, datetime(2026, 11, 26, 8, 31, tzinfo=UTC)) == berlin(2026, 11, 26, 9, 30)
    # 23:30 UTC on the 26th is already the 27th in Berlin: the 26th's slot is not given.
    assert local_slot_today(sched, datetime(2026, 11, 26, 23, 30, tzinfo=UTC)) is None


def test_no_slot_on_a_day_without_a_quiz() -> None:
    weekdays = schedule(days=WEEKDAYS)
    saturday = berlin(2026, 11, 28, 12, 0)
    assert saturday.weekday() == 5
    assert local_slot_today(weekdays, saturday) is None
    assert local_slot_today(schedule(days=(0, 2, 4)), berlin(2026, 11, 24, 12, 0)) is None  # a Tuesday


def test_an_earlier_days_slot_is_never_given_today() -> None:
    weekdays = schedule(days=WEEKDAYS)
    # Monday's slot was missed; on Tuesday before 09:30 there is no slot, and
    # after it the slot is Tuesday's own.
    assert local_slot_today(weekdays, berlin(2026, 11, 24, 8, 0)) is None
    assert local_slot_today(weekdays, berlin(2026, 11, 24, 10, 0)) == berlin(2026, 11, 24, 9, 30)
    # Monday's slot is not given on Saturday or Sunday either.
    assert local_slot_today(weekdays, berlin(2026, 11, 29, 10, 0)) is None


def test_todays_slot_across_the_spring_change() -> None:
    sched = schedule()
    assert local_slot_today(sched, berlin(2026, 3, 29, 9, 0)) is None
    slot = local_slot_today(sched, berlin(2026, 3, 29, 10, 0))
    assert slot == berlin(2026, 3, 29, 9, 30)
    assert slot is not None and slot.utcoffset() == CEST
    assert slot_key(slot) == "2026-03-29T09:30"


def test_todays_slot_across_the_autumn_change() -> None:
    sched = schedule()
    slot = local_slot_today(sched, berlin(2026, 10, 25, 10, 0))
    assert slot is not None and slot.utcoffset() == CET
    assert slot.astimezone(UTC) == datetime(2026, 10, 25, 8, 30, tzinfo=UTC)


def test_a_slot_in_the_spring_gap_is_given_once_the_gap_has_passed() -> None:
    sched = schedule(at=time(2, 30))
    assert local_slot_today(sched, berlin(2026, 3, 29, 1, 59)) is None
    slot = local_slot_today(sched, datetime(2026, 3, 29, 2, 0, tzinfo=UTC))  # 04:00 CEST
    assert slot is not None
    assert in_berlin(slot).date() == date(2026, 3, 29)
    assert slot <= datetime(2026, 3, 29, 2, 0, tzinfo=UTC)


def test_a_repeated_time_gives_one_slot_all_day() -> None:
    sched = schedule(at=time(2, 30))
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    seen = {
        local_slot_today(sched, first + timedelta(minutes=minutes)) for minutes in (0, 30, 60, 90, 600, 1200)
    }
    assert len(seen) == 1
    [slot] = seen
    assert slot is not None and slot_key(slot) == "2026-10-25T02:30"
    assert local_slot_today(sched, first - timedelta(seconds=1)) is None


# --- next_post ------------------------------------------------------------------------


def test_next_post_later_today() -> None:
    upcoming = next_post(schedule(), berlin(2026, 11, 26, 8, 0))
    assert upcoming == berlin(2026, 11, 26, 9, 30)
    assert upcoming is not None and upcoming.tzinfo == BERLIN


def test_next_post_after_friday_is_monday() -> None:
    friday = berlin(2026, 11, 27, 10, 0)
    assert next_post(schedule(days=WEEKDAYS), friday) == berlin(2026, 11, 30, 9, 30)


def test_next_post_from_utc_is_in_the_channels_zone() -> None:
    upcoming = next_post(schedule(), datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert upcoming is not None
    assert (upcoming.date(), upcoming.time(), upcoming.utcoffset()) == (date(2026, 3, 29), time(9, 30), CEST)


def test_next_post_after_the_autumn_change() -> None:
    upcoming = next_post(schedule(), berlin(2026, 10, 24, 12, 0))
    assert upcoming is not None
    assert upcoming.astimezone(UTC) == datetime(2026, 10, 25, 8, 30, tzinfo=UTC)


# --- the trigger across DST ------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "change_day"),
    [(date(2026, 3, 24), date(2026, 3, 29)), (date(2026, 10, 20), date(2026, 10, 25))],
)
def test_a_0930_schedule_fires_once_a_day_at_0930_local_across_dst(first_day: date, change_day: date) -> None:
    start = datetime.combine(first_day, time(0, 0), BERLIN)
    moments = fires(schedule(), start, start + timedelta(days=10))
    assert len(moments) == 10
    summer_from_change = change_day.month == 3
    for index, moment in enumerate(moments):
        local = in_berlin(moment)
        assert local.date() == first_day + timedelta(days=index)
        assert local.time() == time(9, 30)
        before_change = local.date() < change_day
        in_summer = before_change != summer_from_change
        assert local.utcoffset() == (CEST if in_summer else CET), local
    gaps = {b - a for a, b in zip(moments, moments[1:], strict=False)}
    assert gaps == {timedelta(hours=24), timedelta(hours=23 if summer_from_change else 25)}


def test_a_weekday_schedule_skips_the_weekend_of_the_change() -> None:
    start = berlin(2026, 3, 23)
    moments = fires(schedule(days=WEEKDAYS), start, start + timedelta(days=14))
    days = [in_berlin(m).date() for m in moments]
    assert days == [date(2026, 3, d) for d in (23, 24, 25, 26, 27, 30, 31)] + [
        date(2026, 4, d) for d in (1, 2, 3)
    ]
    assert all(in_berlin(m).time() == time(9, 30) for m in moments)


def test_a_time_in_the_spring_gap_fires_at_most_once_that_day() -> None:
    start = berlin(2026, 3, 27)
    moments = fires(schedule(at=time(2, 30)), start, berlin(2026, 4, 1))
    per_day = local_dates(moments)
    assert per_day[date(2026, 3, 28)] == 1
    assert per_day[date(2026, 3, 29)] == 1  # fires once, at the shifted time (03:30 CEST)
    assert per_day[date(2026, 3, 30)] == 1
    assert all(count == 1 for day, count in per_day.items() if day != date(2026, 3, 29))
    for moment in moments:
        local = in_berlin(moment)
        if local.date() == date(2026, 3, 29):
            assert local.time() >= time(3, 0), "02:30 does not exist that day; it cannot fire before 03:00"
        else:
            assert local.time() == time(2, 30)


def test_a_repeated_time_in_the_autumn_fires_once() -> None:
    start = berlin(2026, 10, 23)
    moments = fires(schedule(at=time(2, 30)), start, berlin(2026, 10, 28))
    per_day = local_dates(moments)
    assert per_day == Counter({date(2026, 10, d): 1 for d in (23, 24, 25, 26, 27)})
    on_the_day = [m for m in moments if in_berlin(m).date() == date(2026, 10, 25)]
    assert on_the_day[0].astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert all(in_berlin(m).time() == time(2, 30) for m in moments)


def test_a_trigger_created_between_the_two_0230s_waits_for_the_next_day() -> None:
    between = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # 02:45 CEST, before the clocks go back
    fire = trigger_of(schedule(at=time(2, 30))).get_next_fire_time(None, between)
    assert fire is not None
    assert fire.astimezone(UTC) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_a_daily_schedule_fires_365_times_in_2026() -> None:
    start = berlin(2026, 1, 1)
    moments = fires(schedule(at=time(2, 30)), start, berlin(2027, 1, 1))
    assert len(local_dates(moments)) == len(moments) == 365


# --- helpers ------------------------------------------------------------------------------


def test_slot_key_is_local_date_and_time() -> None:
    assert slot_key(berlin(2026, 11, 26, 9, 30, 59)) == "2026-11-26T09:30"


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 11, 26), 24)]
)
def test_end_of_local_day(day: date, hours: int) -> None:
    noon = datetime.combine(day, time(12, 0), BERLIN)
    end = end_of_local_day(noon.astimezone(UTC), BERLIN)
    assert end == datetime.combine(day + timedelta(days=1), time(0, 0), BERLIN)
    start = datetime.combine(day, time(0, 0), BERLIN)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)


def test_midnight_slot_after_spring_forward_is_not_skipped() -> None:
    """APScheduler's own cron arithmetic, stepping from the previous fire, skips
    9 March here (agronholm/apscheduler #529, #606)."""
    zone = ZoneInfo("America/New_York")
    trigger = trigger_of(parse_schedule("C1", ["00:30", "America/New_York", "daily"], "UTC"))
    previous = datetime(2026, 3, 8, 0, 30, tzinfo=zone)
    fire = trigger.get_next_fire_time(previous, previous)
    assert fire is not None
    assert fire.astimezone(zone).replace(tzinfo=None) == datetime(2026, 3, 9, 0, 30)
