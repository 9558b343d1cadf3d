"""manifest.yml and the code agree: the scopes an OAuth install asks for, the commands listened to."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.app import BOT_SCOPES
from bot.views.ids import EXPLAIN_CALLBACK

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


def test_oauth_install_asks_for_the_manifest_scopes() -> None:
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_the_manifest_declares_every_slash_command() -> None:
    commands = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert commands == {"/define", "/quiz", "/leaderboard"}


def test_events_include_uninstall_and_revocation() -> None:
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "app_uninstalled", "tokens_revoked"} <= events


def test_the_manifest_declares_the_explain_terms_message_shortcut() -> None:
    [shortcut] = MANIFEST["features"]["shortcuts"]
    assert shortcut["type"] == "message" and shortcut["name"] == "Explain terms"
    assert shortcut["callback_id"] == EXPLAIN_CALLBACK
    assert shortcut["description"] and len(shortcut["description"]) <= 80
