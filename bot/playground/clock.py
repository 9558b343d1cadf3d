"""The bot's clock in the playground: real time plus an offset that only moves forward.

The time controls jump it ahead ("next week"); between jumps it runs at the
speed of real time, so the bot's scheduled jobs, its answers and Slack's
message timestamps all agree on one "now".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def real_now() -> datetime:
    return datetime.now(UTC)


class OffsetClock:
    def __init__(self, start: datetime | None = None, real: Callable[[], datetime] = real_now) -> None:
        self._real = real
        self._lock = threading.Lock()
        self._offset = (start - real()) if start is not None else timedelta(0)

    def __call__(self) -> datetime:
        with self._lock:
            return self._real() + self._offset

    def timestamp(self) -> float:
        return self().timestamp()

    def move_to(self, moment: datetime) -> None:
        """Jump to `moment`; never backwards (the bot's claims and weeks assume time moves on)."""
        with self._lock:
            self._offset = max(self._offset, moment - self._real())


def next_weekly(now: datetime, zone: ZoneInfo, weekday: int, at: time) -> datetime:
    """The first `weekday` (0 = Monday) at local `at` in `zone` strictly after `now`, in UTC."""
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    moment = datetime.combine(day, at, zone)
    if moment <= now:
        moment = datetime.combine(day + timedelta(days=7), at, zone)
    return moment.astimezone(UTC)
