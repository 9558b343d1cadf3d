"""`Core`: what every service needs, gathered once, and the small rules they share.

The storage, the Slack clients (one per workspace), the glossaries, the typed
settings, the clock, this process's name as a claim owner, the claim lease,
and `after_ack`: the bot's own thread pool, through which every call to Slack
that follows an acknowledgement runs, so a slow Slack never holds a request
thread (and never delays another user's acknowledgement).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.domain.slots import end_of_local_day, find_zone
from bot.domain.workspace import Workspace
from bot.services.snapshots import Glossaries, Loaded
from bot.slack.client import SLACK_FAILURES, TOKEN_GONE_ERRORS, WORST_CALL, slack_error
from bot.slack.installations import NotInstalled, SlackClients
from bot.slack.response_urls import ResponseUrls
from bot.storage import Storage

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# A claim is retaken only after its owner has had time for the slowest call Slack allows.
DEFAULT_LEASE = max(timedelta(minutes=5), WORST_CALL * 2)
SETTINGS_SECONDS = 5.0  # how stale a workspace's settings may be in another process
SETTINGS_KEPT = 20_000  # workspaces whose settings are kept in memory at once
EXPECTED_FAILURES: tuple[type[Exception], ...] = (*SLACK_FAILURES, SQLAlchemyError, NotInstalled)
# Slack could not be reached for a workspace: an error answer, a dropped connection, no installation.
UNREACHABLE: tuple[type[Exception], ...] = (*SLACK_FAILURES, NotInstalled)


DB_DOWN = "The bot's database is not reachable right now, so nothing was saved. Please try again in a minute."


def failure_text(exc: Exception) -> str:
    """What to tell a person when an expected failure stopped their request."""
    if isinstance(exc, SQLAlchemyError):
        return DB_DOWN
    return "Slack did not answer in time, so nothing was done. Please try again in a minute."


AFTER_ACK_QUEUE = 10_000  # jobs waiting or running in the after-ack pool, at most


class AfterAck:
    """The bot's own named pool for work after an acknowledgement; failures are logged, never raised."""

    def __init__(self, threads: int, queue_limit: int = AFTER_ACK_QUEUE) -> None:
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="after-ack")
        self._idle = threading.Condition()
        self._pending = 0
        # The executor's own queue has no bound: this one holds back whoever hands in work (a
        # request thread, after its acknowledgement) while `queue_limit` jobs wait or run.
        self._room = threading.BoundedSemaphore(queue_limit)

    def run(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        def guarded() -> Any:
            try:
                return fn(*args, **kwargs)
            except EXPECTED_FAILURES as exc:
                log.warning("%s failed: %s %s", what, type(exc).__name__, slack_error(exc))
            except Exception:  # noqa: BLE001 - the pool's last line: log it, keep serving
                log.exception("%s failed", what)
            finally:
                self._room.release()
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
            return None

        self._room.acquire()
        with self._idle:
            self._pending += 1
        try:
            return self.pool.submit(guarded)
        except RuntimeError:  # shut down: nothing will run it
            self._room.release()
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()
            raise

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything given so far has run (tests, the playground); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)  # work already accepted (replies) still runs


@dataclass
class Core:
    storage: Storage
    slack: SlackClients
    glossaries: Glossaries
    settings: Settings
    clock: Clock
    owner: str
    claim_lease: timedelta = DEFAULT_LEASE
    after_ack: AfterAck = field(default_factory=lambda: AfterAck(16))
    responses: ResponseUrls = field(default_factory=lambda: ResponseUrls(16))  # one kept connection a thread
    on_token_failed: Callable[[Workspace], bool] = field(default=lambda ws: False)
    # Each workspace's settings and when they were read (time.monotonic).  A plain dict: one read
    # or one replacement is atomic, so request threads share it without a lock (cachetools'
    # caches are not thread-safe, and their bookkeeping cost more than the rest of a `/define`).
    _settings: dict[Workspace, tuple[float, dict[str, str | None]]] = field(default_factory=dict, repr=False)

    def fresh_claims_after(self) -> datetime:
        """A claim taken before this has too little lease left for one more call to Slack (the
        slowest it can be; half the lease when a lease is shorter than that, as tests set it)."""
        reserve = min(WORST_CALL, self.claim_lease / 2)
        return self.clock() - (self.claim_lease - reserve)

    def client(self, ws: Workspace) -> WebClient:
        return self.slack.for_workspace(ws)

    def glossary(self, ws: Workspace) -> Loaded:
        return self.glossaries.for_workspace(ws)

    def setting(self, ws: Workspace, name: str) -> str | None:
        """A per-workspace setting from the database (None: the environment's default), read at most
        every `SETTINGS_SECONDS` per workspace, so a `/define` costs no query."""
        cached = self._settings.get(ws)
        now = time.monotonic()
        if cached is None or now - cached[0] >= SETTINGS_SECONDS:
            record = self.storage.workspaces.get(ws)
            if len(self._settings) >= SETTINGS_KEPT:
                self._settings.clear()  # rare: each workspace's next request reads its settings again
            cached = (now, dict(record.settings) if record is not None else {})
            self._settings[ws] = cached
        return cached[1].get(name)

    def set_setting(self, ws: Workspace, name: str, value: str | None) -> None:
        self.storage.workspaces.set_setting(ws, name, value, self.clock())
        self._settings.pop(ws, None)

    def default_zone(self, ws: Workspace) -> ZoneInfo:
        name = self.setting(ws, "default_timezone")
        return (find_zone(name) if name else None) or self.settings.default_zone

    def zone_for(self, ws: Workspace, channel_id: str) -> ZoneInfo:
        stored = self.storage.schedules.get(ws, channel_id)
        return stored.schedule.zone if stored is not None else self.default_zone(ws)

    def closes_at(self, posted: datetime, zone: ZoneInfo) -> datetime:
        end = end_of_local_day(posted, zone)
        after = self.settings.quiz_close_after
        return min(end, posted + after) if after else end

    def check_token(self, ws: Workspace, exc: Exception) -> bool:
        """True when Slack refused the call's token and the workspace's current token is refused too:
        the workspace is stopped (`services.lifecycle.Lifecycle.token_failed`).  False when the token
        was only one kept from before a reinstall: the call can be tried again with the current one."""
        return slack_error(exc) in TOKEN_GONE_ERRORS and self.on_token_failed(ws)
