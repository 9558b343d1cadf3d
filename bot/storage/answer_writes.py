"""Storing quiz answers: the hottest write there is, committed in batches.

An answer is one row per quiz and user (a unique key), stored in the same
transaction that reads the quiz under a share lock, so a close cannot slip in
between.  A later click is an INSERT that does nothing.  Clicks that arrive
together are stored together, in one transaction, by a writer thread
(`bot.storage.batches`); each caller returns once its answer is committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import Connection, Executable, bindparam, select
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.storage.batches import BatchWriter
from bot.storage.database import Database, workspace_values
from bot.storage.quizzes import QuizRecord, quiz_record
from bot.storage.states import QuizState
from bot.storage.tables import answers, quizzes
from bot.workspace import Workspace

POSTGRES_WRITERS = 4  # batches of answers written at once on PostgreSQL
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
class _Click:
    ws: Workspace
    quiz_id: int
    user_id: str
    choice: int
    now: datetime


def _may_be_an_items_own(exc: BaseException) -> bool:
    """A failed batch is retried item by item unless the database itself is unreachable."""
    return not isinstance(exc, (OperationalError, InterfaceError))


@dataclass(frozen=True)
class AnswerOutcome:
    stored: bool  # False: the user had already answered
    choice: int  # the choice on record (the earlier one when not stored)
    correct: bool


Recorded = tuple[QuizRecord | None, AnswerOutcome | None]


class AnswerWriter:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, ws: Workspace, quiz_id: int, user_id: str, choice: int, now: datetime) -> Recorded:
        """The quiz, and the outcome of storing the user's first answer, committed before it returns.

        The outcome is None when the workspace has no such quiz, it is not open,
        or the choice is not one of its choices.
        """
        return self._writer.submit(_Click(ws, quiz_id, user_id, choice, now))

    def close(self) -> None:
        self._writer.close()

    @cached_property
    def _writer(self) -> BatchWriter[_Click, Recorded]:
        # SQLite has one writer at a time anyway; PostgreSQL takes a few batches at once.
        writers = POSTGRES_WRITERS if self.db.is_postgres else 1
        return BatchWriter("answers", self._record_batch, writers, retry_singly=_may_be_an_items_own)

    def _record_batch(self, clicks: Sequence[_Click]) -> list[Recorded]:
        read_quiz, _, _ = self._statements
        with self.db.begin() as conn:
            quizzes_read: dict[tuple[Workspace, int], QuizRecord | None] = {}
            out = []
            for click in clicks:
                key = (click.ws, click.quiz_id)
                if key not in quizzes_read:
                    row = conn.execute(
                        read_quiz, {**workspace_values(click.ws), "quiz_id": click.quiz_id}
                    ).first()
                    quizzes_read[key] = quiz_record(row) if row is not None else None
                out.append(self._store(conn, quizzes_read[key], click))
            return out

    def _store(self, conn: Connection, quiz: QuizRecord | None, click: _Click) -> Recorded:
        if quiz is None:
            return None, None
        if (
            quiz.state != QuizState.POSTED
            or quiz.closes_at <= click.now
            or not 0 <= click.choice < len(quiz.question.choices)
        ):
            return quiz, None
        _, store, read_earlier = self._statements
        correct = click.choice == quiz.question.correct
        values = {
            **workspace_values(click.ws),
            "quiz_id": click.quiz_id,
            "channel_id": quiz.channel_id,
            "user_id": click.user_id,
            "choice": click.choice,
            "correct": correct,
            "answered_at": click.now,
            "counted": quiz.counted,
        }
        if conn.execute(store, values).first() is not None:
            return quiz, AnswerOutcome(stored=True, choice=click.choice, correct=correct)
        earlier = conn.execute(read_earlier, {"quiz_id": click.quiz_id, "user_id": click.user_id}).one()
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
