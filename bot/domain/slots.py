"""Pure slot logic: parsing `/quiz schedule` text, fire times, slots and local days.

A `Schedule` says when a channel gets its quiz: a local time, an IANA zone and a
set of weekdays.  `next_fire` computes when it fires from local dates, so DST
days behave: a spring-forward gap fires once, an autumn repeat fires once too
(`bot.jobs.SlotTrigger` hands it to APScheduler).  A *slot* is the key of one
scheduled post: the channel's local date and time, the same in every process,
which the database uses to post each slot exactly once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.workspace import Workspace

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class DaysError(ValueError):
    pass


class ScheduleError(ValueError):
    """`/quiz schedule` text that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class Schedule:
    channel_id: str
    at: time
    timezone: str
    days: tuple[int, ...]  # 0 = Monday

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days_text(self) -> str:
        return format_days(self.days)

    def next_fire(self, start: datetime) -> datetime | None:
        return next_fire(self.at, self.days, self.zone, start)

    def describe(self) -> str:
        return f"{self.at:%H:%M} {self.timezone}, {self.days_text}"


def next_fire(
    at: time, days: frozenset[int] | tuple[int, ...], zone: ZoneInfo, start: datetime
) -> datetime | None:
    """The first slot at or after `start`: `at` local time on one of `days`, in `zone`.

    Computed from local dates, not by cron field arithmetic, which skips a whole
    day when the time falls in a gap that starts at midnight (America/Havana on
    2026-03-08: 00:30 never fires).  A time that happens twice (autumn) fires at
    its first occurrence, as cron(8) does; a time that does not exist (spring)
    fires once, at the same local wall time read with the offset from before
    the change (02:30 becomes 03:30).
    """
    # From the day before: a gap may push yesterday's slot past midnight.
    day = start.astimezone(zone).date() - timedelta(days=1)
    for _ in range(9):
        if day.weekday() in days:
            fire = datetime.combine(day, at, zone)  # fold=0: the first of a repeated time
            if fire.timestamp() >= start.timestamp():
                return fire
        day += timedelta(days=1)
    return None


def parse_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    if match is None:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def parse_days(text: str) -> tuple[int, ...]:
    """`mon-fri`, `daily`, `weekdays`, `weekends`, `mon,wed,fri`, `sat-mon` → sorted weekday numbers."""
    text = text.strip().lower()
    named = {"daily": "mon-sun", "everyday": "mon-sun", "weekdays": "mon-fri", "weekends": "sat-sun"}
    text = named.get(text, text)
    if not text:
        raise DaysError("no days")
    days: set[int] = set()
    for part in text.split(","):
        ends = part.strip().split("-")
        if len(ends) > 2 or any(e[:3] not in DAY_NAMES or not _is_day_word(e) for e in ends):
            raise DaysError(part)
        first, last = DAY_NAMES.index(ends[0][:3]), DAY_NAMES.index(ends[-1][:3])
        span = (last - first) % 7
        days.update((first + i) % 7 for i in range(span + 1))
    return tuple(sorted(days))


def _is_day_word(word: str) -> bool:
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return any(f.startswith(word) for f in full) and len(word) >= 3


def format_days(days: tuple[int, ...]) -> str:
    if days == tuple(range(7)):
        return "daily"
    if days == tuple(range(5)):
        return "mon-fri"
    return ",".join(DAY_NAMES[d] for d in days)


def find_zone(name: str) -> ZoneInfo | None:
    """Any IANA zone name, `Europe/Berlin`, `Japan`, `GMT` or `Etc/GMT+5`, in any letter case."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    canonical = _zone_names().get(name.lower(), name)
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@functools.cache
def _zone_names() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


USAGE = (
    "Use `/quiz schedule HH:MM [TIMEZONE] [DAYS]`, for example `/quiz schedule 09:30 Europe/Berlin mon-fri`."
)


def parse_schedule(channel_id: str, words: list[str], default_zone: str) -> Schedule:
    """Parse the words after `/quiz schedule`: HH:MM [TIMEZONE] [DAYS], in either order after the time."""
    if not words:
        raise ScheduleError(f"Tell me when to post. {USAGE}")
    at = parse_time(words[0])
    if at is None:
        raise ScheduleError(f"'{words[0][:40]}' is not a time of day (HH:MM, 24-hour). {USAGE}")
    rest = words[1:]
    if len(rest) > 2:
        raise ScheduleError(f"Too many words. {USAGE}")
    zone: ZoneInfo | None = None
    days: tuple[int, ...] | None = None
    for word in rest:
        # Two zones or two sets of days would otherwise keep only the last one silently.
        try:
            parsed_days = parse_days(word)
        except DaysError:
            parsed_days = None
        if parsed_days is not None:
            if days is not None:
                raise ScheduleError(f"Give the days as one word, such as mon,wed,fri. {USAGE}")
            days = parsed_days
            continue
        found = find_zone(word)
        if found is None:
            # Zones are written with capitals or a slash (Japan, UTC, Europe/Berlin); days never are.
            if "/" in word or word[:1].isupper():
                raise ScheduleError(
                    f"'{word[:60]}' is not a time zone I know. Use an IANA name such as Europe/Berlin, "
                    "America/New_York, Japan or UTC."
                )
            raise ScheduleError(
                f"'{word[:40]}' is not a set of days. Use mon-fri, daily, mon-sun or a list such as mon,wed,fri."
            )
        if zone is not None:
            raise ScheduleError(f"Give one time zone, not two. {USAGE}")
        zone = found
    zone_name = zone.key if zone is not None else default_zone
    return Schedule(channel_id=channel_id, at=at, timezone=zone_name, days=days or parse_days("mon-fri"))


def slot_key(local: datetime) -> str:
    """The slot's key: local date and time in the channel's zone, e.g. 2026-11-26T09:30."""
    return local.strftime("%Y-%m-%dT%H:%M")


def local_slot_today(schedule: Schedule, now: datetime) -> datetime | None:
    """Today's slot in the channel's zone if today is a quiz day and its time has come.

    A slot missed while the bot was down is still posted later the same local
    day, never on a later day.
    """
    local_now = now.astimezone(schedule.zone)
    if local_now.weekday() not in schedule.days:
        return None
    fire = schedule.next_fire(_start_of_day(local_now.date(), schedule.zone))
    # Instants, not wall times: aware datetimes in one zone compare by wall time,
    # and in the repeated autumn hour 02:15 (second time) is after 02:30 (first).
    if fire is None or fire.date() != local_now.date() or fire.timestamp() > now.timestamp():
        return None
    return fire.astimezone(schedule.zone)


def next_post(schedule: Schedule, now: datetime) -> datetime | None:
    fire = schedule.next_fire(now)
    return fire.astimezone(schedule.zone) if fire is not None else None


def _start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), zone)


def end_of_local_day(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return _start_of_day(local.date() + timedelta(days=1), zone)


@dataclass(frozen=True)
class StoredSchedule:
    workspace: Workspace
    schedule: Schedule
    last_error: str | None = None
    last_error_at: datetime | None = None
