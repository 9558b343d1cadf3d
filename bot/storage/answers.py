"""Answers to channel quizzes, and what is read from them: tallies, boards, streaks, progress.

An answer is one row per quiz and user (a unique key), stored in the same
transaction that reads the quiz under a share lock, so a close cannot slip in
between.  A later click is an INSERT that does nothing.  Only answers to
counted quizzes (scheduled, or posted by a quiz admin) reach a leaderboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import Connection, Executable, bindparam, case, func, or_, select

from bot.leaderboard import Score, Week
from bot.storage.database import Database, in_workspace, right_answers, workspace_values
from bot.storage.quizzes import QuizRecord, quiz_record
from bot.storage.states import QuizState
from bot.storage.tables import answers, quizzes
from bot.workspace import Workspace

_ANSWER_COLUMNS = (
    "enterprise_id",
    "team_id",
    "quiz_id",
    "channel_id",
    "user_id",
    "choice",
    "correct",
    "answered_at",
    "counted",
)


@dataclass(frozen=True)
class AnswerOutcome:
    stored: bool  # False: the user had already answered
    choice: int  # the choice on record (the earlier one when not stored)
    correct: bool


@dataclass(frozen=True)
class Progress:
    answered: int
    right: int
    streak: int


class Answers:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self, ws: Workspace, quiz_id: int, user_id: str, choice: int, now: datetime
    ) -> tuple[QuizRecord | None, AnswerOutcome | None]:
        """The quiz, and the outcome of storing the user's first answer, in one transaction.

        The outcome is None when the workspace has no such quiz, it is not open,
        or the choice is not one of its choices.
        """
        read_quiz, store, read_earlier = self._statements
        with self.db.begin() as conn:
            row = conn.execute(read_quiz, {**workspace_values(ws), "quiz_id": quiz_id}).first()
            if row is None:
                return None, None
            quiz = quiz_record(row)
            if (
                quiz.state != QuizState.POSTED
                or quiz.closes_at <= now
                or not 0 <= choice < len(quiz.question.choices)
            ):
                return quiz, None
            correct = choice == quiz.question.correct
            values = {
                **workspace_values(ws),
                "quiz_id": quiz_id,
                "channel_id": quiz.channel_id,
                "user_id": user_id,
                "choice": choice,
                "correct": correct,
                "answered_at": now,
                "counted": quiz.counted,
            }
            if conn.execute(store, values).first() is not None:
                return quiz, AnswerOutcome(stored=True, choice=choice, correct=correct)
            earlier = conn.execute(read_earlier, {"quiz_id": quiz_id, "user_id": user_id}).one()
            return quiz, AnswerOutcome(stored=False, choice=earlier.choice, correct=earlier.correct)

    @cached_property
    def _statements(self) -> tuple[Executable, Executable, Executable]:
        """`record`'s three statements, built once with bind parameters: a click is the hottest
        path there is, and building and cache-keying a statement cost more than running it
        (`bench/clicks.py`)."""
        read_quiz = (
            select(quizzes)
            .where(
                quizzes.c.enterprise_id == bindparam("enterprise_id"),
                quizzes.c.team_id == bindparam("team_id"),
                quizzes.c.id == bindparam("quiz_id"),
            )
            .with_for_update(read=True)  # a close waits for the answer, and the answer for the close
        )
        store = (
            self.db.insert(answers)
            .values({column: bindparam(column) for column in _ANSWER_COLUMNS})
            .on_conflict_do_nothing(index_elements=[answers.c.quiz_id, answers.c.user_id])
            .returning(answers.c.id)  # rowcount is -1 here with psycopg 3
        )
        read_earlier = select(answers.c.choice, answers.c.correct).where(
            answers.c.quiz_id == bindparam("quiz_id"), answers.c.user_id == bindparam("user_id")
        )
        return read_quiz, store, read_earlier

    def of_user(self, ws: Workspace, quiz_id: int, user_id: str) -> int | None:
        """The user's stored choice on a quiz, if any."""
        query = select(answers.c.choice).where(
            in_workspace(answers, ws), answers.c.quiz_id == quiz_id, answers.c.user_id == user_id
        )
        with self.db.begin() as conn:
            return conn.execute(query).scalar_one_or_none()

    def tally(self, quiz_id: int) -> tuple[int, int]:
        """(answered, right) for one quiz."""
        with self.db.begin() as conn:
            row = conn.execute(
                select(func.count(), right_answers(answers.c.correct)).where(answers.c.quiz_id == quiz_id)
            ).one()
        return int(row[0]), int(row[1])

    def week_scores(self, ws: Workspace, channel_id: str, week: Week) -> list[Score]:
        """Points and answers of everyone who answered a counted quiz in the channel that week."""
        query = (
            select(
                answers.c.user_id,
                right_answers(answers.c.correct).label("points"),
                func.count().label("answered"),
            )
            .where(
                in_workspace(answers, ws),
                answers.c.channel_id == channel_id,
                answers.c.answered_at >= week.start,
                answers.c.answered_at < week.end,
                answers.c.counted.is_(True),
            )
            .group_by(answers.c.user_id)
        )
        with self.db.begin() as conn:
            rows = conn.execute(query).all()
            streaks = self._streaks(conn, ws, channel_id, [r.user_id for r in rows], week.end)
        return [Score(r.user_id, int(r.points), int(r.answered), streaks.get(r.user_id, 0)) for r in rows]

    def _streaks(
        self, conn: Connection, ws: Workspace, channel_id: str, users: list[str], until: datetime
    ) -> dict[str, int]:
        """Right answers since each user's last wrong one in this channel, up to `until`."""
        if not users:
            return {}
        mine = (
            in_workspace(answers, ws),
            answers.c.channel_id == channel_id,
            answers.c.user_id.in_(users),
            answers.c.counted.is_(True),
            answers.c.answered_at < until,
        )
        last_wrong = (
            select(answers.c.user_id, func.max(answers.c.answered_at).label("at"))
            .where(*mine, answers.c.correct.is_(False))
            .group_by(answers.c.user_id)
            .subquery("last_wrong")
        )
        query = (
            select(answers.c.user_id, func.count().label("streak"))
            .select_from(answers.outerjoin(last_wrong, last_wrong.c.user_id == answers.c.user_id))
            .where(
                *mine,
                answers.c.correct.is_(True),
                or_(last_wrong.c.at.is_(None), answers.c.answered_at > last_wrong.c.at),
            )
            .group_by(answers.c.user_id)
        )
        return {r.user_id: int(r.streak) for r in conn.execute(query)}

    def most_missed(
        self, ws: Workspace, channel_id: str | None, start: datetime, end: datetime, limit: int = 1
    ) -> list[tuple[str, int]]:
        """Terms most often answered wrongly in the workspace's quizzes (one channel, or all), with counts."""
        wrong = func.sum(case((answers.c.correct, 0), else_=1)).label("wrong")
        query = (
            select(quizzes.c.term, wrong)
            .select_from(answers.join(quizzes, quizzes.c.id == answers.c.quiz_id))
            .where(in_workspace(answers, ws), answers.c.answered_at >= start, answers.c.answered_at < end)
            .group_by(quizzes.c.term)
            .having(wrong > 0)
            .order_by(wrong.desc(), quizzes.c.term)
            .limit(limit)
        )
        if channel_id is not None:
            query = query.where(answers.c.channel_id == channel_id)
        with self.db.begin() as conn:
            return [(r.term, int(r.wrong)) for r in conn.execute(query)]

    def progress(self, ws: Workspace, user_id: str) -> Progress:
        """A user's channel quiz answers in the workspace: counts and current streak across channels."""
        mine = (in_workspace(answers, ws), answers.c.user_id == user_id)
        with self.db.begin() as conn:
            total, right = conn.execute(
                select(func.count(), right_answers(answers.c.correct)).where(*mine)
            ).one()
            last_wrong = conn.execute(
                select(func.max(answers.c.answered_at)).where(*mine, answers.c.correct.is_(False))
            ).scalar_one()
            streak_query = select(func.count()).where(*mine, answers.c.correct.is_(True))
            if last_wrong is not None:
                streak_query = streak_query.where(answers.c.answered_at > last_wrong)
            streak = conn.execute(streak_query).scalar_one()
        return Progress(answered=int(total), right=int(right), streak=int(streak))

    def channels_of(self, ws: Workspace, user_id: str) -> list[str]:
        query = (
            select(answers.c.channel_id)
            .where(in_workspace(answers, ws), answers.c.user_id == user_id)
            .distinct()
        )
        with self.db.begin() as conn:
            return sorted(conn.execute(query).scalars())
