"""The learning report: answers clicked through signed HTTP, then `study-lab report` and `/quiz report`;
the Home tab's own "initial vs current"; Practice that learns from a quiz miss."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.standin import Person, SlackStandIn
from bot.views.learning import HOME_PROGRESS_BLOCK, NOT_ALLOWED
from tests.support.bot import FakeClock, RunningBot
from tests.support.cli import run_bot


def answered_quiz(bot: RunningBot, right: int, wrong: int) -> tuple[str, list[str]]:
    """A counted quiz in C100 answered by `right + wrong` people through signed clicks: (term, users)."""
    assert "Posted" in bot.say("/quiz", "now", channel="C100")  # U100 is a workspace admin: it counts
    quiz = bot.open_quizzes("C100")[0]
    users = [f"U{200 + i}" for i in range(right + wrong)]
    for i, user in enumerate(users):
        choice = quiz.question.correct if i < right else (quiz.question.correct + 1) % 4
        bot.click(f"quiz_answer_{choice}", f"{quiz.id}:{choice}", user=user, channel="C100")
    bot.fake.wait_for(lambda: bot.storage.answers.tally(quiz.id)[0] == right + wrong)
    return quiz.question.term, users


def started(start_bot: Callable[..., RunningBot]) -> RunningBot:
    # `study-lab report` reads the machine's clock: the bot's starts there too.
    return start_bot(FakeClock(datetime.now(UTC).replace(microsecond=0)))


def test_study_lab_report_shows_what_was_clicked(
    start_bot: Callable[..., RunningBot], sqlite_url: str, tmp_path: Path
) -> None:
    bot = started(start_bot)
    term, _ = answered_quiz(bot, right=9, wrong=3)
    assert bot.command("/define", "kubernetes operator").status == 200
    bot.fake.wait_for(lambda: bot.storage.stats.top_misses(bot.ws, datetime(2000, 1, 1, tzinfo=UTC)))
    out = tmp_path / "report.html"
    done = run_bot("report", "--out", str(out), "--weeks", "2", env={"DATABASE_URL": sqlite_url})
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    # 9 right of 12: 75%, Wilson 95% interval 47%–91%, in this week's column; last week had none
    row = re.search(rf"<tr><td>{re.escape(term)}</td>(.*?)</tr>", page)
    assert row is not None, page[:2000]
    assert row.group(1) == '<td class="few">too few answers</td><td>75% (47–91%)</td>'
    assert f"<td>{term}</td><td>3</td>" in page  # most missed
    assert "<td>kubernete operator</td><td>1</td>" in page  # searched, not in the glossary
    assert page.count("<svg") == 2 and "<script" not in page  # self-contained: nothing fetched
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page) and "@import" not in page
    bad = run_bot("report", "--out", str(out), "--weeks", "0", env={"DATABASE_URL": sqlite_url})
    assert bad.returncode == 2 and "--weeks" in bad.stderr and "Traceback" not in bad.stderr


def test_quiz_report_answers_admins_privately_with_an_uploaded_chart(
    start_bot: Callable[..., RunningBot], fake: SlackStandIn
) -> None:
    bot = started(start_bot)
    term, _ = answered_quiz(bot, right=9, wrong=3)
    shown = bot.answer("/quiz", "report", user="U100", channel="C100")
    assert shown["response_type"] == "ephemeral"
    blocks: list[dict[str, Any]] = shown["blocks"]
    text = json.dumps(blocks)
    assert f"*{term}*" in text and "75% (47\\u201391%)  (12 answers)" in text
    assert not [b for b in blocks if b["type"] == "image"]  # Slack shows no file shared nowhere
    assert "in your direct messages" in text
    (opened,) = fake.calls_to("conversations.open")
    assert opened.body["users"] == "U100"
    (completed,) = fake.calls_to("files.completeUploadExternal")
    direct = completed.body["channel_id"]
    assert direct.startswith("D") and fake.state.direct_messages[direct] == ("T1", "U100")
    (chart,) = [fake.state.files[f["id"]] for f in json.loads(completed.body["files"])]
    assert chart.data.startswith(b"\x89PNG") and chart.shared_in == direct
    assert not fake.state.refusals


def test_quiz_report_is_refused_politely_to_everyone_else(
    start_bot: Callable[..., RunningBot], fake: SlackStandIn
) -> None:
    bot = started(start_bot)
    fake.state.add_person(Person("U300", "Someone Else"))
    shown = bot.answer("/quiz", "report", user="U300", channel="C100")
    assert shown["response_type"] == "ephemeral" and NOT_ALLOWED in json.dumps(shown["blocks"])
    assert not fake.calls_to("files.getUploadURLExternal")
    weeks = bot.answer("/quiz", "report nine", user="U100", channel="C100")
    assert "number of weeks" in str(weeks["text"])


def test_glossary_owners_may_see_the_report(start_bot: Callable[..., RunningBot], fake: SlackStandIn) -> None:
    bot = started(start_bot)
    fake.state.add_person(Person("U300", "Owner"))
    bot.say("/quiz", "owners <@U300>", user="U100", channel="C100")
    shown = bot.answer("/quiz", "report 4", user="U300", channel="C100")
    assert "Learning report" in json.dumps(shown["blocks"]) and NOT_ALLOWED not in json.dumps(shown["blocks"])


def test_home_shows_each_person_their_own_initial_vs_current_and_practice_offers_the_miss(
    start_bot: Callable[..., RunningBot], fake: SlackStandIn
) -> None:
    bot = started(start_bot)
    term, users = answered_quiz(bot, right=1, wrong=1)
    right_user, wrong_user = users
    for user in users:
        bot.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=f"Ev-{user}")
    fake.wait_calls("views.publish", 2)
    homes = {c.body["user_id"]: c.body["view"] for c in fake.calls_to("views.publish")}

    def progress(user: str) -> str:
        (block,) = [b for b in homes[user]["blocks"] if b.get("block_id") == HOME_PROGRESS_BLOCK]
        return str(block["text"]["text"])

    assert f"*{term}*: first missed, now missed" in progress(wrong_user)
    assert f"*{term}*: first right, now right" in progress(right_user)
    # Practice draws the quiz miss first: a missed term due now.
    assert bot.storage.practice.cards(bot.ws, wrong_user)[term].box == 1
