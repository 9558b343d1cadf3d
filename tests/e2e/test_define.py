"""/define end to end: signed slash commands and clicks against the running app."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlencode

from bot.standin import Person, SlackStandIn
from tests.support.bot import RunningBot


def texts(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_define_answers_privately_with_definition_and_trap(bot: RunningBot) -> None:
    reply = bot.command("/define", "drain")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    shown = texts(body["blocks"])
    assert "A no-new-work posture that lets existing sessions or jobs finish before stop." in shown
    assert "Claiming sessions moved when they are still attached to the old allocation." in shown
    assert "Share in channel" in shown


def test_misspelling_says_what_it_matched(bot: RunningBot) -> None:
    body = bot.command("/define", "draen").json()
    shown = texts(body["blocks"])
    assert "Showing *Drain* for ‘draen’" in shown


def test_alias_and_free_text(bot: RunningBot) -> None:
    assert "A conditional write" in texts(bot.command("/define", "CAS").json()["blocks"])
    shown = texts(bot.command("/define", "what is a route epoch?").json()["blocks"])
    assert "A monotonic route ownership version" in shown


def test_exact_short_name_never_confused(bot: RunningBot) -> None:
    shown = texts(bot.command("/define", "rto").json()["blocks"])
    assert "The target time to restore service after failure." in shown
    assert "The amount of data loss" not in shown


def test_close_candidates_get_buttons(bot: RunningBot) -> None:
    body = bot.command("/define", "route").json()
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {e["value"] for e in buttons} >= {"Route epoch", "Route owner"}
    assert len(buttons) <= 5


def test_nothing_found_is_friendly(bot: RunningBot) -> None:
    shown = texts(bot.command("/define", "xyzzy").json()["blocks"])
    assert "No term matches" in shown and "/define help" in shown


def test_help_lists_terms_by_category(bot: RunningBot) -> None:
    for text in ("", "help"):
        body = bot.command("/define", text).json()
        options = [
            o["value"] for b in body["blocks"] if b.get("accessory") for o in b["accessory"]["options"]
        ]
        assert len(options) == 16


def test_broadcast_in_text_is_escaped(bot: RunningBot) -> None:
    shown = texts(bot.command("/define", "<!channel> <@U999> zzqx").json()["blocks"])
    assert "<!channel>" not in shown and "<@U999>" not in shown
    assert "&lt;!channel&gt;" in shown


def test_odd_input_gets_a_normal_answer_fast(bot: RunningBot) -> None:
    for text in ("x" * 5000, "\x00\x07drain\x1b", "🚀🔥 drain 🎉", "é" * 3000):
        started = time.monotonic()
        reply = bot.command("/define", text)
        assert reply.status == 200
        assert time.monotonic() - started < 3
        assert reply.json()["response_type"] == "ephemeral"


def test_share_posts_in_channel_naming_who_shared_without_a_mention(bot: RunningBot) -> None:
    bot.fake.state.add_person(Person("U777", "Ada <!channel>"))
    reply = bot.click("define_share", "Drain", user="U777", ephemeral=True)
    assert reply.status == 200
    [posted] = bot.fake.wait_responses(1)
    assert posted.body["response_type"] == "in_channel"
    shown = texts(posted.body["blocks"])
    assert "Shared by Ada &lt;!channel&gt;" in shown and "A no-new-work posture" in shown
    assert "<@" not in shown and "<!" not in shown  # nobody is notified by a share


def test_suggestion_button_opens_that_definition(bot: RunningBot) -> None:
    reply = bot.click("define_show_1", "Route owner", ephemeral=True)
    assert reply.status == 200
    [shown] = bot.fake.wait_responses(1)
    assert "binds a route key" in texts(shown.body["blocks"])
    assert shown.body["replace_original"] is True


def test_lookups_are_recorded_for_stats(bot: RunningBot) -> None:
    bot.command("/define", "drain")
    bot.command("/define", "Quantum Flux")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        since = bot.clock().replace(year=2000)
        if bot.storage.stats.top_terms(bot.ws, since) and bot.storage.stats.top_misses(bot.ws, since):
            break
        time.sleep(0.05)
    since = bot.clock().replace(year=2000)
    assert bot.storage.stats.top_terms(bot.ws, since) == [("Drain", 1)]
    assert bot.storage.stats.top_misses(bot.ws, since) == [("quantum flux", 1)]


def test_asking_again_gives_the_same_answer_and_counts_again(bot: RunningBot) -> None:
    first = [bot.command("/define", text).json() for text in ("drain", "draen", "xyzzy", "rpo vs rto")]
    again = [bot.command("/define", text).json() for text in ("drain", "draen", "xyzzy", "rpo vs rto")]
    assert again == first
    since = bot.clock().replace(year=2000)
    deadline = time.monotonic() + 5
    while bot.storage.stats.top_misses(bot.ws, since) != [("xyzzy", 2)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dict(bot.storage.stats.top_terms(bot.ws, since)) == {"Drain": 4, "RPO": 2, "RTO": 2}
    assert bot.storage.stats.top_misses(bot.ws, since) == [("xyzzy", 2)]


def big_glossary_yaml(n: int, categories: int) -> str:
    lines = ["title: Big", "terms:"]
    for i in range(n):
        lines += [
            f"  - term: Widget {i:05d}",
            f"    category: Group {i % categories}",
            f"    definition: Definition {i}.",
            f"    trap: Trap {i}.",
        ]
    return "\n".join(lines) + "\n"


def test_help_for_a_2000_term_glossary_uses_menus_that_load_as_you_type(
    fake: SlackStandIn, tmp_path: Path
) -> None:
    path = tmp_path / "big.yml"
    path.write_text(big_glossary_yaml(2000, 25))
    big = RunningBot.start(fake, f"sqlite:///{tmp_path}/b.db", GLOSSARY_PATH=str(path))
    try:
        body = big.command("/define", "help").json()
        assert len(body["blocks"]) <= 50
        menus = [b for b in body["blocks"] if b.get("accessory")]
        assert len(menus) == 25 and menus[0]["accessory"]["type"] == "external_select"
        payload = {
            "type": "block_suggestion",
            "user": {"id": "U1", "name": "x", "team_id": "T1"},
            "container": {"type": "message", "message_ts": "1.0", "channel_id": "C1", "is_ephemeral": True},
            "api_app_id": "A1",
            "token": "legacy",
            "action_id": "define_pick",
            "block_id": menus[1]["block_id"],
            "value": "0012",
            "team": {"id": "T1", "domain": "v"},
            "channel": {"id": "C1", "name": "general"},
        }
        reply = big.post(
            urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
        )
        assert reply.status == 200
        values = [o["value"] for o in reply.json()["options"]]
        assert values and all(v.startswith("Widget 0012") for v in values)
        assert all(int(v.split()[1]) % 25 == 1 for v in values)  # only that category's terms
    finally:
        big.close()


def test_text_slack_sent_escaped_is_shown_once_escaped(bot: RunningBot) -> None:
    """Slack sends `&`, `<` and `>` in command text as entities; the answer shows them as typed."""
    shown = texts(bot.command("/define", "fish &amp; chips &lt;!channel&gt;").json()["blocks"])
    assert "fish &amp; chips &lt;!channel&gt;" in shown  # once escaped: Slack shows "fish & chips <!channel>"
    assert "&amp;amp;" not in shown and "<!channel>" not in shown
