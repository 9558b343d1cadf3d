"""The term of the day end to end: schedules from Slack, posting exactly once, answers over
signed clicks, live counts, closing, recovery after a crash, and the quiz's promises under
ordinary misuse (a second `/quiz now`, a practice round, a channel the bot is not in, a
reveal that races a count edit, a claim retaken under a slow process).

Scheduled jobs are driven by calling the same service functions APScheduler's jobs call,
with a moved `FakeClock`; nothing sleeps to wait for time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.quiz import question_for_slot
from bot.domain.slots import StoredSchedule
from bot.jobs import job_id
from bot.services.closing import COUNT_EDITS_PER_MINUTE
from bot.standin import Person, SlackStandIn
from bot.storage.statuses import QuizState
from tests.support.bot import FakeClock, RunningBot

CHANNEL = "C100"
NOT_JOINED = "C777"
# Thursday 26 November 2026, 09:30 in Berlin (UTC+1)
SLOT_TIME = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


def shown(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SLOT_TIME - timedelta(hours=1))


@pytest.fixture
def qbot(start_bot: Callable[..., RunningBot], clock: FakeClock) -> RunningBot:
    return start_bot(clock, claim_lease=timedelta(seconds=60))


def schedule(
    bot: RunningBot, text: str = "09:30 Europe/Berlin mon-fri", user: str = "U100", channel: str = CHANNEL
) -> str:
    return bot.say("/quiz", f"schedule {text}", user=user, channel=channel)


def post_quiz(bot: RunningBot, clock: FakeClock) -> dict:
    assert "Scheduled" in schedule(bot)
    clock.set(SLOT_TIME)
    quiz = bot.run_slot(CHANNEL)
    assert quiz is not None
    return {"quiz": bot.quiz(quiz.id), "message": bot.fake.posted(CHANNEL)[-1]}


def quiz_clicks(bot: RunningBot, quiz_id: int, choice: int, user: str) -> dict:
    before = len(bot.fake.responses)
    reply = bot.click(f"quiz_answer_{choice}", f"{quiz_id}:{choice}", user=user, channel=CHANNEL)
    assert reply.status == 200
    return bot.fake.wait_responses(before + 1)[-1].body


def reveals(bot: RunningBot) -> list:
    return [c for c in bot.fake.calls_to("chat.update") if "closed" in str(c.body.get("text"))]


# -- schedules ----------------------------------------------------------------------


def test_schedule_is_saved_and_status_shows_next_post(qbot: RunningBot) -> None:
    assert "09:30 Europe/Berlin, mon-fri" in schedule(qbot)
    status = qbot.say("/quiz", "status")
    # 08:30 Berlin on Thursday: the next post is today at 09:30 local
    assert "Thu 26 Nov 09:30 CET" in status


@pytest.mark.parametrize("zone", ["Japan", "GMT", "Etc/GMT+5", "utc", "america/new_york"])
def test_any_iana_zone_name_is_accepted(qbot: RunningBot, zone: str) -> None:
    assert "Scheduled" in schedule(qbot, f"09:30 {zone} daily")
    stored = qbot.storage.schedules.get(qbot.ws, CHANNEL)
    assert stored is not None and stored.schedule.zone.key.lower() == zone.lower()


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
    assert says in schedule(qbot, text)
    saved = qbot.storage.schedules.get(qbot.ws, CHANNEL)
    assert saved is not None and saved.schedule.describe() == "10:00 UTC, daily"


def test_quiz_admins_setting_is_honoured(fake: SlackStandIn, sqlite_url: str, clock: FakeClock) -> None:
    bot = RunningBot.start(fake, sqlite_url, clock=clock, QUIZ_ADMINS="UADMIN1")
    try:
        for sub in ("schedule 09:30", "off"):
            assert "only the quiz admins" in bot.say("/quiz", sub, user="U555")
        assert bot.storage.schedules.get(bot.ws, CHANNEL) is None
        assert "Scheduled" in schedule(bot, user="UADMIN1")
        assert "only the quiz admins" in schedule(bot, user="U100")  # a workspace admin, but not listed
    finally:
        bot.close()


def test_without_quiz_admins_the_workspace_admins_manage_and_nobody_else(qbot: RunningBot) -> None:
    qbot.fake.state.add_person(Person("U555", "Sam Member"))
    assert "only the quiz admins" in schedule(qbot, user="U555")
    assert qbot.storage.schedules.get(qbot.ws, CHANNEL) is None
    assert "Scheduled" in schedule(qbot, user="U100")  # users.info: is_admin
    assert qbot.fake.calls_to("users.info")


def test_quiz_admins_can_be_set_from_slack(qbot: RunningBot) -> None:
    assert "workspace's admins and owners" in qbot.say("/quiz", "admins", user="U555")
    assert "<@U555>" in qbot.say("/quiz", "admins <@U555|sam> <@U556|kim>", user="U100")
    assert "only the quiz admins" in schedule(qbot, user="U100")  # no longer listed
    assert "Scheduled" in schedule(qbot, user="U555")


def test_quiz_off_removes_the_schedule(qbot: RunningBot) -> None:
    schedule(qbot)
    assert "off" in qbot.say("/quiz", "off")
    assert qbot.storage.schedules.get(qbot.ws, CHANNEL) is None


def test_schedule_in_a_channel_the_bot_is_not_in_says_how_to_fix_it(qbot: RunningBot) -> None:
    text = schedule(qbot, channel=NOT_JOINED)
    assert "/invite @Study Lab" in text and "not_in_channel" in text and "Nothing was scheduled" in text
    assert qbot.storage.schedules.get(qbot.ws, NOT_JOINED) is None
    qbot.fake.join(NOT_JOINED)
    assert "Scheduled" in schedule(qbot, channel=NOT_JOINED)


def test_a_scheduled_post_that_cannot_be_made_is_shown_by_status(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    qbot.fake.state.channels[CHANNEL].members.clear()  # someone removed the bot from the channel
    clock.set(SLOT_TIME)
    assert qbot.run_slot(CHANNEL) is not None
    assert qbot.fake.posted(CHANNEL) == []
    status = qbot.say("/quiz", "status")
    assert "The last scheduled post failed" in status and "/invite @Study Lab" in status
    qbot.recover()  # a permanent failure is not retried every run
    assert len(qbot.fake.calls_to("chat.postMessage")) == 1


# -- posting exactly once, every due slot ------------------------------------------------


def test_slot_posts_one_question_with_metadata(qbot: RunningBot, clock: FakeClock) -> None:
    posted = post_quiz(qbot, clock)
    message = posted["message"]
    assert message["metadata"]["event_type"] == "study_lab_quiz"
    assert message["metadata"]["event_payload"]["quiz_id"] == posted["quiz"].id
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["A", "B", "C", "D"]
    assert "correct" not in shown(message["blocks"]).lower()  # nothing gives the answer away
    assert qbot.run_slot(CHANNEL) is None
    clock.advance(hours=3)
    assert qbot.run_slot(CHANNEL) is None
    assert len(qbot.fake.posted(CHANNEL)) == 1


def test_no_post_before_time_or_on_weekend(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    clock.set(SLOT_TIME - timedelta(minutes=1))
    assert qbot.run_slot(CHANNEL) is None
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # Saturday
    assert qbot.run_slot(CHANNEL) is None
    qbot.recover()
    assert qbot.fake.posted(CHANNEL) == []


def test_the_periodic_recovery_posts_a_due_slot_late_the_same_day_only(
    qbot: RunningBot, clock: FakeClock
) -> None:
    """The scheduled run never happened (a database error before the claim, a replaced job):
    the recovery that runs every 20 s posts it, late, but never on a later day."""
    schedule(qbot)
    clock.set(SLOT_TIME + timedelta(hours=5))  # 14:30 local
    qbot.recover()
    assert len(qbot.fake.posted(CHANNEL)) == 1
    qbot.recover()
    assert len(qbot.fake.posted(CHANNEL)) == 1
    clock.set(datetime(2026, 11, 28, 8, 29, tzinfo=UTC))  # Saturday: no slot; Friday's is not made up
    qbot.recover()
    assert len(qbot.fake.posted(CHANNEL)) == 1


def test_the_scheduler_sync_keeps_a_due_run_it_has_not_dispatched(qbot: RunningBot) -> None:
    """Re-adding an unchanged job would make APScheduler compute its next run from now and skip
    a run that is due this very moment; the sync replaces a job only when its schedule changed."""
    schedule(qbot)
    jobs = qbot.runtime.jobs
    jobs.scheduler.start(paused=True)  # jobs are stored as when running; none runs here
    jobs.sync()
    stored = qbot.storage.schedules.get(qbot.ws, CHANNEL)
    assert isinstance(stored, StoredSchedule)
    jid = job_id("quiz", stored)
    due = datetime.now(UTC) - timedelta(seconds=1)
    jobs.scheduler.get_job(jid).modify(next_run_time=due)  # due, not yet dispatched
    jobs.sync()
    assert jobs.scheduler.get_job(jid).next_run_time == due
    schedule(qbot, "10:00 Europe/Berlin daily")  # a real change is applied
    assert jobs.scheduler.get_job(jid).trigger.slot_at.hour == 10


def test_rotation_covers_the_glossary_before_repeating(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot, "09:30 Europe/Berlin daily")
    terms = []
    for day in range(16):
        clock.set(SLOT_TIME + timedelta(days=day))
        quiz = qbot.run_slot(CHANNEL)
        assert quiz is not None
        terms.append(quiz.question.term)
    assert len(set(terms)) == 16


def test_rate_limited_post_is_retried_once_posted(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    qbot.fake.fail("chat.postMessage", 429, count=1, retry_after=0)
    clock.set(SLOT_TIME)
    qbot.run_slot(CHANNEL)
    assert len(qbot.fake.calls_to("chat.postMessage")) == 2
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert qbot.open_quizzes(CHANNEL)[0].message_ts is not None


def test_crash_between_post_and_record_does_not_post_twice(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    # Slack posts the message but the answer never arrives (as if the process died there).
    qbot.fake.fail("chat.postMessage", -1, count=1)
    clock.set(SLOT_TIME)
    qbot.run_slot(CHANNEL)
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert qbot.open_quizzes(CHANNEL) == []  # still only claimed
    clock.advance(minutes=5)  # past the claim lease
    qbot.recover()
    assert len(qbot.fake.posted(CHANNEL)) == 1
    [quiz] = qbot.open_quizzes(CHANNEL)
    assert quiz.message_ts == qbot.fake.posted(CHANNEL)[0]["ts"]
    # one narrow page of history (apps outside the Marketplace: 1 a minute, 15 messages), no paging
    [history] = qbot.fake.calls_to("conversations.history")
    assert int(history.body["limit"]) <= 15 and "cursor" not in history.body
    assert float(history.body["oldest"]) == SLOT_TIME.timestamp() - 60
    assert float(history.body["latest"]) == (SLOT_TIME + timedelta(seconds=60 + 60)).timestamp()


def test_the_recovery_window_stays_anchored_to_the_first_claim(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    qbot.fake.fail("chat.postMessage", 500, count=2)
    clock.set(SLOT_TIME)
    qbot.run_slot(CHANNEL)
    clock.advance(minutes=2)
    qbot.recover()  # past the lease: retaken, history read, the post fails again
    clock.advance(minutes=2)
    qbot.recover()  # retaken again: history read from the same anchor, posted
    assert len(qbot.fake.posted(CHANNEL)) == 1
    oldest = [float(c.body["oldest"]) for c in qbot.fake.calls_to("conversations.history")]
    # two retakes, one anchor: exactly the first claim's time less the skew (pytest.approx on a Unix
    # timestamp allows half an hour, so it could not tell the first claim from the latest)
    assert oldest == [SLOT_TIME.timestamp() - 60] * 2


def test_server_error_post_is_recovered_with_one_post(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    qbot.fake.fail("chat.postMessage", 500, count=1)
    clock.set(SLOT_TIME)
    qbot.run_slot(CHANNEL)
    assert qbot.fake.posted(CHANNEL) == []
    qbot.recover()  # within the lease: nothing yet
    assert qbot.fake.posted(CHANNEL) == []
    clock.advance(minutes=5)
    qbot.recover()
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert len(qbot.open_quizzes(CHANNEL)) == 1


def test_a_process_whose_claim_was_retaken_never_posts(qbot: RunningBot, clock: FakeClock) -> None:
    """Process A claims the slot and stalls; past the lease B retakes the claim and posts.
    When A wakes up, the fence (checked just before posting) stops it."""
    schedule(qbot)
    clock.set(SLOT_TIME)
    storage, posting = qbot.storage, qbot.services.posting
    glossary = qbot.runtime.core.glossary(qbot.ws).glossary
    question = question_for_slot(glossary, CHANNEL, "2026-11-26T09:30", [])
    stalled = storage.quizzes.claim(
        qbot.ws,
        CHANNEL,
        "2026-11-26T09:30",
        question,
        "process-A",
        SLOT_TIME,
        SLOT_TIME + timedelta(hours=10),
    )
    assert stalled is not None
    clock.advance(minutes=5)
    qbot.recover()  # process B (this bot) retakes it, finds no post, posts
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert posting.send(stalled, stalled.claim, qbot.runtime.core.zone_for(qbot.ws, CHANNEL)) == "claim_lost"
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert qbot.quiz(stalled.id).state == QuizState.POSTED


def test_a_claim_too_old_to_post_under_waits_for_recovery(qbot: RunningBot, clock: FakeClock) -> None:
    """A process that reaches `chat.postMessage` with less of its lease left than the slowest call
    needs does not post: its post could land after another process retook the claim."""
    schedule(qbot)
    clock.set(SLOT_TIME)
    glossary = qbot.runtime.core.glossary(qbot.ws).glossary
    question = question_for_slot(glossary, CHANNEL, "2026-11-26T09:30", [])
    slow = qbot.storage.quizzes.claim(
        qbot.ws,
        CHANNEL,
        "2026-11-26T09:30",
        question,
        qbot.runtime.core.owner,
        SLOT_TIME,
        SLOT_TIME + timedelta(hours=10),
    )
    assert slow is not None
    clock.advance(seconds=45)  # of a 60 s lease: less than the reserve is left
    zone = qbot.runtime.core.zone_for(qbot.ws, CHANNEL)
    assert qbot.services.posting.send(slow, slow.claim, zone) == "claim_lost"
    assert qbot.fake.posted(CHANNEL) == []
    clock.advance(
        seconds=30
    )  # past the lease: retaken, the history read (up to the lease's end), posted once
    qbot.recover()
    assert len(qbot.fake.posted(CHANNEL)) == 1
    [history] = qbot.fake.calls_to("conversations.history")
    assert float(history.body["latest"]) == pytest.approx(
        (SLOT_TIME + timedelta(seconds=60 + 60)).timestamp()
    )


# -- /quiz now ------------------------------------------------------------------------------


def test_quiz_now_twice_links_to_the_open_quiz_and_never_reveals_it(qbot: RunningBot) -> None:
    assert "counts on this week's leaderboard" in qbot.say("/quiz", "now")
    [message] = qbot.fake.posted(CHANNEL)
    second = qbot.say("/quiz", "now")
    assert "already an open quiz" in second and "https://vango.slack.com/archives/C100/p" in second
    assert len(qbot.fake.posted(CHANNEL)) == 1
    assert reveals(qbot) == []
    [quiz] = qbot.open_quizzes(CHANNEL)
    assert quiz.state == QuizState.POSTED and quiz.counted
    assert message["metadata"]["event_payload"]["quiz_id"] == quiz.id


def test_anyone_elses_quiz_now_is_a_practice_round_that_does_not_count(
    qbot: RunningBot, clock: FakeClock
) -> None:
    qbot.fake.state.add_person(Person("U555", "Sam Member"))
    assert "practice round" in qbot.say("/quiz", "now", user="U555")
    [message] = qbot.fake.posted(CHANNEL)
    assert "Practice round (not counted)" in shown(message["blocks"])
    quiz_id = message["metadata"]["event_payload"]["quiz_id"]
    reply = quiz_clicks(qbot, quiz_id, qbot.quiz(quiz_id).question.correct, "U555")
    assert "does not count on the leaderboard" in shown(reply["blocks"])
    board = shown(qbot.command("/leaderboard", user="U555").json()["blocks"])
    assert "No answers yet this week" in board and "U555" not in board


def test_practice_rounds_are_limited_to_one_per_channel_per_hour(
    fake: SlackStandIn, sqlite_url: str, clock: FakeClock
) -> None:
    fake.clock = lambda: clock().timestamp()
    fake.state.add_person(Person("U555", "Sam Member"))
    bot = RunningBot.start(fake, sqlite_url, clock=clock, QUIZ_CLOSE_AFTER_MINUTES="5")
    try:
        clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
        assert "Posted a practice round" in bot.say("/quiz", "now", user="U555")
        clock.advance(minutes=6)
        bot.close_due()  # the round closed
        assert "already posted here this hour" in bot.say("/quiz", "now", user="U555")
        clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
        assert "Posted a practice round" in bot.say("/quiz", "now", user="U555")
        assert len(fake.posted(CHANNEL)) == 2
    finally:
        bot.close()


def test_quiz_now_where_the_bot_is_not_says_how_to_fix_it_and_works_after(qbot: RunningBot) -> None:
    text = qbot.say("/quiz", "now", channel=NOT_JOINED)
    assert "/invite @Study Lab" in text
    assert qbot.fake.posted(NOT_JOINED) == []
    # found out before anything was claimed or sent: no refused post, no quiz left behind
    assert [c for c in qbot.fake.calls_to("chat.postMessage") if c.body["channel"] == NOT_JOINED] == []
    assert qbot.storage.quizzes.open_in(qbot.ws, NOT_JOINED) == []
    assert qbot.storage.quizzes.history(qbot.ws, NOT_JOINED) == []
    qbot.fake.join(NOT_JOINED)
    assert "Posted a question" in qbot.say("/quiz", "now", channel=NOT_JOINED)
    assert len(qbot.fake.posted(NOT_JOINED)) == 1


def test_a_scheduled_quiz_claims_first_then_closes_the_older_one(qbot: RunningBot, clock: FakeClock) -> None:
    schedule(qbot)
    clock.set(SLOT_TIME - timedelta(minutes=30))
    assert "Posted a question" in qbot.say("/quiz", "now")
    [first] = qbot.open_quizzes(CHANNEL)
    clock.set(SLOT_TIME)
    assert qbot.run_slot(CHANNEL) is not None
    assert qbot.quiz(first.id).state == QuizState.CLOSED
    assert qbot.run_slot(CHANNEL) is None  # the slot is taken: a late run closes nothing
    assert len(reveals(qbot)) == 1


def test_a_run_that_loses_the_claim_race_closes_nothing(qbot: RunningBot, clock: FakeClock) -> None:
    """Two replicas run the slot at once; both saw it free, the other claimed it first.  The loser
    must close nothing: had it closed the older quiz before claiming, the channel would be left
    with that quiz revealed early by a process that then posts nothing."""
    schedule(qbot)
    clock.set(SLOT_TIME - timedelta(minutes=30))
    assert "Posted a question" in qbot.say("/quiz", "now")
    [older] = qbot.open_quizzes(CHANNEL)
    clock.set(SLOT_TIME)
    storage = qbot.storage
    glossary = qbot.runtime.core.glossary(qbot.ws).glossary
    slot = "2026-11-26T09:30"

    def saw_it_free(ws: object, channel: str, key: str) -> bool:
        question = question_for_slot(glossary, CHANNEL, slot, storage.quizzes.history(qbot.ws, CHANNEL))
        assert storage.quizzes.claim(qbot.ws, CHANNEL, slot, question, "replica-B", SLOT_TIME, SLOT_TIME)
        return False  # this replica looked before the other claimed

    storage.quizzes.slot_taken = saw_it_free  # type: ignore[method-assign]
    assert qbot.run_slot(CHANNEL) is None
    assert qbot.quiz(older.id).state == QuizState.POSTED  # still open: the loser closed nothing
    assert reveals(qbot) == []


# -- answering ---------------------------------------------------------------------------------


def test_right_answer_is_stored_and_explained_privately(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    reply = quiz_clicks(qbot, quiz.id, quiz.question.correct, "U1")
    assert reply["response_type"] == "ephemeral"
    text = shown(reply["blocks"])
    assert "Right!" in text and "Common trap" in text
    assert qbot.storage.answers.of_user(qbot.ws, quiz.id, "U1") == quiz.question.correct


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
    assert qbot.storage.answers.tally(quiz.id)[0] == 1
    assert qbot.storage.answers.of_user(qbot.ws, quiz.id, "U1") == 1


def test_forged_choice_is_refused_and_not_stored(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    for value in (f"{quiz.id}:7", "nonsense", f"{quiz.id + 99}:0"):
        before = len(qbot.fake.responses)
        assert qbot.click("quiz_answer_0", value, user="U9", channel=CHANNEL).status == 200
        qbot.fake.wait_responses(before + 1)
    assert qbot.storage.answers.tally(quiz.id) == (0, 0)


def test_click_on_closed_quiz_gives_the_answer(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    clock.set(SLOT_TIME + timedelta(days=1))
    text = shown(quiz_clicks(qbot, quiz.id, 0, "U1")["blocks"])
    assert "This quiz has closed; the answer was" in text
    assert qbot.storage.answers.tally(quiz.id) == (0, 0)


def test_count_is_shown_with_coalesced_updates(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    for user in ("U1", "U2", "U3"):
        quiz_clicks(qbot, quiz.id, 0, user)
    qbot.flush_counts()
    qbot.flush_counts()  # within the interval: no second edit
    updates = qbot.fake.calls_to("chat.update")
    assert len(updates) == 1
    assert "3 answered" in shown(updates[0].body["blocks"])
    quiz_clicks(qbot, quiz.id, 0, "U4")
    clock.advance(seconds=2)
    qbot.flush_counts()
    assert "4 answered" in shown(qbot.fake.posted(CHANNEL)[0]["blocks"])
    assert "U1" not in shown(qbot.fake.posted(CHANNEL)[0]["blocks"])  # nobody sees who chose what


def test_close_reveals_answer_share_and_trap_once(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    quiz_clicks(qbot, quiz.id, quiz.question.correct, "U1")
    quiz_clicks(qbot, quiz.id, (quiz.question.correct + 1) % 4, "U2")
    clock.set(SLOT_TIME + timedelta(hours=15))  # after midnight in Berlin
    qbot.close_due()
    qbot.close_due()
    assert len(reveals(qbot)) == 1
    text = shown(qbot.fake.posted(CHANNEL)[0]["blocks"])
    assert "1 of 2 got it right (50%)" in text
    assert "Common trap" in text
    assert f"Answer: *{quiz.question.right_letter}*" in text
    assert qbot.quiz(quiz.id).state == QuizState.CLOSED


def test_a_count_edit_that_lands_after_the_reveal_is_undone(qbot: RunningBot, clock: FakeClock) -> None:
    """Another process reveals the quiz while this one's count edit is still on its way: the
    count edit lands last, so this process writes the reveal again. The quiz stays revealed."""
    quiz = post_quiz(qbot, clock)["quiz"]
    quiz_clicks(qbot, quiz.id, quiz.question.correct, "U1")
    qbot.fake.slow("chat.update", 3.0)  # the count edit is slow
    counting = threading.Thread(target=qbot.flush_counts)
    counting.start()
    # The count edit has reached Slack (it took the slow answer), not only claimed its update: the
    # reveal below can no longer overtake it and take the slow answer itself.
    qbot.fake.wait_for(lambda: all(f.count == 0 for f in qbot.fake.faults if f.method == "chat.update"))
    clock.set(SLOT_TIME + timedelta(hours=15))
    qbot.close_due()  # the reveal (not slowed) lands first
    counting.join(10)
    final = shown(qbot.fake.posted(CHANNEL)[0]["blocks"])
    assert "Term of the day (closed)" in final and "quiz_answer_" not in final
    assert len(reveals(qbot)) == 2


@pytest.mark.parametrize("gone", ["deleted", "archived", "removed"])
def test_a_reveal_that_can_never_succeed_finishes_the_close_once(
    qbot: RunningBot, clock: FakeClock, gone: str
) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    state = qbot.fake.state
    if gone == "deleted":
        state.messages[CHANNEL].clear()
    elif gone == "archived":
        state.channels[CHANNEL].archived = True
    else:
        state.channels[CHANNEL].members.clear()
    clock.set(SLOT_TIME + timedelta(hours=15))
    qbot.close_due()
    assert qbot.quiz(quiz.id).state == QuizState.CLOSED
    for _ in range(3):
        clock.advance(minutes=5)
        qbot.recover()
    assert len(qbot.fake.calls_to("chat.update")) == 1


def test_close_left_half_done_is_finished_after_restart(qbot: RunningBot, clock: FakeClock) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    clock.set(SLOT_TIME + timedelta(hours=15))
    qbot.fake.fail("chat.update", 500, count=3)
    qbot.close_due()
    assert qbot.quiz(quiz.id).state == QuizState.CLOSING
    clock.advance(minutes=5)
    qbot.recover()
    assert qbot.quiz(quiz.id).state == QuizState.CLOSED
    assert "closed" in shown(qbot.fake.posted(CHANNEL)[0]["blocks"])


def test_a_late_count_edit_whose_undo_fails_is_undone_by_the_recovery(
    qbot: RunningBot, clock: FakeClock
) -> None:
    quiz = post_quiz(qbot, clock)["quiz"]
    quiz_clicks(qbot, quiz.id, quiz.question.correct, "U1")
    qbot.fake.slow("chat.update", 3.0)  # the count edit is slow
    counting = threading.Thread(target=qbot.flush_counts)
    counting.start()
    # The count edit has reached Slack (it took the slow answer), not only claimed its update: the
    # reveal below can no longer overtake it and take the slow answer itself.
    qbot.fake.wait_for(lambda: all(f.count == 0 for f in qbot.fake.faults if f.method == "chat.update"))
    clock.set(SLOT_TIME + timedelta(hours=15))
    qbot.close_due()  # the reveal lands first
    qbot.fake.fail("chat.update", 500, count=3)  # and writing it again, after the late count edit, fails
    counting.join(10)
    assert "quiz_answer_" in shown(qbot.fake.posted(CHANNEL)[0]["blocks"])  # the late count edit won, for now
    assert qbot.quiz(quiz.id).state == QuizState.CLOSING  # handed back to the recovery
    qbot.recover()
    final = shown(qbot.fake.posted(CHANNEL)[0]["blocks"])
    assert "Term of the day (closed)" in final and "quiz_answer_" not in final
    assert qbot.quiz(quiz.id).state == QuizState.CLOSED


def test_count_edits_stay_within_the_workspaces_share_of_chat_update(
    qbot: RunningBot, clock: FakeClock
) -> None:
    """22 open quizzes whose counts changed: one flush edits only COUNT_EDITS_PER_MINUTE of them
    (chat.update allows about 50 a minute per workspace, and reveals need the rest); the others
    are edited in the next minute."""
    channels = [f"C7{i:02d}" for i in range(COUNT_EDITS_PER_MINUTE + 2)]
    quiz_ids = []
    for channel in channels:
        qbot.fake.join(channel)
        assert "Posted a question" in qbot.say("/quiz", "now", channel=channel)
        qbot.after_ack_done()
        quiz_ids.append(qbot.fake.posted(channel)[0]["metadata"]["event_payload"]["quiz_id"])
    for quiz_id, channel in zip(quiz_ids, channels, strict=True):
        before = len(qbot.fake.responses)
        assert qbot.click("quiz_answer_0", f"{quiz_id}:0", user="U1", channel=channel).status == 200
        qbot.fake.wait_responses(before + 1)
    qbot.flush_counts()
    assert len(qbot.fake.calls_to("chat.update")) == COUNT_EDITS_PER_MINUTE
    clock.advance(minutes=1)
    qbot.flush_counts()
    edited = {c.body["channel"] for c in qbot.fake.calls_to("chat.update")}
    assert edited == set(channels) and len(qbot.fake.calls_to("chat.update")) == len(channels)
