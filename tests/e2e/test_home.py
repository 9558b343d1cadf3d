"""The Home tab and private practice end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.standin import SlackStandIn
from tests.support.bot import GLOSSARY, FakeClock, RunningBot

CHANNEL = "C300"


def shown(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 26, 8, 30, tzinfo=UTC))


@pytest.fixture
def hbot(start_bot: Callable[..., RunningBot], clock: FakeClock) -> RunningBot:
    return start_bot(clock)


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
    assert "Scheduled" in bot.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    quiz = bot.run_slot(CHANNEL)
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


def test_answer_refreshes_a_home_opened_lately(hbot: RunningBot) -> None:
    open_home(hbot, "U2")
    hbot.after_ack_done()
    answer_right(hbot, "U2")
    assert hbot.services.home.publish_stale() == 1  # the scheduled job's work
    assert hbot.services.home.publish_stale() == 0
    first, refreshed = hbot.fake.calls_to("views.publish")
    assert refreshed.body["user_id"] == "U2"
    assert "*Questions answered:* 0" in shown(first.body["view"]["blocks"])
    assert "*Questions answered:* 1" in shown(refreshed.body["view"]["blocks"])


def test_answer_by_someone_who_never_opened_home_publishes_nothing(hbot: RunningBot) -> None:
    """Opening the tab publishes it fresh; a refresh for someone elsewhere in Slack is wasted work."""
    answer_right(hbot, "U3")
    assert hbot.services.home.publish_stale() == 0
    assert hbot.fake.calls_to("views.publish") == []
    assert "*Questions answered:* 1" in shown(open_home(hbot, "U3")["blocks"])


def test_picking_a_term_in_home_opens_it(hbot: RunningBot) -> None:
    hbot.click("home_pick", "", user="U1", view={"type": "home"}, selected="Drain")
    [opened] = hbot.fake.wait_calls("views.open")
    assert "A no-new-work posture" in shown(opened.body["view"])


def practice_view(call_body: dict) -> dict:
    view = call_body["view"]
    return json.loads(view) if isinstance(view, str) else view


def open_practice(bot: RunningBot, user: str) -> dict:
    """Click Practice in the Home tab; the modal Slack opened, as the stand-in stored it."""
    stored = bot.fake.state.views
    known = set(stored)
    bot.click("home_practice", "start", user=user, view={"type": "home"})
    # the call is recorded before the stand-in stores the view: wait for the view itself
    [opened] = bot.fake.wait_for(
        lambda: [v for k, v in list(stored.items()) if k not in known and v.get("callback_id") == "practice"]
    )
    return opened


def answer_practice(bot: RunningBot, user: str, modal: dict, choice: int) -> dict:
    """Click a choice in the modal; the modal as the bot updated it."""
    stored = bot.fake.state.views
    shown_hash = stored[modal["id"]]["hash"]
    bot.click(
        f"practice_answer_{choice}",
        str(choice),
        user=user,
        view={k: modal[k] for k in ("id", "hash", "type", "callback_id", "private_metadata")},
    )
    bot.fake.wait_for(lambda: stored[modal["id"]]["hash"] != shown_hash)
    return stored[modal["id"]]


def test_practice_from_button_to_feedback_to_next(hbot: RunningBot) -> None:
    modal = open_practice(hbot, "U5")
    assert modal["callback_id"] == "practice"
    meta = json.loads(modal["private_metadata"])
    wrong = (meta["r"] + 1) % len(meta["c"])
    feedback = answer_practice(hbot, "U5", modal, wrong)
    text = shown(feedback["blocks"])
    assert "Not quite" in text and "Common trap" in text and "Next" in text
    [card] = hbot.storage.practice.cards(hbot.ws, "U5").values()
    assert (card.term, card.box, card.misses) == (meta["t"], 1, 1)
    hbot.click(
        "practice_next",
        meta["t"],
        user="U5",
        view={"id": modal["id"], "type": "modal", "callback_id": "practice"},
    )
    nxt = practice_view(hbot.fake.wait_calls("views.update", 2)[-1].body)
    assert json.loads(nxt["private_metadata"])["t"] != meta["t"]


def test_a_double_submission_counts_once_and_moves_the_card_once(hbot: RunningBot) -> None:
    modal = open_practice(hbot, "U8")
    meta = json.loads(modal["private_metadata"])
    view = {k: modal[k] for k in ("id", "hash", "type", "callback_id", "private_metadata")}
    for _ in range(2):  # a double click: both carry the same modal, as Slack sends them
        assert hbot.click(f"practice_answer_{meta['r']}", str(meta["r"]), user="U8", view=view).status == 200
    hbot.after_ack_done()
    assert hbot.storage.practice.count(hbot.ws, "U8") == (1, 1)
    assert hbot.storage.practice.cards(hbot.ws, "U8")[meta["t"]].box == 2


def test_practice_is_judged_against_what_was_shown(
    fake: SlackStandIn, sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """Between showing and answering, the glossary is edited (terms reordered, a new one added,
    so a question rebuilt now would order its choices differently): the answer is still judged
    against the choices the modal showed."""
    glossary = tmp_path / "glossary.yml"
    glossary.write_text(GLOSSARY.read_text())
    bot = RunningBot.start(fake, sqlite_url, clock=clock, GLOSSARY_PATH=str(glossary))
    try:
        modal = open_practice(bot, "U9")
        meta = json.loads(modal["private_metadata"])
        data = yaml.safe_load(glossary.read_text())
        data["terms"].reverse()
        data["terms"].append({**data["terms"][0], "term": "Zz new", "aliases": [], "see_also": []})
        for term in data["terms"]:  # and every text reworded: no choice shown is current any more
            term["term"] = "Re " + term["term"]
            term["aliases"] = ["re " + a for a in term.get("aliases", [])]
            term["see_also"] = ["Re " + t for t in term.get("see_also", [])]
            term["definition"] = "Reworded: " + term["definition"]
            term["trap"] = "Reworded: " + term["trap"]
        glossary.write_text(yaml.safe_dump(data, sort_keys=False))
        assert bot.runtime.glossaries.reload_if_changed()
        feedback = answer_practice(bot, "U9", modal, meta["r"])
        assert "Right!" in shown(feedback["blocks"])
        assert bot.storage.practice.count(bot.ws, "U9") == (1, 1)
        again = open_practice(bot, "U9")
        wrong = (json.loads(again["private_metadata"])["r"] + 1) % len(
            json.loads(again["private_metadata"])["c"]
        )
        assert "Right!" not in shown(answer_practice(bot, "U9", again, wrong)["blocks"])
    finally:
        bot.close()


def test_practice_never_touches_a_leaderboard(hbot: RunningBot) -> None:
    for _ in range(4):
        modal = open_practice(hbot, "U6")
        answer_practice(hbot, "U6", modal, 0)
    assert hbot.storage.practice.count(hbot.ws, "U6")[0] == 4
    board = hbot.services.boards.board(hbot.ws, CHANNEL, "U6", last=False)
    assert board.standings == []
    assert hbot.storage.answers.progress(hbot.ws, "U6").answered == 0


def test_malformed_practice_metadata_is_not_stored(hbot: RunningBot) -> None:
    modal = open_practice(hbot, "U7")
    for meta in (
        "not json",
        json.dumps({"t": "Drain", "k": "term", "c": ["a", "b"], "r": 5, "n": "x"}),
        json.dumps({"t": "Drain", "k": "evil", "c": ["a", "b"], "r": 0, "n": "y"}),
        json.dumps({"t": "Drain", "k": "term", "c": ["a", "b"], "r": 0}),
    ):
        answer_practice(hbot, "U7", {**modal, "private_metadata": meta}, 0)
        modal = hbot.fake.state.views[modal["id"]]
    assert hbot.storage.practice.count(hbot.ws, "U7") == (0, 0)


def test_refreshes_leave_room_under_the_tier_for_people_opening_the_tab(hbot: RunningBot) -> None:
    """Refreshes after answers stop at REFRESH_LIMIT a minute; opening the tab can still publish."""
    from bot.services.home import PUBLISH_LIMIT, REFRESH_LIMIT

    home = hbot.services.home
    viewers = [f"U{n:03d}" for n in range(REFRESH_LIMIT + 10)]
    for n, user in enumerate(viewers):
        open_home(hbot, user, event_id=f"Ev-open-{n}")
    hbot.after_ack_done()
    hbot.clock.advance(minutes=1)  # a new minute for the budget; the Homes were opened lately
    for user in viewers:
        home.mark_stale(hbot.ws, user)
    published = home.publish_stale() + home.publish_stale()
    assert published == REFRESH_LIMIT
    assert home.publish_stale() == 0  # the rest wait for the next minute
    open_home(hbot, "UOPENER")  # a person opening the tab is not turned away
    assert len(hbot.fake.calls_to("views.publish")) == len(viewers) + REFRESH_LIMIT + 1
    hbot.clock.advance(minutes=1)
    assert home.publish_stale() == len(viewers) - REFRESH_LIMIT  # and the rest go out in the next
    assert PUBLISH_LIMIT >= REFRESH_LIMIT + 1
