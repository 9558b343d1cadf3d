"""A workspace's settings as one process sees them: cached, and fresh again within SETTINGS_SECONDS
of a change made by another copy of the bot on the same database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import bot.services.core as core_module
from bot.domain.workspace import Workspace
from bot.runtime import Runtime
from bot.services.core import SETTINGS_SECONDS

WS = Workspace("T1")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_another_copys_change_is_seen_within_the_freshness_window(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    time = Monotonic()
    monkeypatch.setattr(core_module, "time", time)
    core = runtime.core
    assert core.setting(WS, "review_channel") is None
    runtime.storage.workspaces.set_setting(WS, "review_channel", "C777", NOW)  # another copy's write
    time.now += SETTINGS_SECONDS / 2
    assert core.setting(WS, "review_channel") is None  # still the cached read
    time.now += SETTINGS_SECONDS / 2
    assert core.setting(WS, "review_channel") == "C777"


def test_this_copys_own_change_is_seen_at_once(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core_module, "time", Monotonic())
    core = runtime.core
    assert core.setting(WS, "review_channel") is None
    core.set_setting(WS, "review_channel", "C888")
    assert core.setting(WS, "review_channel") == "C888"
    assert core.setting(Workspace("T2"), "review_channel") is None  # another workspace's is its own
