"""Which token speaks for which workspace: one from the environment, or many installed through OAuth.

`SingleWorkspace` holds the bot token from `SLACK_BOT_TOKEN`; its workspace is
the one `auth.test` names.  `InstalledWorkspaces` reads each workspace's bot
token from slack_sdk's SQLAlchemy installation store (the same database),
rotates it when the app uses token rotation and it is about to expire (saving
the whole installation, as Bolt's own authorize does, so the installation and
bot rows never disagree about the refresh token), and keeps a client per token
for a short while.

A refresh token is good for one use, so `SerialRotator` (given to Bolt's
authorize too) refreshes one workspace at a time: within a process behind a
lock, and across processes on PostgreSQL behind an advisory lock held until the
new tokens are saved.  Whoever waited reads the saved installation again and
uses the tokens just issued instead of spending the retired refresh token.  Scheduled posts, count edits,
reveals, weekly results and Home publishes all get their client here, so every
call uses the token of the workspace it is about.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, func, inspect, select

from bot.domain.workspace import Workspace
from bot.slack.client import make_client

CACHE_SECONDS = 60.0
CACHED_CLIENTS = 2_000  # the least recently used go first beyond this
ROTATE_MINUTES_BEFORE_EXPIRY = 120


class NotInstalled(Exception):
    """The workspace has no installation (never installed, or uninstalled)."""


class SlackClients(Protocol):
    def for_workspace(self, ws: Workspace) -> WebClient: ...

    def forget(self, ws: Workspace) -> None: ...


class SingleWorkspace:
    def __init__(self, token: str, api_url: str) -> None:
        self.client = make_client(token, api_url)
        self._workspace: Workspace | None = None

    def identify(self) -> Workspace:
        """The token's workspace, from `auth.test` (asked once)."""
        if self._workspace is None:
            info = self.client.auth_test()
            self._workspace = Workspace.of_install(
                info.get("team_id"), info.get("enterprise_id"), bool(info.get("is_enterprise_install"))
            )
        return self._workspace

    def for_workspace(self, ws: Workspace) -> WebClient:
        if ws != self.identify():
            raise NotInstalled(ws.key)
        return self.client

    def forget(self, ws: Workspace) -> None:
        """A single token cannot be reinstalled from here; nothing to forget."""


class SerialRotator(TokenRotator):
    """slack_sdk's `TokenRotator`, one refresh at a time per workspace, saved before the next begins.

    Bolt's authorize calls `perform_token_rotation` for requests, `InstalledWorkspaces` for posts;
    both get this one.  A rotation returns the newest saved installation when another thread or
    process refreshed it while this one waited (Bolt then saves the same tokens again).
    """

    def __init__(self, store: SQLAlchemyInstallationStore, client_id: str, client_secret: str, api_url: str):
        super().__init__(client_id=client_id, client_secret=client_secret, client=make_client(None, api_url))
        self.store = store
        self._local = threading.Lock()

    def perform_token_rotation(
        self, *, installation: Installation, minutes_before_expiration: int = ROTATE_MINUTES_BEFORE_EXPIRY
    ) -> Installation | None:
        if not _expiring(installation, minutes_before_expiration):
            return None
        with self._local, _one_process_at_a_time(self.store.engine, _key(installation)):
            latest = self.store.find_installation(
                enterprise_id=installation.enterprise_id,
                team_id=installation.team_id,
                is_enterprise_install=installation.is_enterprise_install,
            )
            if latest is not None and not _expiring(latest, minutes_before_expiration):
                return latest  # refreshed meanwhile, here or by another process
            rotated = super().perform_token_rotation(
                installation=latest or installation, minutes_before_expiration=minutes_before_expiration
            )
            if rotated is not None:
                self.store.save(rotated)  # before the lock goes: the next one reads these tokens
            return rotated


def _expiring(installation: Installation, minutes: int) -> bool:
    expiries = (installation.bot_token_expires_at, installation.user_token_expires_at)
    return any(at is not None and at <= time.time() + minutes * 60 for at in expiries)


def _key(installation: Installation) -> str:
    return f"study-lab token rotation {installation.enterprise_id or ''}/{installation.team_id or ''}"


@contextmanager
def _one_process_at_a_time(engine: Engine, key: str) -> Iterator[None]:
    """On PostgreSQL, a transaction-scoped advisory lock on `key` for the block; elsewhere nothing
    (several processes share PostgreSQL, never a SQLite file)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.begin() as conn:
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
        yield


class InstalledWorkspaces:
    def __init__(
        self, store: SQLAlchemyInstallationStore, rotator: SerialRotator, clock: Monotonic = time.monotonic
    ) -> None:
        self.store = store
        self.api_url = rotator.client.base_url
        self.rotator = rotator
        self._lock = threading.Lock()
        self._clients: TTLCache[Workspace, WebClient] = TTLCache(CACHED_CLIENTS, CACHE_SECONDS, timer=clock)

    def for_workspace(self, ws: Workspace) -> WebClient:
        with self._lock:
            cached = self._clients.get(ws)
        if cached is not None:
            return cached
        installation = self.store.find_installation(
            enterprise_id=ws.enterprise_id or None,
            team_id=ws.team_id or None,
            is_enterprise_install=ws.is_org,
        )
        if installation is None or not installation.bot_token:
            raise NotInstalled(ws.key)
        if installation.bot_refresh_token:
            installation = self.rotator.perform_token_rotation(installation=installation) or installation
        token = installation.bot_token
        client = make_client(token, self.api_url)
        with self._lock:
            self._clients[ws] = client
        return client

    def forget(self, ws: Workspace) -> None:
        with self._lock:
            self._clients.pop(ws, None)


def delete_installations(engine: Engine, ws: Workspace) -> None:
    """Delete the workspace's OAuth installations and bots, whichever app (client id) made them.

    Nothing to do when the database has no OAuth tables (single-workspace mode).
    """
    if "slack_bots" not in inspect(engine).get_table_names():
        return
    probe = SQLAlchemyInstallationStore(client_id="", engine=engine)
    with engine.begin() as conn:
        apps = set(conn.execute(select(probe.bots.c.client_id).distinct()).scalars())
        apps |= set(conn.execute(select(probe.installations.c.client_id).distinct()).scalars())
    for client_id in apps:
        store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
        store.delete_all(enterprise_id=ws.enterprise_id or None, team_id=ws.team_id or None)


class Monotonic(Protocol):
    def __call__(self) -> float: ...
