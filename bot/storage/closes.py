"""Closing quizzes: which are due, and the posted → closing → closed moves, each won by one process.

A close left half done (the reveal not written) stays `closing`; after the
lease another process retakes it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, or_, select, update

from bot.storage.database import Database
from bot.storage.quiz_records import QuizRecord, select_quizzes
from bot.storage.statuses import QuizState
from bot.storage.tables import quizzes


class Closes:
    def __init__(self, db: Database) -> None:
        self.db = db

    def due(self, now: datetime, stale_before: datetime) -> list[QuizRecord]:
        """Open quizzes past their closing time, and closes that a dead process left half done."""
        return select_quizzes(
            self.db,
            or_(
                and_(quizzes.c.state == QuizState.POSTED, quizzes.c.closes_at <= now),
                and_(quizzes.c.state == QuizState.CLOSING, quizzes.c.count_updated_at < stale_before),
            ),
        )

    def begin(self, quiz: QuizRecord, now: datetime, stale_before: datetime) -> bool:
        """posted → closing (or retake a stale closing); True for the one process that wins."""
        with self.db.begin() as conn:
            done = conn.execute(
                update(quizzes)
                .where(
                    quizzes.c.id == quiz.id,
                    or_(
                        quizzes.c.state == QuizState.POSTED,
                        and_(quizzes.c.state == QuizState.CLOSING, quizzes.c.count_updated_at < stale_before),
                    ),
                )
                .values(state=QuizState.CLOSING, count_updated_at=now)
            )
            return done.rowcount == 1

    def finish(self, quiz_id: int, now: datetime) -> None:
        with self.db.begin() as conn:
            conn.execute(
                update(quizzes)
                .where(quizzes.c.id == quiz_id, quizzes.c.state == QuizState.CLOSING)
                .values(state=QuizState.CLOSED, closed_at=now)
            )

    def state_of(self, quiz_id: int) -> QuizState | None:
        with self.db.read() as conn:
            state = conn.execute(select(quizzes.c.state).where(quizzes.c.id == quiz_id)).scalar_one_or_none()
        return QuizState(state) if state is not None else None

    def reopen(self, quiz_id: int) -> None:
        """Back to `closing`, as if left half done long ago: the next recovery writes the reveal again."""
        with self.db.begin() as conn:
            conn.execute(
                update(quizzes)
                .where(quizzes.c.id == quiz_id, quizzes.c.state.in_([QuizState.CLOSING, QuizState.CLOSED]))
                .values(state=QuizState.CLOSING, count_updated_at=datetime(2000, 1, 1, tzinfo=UTC))
            )
