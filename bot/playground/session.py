"""`run_playground(...)`: the real bot, its HTTP server, the stand-in for Slack and the page, started.

In order: the stand-in binds 127.0.0.1:PORT and is seeded with the pretend
workspace (`bot.playground.seed`); settings are made for this run only (a
fresh bot token and signing secret, the stand-in as `SLACK_API_URL`, SQLite
in a fresh temporary file or the `--database` file it made, the channel as
`QUIZ_CHANNEL` so it has a schedule, Ada as `GLOSSARY_OWNERS` so suggestions
work); `bot.runtime.build_runtime` builds the
production runtime on the playground's clock; the production HTTP server
serves it on a free loopback port; `Interactions` sends it what Slack would;
the page is installed on the stand-in; the runtime starts its scheduler.

Settings that name things in a real workspace (its channel, its admins and
owners), every `SLACK_*` variable and `DATABASE_URL` (from the environment or
`.env`) are ignored; the rest (time zone, quiz time and days, results day and
time, log level, …) apply as usual.

The playground never opens a database it did not create: recovery and the
scheduler run over every workspace of their database, and a real one would
have its open quizzes closed without their reveal.  A file chosen explicitly
(`--database PATH`) is marked as the playground's when created (SQLite's
`application_id` header field), and an existing file without that mark is
refused, so the only workspace its jobs ever touch is the playground's own.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings, load_settings
from bot.data import packaged_glossary
from bot.domain.glossary import load_glossary
from bot.playground.clock import OffsetClock, next_weekly
from bot.playground.seed import (
    CHANNEL,
    CHANNEL_NAME,
    COMMANDS,
    GLOSSARY_OWNERS,
    SHORTCUTS,
    identity_for,
    seed,
)
from bot.runtime import Runtime, build_runtime
from bot.slack.server import EVENTS_PATH, Serving, make_wsgi, serve_wsgi
from bot.standin import SlackStandIn
from bot.standin.interactions import Interactions
from bot.standin.ui import SECURITY_HEADERS, Control, SlackPage
from bot.views.report_page import report_page

DEFAULT_PORT = 3000
IGNORED = (
    "SLACK_",
    "DATABASE_URL",
    "QUIZ_CHANNEL",
    "QUIZ_ADMINS",
    "GLOSSARY_OWNERS",
    "GLOSSARY_REVIEW_CHANNEL",
)
PLAYGROUND_MARK = 0x53544C50  # "STLP" in SQLite's application_id: a database the playground made


class NotAPlaygroundDatabase(Exception):
    """An explicitly chosen database the playground did not create: it is never opened."""


def claim_database(path: Path) -> None:
    """Make `path` the playground's SQLite file: create and mark a new one, accept one it marked.

    An existing file is only read (read-only, never written) to check its mark."""
    if path.exists() and path.stat().st_size > 0:
        try:
            with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
                mark = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError:
            mark = None
        if mark != PLAYGROUND_MARK:
            raise NotAPlaygroundDatabase(
                f"{path} was not created by the playground, so it is left untouched "
                "(the playground runs recovery and the scheduler over all of its database's data). "
                "Give a new file with --database, or none for a fresh one"
            )
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA application_id = {PLAYGROUND_MARK}")
        conn.commit()


BUNDLED_GLOSSARY = packaged_glossary()


def default_glossary(env: Mapping[str, str]) -> Path:
    """`GLOSSARY_PATH`, else `data/glossary.yml` here, else the one inside the package."""
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


REPORT_PATH = "/report"


def report_route(runtime: Runtime, port: int) -> Callable[[BaseHTTPRequestHandler, str], None]:
    """`GET /report`: the learning report page, as `study-lab report` writes it (the page's own hosts only)."""
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    def route(handler: BaseHTTPRequestHandler, method: str) -> None:
        if handler.headers.get("Host", "") not in hosts or method != "GET":
            status, body, kind = 403, b"Forbidden", "text/plain; charset=utf-8"
        else:
            ws = runtime.workspace
            assert ws is not None  # the playground runs one workspace
            page = report_page(runtime.services.learning.report(ws), ws.team_id or ws.key)
            status, body, kind = 200, page.encode(), "text/html; charset=utf-8"
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    return route


def run_playground(
    port: int = DEFAULT_PORT,
    glossary: Path | str | None = None,
    database: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    start: datetime | None = None,
) -> Playground:
    """Start everything and return at once; `close()` stops it.  `port=0` picks a free port (tests).

    `database` is a SQLite file of the playground's own (created and marked here, or made by an
    earlier playground); by default a fresh temporary file, deleted on close.  `DATABASE_URL` is
    never read.  `start` sets the bot's clock (it then runs on in real time); by default it is now.
    """
    environ = dict(os.environ if env is None else env)
    path = Path(str(database).removeprefix("sqlite:///")) if database else None
    if path is not None:
        claim_database(path)  # before anything starts: refused, nothing was opened
    clock = OffsetClock(start)
    slack = SlackStandIn("127.0.0.1", port)
    slack.clock = clock.timestamp
    scratch: str | None = None
    runtime: Runtime | None = None
    serving: Serving | None = None
    try:
        glossary_path = Path(glossary or default_glossary(environ))
        identity = identity_for(load_glossary(glossary_path).title)
        token, secret = seed(slack, identity), secrets.token_urlsafe(24)
        where = str(path) if path is not None else "a fresh SQLite file, deleted on exit"
        if path is None:
            scratch = tempfile.mkdtemp(prefix="study-lab-playground-")
            path = Path(scratch) / "playground.db"
            claim_database(path)
        database_url = f"sqlite:///{path}"
        settings_env = {k: v for k, v in environ.items() if not k.startswith(IGNORED)}
        settings_env.setdefault("COUNT_UPDATE_SECONDS", "1")
        settings_env.update(
            SLACK_BOT_TOKEN=token,
            SLACK_SIGNING_SECRET=secret,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=database_url,
            GLOSSARY_PATH=str(glossary_path),
            QUIZ_CHANNEL=CHANNEL,
            GLOSSARY_OWNERS=",".join(GLOSSARY_OWNERS),  # suggestions on; reviewed in Ada's Home tab
        )
        runtime = build_runtime(load_settings(settings_env), clock=clock)
        serving = serve_wsgi(make_wsgi(runtime.app, runtime.storage.db.engine), "127.0.0.1", 0)
        events = f"http://127.0.0.1:{serving.port}{EVENTS_PATH}"
        interactions = Interactions(slack, events, secret, identity, COMMANDS, shortcuts=SHORTCUTS)
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
        slack.routes[REPORT_PATH] = report_route(runtime, slack.port)  # before the page's catch-all
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
