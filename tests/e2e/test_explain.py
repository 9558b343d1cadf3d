"""Explain terms, several meanings, and finding a term from its description: signed requests
against the running app, answers read where Slack would receive them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.standin import SlackStandIn
from bot.views.ids import EXPLAIN_CALLBACK
from tests.support.bot import RunningBot

ROOT = Path(__file__).resolve().parents[2]


def texts(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def explained(bot: RunningBot, text: str) -> dict:
    """What the bot sent to the shortcut's response_url."""
    before = len(bot.fake.responses)
    reply = bot.shortcut(EXPLAIN_CALLBACK, text)
    assert reply.status == 200 and reply.body in ("", "{}") or reply.json() == {}
    [answer] = bot.fake.wait_responses(before + 1)[before:]
    assert answer.method == "/response/shortcut-U100"
    return dict(answer.body)


def section_names(body: dict) -> list[str]:
    return [
        b["text"]["text"].split("*")[1]
        for b in body["blocks"]
        if b.get("block_id", "").startswith("explain_")
    ]


@pytest.fixture
def shared(fake: SlackStandIn, tmp_path: Path) -> Iterator[RunningBot]:
    """A bot whose glossary has IC twice (incidents, people) and a second Drain (plumbing)."""
    path = tmp_path / "glossary.yml"
    path.write_text(
        (ROOT / "data/glossary.yml").read_text() + "\n" + (ROOT / "tests/data/meanings.yml").read_text()
    )
    running = RunningBot.start(fake, f"sqlite:///{tmp_path}/s.db", GLOSSARY_PATH=str(path))
    yield running
    running.close()


# -- Explain terms -------------------------------------------------------------------------------


def test_a_message_with_several_terms_is_explained_privately_in_order(bot: RunningBot) -> None:
    body = explained(bot, "Drain the old allocation before the cold deploy and bump the route epoch.")
    assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert section_names(body) == ["Drain", "Allocation", "Cold deploy", "Route epoch"]
    shown = texts(body["blocks"])
    assert "A no-new-work posture" in shown and "Claiming sessions moved" in shown  # definition, trap
    shares = [b["accessory"] for b in body["blocks"] if b.get("block_id", "").startswith("explain_")]
    assert [(s["action_id"], s["value"]) for s in shares][:2] == [
        ("define_share_0", "Drain"),
        ("define_share_1", "Allocation"),
    ]
    assert "Warm deploy" not in shown  # "cold deploy" is Cold deploy, not a stray deploy


def test_aliases_count_and_a_near_miss_word_does_not(bot: RunningBot) -> None:
    body = explained(bot, "The drainage team says CAS and alloc both matter; the JET STREAM too. Draining!")
    assert section_names(body) == ["Compare-and-swap", "Allocation", "JetStream", "Drain"]


def test_at_most_five_terms_with_a_note_of_the_rest(bot: RunningBot) -> None:
    body = explained(bot, "cell, drain, RTO, RPO, artifact, session store and JetStream")
    assert len(section_names(body)) == 5
    assert "…and 2 more terms" in texts(body["blocks"])


def test_mentions_in_the_message_never_ping(bot: RunningBot) -> None:
    body = explained(
        bot,
        "<!channel> <@U999> ask <!subteam^S1|@oncall> about <https://x.test/drain|the drain> in <#C1|cell>",
    )
    shown = json.dumps(body)
    assert "<!" not in shown and "<@" not in shown and "<#" not in shown
    assert section_names(body) == ["Drain"]  # the link's label counts; a channel's name does not


def test_a_message_without_terms_gets_a_short_answer(bot: RunningBot) -> None:
    body = explained(bot, "lunch at noon?")
    assert body["text"] == "No glossary terms in this message."
    assert len(body["blocks"]) == 1


def test_share_from_the_explanation_posts_the_card(bot: RunningBot) -> None:
    body = explained(bot, "drain it")
    value = body["blocks"][1]["accessory"]["value"]
    reply = bot.click("define_share_0", value, ephemeral=True)
    assert reply.status == 200
    posted = bot.fake.wait_for(
        lambda: [r for r in bot.fake.responses if r.body.get("response_type") == "in_channel"]
    )
    assert "A no-new-work posture" in texts(posted[0].body["blocks"])


def test_a_shared_name_in_a_message_shows_each_meaning(shared: RunningBot) -> None:
    body = explained(shared, "Ask the IC before you drain anything")
    shown = texts(body["blocks"])
    assert section_names(body) == ["IC", "IC", "Drain", "Drain"]
    assert "incident commander" in shown and "individual contributor" in shown and "waste water" in shown


