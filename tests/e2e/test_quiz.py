"""The term of the day end to end: schedules from Slack, posting exactly once,
answers over signed clicks, live counts, closing, recovery after a crash.

Scheduled jobs are driven by calling the service with a moved `FakeClock`,
exactly as APScheduler's jobs call it; nothing sleeps to wait for time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.bot import FakeClock, RunningBot
from tests.support.slack_fake import SlackFake

CHANNEL = "C100"
# Thursday 26 November 2026, 09:30 in Berlin (UTC+1)
SLOT_TIME = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


def shown(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SLOT_TIME - timedelta(hours=1))


@pytest.fixture
def qbot(fake: SlackFake, sqlite_url: str, clock: FakeClock) -> Iterator[RunningBot]:
    fake.clock = lambda: clock().timestamp()
    running = RunningBot.start(fake, sqlite_url, clock=clock, claim_lease=timedelta(seconds=60))
    yield running
    running.close()


def schedule(bot: RunningBot, text: str = "09:30 Europe/Berlin mon-fri", user: str = "U100") -> dict:
    reply = bot.command("/quiz", f"schedule {text}", user=user, channel=CHANNEL)
    assert reply.status == 200
    return reply.json()


def post_quiz(bot: RunningBot, clock: FakeClock) -> dict:
    schedule(bot)
    clock.set(SLOT_TIME)
    quiz = bot.service.run_slot(CHANNEL)
    assert quiz is not None
    return {"quiz": quiz, "message": bot.fake.posted(CHANNEL)[-1]}


def quiz_clicks(bot: RunningBot, quiz_id: int, choice: int, user: str) -> dict:
    before = len(bot.fake.responses)
    reply = bot.click(f"quiz_answer_{choice}", f"{quiz_id}:{choice}", user=user, channel=CHANNEL)
    assert reply.status == 200
    return bot.fake.wait_responses(before + 1)[-1].body


# -- schedules ----------------------------------------------------------------


def test_schedule_is_saved_and_status_shows_next_post(qbot: RunningBot) -> None:
    body = schedule(qbot)
    assert body["response_type"] == "ephemeral"
    assert "09:30 Europe/Berlin, mon-fri" in body["text"]
    status = qbot.command("/quiz", "status", channel=CHANNEL).json()["text"]
    # 08:30 Berlin on Thursday: the next post is today at 09:30 local
    assert "Thu 26 Nov 09:30 CET" in status


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("25:99", "not a time of day"),
        ("09:30 Mars/Base", "not a time zone"),
        ("09:30 Europe/Berlin someday", "not a set of days"),
        ("", "Tell me when"),
    ],
)
def test_bad_schedule_gets_a_clear_message_and_changes_nothing(
    qbot: RunningBot, text: str, says: str
) -> None:
    schedule(qbot, "10:00 UTC daily")
    body = schedule(qbot, text)
    assert says in body["text"]
    saved = qbot.store.get_schedule(CHANNEL)
    assert saved.describe() == "10:00 UTC, daily"


def test_non_admin_is_refused_politely(fake: SlackFake, sqlite_url: str, clock: FakeClock) -> None:
    bot = RunningBot.start(fake, sqlite_url, clock=clock, QUIZ_ADMINS="UADMIN1")
    try:
        for sub in ("schedule 09:30", "now", "off"):
            body = bot.command("/quiz", sub, user="U555", channel=CHANNEL).json()
            assert "only the quiz admins" in body["text"]
        assert bot.store.get_schedule(CHANNEL) is None
        assert fake.posted(CHANNEL) == []
        assert "Scheduled" in schedule(bot, user="UADMIN1")["text"]
    finally:
        bot.close()


def test_quiz_off_removes_the_schedule(qbot: RunningBot) -> None:
    schedule(qbot)
    assert "off" in qbot.command("/quiz", "off", channel=CHANNEL).json()["text"]
    assert qbot.store.get_schedule(CHANNEL) is None


# -- posting exactly once -----------------------------------------------------------


def test_slot_posts_one_question_with_metadata(qbot: RunningBot, clock: FakeClock) -> None:
    posted = post_quiz(qbot, clock)
    message = posted["message"]
    assert message["metadata"]["event_type"] == "study_lab_quiz"
    assert message["metadata"]["event_payload"]["quiz_id"] == posted["quiz"].id
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["A", "B", "C", "D"]
    # nothing in the message gives the answer away
    assert "correct" not in shown(message["blocks"]).lower()
    assert qbot.service.run_slot(CHANNEL) is None
    clock.advance(hours=3)
    assert qbot.service.run_slot(CHANNEL) is None
    assert len(qbot.fake.posted(CHANNEL)) == 1


def test_no_post_before_time_or_on_weekend(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    clock.set(SLOT_TIME - timedelta(minutes=1))
    assert qbot.service.run_slot(CHANNEL) is None
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # Saturday
    assert qbot.service.run_slot(CHANNEL) is None
    assert qbot.fake.posted(CHANNEL) == []


def test_missed_slot_posts_late_same_day_only(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    clock.set(SLOT_TIME + timedelta(hours=5))  # the bot was down at 09:30; 14:30 local
    qbot.service.catch_up(qbot.store.list_schedules())
    assert len(qbot.fake.posted(CHANNEL)) == 1
    clock.set(SLOT_TIME + timedelta(days=1, minutes=-1))  # Friday 09:29: Thursday's is not repeated
    qbot.service.catch_up(qbot.store.list_schedules())
    assert len(qbot.fake.posted(CHANNEL)) == 1


def test_rotation_covers_the_glossary_before_repeating(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot, "09:30 Europe/Berlin daily")
    terms = []
    for day in range(16):
        clock.set(SLOT_TIME + timedelta(days=day))
        quiz = qbot.service.run_slot(CHANNEL)
        terms.append(quiz.question.term)
    assert len(set(terms)) == 16


def test_rate_limited_post_is_retried_once_posted(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    qbot.fake.fail("chat.postMessage", 429, count=1, retry_after=0)
    clock.set(SLOT_TIME)
    qbot.service.run_slot(CHANNEL)
    assert len(qbot.fake.calls_to("chat.postMessage")) == 2
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert qbot.store.open_quizzes(CHANNEL)[0].message_ts is not None


def test_crash_between_post_and_record_does_not_post_twice(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    # Slack posts the message but the answer never arrives (as if the process died there).
    qbot.fake.fail("chat.postMessage", -1, count=1)
    clock.set(SLOT_TIME)
    qbot.service.run_slot(CHANNEL)
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert qbot.store.open_quizzes(CHANNEL) == []  # still only claimed
    clock.advance(minutes=5)  # past the claim lease
    qbot.service.recover()
    assert len(qbot.fake.posted(CHANNEL)) == 1
    [quiz] = qbot.store.open_quizzes(CHANNEL)
    assert quiz.message_ts == qbot.fake.posted(CHANNEL)[0]["ts"]
    assert qbot.fake.calls_to("conversations.history")


def test_server_error_post_is_recovered_with_one_post(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    qbot.fake.fail("chat.postMessage", 500, count=1)
    clock.set(SLOT_TIME)
    qbot.service.run_slot(CHANNEL)
    assert qbot.fake.posted(CHANNEL) == []
    qbot.service.recover()  # within the lease: nothing yet
    assert qbot.fake.posted(CHANNEL) == []
    clock.advance(minutes=5)
    qbot.service.recover()
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert len(qbot.store.open_quizzes(CHANNEL)) == 1


def test_quiz_now_posts_once_per_minute(qbot: RunningBot) -> None:
    for _ in range(2):
        assert qbot.command("/quiz", "now", channel=CHANNEL).status == 200
    qbot.fake.wait_for(lambda: qbot.fake.posted(CHANNEL))
    qbot.fake.wait_responses(1)
    assert len(qbot.fake.posted(CHANNEL)) == 1


# -- answering ---------------------------------------------------------------------


def test_right_answer_is_stored_and_explained_privately(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    reply = quiz_clicks(qbot, quiz.id, quiz.question.correct, "U1")
    assert reply["response_type"] == "ephemeral"
    text = shown(reply["blocks"])
    assert "Right!" in text and "Common trap" in text
    assert qbot.store.user_answer(quiz.id, "U1") == quiz.question.correct


def test_wrong_answer_says_the_right_one(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    wrong = (quiz.question.correct + 1) % 4
    text = shown(quiz_clicks(qbot, quiz.id, wrong, "U1")["blocks"])
    assert "Not quite" in text
    assert f"The answer is *{quiz.question.right_letter}*" in text


def test_first_answer_is_final(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    quiz_clicks(qbot, quiz.id, 1, "U1")
    text = shown(quiz_clicks(qbot, quiz.id, 2, "U1")["blocks"])
    assert "You already answered *B*" in text
    assert qbot.store.tally(quiz.id)[0] == 1
    assert qbot.store.user_answer(quiz.id, "U1") == 1


def test_forged_choice_is_refused_and_not_stored(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    for value in (f"{quiz.id}:7", "nonsense", f"{quiz.id + 99}:0"):
        before = len(qbot.fake.responses)
        assert qbot.click("quiz_answer_0", value, user="U9", channel=CHANNEL).status == 200
        qbot.fake.wait_responses(before + 1)
    assert qbot.store.tally(quiz.id) == (0, 0)


def test_click_on_closed_quiz_gives_the_answer(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    clock.set(SLOT_TIME + timedelta(days=1))
    text = shown(quiz_clicks(qbot, quiz.id, 0, "U1")["blocks"])
    assert "This quiz has closed; the answer was" in text
    assert qbot.store.tally(quiz.id) == (0, 0)


def test_count_is_shown_with_coalesced_updates(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    for user in ("U1", "U2", "U3"):
        quiz_clicks(qbot, quiz.id, 0, user)
    qbot.service.flush_counts()
    qbot.service.flush_counts()  # within the interval: no second edit
    updates = qbot.fake.calls_to("chat.update")
    assert len(updates) == 1
    assert "3 answered" in shown(updates[0].body["blocks"])
    quiz_clicks(qbot, quiz.id, 0, "U4")
    clock.advance(seconds=2)
    qbot.service.flush_counts()
    assert "4 answered" in shown(qbot.fake.posted(CHANNEL)[0]["blocks"])
    # nobody sees who chose what before the reveal
    assert "U1" not in shown(qbot.fake.posted(CHANNEL)[0]["blocks"])


def test_close_reveals_answer_share_and_trap_once(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    quiz_clicks(qbot, quiz.id, quiz.question.correct, "U1")
    quiz_clicks(qbot, quiz.id, (quiz.question.correct + 1) % 4, "U2")
    clock.set(SLOT_TIME + timedelta(hours=15))  # after midnight in Berlin
    qbot.service.close_due()
    qbot.service.close_due()
    reveals = [c for c in qbot.fake.calls_to("chat.update") if "closed" in str(c.body.get("text"))]
    assert len(reveals) == 1
    text = shown(qbot.fake.posted(CHANNEL)[0]["blocks"])
    assert "1 of 2 got it right (50%)" in text
    assert "Common trap" in text
    assert f"Answer: *{quiz.question.right_letter}*" in text
    assert qbot.store.get_quiz(quiz.id).state == "closed"


def test_next_quiz_closes_the_previous_one(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    clock.set(SLOT_TIME)
    first = qbot.service.run_slot(CHANNEL)
    qbot.command("/quiz", "now", channel=CHANNEL)
    qbot.fake.wait_for(lambda: len(qbot.fake.posted(CHANNEL)) == 2)
    qbot.fake.wait_for(lambda: qbot.store.get_quiz(first.id).state == "closed")


def test_close_left_half_done_is_finished_after_restart(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    clock.set(SLOT_TIME + timedelta(hours=15))
    qbot.fake.fail("chat.update", 500, count=3)
    qbot.service.close_due()
    assert qbot.store.get_quiz(quiz.id).state == "closing"
    clock.advance(minutes=5)
    qbot.service.recover()
    assert qbot.store.get_quiz(quiz.id).state == "closed"
    assert "closed" in shown(qbot.fake.posted(CHANNEL)[0]["blocks"])
