"""The Home tab and private practice end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.support.bot import FakeClock, RunningBot
from tests.support.slack_fake import SlackFake

CHANNEL = "C300"


def shown(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 26, 8, 30, tzinfo=UTC))


@pytest.fixture
def hbot(fake: SlackFake, sqlite_url: str, clock: FakeClock) -> Iterator[RunningBot]:
    fake.clock = lambda: clock().timestamp()
    running = RunningBot.start(fake, sqlite_url, clock=clock)
    yield running
    running.close()


def open_home(bot: RunningBot, user: str, event_id: str = "Ev1") -> dict:
    before = len(bot.fake.calls_to("views.publish"))
    reply = bot.event(
        {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home", "event_ts": "1.0"},
        event_id=event_id,
    )
    assert reply.status == 200
    call = bot.fake.wait_calls("views.publish", before + 1)[-1]
    assert call.body["user_id"] == user
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def answer_right(bot: RunningBot, user: str) -> None:
    """Schedule the channel, post today's quiz, and have `user` answer it right."""
    bot.command("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    quiz = bot.service.run_slot(CHANNEL)
    right = quiz.question.correct
    bot.click(f"quiz_answer_{right}", f"{quiz.id}:{right}", user=user, channel=CHANNEL)
    bot.fake.wait_responses(1)


def test_home_shows_progress_rank_glossary_and_practice(hbot: RunningBot) -> None:
    answer_right(hbot, "U1")
    view = open_home(hbot, "U1")
    text = shown(view["blocks"])
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    assert "*Questions answered:* 1" in text and "*Accuracy:* 100%" in text and "*Streak:* 1" in text
    assert f"<#{CHANNEL}>: rank 1 this week" in text
    assert "Practice" in text
    options = [o["value"] for b in view["blocks"] if b.get("accessory") for o in b["accessory"]["options"]]
    assert len(options) == 16


def test_answer_marks_home_for_refresh(hbot: RunningBot) -> None:
    answer_right(hbot, "U2")
    assert hbot.runtime.home.publish_stale() == 1  # the scheduled job's work
    assert hbot.runtime.home.publish_stale() == 0
    [call] = hbot.fake.calls_to("views.publish")
    assert call.body["user_id"] == "U2"


def test_picking_a_term_in_home_opens_it(hbot: RunningBot) -> None:
    hbot.click("home_pick", "", user="U1", view={"type": "home"}, selected="Drain")
    [opened] = hbot.fake.wait_calls("views.open")
    assert "A no-new-work posture" in shown(opened.body["view"])


def practice_view(call_body: dict) -> dict:
    view = call_body["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_practice_from_button_to_feedback_to_next(hbot: RunningBot) -> None:
    hbot.click("home_practice", "start", user="U5", view={"type": "home"})
    [opened] = hbot.fake.wait_calls("views.open")
    question = practice_view(opened.body)
    assert question["callback_id"] == "practice"
    meta = json.loads(question["private_metadata"])
    # answer wrongly on purpose: pick a letter, then find out from the feedback
    hbot.click(
        "practice_answer_0",
        "0",
        user="U5",
        view={"type": "modal", "callback_id": "practice", "private_metadata": question["private_metadata"]},
    )
    [update] = hbot.fake.wait_calls("views.update")
    feedback = shown(practice_view(update.body)["blocks"])
    assert "Common trap" in feedback and "Next" in feedback
    [card] = hbot.store.practice_cards("U5")
    assert card.term == meta["term"]
    assert hbot.store.practice_count("U5")[0] == 1
    hbot.click("practice_next", meta["term"], user="U5", view={"type": "modal", "callback_id": "practice"})
    nxt = practice_view(hbot.fake.wait_calls("views.update", 2)[-1].body)
    assert json.loads(nxt["private_metadata"])["term"] != meta["term"]


def test_practice_never_touches_a_leaderboard(hbot: RunningBot) -> None:
    hbot.click("home_practice", "start", user="U6", view={"type": "home"})
    question = practice_view(hbot.fake.wait_calls("views.open")[0].body)
    for choice in range(4):
        hbot.click(
            f"practice_answer_{choice}",
            str(choice),
            user="U6",
            view={
                "type": "modal",
                "callback_id": "practice",
                "private_metadata": question["private_metadata"],
            },
        )
    hbot.fake.wait_calls("views.update", 4)
    assert hbot.store.practice_count("U6")[0] == 4
    board = hbot.service.board(CHANNEL, "U6", last=False)
    assert board.standings == []
    assert hbot.store.user_progress("U6").answered == 0


def test_forged_practice_metadata_is_not_stored(hbot: RunningBot) -> None:
    for meta in (
        "not json",
        json.dumps({"term": "Nope", "kind": "term", "seed": 1}),
        json.dumps({"term": "Drain", "kind": "evil", "seed": 1}),
    ):
        before = len(hbot.fake.calls_to("views.update"))
        hbot.click(
            "practice_answer_0",
            "0",
            user="U7",
            view={"type": "modal", "callback_id": "practice", "private_metadata": meta},
        )
        hbot.fake.wait_calls("views.update", before + 1)
    assert hbot.store.practice_count("U7") == (0, 0)
