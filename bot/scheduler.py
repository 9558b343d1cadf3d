"""APScheduler wiring: every job calls one function of the service layer.

Per channel with a schedule: a cron job in the channel's zone for its quiz
(`SlotTrigger`, APScheduler's `CronTrigger` in the channel's zone, made to fire
once even when an autumn DST change repeats the local time)
and one for the weekly results.  Shared jobs: recovery and closing, answer
counts, stale Home tabs, glossary reloads, and a sync that re-reads schedules so
that a change made through another process reaches this one.

`coalesce=True`: a job that missed several runs while the process was stalled
runs once.  `misfire_grace_time=None`: a late run still happens; the service
itself decides whether it is too late (a quiz is only posted the same local
day), so the rule lives in one place, in the database-backed service.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.glossary_source import GlossarySource
from bot.home import HomeService
from bot.schedule import DAY_NAMES, Schedule, cron_trigger, parse_time
from bot.service import Service

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}


def results_trigger(schedule: Schedule, settings: Settings) -> CronTrigger:
    at = parse_time(settings.results_time)
    assert at is not None  # validated in config
    return cron_trigger(at, (DAY_NAMES.index(settings.results_day[:3]),), schedule.zone)


class QuizScheduler:
    def __init__(
        self, service: Service, home: HomeService, source: GlossarySource, settings: Settings
    ) -> None:
        self.service = service
        self.home = home
        self.source = source
        self.settings = settings
        self.scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)

    def sync(self) -> None:
        """Make this process's channel jobs match the schedules in the database."""
        wanted = {s.channel_id: s for s in self.service.store.list_schedules()}
        for job in self.scheduler.get_jobs():
            kind, _, channel = job.id.partition(":")
            if kind in ("quiz", "results") and channel not in wanted:
                job.remove()
        for channel, schedule in wanted.items():
            self.scheduler.add_job(
                self.service.run_slot,
                schedule.trigger(),
                args=[channel],
                id=f"quiz:{channel}",
                replace_existing=True,
            )
            self.scheduler.add_job(
                self.service.run_weekly,
                results_trigger(schedule, self.settings),
                args=[channel],
                id=f"results:{channel}",
                replace_existing=True,
            )

    def start(self) -> None:
        every = {
            "recover": (self.service.recover, 20),
            "counts": (self.service.flush_counts, self.settings.count_update_seconds),
            "homes": (self.home.publish_stale, 5),
            "glossary": (self.source.reload_if_changed, 3),
            "sync": (self.sync, 30),
        }
        for name, (func, seconds) in every.items():
            # A job that raises is logged by APScheduler and runs again next time.
            self.scheduler.add_job(func, IntervalTrigger(seconds=seconds), id=name)
        self.sync()
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
