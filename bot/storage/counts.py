"""The live "N answered" count on open quiz messages: which need an edit, and who may make it.

Edits are coalesced across processes: `claim_update` lets one process edit a
quiz's message at most once per interval, recording the count it will show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from bot.storage.database import Database
from bot.storage.quiz_records import QuizRecord, quiz_record
from bot.storage.statuses import QuizState
from bot.storage.tables import answers, quizzes


class LiveCounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def to_show(self) -> list[tuple[QuizRecord, int]]:
        """Open quizzes whose message shows a different answer count from the stored one.

        Runs every few seconds, so it counts only the open quizzes' answers
        (through the unique (quiz_id, user_id) index), never the whole table.
        """
        n = select(func.count()).where(answers.c.quiz_id == quizzes.c.id).correlate(quizzes).scalar_subquery()
        open_counts = select(quizzes, n.label("n")).where(quizzes.c.state == QuizState.POSTED).subquery()
        query = select(open_counts).where(open_counts.c.n != open_counts.c.shown_count)
        with self.db.read() as conn:
            return [(quiz_record(r), int(r.n)) for r in conn.execute(query)]

    def claim_update(self, quiz_id: int, count: int, now: datetime, min_interval: timedelta) -> bool:
        """Whether this process may edit the message now: at most one edit per quiz per interval."""
        with self.db.begin() as conn:
            done = conn.execute(
                update(quizzes)
                .where(
                    quizzes.c.id == quiz_id,
                    quizzes.c.state == QuizState.POSTED,
                    or_(
                        quizzes.c.count_updated_at.is_(None), quizzes.c.count_updated_at <= now - min_interval
                    ),
                )
                .values(shown_count=count, count_updated_at=now)
            )
            return done.rowcount == 1

    def forget(self, quiz_id: int) -> None:
        """The count edit failed: make the next run try again."""
        with self.db.begin() as conn:
            conn.execute(
                update(quizzes)
                .where(quizzes.c.id == quiz_id, quizzes.c.state == QuizState.POSTED)
                .values(shown_count=-1, count_updated_at=None)
            )
