"""Answers to channel quizzes, and what is read from them: tallies, boards, streaks, progress.

Storing an answer is `bot.storage.answer_writes`.  Only answers to counted
quizzes (scheduled, or posted by a quiz admin) reach a leaderboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, case, func, or_, select

from bot.domain.leaderboard import Score, Standing, Week
from bot.domain.workspace import Workspace
from bot.storage.answer_writes import AnswerWriter, Recorded
from bot.storage.database import Database, in_workspace, right_answers
from bot.storage.tables import answers, quizzes


@dataclass(frozen=True)
class Progress:
    answered: int
    right: int
    streak: int


class Answers:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._writes = AnswerWriter(db)

    def record(self, ws: Workspace, quiz_id: int, user_id: str, choice: int, now: datetime) -> Recorded:
        """Store the user's first answer to a quiz (`AnswerWriter.record`)."""
        return self._writes.record(ws, quiz_id, user_id, choice, now)

    def close(self) -> None:
        self._writes.close()

    def of_user(self, ws: Workspace, quiz_id: int, user_id: str) -> int | None:
        """The user's stored choice on a quiz, if any."""
        query = select(answers.c.choice).where(
            in_workspace(answers, ws), answers.c.quiz_id == quiz_id, answers.c.user_id == user_id
        )
        with self.db.read() as conn:
            return conn.execute(query).scalar_one_or_none()

    def tally(self, quiz_id: int) -> tuple[int, int]:
        """(answered, right) for one quiz."""
        with self.db.read() as conn:
            row = conn.execute(
                select(func.count(), right_answers(answers.c.correct)).where(answers.c.quiz_id == quiz_id)
            ).one()
        return int(row[0]), int(row[1])

    def week_scores(self, ws: Workspace, channel_id: str, week: Week) -> list[Score]:
        """Points and answers of everyone who answered a counted quiz in the channel that week."""
        with self.db.read() as conn:
            rows = conn.execute(self._week_query(ws, channel_id, week)).all()
            streaks = self._streaks(conn, ws, channel_id, [r.user_id for r in rows], week.end)
        return [Score(r.user_id, int(r.points), int(r.answered), streaks.get(r.user_id, 0)) for r in rows]

    def week_board(
        self, ws: Workspace, channel_id: str, week: Week, limit: int, user_id: str | None = None
    ) -> tuple[list[Standing], Standing | None]:
        """The week's first `limit` standings, and `user_id`'s own wherever it is, ranked by the
        database: a board costs the same whether ten people played or ten thousand
        (`rank_scores` ranks the same way, in Python, for the whole board)."""
        scores = self._week_query(ws, channel_id, week).subquery("scores")
        order = (scores.c.points.desc(), scores.c.user_id)
        ranked = select(
            scores,
            func.rank().over(order_by=scores.c.points.desc()).label("rank"),
            func.row_number().over(order_by=order).label("position"),
        ).subquery("ranked")
        query = select(ranked).where(or_(ranked.c.position <= limit, ranked.c.user_id == user_id))
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(ranked.c.position)).all()
            streaks = self._streaks(conn, ws, channel_id, [r.user_id for r in rows], week.end)
        standings = [
            Standing(int(r.rank), r.user_id, int(r.points), int(r.answered), streaks.get(r.user_id, 0))
            for r in rows
        ]
        mine = next((s for s in standings if s.user == user_id), None)
        return [s for s, r in zip(standings, rows, strict=True) if r.position <= limit], mine

    def week_has_scores(self, ws: Workspace, channel_id: str, week: Week) -> bool:
        with self.db.read() as conn:
            return conn.execute(select(self._week_query(ws, channel_id, week).exists())).scalar_one()

    def _week_query(self, ws: Workspace, channel_id: str, week: Week) -> Select[Any]:
        return (
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
        with self.db.read() as conn:
            return [(r.term, int(r.wrong)) for r in conn.execute(query)]

    def progress(self, ws: Workspace, user_id: str) -> Progress:
        """A user's channel quiz answers in the workspace: counts and current streak across channels."""
        mine = (in_workspace(answers, ws), answers.c.user_id == user_id)
        with self.db.read() as conn:
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
        with self.db.read() as conn:
            return sorted(conn.execute(query).scalars())
