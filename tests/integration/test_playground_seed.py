"""The playground's pretend workspace agrees with the manifest and with the bot's settings rules."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config import CHANNEL_ID, USER_ID
from bot.playground.seed import BOT, CHANNEL, COMMANDS, PEOPLE, SHORTCUTS, seed
from bot.standin import SlackStandIn

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


def test_commands_are_the_manifests() -> None:
    declared = {
        c["command"]: (c["description"], c["usage_hint"], bool(c["should_escape"]))
        for c in MANIFEST["features"]["slash_commands"]
    }
    assert {c.name: (c.description, c.usage_hint, c.should_escape) for c in COMMANDS} == declared


def test_message_shortcuts_are_the_manifests() -> None:
    declared = {
        s["callback_id"]: (s["name"], s["description"])
        for s in MANIFEST["features"]["shortcuts"]
        if s["type"] == "message"
    }
    assert {s.callback_id: (s.name, s.description) for s in SHORTCUTS} == declared


def test_three_people_one_an_admin_with_valid_ids() -> None:
    assert len(PEOPLE) >= 3 and [p.is_admin for p in PEOPLE].count(True) == 1
    assert all(USER_ID.match(p.id) for p in [*PEOPLE]) and USER_ID.match(BOT.bot_user_id)
    assert CHANNEL_ID.match(CHANNEL)


def test_seed_issues_a_token_only_it_accepts() -> None:
    slack = SlackStandIn()
    try:
        token = seed(slack)
        assert slack.state.identity(token) == BOT
        assert slack.state.identity("xoxb-someone-else") is None
        assert BOT.team_id in slack.state.channels[CHANNEL].members
        assert seed(slack) != token  # a fresh one each run
    finally:
        slack.close()


def test_the_workspace_is_named_after_the_glossary_title() -> None:
    from bot.playground.seed import identity_for, workspace_name

    assert workspace_name("Vango glossary") == "Vango"
    assert workspace_name("Study Lab Glossary") == "Study Lab"
    assert workspace_name("Acme: glossary") == "Acme"
    assert workspace_name("Platform terms") == "Platform terms"
    assert workspace_name("Glossary") == "Glossary"
    assert identity_for("Acme glossary").team_name == "Acme" and identity_for("x").team_id == BOT.team_id
