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

from sqlalchemy import Executable, bindparam, select
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.domain.workspace import Workspace
from bot.storage.batches import BatchWriter
from bot.storage.database import Database, workspace_values
from bot.storage.quiz_records import QuizRecord, quiz_record
from bot.storage.statuses import QuizState
from bot.storage.tables import answers, quizzes

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


@dataclass(frozen=True, eq=False)
class Click:
    """One click on a quiz button, to be stored."""

    ws: Workspace
    quiz_id: int
    user_id: str
    choice: int
    now: datetime

    @property
    def key(self) -> tuple[int, str]:
        return self.quiz_id, self.user_id


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
        return self._writer.submit(Click(ws, quiz_id, user_id, choice, now))

    def close(self) -> None:
        self._writer.close()

    @cached_property
    def _writer(self) -> BatchWriter[Click, Recorded]:
        # One writer thread on either database: on PostgreSQL too, one made the largest batches
        # and cost the least (2,000-click bursts, `bench/clicks.py`: 1.34-1.42 ms of CPU a click
        # with one, 1.53-1.57 with two, 1.67-1.80 with four).  Replicas write side by side.
        return BatchWriter("answers", self._record_batch, retry_singly=_may_be_an_items_own)

    def _record_batch(self, clicks: Sequence[Click]) -> list[Recorded]:
        """The batch in one transaction: each quiz read once, every new answer in one INSERT,
        and what the others had answered before in one SELECT per quiz."""
        read_quiz, store, read_earlier = self._statements
        with self.db.begin() as conn:
            # Rows are locked in one fixed order, whatever order the clicks came in: quizzes by
            # (workspace, id), answers by (quiz, user).  Two replicas storing batches that share
            # quizzes and users then wait for each other, never in a cycle (a deadlock, which
            # PostgreSQL resolves by failing one batch).
            found: dict[tuple[Workspace, int], QuizRecord | None] = {}
            for ws, quiz_id in sorted({(c.ws, c.quiz_id) for c in clicks}):
                row = conn.execute(read_quiz, {**workspace_values(ws), "quiz_id": quiz_id}).first()
                found[(ws, quiz_id)] = quiz_record(row) if row is not None else None
            quizzes = [found[(c.ws, c.quiz_id)] for c in clicks]
            taken = sorted(  # stable: a user's first click in the batch stays first
                ((c, q) for c, q in zip(clicks, quizzes, strict=True) if q is not None and _open_for(q, c)),
                key=lambda taken: (taken[0].quiz_id, taken[0].user_id),
            )
            inserted: set[tuple[int, str]] = set()
            if taken:
                inserted = {
                    (r.quiz_id, r.user_id) for r in conn.execute(store, [_values(c, q) for c, q in taken])
                }
            # A user's first click in the batch is the one stored; their other clicks, and those
            # of people who had answered before, are told what is on record.
            first = {c.key: c for c, _ in reversed(taken)}
            stored = {first[key] for key in inserted}  # clicks compare by identity
            earlier: dict[tuple[int, str], tuple[int, bool]] = {}
            again = [c for c, _ in taken if c not in stored]
            for quiz_id in {c.quiz_id for c in again}:
                users = sorted({c.user_id for c in again if c.quiz_id == quiz_id})
                for r in conn.execute(read_earlier, {"quiz_id": quiz_id, "users": users}):
                    earlier[(quiz_id, r.user_id)] = (r.choice, r.correct)
        out: list[Recorded] = []
        for c, quiz in zip(clicks, quizzes, strict=True):
            if quiz is None or not _open_for(quiz, c):
                out.append((quiz, None))
            elif c in stored:
                out.append((quiz, AnswerOutcome(True, c.choice, c.choice == quiz.question.correct)))
            else:
                out.append((quiz, AnswerOutcome(False, *earlier[c.key])))
        return out

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
            .returning(answers.c.quiz_id, answers.c.user_id)  # the rows stored: not the conflicts
            # Run for many rows as multi-row INSERTs ("insertmanyvalues") of at most 20 rows
            # (180 parameters: under SQLite's `OVERSIZED`, so the connection is kept).
            .execution_options(insertmanyvalues_page_size=20)
        )
        read_earlier = select(answers.c.user_id, answers.c.choice, answers.c.correct).where(
            answers.c.quiz_id == bindparam("quiz_id"),
            answers.c.user_id.in_(bindparam("users", expanding=True)),
        )
        return read_quiz, store, read_earlier


def _open_for(quiz: QuizRecord, click: Click) -> bool:
    """Whether the quiz takes this click's answer: posted, not yet closed, and one of its choices."""
    return (
        quiz.state == QuizState.POSTED
        and click.now < quiz.closes_at
        and 0 <= click.choice < len(quiz.question.choices)
    )


def _values(click: Click, quiz: QuizRecord) -> dict[str, object]:
    return {
        **workspace_values(click.ws),
        "quiz_id": click.quiz_id,
        "channel_id": quiz.channel_id,
        "user_id": click.user_id,
        "choice": click.choice,
        "correct": click.choice == quiz.question.correct,
        "answered_at": click.now,
        "counted": quiz.counted,
    }
