"""Assembling the running bot from settings: one place that wires every part.

`build_runtime(settings)` opens the database, loads the glossary, makes the
Slack client, the services, the Bolt app and the scheduler, and returns them
together; `python -m bot` and the end-to-end tests both use it, so the tests
run exactly the app that production runs.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_bolt import App

from bot.app import build_app
from bot.config import Settings
from bot.glossary_source import GlossarySource
from bot.home import HomeService
from bot.listeners.context import BotContext
from bot.schedule import Schedule, parse_days, parse_time
from bot.scheduler import QuizScheduler
from bot.service import Clock, Service
from bot.slack_client import make_client
from bot.store import Store


def system_clock() -> datetime:
    return datetime.now(UTC)


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Runtime:
    settings: Settings
    store: Store
    source: GlossarySource
    service: Service
    home: HomeService
    app: App
    scheduler: QuizScheduler
    ctx: BotContext

    def close(self) -> None:
        self.scheduler.stop()
        self.ctx.replies.shutdown(wait=True)  # replies already accepted are still sent
        self.store.close()


def build_runtime(
    settings: Settings,
    clock: Clock = system_clock,
    rng: random.Random | None = None,
    claim_lease: timedelta = timedelta(minutes=2),
) -> Runtime:
    source = GlossarySource(settings.glossary_path)
    store = Store.open(settings.database_url)
    client = make_client(settings.bot_token, settings.api_url)
    service = Service(store, client, source, settings, clock, process_owner(), claim_lease)
    home = HomeService(store, client, source, service, clock, rng)
    scheduler = QuizScheduler(service, home, source, settings)
    ctx = BotContext(
        settings, service, source, home, clock, on_schedule_change=lambda channel: scheduler.sync()
    )
    app = build_app(settings, ctx, client)
    seed_schedule(settings, store, clock)
    return Runtime(settings, store, source, service, home, app, scheduler, ctx)


def seed_schedule(settings: Settings, store: Store, clock: Clock) -> None:
    """QUIZ_CHANNEL and friends set up one schedule at start, unless the channel has one."""
    if not settings.quiz_channel or store.get_schedule(settings.quiz_channel) is not None:
        return
    at = parse_time(settings.quiz_time)
    assert at is not None  # validated in config
    schedule = Schedule(settings.quiz_channel, at, settings.quiz_timezone, parse_days(settings.quiz_days))
    store.save_schedule(schedule, "settings", clock())
