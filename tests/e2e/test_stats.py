"""`python -m bot stats`: what the glossary's owners learn from lookups and quizzes."""

from __future__ import annotations

from pathlib import Path

from tests.support.bot import RunningBot
from tests.support.cli import run_bot

ROOT = Path(__file__).resolve().parents[2]


def test_stats_lists_lookups_gaps_and_missed_terms(bot: RunningBot, sqlite_url: str) -> None:
    for text in ("drain", "draen", "CAS", "kubernetes operator", "kubernetes operator", "<!here> zzz"):
        assert bot.command("/define", text).status == 200
    assert "Posted" in bot.say("/quiz", "now", channel="C100")
    quiz = bot.open_quizzes("C100")[0]
    wrong = (quiz.question.correct + 1) % 4
    for user in ("U1", "U2"):
        bot.click(f"quiz_answer_{wrong}", f"{quiz.id}:{wrong}", user=user, channel="C100")
    bot.fake.wait_for(lambda: bot.storage.answers.tally(quiz.id)[0] == 2)
    bot.fake.wait_for(lambda: len(bot.storage.stats.top_misses(bot.ws, bot.clock().replace(year=2000))) == 2)
    env = {"DATABASE_URL": sqlite_url}
    done = run_bot("stats", "--days", "36500", env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    looked_up, gaps, missed = out.split("\n\n")[1:4]
    assert "2  Drain" in looked_up and "1  Compare-and-swap" in looked_up
    assert "2  kubernete operator" in gaps and "1  here zzz" in gaps  # normalised, as stored
    assert f"2  {quiz.question.term}" in missed
    bad = run_bot("stats", "--days", "0", env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
