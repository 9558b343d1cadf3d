"""`run_playground(...)`: the real bot, its HTTP server, the stand-in for Slack and the page, started.

In order: the stand-in binds 127.0.0.1:PORT and is seeded with the pretend
workspace (`bot.playground.workspace`); settings are made for this run only (a
fresh bot token and signing secret, the stand-in as `SLACK_API_URL`, SQLite
in a fresh temporary file unless `DATABASE_URL` is given, the channel as
`QUIZ_CHANNEL` so it has a schedule); `bot.runtime.build_runtime` builds the
production runtime on the playground's clock; the production HTTP server
serves it on a free loopback port; `Interactions` sends it what Slack would;
the page is installed on the stand-in; the runtime starts its scheduler.

Settings that name things in a real workspace (its channel, its admins and
owners) and every `SLACK_*` variable are ignored; the rest (time zone, quiz
time and days, results day and time, log level, …) apply as usual.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings, load_settings
from bot.playground.clock import OffsetClock, next_weekly
from bot.playground.workspace import BOT, CHANNEL, CHANNEL_NAME, COMMANDS, SHORTCUTS, seed
from bot.runtime import Runtime, build_runtime
from bot.server import EVENTS_PATH, Serving, make_wsgi, serve_wsgi
from bot.standin import SlackStandIn
from bot.standin.interactions import Interactions
from bot.standin.ui import Control, SlackPage

DEFAULT_PORT = 3000
IGNORED = ("SLACK_", "QUIZ_CHANNEL", "QUIZ_ADMINS", "GLOSSARY_OWNERS", "GLOSSARY_REVIEW_CHANNEL")
BUNDLED_GLOSSARY = Path(__file__).resolve().parents[2] / "data" / "glossary.yml"


def default_glossary(env: Mapping[str, str]) -> Path:
    """`GLOSSARY_PATH`, else `data/glossary.yml` here, else the one beside the package (a source checkout)."""
    if env.get("GLOSSARY_PATH", "").strip():
        return Path(env["GLOSSARY_PATH"].strip())
    here = Path("data/glossary.yml")
    return here if here.exists() or not BUNDLED_GLOSSARY.exists() else BUNDLED_GLOSSARY


@dataclass
class Playground:
    url: str
    slack: SlackStandIn
    runtime: Runtime
    serving: Serving
    clock: OffsetClock
    interactions: Interactions
    database: str  # what the CLI says about where the data goes
    _scratch: str | None = None

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def zone(self) -> ZoneInfo:
        """The channel's time zone (its schedule's): the page shows times in it."""
        ws = self.runtime.workspace
        assert ws is not None
        return self.runtime.core.zone_for(ws, CHANNEL)

    def close_quiz_now(self) -> str:
        """The reveal, now: the bot's closing service on the channel's open quizzes."""
        ws = self.runtime.workspace
        assert ws is not None
        quizzes = [q for q in self.runtime.storage.quizzes.open_in(ws, CHANNEL) if q.message_ts is not None]
        if not quizzes:
            return f"There is no open quiz in #{CHANNEL_NAME}. Post one with /quiz now."
        now = self.clock()
        for quiz in quizzes:
            self.runtime.services.closing.close(quiz, now)
        return f"Closed the open quiz in #{CHANNEL_NAME}: the answer is revealed."

    def next_week(self) -> str:
        """Jump to the next weekly results time in the channel's zone, and run the bot's recovery job."""
        zone = self.zone()
        moment = next_weekly(self.clock(), zone, self.settings.results_day, self.settings.results_time)
        self.clock.move_to(moment)
        self.runtime.services.posting.recover()  # what the scheduler's job would do within 20 s
        local = moment.astimezone(zone)
        return (
            f"It is now {local:%A %d %B, %H:%M} ({zone}): last week's results are due, "
            "and this week's board starts empty."
        )

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until the bot has sent everything it owes (its replies after acknowledgements)."""
        return self.runtime.core.after_ack.wait_idle(timeout)

    def close(self) -> None:
        self.serving.close()
        self.runtime.close()  # replies already accepted still reach the stand-in
        self.slack.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


def run_playground(
    port: int = DEFAULT_PORT,
    glossary: Path | str | None = None,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
    start: datetime | None = None,
) -> Playground:
    """Start everything and return at once; `close()` stops it.  `port=0` picks a free port (tests).

    `start` sets the bot's clock (it then runs on in real time); by default it is now.
    """
    environ = dict(os.environ if env is None else env)
    clock = OffsetClock(start)
    slack = SlackStandIn("127.0.0.1", port)
    slack.clock = clock.timestamp
    scratch: str | None = None
    runtime: Runtime | None = None
    serving: Serving | None = None
    try:
        token, secret = seed(slack), secrets.token_urlsafe(24)
        database = database_url or environ.get("DATABASE_URL", "").strip()
        where = "DATABASE_URL" if database else "a fresh SQLite file, deleted on exit"
        if not database:
            scratch = tempfile.mkdtemp(prefix="study-lab-playground-")
            database = f"sqlite:///{Path(scratch) / 'playground.db'}"
        settings_env = {k: v for k, v in environ.items() if not k.startswith(IGNORED)}
        settings_env.setdefault("COUNT_UPDATE_SECONDS", "1")
        settings_env.update(
            SLACK_BOT_TOKEN=token,
            SLACK_SIGNING_SECRET=secret,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=database,
            GLOSSARY_PATH=str(glossary or default_glossary(environ)),
            QUIZ_CHANNEL=CHANNEL,
        )
        runtime = build_runtime(load_settings(settings_env), clock=clock)
        serving = serve_wsgi(make_wsgi(runtime.app, runtime.storage.db.engine), "127.0.0.1", 0)
        events = f"http://127.0.0.1:{serving.port}{EVENTS_PATH}"
        interactions = Interactions(slack, events, secret, BOT, COMMANDS, shortcuts=SHORTCUTS)
        playground = Playground(
            f"{slack.base_url}/", slack, runtime, serving, clock, interactions, where, scratch
        )
        controls = (
            Control(
                "close-now",
                "Close the open quiz now",
                playground.close_quiz_now,
                "The reveal, without waiting for the end of the day.",
            ),
            Control(
                "next-week",
                "Next week",
                playground.next_week,
                "Jump to the weekly results: last week's board, then a fresh one.",
            ),
        )
        static = files("bot.playground") / "static"
        SlackPage(slack, interactions, static, CHANNEL, playground.zone, controls).install()
        runtime.start()
    except BaseException:
        for stop in (serving, runtime, slack):
            if stop is not None:
                stop.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    return playground
