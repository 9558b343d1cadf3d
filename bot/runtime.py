"""Assembling the running bot from settings: the one place that wires every part.

`build_runtime(settings)` opens and migrates the database, loads the glossary,
makes the Slack clients (one token, or OAuth installations), the services, the
Bolt app and the scheduler, and returns them together; `python -m bot`, the
playground and the end-to-end tests all use it, so tests run exactly the app
that production runs.  In single-workspace mode it asks Slack which workspace
the token belongs to, records it, and gives it any rows left by release 0.1.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_bolt import App
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.config import Settings
from bot.domain.slots import Schedule
from bot.domain.workspace import Workspace
from bot.jobs import Jobs
from bot.listeners.context import BotContext
from bot.services import Services
from bot.services.core import DEFAULT_LEASE, AfterAck, Clock, Core
from bot.services.snapshots import Glossaries
from bot.slack.app import STATE_EXPIRATION_SECONDS, build_app, oauth_settings
from bot.slack.client import make_client
from bot.slack.installations import InstalledWorkspaces, SerialRotator, SingleWorkspace, SlackClients
from bot.slack.response_urls import ResponseUrls
from bot.storage import Storage

log = logging.getLogger(__name__)


def system_clock() -> datetime:
    return datetime.now(UTC)


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Runtime:
    settings: Settings
    storage: Storage
    glossaries: Glossaries
    services: Services
    app: App
    jobs: Jobs
    bot: BotContext
    workspace: Workspace | None  # single-workspace mode: the token's workspace

    @property
    def core(self) -> Core:
        return self.services.core

    def start(self) -> None:
        """Finish what was left (posts, closes, due slots), then start the scheduler."""
        self.services.posting.recover()
        self.jobs.start()

    def close(self) -> None:
        self.jobs.stop()
        self.core.after_ack.shutdown()  # replies already accepted are still sent
        self.core.responses.close()
        self.storage.close()


def build_runtime(
    settings: Settings,
    clock: Clock = system_clock,
    rng: random.Random | None = None,
    claim_lease: timedelta = DEFAULT_LEASE,
) -> Runtime:
    glossaries = Glossaries(settings.glossary_path)
    if settings.ignored_in_oauth:
        log.warning(
            "%s set, but ignored: they configure the single workspace of SLACK_BOT_TOKEN mode. "
            "Installed workspaces each set their own with /quiz admins, /quiz owners and /quiz review, "
            "and their own Slack admins and owners (and whoever installed the app) manage the quiz.",
            ", ".join(settings.ignored_in_oauth),
        )
    installations: SQLAlchemyInstallationStore | None = None
    slack: SlackClients
    if settings.oauth:
        storage, installations, states = _open_with_oauth_stores(settings)
        rotator = SerialRotator(installations, settings.client_id, settings.client_secret, settings.api_url)
        slack = InstalledWorkspaces(installations, rotator)
        client = make_client(None, settings.api_url)
    else:
        storage = Storage.open(settings.database_url)
        single = SingleWorkspace(settings.bot_token, settings.api_url)
        slack, client = single, single.client
    core = Core(
        storage,
        slack,
        glossaries,
        settings,
        clock,
        process_owner(),
        claim_lease,
        AfterAck(settings.slack_threads),
        ResponseUrls(settings.slack_threads),
    )
    services = Services.build(core, installations, rng)
    jobs = Jobs(services, glossaries, settings)
    services.workspaces.on_change = jobs.sync
    bot = BotContext(services, settings, on_schedule_change=jobs.sync)
    oauth = None
    if installations is not None:
        oauth = oauth_settings(
            settings, client, installations, states, rotator, services.workspaces.installed
        )
    app = build_app(settings, bot, client, oauth)
    workspace = None if settings.oauth else _adopt(settings, storage, single, clock)
    return Runtime(settings, storage, glossaries, services, app, jobs, bot, workspace)


def _open_with_oauth_stores(
    settings: Settings,
) -> tuple[Storage, SQLAlchemyInstallationStore, SQLAlchemyOAuthStateStore]:
    """Open the database once, with slack_sdk's installation and state tables created beside ours."""
    from bot.storage.database import Database

    db = Database.open(settings.database_url)
    installations = SQLAlchemyInstallationStore(client_id=settings.client_id, engine=db.engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=db.engine)
    db.migrate(also=[installations.metadata, states.metadata])
    return Storage.on(db), installations, states


def _adopt(settings: Settings, storage: Storage, single: SingleWorkspace, clock: Clock) -> Workspace:
    """The token's workspace: recorded as installed, given release 0.1's rows, seeded from QUIZ_CHANNEL."""
    ws = single.identify()
    storage.workspaces.installed(ws, ws.is_org, clock())
    storage.workspaces.adopt_unowned(ws)
    if settings.quiz_channel and storage.schedules.get(ws, settings.quiz_channel) is None:
        schedule = Schedule(
            settings.quiz_channel, settings.quiz_time, settings.default_zone.key, settings.quiz_days
        )
        storage.schedules.save(ws, schedule, "settings", clock())
    return ws
