"""APScheduler wiring: every job calls one function of the service layer.

Per scheduled channel, two jobs in the channel's zone: its quiz and its weekly
results, with ids that name the workspace (`quiz:E…:T…:C…`).  Their trigger is
`SlotTrigger`, a `CronTrigger` whose fire times come from `bot.domain.slots.next_fire`
(once per local slot on DST days).  Shared jobs: recovery (unrecorded posts,
due slots and results never posted, half-done closes), answer counts, stale
Home tabs, glossary reloads, deleting uninstalled workspaces' data, and a sync
that re-reads schedules so a change made through another process reaches this
one.  The sync replaces a job only when its schedule changed: replacing makes
APScheduler compute the next run from now, which would skip a run that is due.

`coalesce=True`: a job that missed several runs while the process was stalled
runs once.  `misfire_grace_time=None`: a late run still happens; the service
decides whether it is too late (a quiz is only posted the same local day).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.domain.slots import DAY_NAMES, StoredSchedule, next_fire
from bot.services import Services
from bot.services.snapshots import Glossaries

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}
CHANNEL_JOBS = ("quiz", "results")


class SlotTrigger(CronTrigger):  # type: ignore[misc]
    """A CronTrigger that fires exactly once per scheduled local date (see `bot.domain.slots.next_fire`)."""

    def __init__(self, at: time, days: tuple[int, ...], zone: ZoneInfo) -> None:
        super().__init__(
            day_of_week=",".join(DAY_NAMES[d] for d in days), hour=at.hour, minute=at.minute, timezone=zone
        )
        self.slot_at = at
        self.slot_days = frozenset(days)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        start = now
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + timedelta(microseconds=1))
            if start == previous_fire_time:
                start += timedelta(microseconds=1)
        return next_fire(self.slot_at, self.slot_days, self.timezone, start)


def quiz_trigger(stored: StoredSchedule) -> SlotTrigger:
    s = stored.schedule
    return SlotTrigger(s.at, s.days, s.zone)


def results_trigger(stored: StoredSchedule, settings: Settings) -> SlotTrigger:
    return SlotTrigger(settings.results_time, (settings.results_day,), stored.schedule.zone)


def job_id(kind: str, stored: StoredSchedule) -> str:
    return f"{kind}:{stored.workspace.key}:{stored.schedule.channel_id}"


class Jobs:
    def __init__(self, services: Services, glossaries: Glossaries, settings: Settings) -> None:
        self.services = services
        self.glossaries = glossaries
        self.settings = settings
        self.scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        self._lock = threading.Lock()
        self._signatures: dict[str, tuple[Any, ...]] = {}

    def _wanted(self) -> dict[str, tuple[tuple[Any, ...], str, StoredSchedule]]:
        """Job id → (the schedule's signature, the kind of job, the schedule)."""
        wanted = {}
        for stored in self.services.core.storage.schedules.active():
            s = stored.schedule
            signature = (s.at, s.days, s.timezone)
            for kind in CHANNEL_JOBS:
                wanted[job_id(kind, stored)] = (signature, kind, stored)
        return wanted

    def _add(self, jid: str, kind: str, stored: StoredSchedule) -> None:
        args = [stored.workspace, stored.schedule.channel_id]
        if kind == "quiz":
            self.scheduler.add_job(
                self.services.posting.run_slot, quiz_trigger(stored), args=args, id=jid, replace_existing=True
            )
        else:
            trigger = results_trigger(stored, self.settings)
            self.scheduler.add_job(
                self.services.weekly.run, trigger, args=args, id=jid, replace_existing=True
            )

    def sync(self) -> None:
        """Make this process's channel jobs match the active schedules in the database.

        A trigger is built only for a job that is new or whose schedule changed, so a sync over
        thousands of unchanged schedules costs one query and a comparison each.
        """
        with self._lock:
            wanted = self._wanted()
            for jid in [j for j in self._signatures if j not in wanted]:
                if self.scheduler.get_job(jid) is not None:
                    self.scheduler.remove_job(jid)
                del self._signatures[jid]
            for jid, (signature, kind, stored) in wanted.items():
                if self._signatures.get(jid) == signature:
                    continue  # unchanged: replacing it would recompute its next run from now
                self._add(jid, kind, stored)
                self._signatures[jid] = signature

    def start(self) -> None:
        services = self.services
        every: dict[str, tuple[Callable[[], Any], float]] = {
            "recover": (services.posting.recover, 20),
            "counts": (services.closing.flush_counts, self.settings.count_update_interval.total_seconds()),
            "homes": (services.home.publish_stale, 5),
            "glossary": (services.overlays.refresh, 2),  # the file, and approved suggestions
            "sync": (self.sync, 30),
            "retention": (services.workspaces.purge_due, 3600),
        }
        for name, (func, seconds) in every.items():
            # A job that raises is logged by APScheduler and runs again next time.
            self.scheduler.add_job(func, IntervalTrigger(seconds=seconds), id=name)
        self.sync()
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
