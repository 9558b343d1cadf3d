"""Pure leaderboard logic: ISO weeks in a channel's zone, ranking.

A week runs from Monday 00:00 to the next Monday 00:00 in the channel's zone
(so a DST week is 167 or 169 hours long).  Ranking is standard competition
ranking: equal points share a rank and the next rank skips (1, 2, 2, 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)  # not the locale's


@dataclass(frozen=True)
class Week:
    label: str  # ISO week, e.g. 2026-W48: the key the bot stores and buttons carry
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, exclusive
    dates: str = ""  # what people read, e.g. "30 Nov – 6 Dec" (see `week_dates`)


@dataclass(frozen=True)
class Score:
    user: str
    points: int
    answered: int
    streak: int = 0


@dataclass(frozen=True)
class Standing:
    rank: int
    user: str
    points: int
    answered: int
    streak: int

    def as_dict(self) -> dict[str, object]:
        return {
            "user": self.user,
            "points": self.points,
            "answered": self.answered,
            "rank": self.rank,
            "streak": self.streak,
        }


def week_dates(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """A week as people read it, its first and last day in `zone`: "30 Nov – 6 Dec", "23–29 Nov",
    and with the years when it spans two ("28 Dec 2026 – 3 Jan 2027").  `end` is exclusive."""
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date() - timedelta(days=1)
    if first.year != last.year:
        return f"{first.day} {_MONTHS[first.month - 1]} {first.year} – {last.day} {_MONTHS[last.month - 1]} {last.year}"
    if first.month != last.month:
        return f"{first.day} {_MONTHS[first.month - 1]} – {last.day} {_MONTHS[last.month - 1]}"
    return f"{first.day}–{last.day} {_MONTHS[last.month - 1]}"


def week_of(day: date, zone: ZoneInfo) -> Week:
    year, number, _ = day.isocalendar()
    monday = date.fromisocalendar(year, number, 1)
    start = datetime.combine(monday, time(0, 0), zone)
    end = datetime.combine(monday + timedelta(days=7), time(0, 0), zone)
    return Week(
        f"{year}-W{number:02d}", start.astimezone(UTC), end.astimezone(UTC), week_dates(start, end, zone)
    )


def week_containing(moment: datetime, zone: ZoneInfo) -> Week:
    return week_of(moment.astimezone(zone).date(), zone)


def previous_week(moment: datetime, zone: ZoneInfo) -> Week:
    return week_of(moment.astimezone(zone).date() - timedelta(days=7), zone)


def parse_week(label: str, zone: ZoneInfo) -> Week:
    """`2026-W48` → that week in `zone`; ValueError for anything else."""
    match = _WEEK.match(label.strip())
    if match is None:
        raise ValueError(f"'{label}' is not an ISO week such as 2026-W48")
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise ValueError(f"'{label}' is not a week of that year") from None
    return week_of(monday, zone)


def rank_scores(scores: Iterable[Score]) -> list[Standing]:
    """Most points first; equal points share a rank; ties listed by user id for stability."""
    ordered = sorted(scores, key=lambda s: (-s.points, s.user))
    out: list[Standing] = []
    for position, score in enumerate(ordered, start=1):
        rank = out[-1].rank if out and out[-1].points == score.points else position
        out.append(Standing(rank, score.user, score.points, score.answered, score.streak))
    return out
