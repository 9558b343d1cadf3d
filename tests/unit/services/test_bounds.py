"""Every cache and queue has a bound: the after-ack pool holds back whoever hands in work past its
limit, and Bolt's authorize cache (keyed by token: every rotation adds one) is a bounded TTL cache."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from cachetools import TTLCache
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.config import Settings
from bot.domain.workspace import Workspace
from bot.services import snapshots as glossaries_module
from bot.services.core import AfterAck
from bot.services.snapshots import Glossaries
from bot.slack.app import AUTHORIZE_CACHE_SIZE, oauth_settings
from bot.slack.client import make_client
from tests.support.bot import GLOSSARY

WORKSPACES = [Workspace("T1"), Workspace("T2"), Workspace("T3")]


def test_the_after_ack_queue_holds_back_work_past_its_bound() -> None:
    pool = AfterAck(threads=1, queue_limit=2)
    release = threading.Event()
    pool.run("blocked", release.wait)
    pool.run("waiting", lambda: None)
    handed_in = threading.Event()

    def third() -> None:
        pool.run("third", lambda: None)
        handed_in.set()

    caller = threading.Thread(target=third)
    caller.start()
    assert not handed_in.wait(0.3)  # two jobs waiting or running: the third caller waits
    release.set()
    assert handed_in.wait(5)
    caller.join(5)
    assert pool.wait_idle(5)
    pool.shutdown()


def test_bolts_authorize_cache_is_bounded(tmp_path: object) -> None:
    settings = Settings(client_id="1.2", client_secret="s", signing_secret="x")
    oauth = oauth_settings(
        settings,
        make_client(None, settings.api_url),
        FileInstallationStore(base_dir=str(tmp_path)),  # type: ignore[arg-type]
        FileOAuthStateStore(expiration_seconds=60, base_dir=str(tmp_path)),  # type: ignore[arg-type]
        TokenRotator(client_id="1.2", client_secret="s"),
        lambda ws, org: None,
    )
    cache = oauth.authorize.authorize_result_cache  # type: ignore[attr-defined]
    assert isinstance(cache, TTLCache) and cache.maxsize == AUTHORIZE_CACHE_SIZE
    started = time.monotonic()
    for i in range(AUTHORIZE_CACHE_SIZE + 50):
        cache[f"xoxe.xoxb-{i}"] = i
    assert len(cache) == AUTHORIZE_CACHE_SIZE and time.monotonic() - started < 5


def test_overlays_past_the_bound_are_dropped_and_built_again_on_demand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(glossaries_module, "OVERLAYS_KEPT", 2)
    glossaries = Glossaries(GLOSSARY)
    own = {ws: replace(glossaries.base.glossary, title=f"{ws.team_id}'s") for ws in WORKSPACES}
    built: list[Workspace] = []

    def load(ws: Workspace) -> None:  # what bot.services.overlays does: from the database
        built.append(ws)
        glossaries.set_overlay(ws, own[ws])

    glossaries.load_overlay = load
    for ws in WORKSPACES:
        glossaries.set_overlay(ws, own[ws])
    assert len(glossaries._overlays) == 2  # the bound holds
    first = WORKSPACES[0]
    assert glossaries.for_workspace(first).glossary.title == "T1's"  # dropped, so built again
    assert built == [first] and len(glossaries._overlays) == 2
    assert glossaries.for_workspace(Workspace("T9")) is glossaries.base  # no overlay: the base
    glossaries.forget_overlay(first)
    assert glossaries.for_workspace(first) is glossaries.base and built == [first]
