"""Glossary text is shown as written: every mrkdwn text the bot sends says `verbatim: true`, so
Slack never turns a bare URL, a #channel or an @name in a definition into a link or a mention."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.standin import SlackStandIn
from tests.support.bot import GLOSSARY, RunningBot

WRITTEN = "see https://vango.dev/drain and #ops-help, or ask @oncall <!channel>"
ESCAPED = "see https://vango.dev/drain and #ops-help, or ask @oncall &lt;!channel&gt;"


def mrkdwn_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            yield value
        for inner in value.values():
            yield from mrkdwn_objects(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from mrkdwn_objects(inner)


@pytest.fixture
def vbot(fake: SlackStandIn, sqlite_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    glossary = tmp_path / "glossary.yml"
    original = "definition: A no-new-work posture that lets existing sessions or jobs finish before stop."
    text = GLOSSARY.read_text(encoding="utf-8")
    assert original in text
    glossary.write_text(text.replace(original, f"definition: 'A no-new-work posture; {WRITTEN}.'"), "utf-8")
    running = RunningBot.start(fake, sqlite_url, GLOSSARY_PATH=str(glossary))
    yield running
    running.close()


def test_glossary_text_is_sent_verbatim_everywhere(vbot: RunningBot) -> None:
    card = vbot.command("/define", "drain").json()
    assert ESCAPED in json.dumps(card["blocks"])
    assert "Posted a question" in vbot.say("/quiz", "now")
    vbot.after_ack_done()
    home = {"type": "app_home_opened", "user": "U100", "channel": "D1", "tab": "home", "event_ts": "1.0"}
    assert vbot.event(home, event_id="EvHome").status == 200
    vbot.fake.wait_calls("views.publish")
    sent: list[Any] = [card["blocks"], *(m["blocks"] for m in vbot.fake.posted("C100"))]
    sent += [
        json.loads(c.body["view"]) if isinstance(c.body["view"], str) else c.body["view"]
        for c in vbot.fake.calls_to("views.publish")
    ]
    found = [m for blocks in sent for m in mrkdwn_objects(blocks)]
    assert found and all(m.get("verbatim") is True for m in found), [
        m for m in found if not m.get("verbatim")
    ][:3]


def test_a_shared_cards_notification_text_is_escaped(vbot: RunningBot) -> None:
    """The fallback `text` is what notifications and screen readers show: a definition saying
    <!channel> must not ping the channel when someone shares the card there."""
    before = len(vbot.fake.responses)
    assert vbot.click("define_share", "Drain", ephemeral=True).status == 200
    [shared] = vbot.fake.wait_responses(before + 1)[before:]
    assert shared.body["response_type"] == "in_channel"
    assert ESCAPED in shared.body["text"] and "<!channel>" not in shared.body["text"]
    assert "<!channel>" not in json.dumps(shared.body["blocks"])
