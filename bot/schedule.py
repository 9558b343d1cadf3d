"""Pure schedule logic: parsing `/quiz schedule` text, slots and next posts.

A `Schedule` says when a channel gets its quiz: a local time, an IANA zone and a
set of weekdays.  The trigger that fires it is `SlotTrigger`, APScheduler's
`CronTrigger` in the channel's zone, which also answers "when is the next post"
and handles DST days: a spring-forward gap fires once, and an autumn repeat,
which a bare CronTrigger fires twice, fires once too.  A *slot* is the key of
one scheduled post: the channel's local date and time, the same in every
process, which the database uses to post each slot exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

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

    def trigger(self) -> CronTrigger:
        return cron_trigger(self.at, self.days, self.zone)

    def describe(self) -> str:
        return f"{self.at:%H:%M} {self.timezone}, {self.days_text}"


class SlotTrigger(CronTrigger):  # type: ignore[misc]
    """A CronTrigger that fires exactly once per scheduled local date.

    The next fire time is computed from the local dates themselves, not by
    CronTrigger's field arithmetic, which skips a whole day when the time falls
    in a gap that starts at midnight (America/Havana on 2026-03-08: 00:30 never
    fires).  A time that happens twice (autumn) fires at its first occurrence,
    as cron(8) does; a time that does not exist (spring) fires once, at the
    same local wall time read with the offset from before the change (02:30
    becomes 03:30), as CronTrigger does for gaps that are not at midnight.
    """

    def __init__(self, at: time, days: tuple[int, ...], zone: ZoneInfo) -> None:
        super().__init__(
            day_of_week=",".join(DAY_NAMES[d] for d in days), hour=at.hour, minute=at.minute, timezone=zone
        )
        self.slot_at = at
        self.slot_days = frozenset(days)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + timedelta(microseconds=1))
            if start == previous_fire_time:
                start += timedelta(microseconds=1)
        else:
            start = now
        zone: ZoneInfo = self.timezone
        # From the day before: a gap may push yesterday's slot past midnight.
        day = start.astimezone(zone).date() - timedelta(days=1)
        for _ in range(9):
            if day.weekday() in self.slot_days:
                fire = datetime.combine(day, self.slot_at, zone)  # fold=0: the first of a repeated time
                if fire.timestamp() >= start.timestamp():
                    return fire
            day += timedelta(days=1)
        return None


def cron_trigger(at: time, days: tuple[int, ...], zone: ZoneInfo) -> CronTrigger:
    return SlotTrigger(at, days, zone)


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


def parse_schedule(channel_id: str, words: list[str], default_zone: str) -> Schedule:
    """Parse the words after `/quiz schedule`: HH:MM [TIMEZONE] [DAYS]."""
    usage = "Use `/quiz schedule HH:MM [TIMEZONE] [DAYS]`, for example `/quiz schedule 09:30 Europe/Berlin mon-fri`."
    if not words:
        raise ScheduleError(f"Tell me when to post. {usage}")
    at = parse_time(words[0])
    if at is None:
        raise ScheduleError(f"'{words[0][:40]}' is not a time of day (HH:MM, 24-hour). {usage}")
    zone_name, days_text = default_zone, "mon-fri"
    rest = words[1:]
    if len(rest) > 2:
        raise ScheduleError(f"Too many words. {usage}")
    zone_given = days_given = False
    for word in rest:
        # Two zones or two sets of days would otherwise keep only the last one silently.
        if "/" in word or word.upper() == "UTC":
            if zone_given:
                raise ScheduleError(f"Give one time zone, not two. {usage}")
            zone_name, zone_given = (word if word.upper() != "UTC" else "UTC"), True
        else:
            if days_given:
                raise ScheduleError(f"Give the days as one word, such as mon,wed,fri. {usage}")
            days_text, days_given = word, True
    try:
        ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"'{zone_name[:60]}' is not a time zone I know. Use an IANA name such as Europe/Berlin or America/New_York."
        ) from None
    try:
        days = parse_days(days_text)
    except DaysError:
        raise ScheduleError(
            f"'{days_text[:40]}' is not a set of days. Use mon-fri, daily, mon-sun or a list such as mon,wed,fri."
        ) from None
    return Schedule(channel_id=channel_id, at=at, timezone=zone_name, days=days)


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
    fire: datetime | None = schedule.trigger().get_next_fire_time(
        None, _start_of_day(local_now.date(), schedule.zone)
    )
    # Instants, not wall times: aware datetimes in one zone compare by wall time,
    # and in the repeated autumn hour 02:15 (second time) is after 02:30 (first).
    if fire is None or fire.date() != local_now.date() or fire.timestamp() > now.timestamp():
        return None
    return fire.astimezone(schedule.zone)


def next_post(schedule: Schedule, now: datetime) -> datetime | None:
    fire: datetime | None = schedule.trigger().get_next_fire_time(None, now.astimezone(schedule.zone))
    return fire.astimezone(schedule.zone) if fire is not None else None


def _start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), zone)


def end_of_local_day(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return _start_of_day(local.date() + timedelta(days=1), zone)
