"""bot/domain/leaderboard.py: ISO weeks in a channel's zone (DST weeks are 167 and 169
hours long in Europe/Berlin), week labels, and competition ranking."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.leaderboard import (
    Score,
    Standing,
    Week,
    parse_week,
    previous_week,
    rank_scores,
    week_containing,
    week_dates,
    week_of,
)

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def length(week: Week) -> timedelta:
    return week.end - week.start


# --- weeks ----------------------------------------------------------------------------


def test_an_ordinary_week_runs_monday_to_monday_in_the_zone() -> None:
    week = week_of(date(2026, 11, 26), BERLIN)
    assert week.label == "2026-W48"
    assert week.start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 23 Nov 00:00 CET
    assert week.end == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert week.start.tzinfo == UTC and week.end.tzinfo == UTC
    assert length(week) == timedelta(hours=168)


def test_the_spring_dst_week_is_167_hours() -> None:
    week = week_of(date(2026, 3, 29), BERLIN)
    assert week.label == "2026-W13"
    assert week.start == datetime(2026, 3, 22, 23, 0, tzinfo=UTC)  # Monday 23 March 00:00 CET
    assert week.end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # Monday 30 March 00:00 CEST
    assert length(week) == timedelta(hours=167)


def test_the_autumn_dst_week_is_169_hours() -> None:
    week = week_of(date(2026, 10, 25), BERLIN)
    assert week.label == "2026-W43"
    assert week.start == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)  # Monday 19 Oct 00:00 CEST
    assert week.end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # Monday 26 Oct 00:00 CET
    assert length(week) == timedelta(hours=169)


@pytest.mark.parametrize("sunday", [date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 29)])
def test_sunday_2359_belongs_to_the_week_and_monday_0000_starts_the_next(sunday: date) -> None:
    assert sunday.weekday() == 6
    last_minute = datetime.combine(sunday, datetime.min.time(), BERLIN).replace(hour=23, minute=59)
    monday = datetime.combine(sunday + timedelta(days=1), datetime.min.time(), BERLIN)
    this = week_containing(last_minute, BERLIN)
    following = week_containing(monday, BERLIN)
    assert this.start <= last_minute < this.end
    assert following.start == this.end == monday
    assert following.start <= monday < following.end
    assert this.label != following.label
    # One microsecond before Monday is still the old week, in UTC terms too.
    assert week_containing(monday.astimezone(UTC) - timedelta(microseconds=1), BERLIN) == this


def test_every_moment_of_a_week_maps_to_that_week() -> None:
    week = week_of(date(2026, 10, 21), BERLIN)
    moment = week.start
    while moment < week.end:
        assert week_containing(moment, BERLIN) == week, moment
        moment += timedelta(minutes=30)
    assert week_containing(week.end, BERLIN) != week


def test_the_week_depends_on_the_channels_zone() -> None:
    # Sunday 20:00 UTC is Sunday 21:00 in Berlin but Monday 05:00 in Tokyo.
    moment = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert week_containing(moment, BERLIN).label == "2026-W48"
    assert week_containing(moment, TOKYO).label == "2026-W49"
    assert week_containing(moment, TOKYO).start == datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def test_iso_weeks_at_the_turn_of_the_year() -> None:
    assert week_of(date(2027, 1, 1), BERLIN).label == "2026-W53"
    assert week_of(date(2026, 1, 1), BERLIN).label == "2026-W01"
    assert week_of(date(2025, 12, 29), BERLIN).label == "2026-W01"
    assert week_of(date(2024, 12, 30), BERLIN).label == "2025-W01"


def test_previous_week() -> None:
    now = berlin(2026, 3, 30, 9, 0)
    assert previous_week(now, BERLIN) == week_of(date(2026, 3, 29), BERLIN)
    assert previous_week(now, BERLIN).end == week_containing(now, BERLIN).start


# --- parse_week ------------------------------------------------------------------------


def test_parse_week() -> None:
    week = parse_week("2026-W48", BERLIN)
    assert week == week_of(date(2026, 11, 23), BERLIN)
    assert week.label == "2026-W48"
    assert parse_week("  2026-W13 ", BERLIN) == week_of(date(2026, 3, 25), BERLIN)


def test_a_year_with_53_weeks() -> None:
    assert parse_week("2026-W53", BERLIN).start == datetime(2026, 12, 27, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("label", ["2026-W54", "2025-W53", "2026-W00"])
def test_a_week_that_the_year_does_not_have(label: str) -> None:
    with pytest.raises(ValueError, match=f"'{label}' is not a week of that year"):
        parse_week(label, BERLIN)


@pytest.mark.parametrize("label", ["garbage", "", "2026-48", "2026-w48", "2026-W4", "26-W48", "2026-W48-1"])
def test_text_that_is_not_an_iso_week(label: str) -> None:
    with pytest.raises(ValueError, match="is not an ISO week such as 2026-W48"):
        parse_week(label, BERLIN)


# --- ranking ---------------------------------------------------------------------------


def test_equal_points_share_a_rank_and_the_next_rank_skips() -> None:
    standings = rank_scores(
        [
            Score("U4", points=1, answered=5),
            Score("U3", points=3, answered=3, streak=2),
            Score("U1", points=5, answered=5, streak=5),
            Score("U2", points=3, answered=4),
        ]
    )
    assert [(s.rank, s.user, s.points) for s in standings] == [
        (1, "U1", 5),
        (2, "U2", 3),
        (2, "U3", 3),
        (4, "U4", 1),
    ]
    assert standings[2] == Standing(rank=2, user="U3", points=3, answered=3, streak=2)


def test_ties_are_listed_by_user_id_whatever_the_input_order() -> None:
    scores = [Score(u, points=2, answered=2) for u in ("UC", "UA", "UB")]
    for order in (scores, scores[::-1], scores[1:] + scores[:1]):
        standings = rank_scores(order)
        assert [s.user for s in standings] == ["UA", "UB", "UC"]
        assert [s.rank for s in standings] == [1, 1, 1]


def test_a_tie_after_a_tie() -> None:
    scores = [Score("A", 4, 4), Score("B", 4, 4), Score("C", 2, 2), Score("D", 2, 3), Score("E", 0, 3)]
    assert [s.rank for s in rank_scores(scores)] == [1, 1, 3, 3, 5]


def test_no_scores_no_standings() -> None:
    assert rank_scores([]) == []


def test_a_standing_as_json() -> None:
    [standing] = rank_scores([Score("U1", points=2, answered=3, streak=4)])
    assert standing.as_dict() == {"user": "U1", "points": 2, "answered": 3, "rank": 1, "streak": 4}


AUCKLAND = ZoneInfo("Pacific/Auckland")


@pytest.mark.parametrize(
    ("day", "zone", "expected"),
    [
        (date(2026, 12, 2), BERLIN, "30 Nov – 6 Dec"),  # ISO 2026-W49, across two months
        (date(2026, 11, 26), BERLIN, "23–29 Nov"),  # one month
        (date(2026, 12, 30), BERLIN, "28 Dec 2026 – 3 Jan 2027"),  # across two years
        (date(2026, 10, 28), BERLIN, "26 Oct – 1 Nov"),  # the week after the clocks went back
        (date(2026, 3, 31), BERLIN, "30 Mar – 5 Apr"),  # a 167-hour week
    ],
)
def test_a_week_reads_as_its_first_and_last_day(day: date, zone: ZoneInfo, expected: str) -> None:
    week = week_of(day, zone)
    assert week_dates(week.start, week.end, zone) == expected
    assert week.dates == expected


def test_week_dates_are_the_days_in_the_zone_passed_in() -> None:
    # Monday 00:00 in Auckland is still Sunday in UTC: the dates follow the zone, not UTC.
    week = week_of(date(2026, 12, 2), AUCKLAND)
    assert week.start.date() == date(2026, 11, 29)
    assert week_dates(week.start, week.end, AUCKLAND) == "30 Nov – 6 Dec"
    assert week_dates(week.start, week.end, ZoneInfo("UTC")) == "29 Nov – 5 Dec"