# -- several meanings --------------------------------------------------------------------------


def test_define_a_shared_name_shows_every_meaning_with_a_button_each(shared: RunningBot) -> None:
    body = shared.command("/define", "ic").json()
    shown = texts(body["blocks"])
    assert "*Incidents*: The incident commander" in shown and "*People*: An individual contributor" in shown
    assert "Expecting the IC to debug" not in shown  # the trap is one click away
    buttons = [b["accessory"] for b in body["blocks"] if "accessory" in b]
    assert [b["value"] for b in buttons] == ["IC|Incidents", "IC|People"]
    reply = shared.click(buttons[1]["action_id"], buttons[1]["value"], ephemeral=True)
    assert reply.status == 200
    [opened] = shared.fake.wait_responses(1)
    card = texts(opened.body["blocks"])
    assert "individual contributor" in card and "Reading it as a junior title." in card
    assert "incident commander" not in card.lower()


def test_an_alias_of_one_meaning_goes_straight_to_it(shared: RunningBot) -> None:
    shown = texts(shared.command("/define", "incident commander").json()["blocks"])
    assert (
        "Expecting the IC to debug the problem personally." in shown and "individual contributor" not in shown
    )


def test_sharing_one_meaning_shares_that_meaning(shared: RunningBot) -> None:
    shared.click("define_share", "Drain|Plumbing", ephemeral=True)
    [posted] = shared.fake.wait_responses(1)
    assert "waste water" in texts(posted.body["blocks"]) and "no-new-work" not in texts(posted.body["blocks"])


def test_sharing_from_a_comparison_shares_the_meaning_compared(shared: RunningBot) -> None:
    body = shared.command("/define", "individual contributor vs rto").json()
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["value"] for b in buttons] == ["IC|People", "RTO"]
    assert buttons[0]["text"]["text"] == "Share IC (People)"
    shared.click(buttons[0]["action_id"], buttons[0]["value"], ephemeral=True)
    [posted] = shared.fake.wait_responses(1)
    card = texts(posted.body["blocks"])
    assert "individual contributor" in card and "incident commander" not in card.lower()


def test_what_a_person_typed_and_every_meaning_are_shown_verbatim(shared: RunningBot) -> None:
    def mrkdwn(blocks: list[dict]) -> list[dict]:
        found: list[dict] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                if node.get("type") == "mrkdwn":
                    found.append(node)
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(blocks)
        return found

    for body in (
        shared.command("/define", "ic").json(),
        explained(shared, "the IC said see https://example.com and #general"),
        explained(shared, "nothing here but https://example.com"),
    ):
        texts_shown = mrkdwn(body["blocks"])
        assert texts_shown and all(t.get("verbatim") is True for t in texts_shown), texts_shown


# -- finding a term from its description ---------------------------------------------------------


def test_a_description_finds_the_term(bot: RunningBot) -> None:
    shown = texts(bot.command("/define", "stop taking new work but let running jobs finish").json()["blocks"])
    assert "A no-new-work posture" in shown and "Showing *Drain* for" in shown


def test_a_vague_description_offers_the_likely_terms(bot: RunningBot) -> None:
    body = bot.command("/define", "conditional update that checks the previous version first").json()
    buttons = [e["value"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "Did you mean" in texts(body["blocks"]) and buttons[0] == "Compare-and-swap" and len(buttons) <= 3


def test_a_name_inside_a_description_no_longer_wins_alone(bot: RunningBot) -> None:
    body = bot.command("/define", "a running replica placed on a cell").json()
    buttons = [e["value"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "Did you mean" in texts(body["blocks"]) and {"Cell", "Allocation"} <= set(buttons)


def test_names_aliases_and_typos_still_win(bot: RunningBot) -> None:
    assert "The target time to restore" in texts(bot.command("/define", "rto").json()["blocks"])
    assert "A conditional write" in texts(bot.command("/define", "CAS").json()["blocks"])
    assert "Showing *Drain* for ‘draen’" in texts(bot.command("/define", "draen").json()["blocks"])


def test_an_unrelated_question_gets_no_card(bot: RunningBot) -> None:
    for text in ("lunch menu friday", "how do I reset my password for the vpn"):
        shown = texts(bot.command("/define", text).json()["blocks"])
        assert "No term matches" in shown and "Common trap" not in shown
