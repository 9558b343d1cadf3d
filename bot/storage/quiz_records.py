"""Quizzes as posts: the claimed slot, its Slack message, its live count and its close.

State moves claimed → posted → closing → closed (or claimed → failed), each by a
conditional UPDATE whose row count says which process won.  Answers live in
`bot.storage.answers`, the live "N answered" count in `bot.storage.counts`.  Every read is within one workspace, so an id that
belongs to another workspace finds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Row, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.quiz import Question
from bot.domain.workspace import Workspace
from bot.storage import claims
from bot.storage.claims import Claim
from bot.storage.database import Database, in_workspace, workspace_values
from bot.storage.statuses import QuizState
from bot.storage.tables import quizzes


@dataclass(frozen=True)
class QuizRecord:
    id: int
    workspace: Workspace
    channel_id: str
    slot: str
    question: Question
    state: QuizState
    message_ts: str | None
    claimed_at: datetime
    first_claimed_at: datetime
    closes_at: datetime
    shown_count: int
    counted: bool
    fence: int
    claimed_by: str
    failure: str | None

    @property
    def claim(self) -> Claim:
        return Claim(self.id, self.fence, self.claimed_by)


def quiz_record(row: Row[tuple[object, ...]]) -> QuizRecord:
    r = row._mapping
    question = Question(
        term=r["term"],
        kind=r["kind"],
        prompt=r["prompt"],
        choices=tuple(json.loads(r["choices"])),
        correct=r["correct"],
    )
    return QuizRecord(
        id=r["id"],
        workspace=Workspace(team_id=r["team_id"], enterprise_id=r["enterprise_id"]),
        channel_id=r["channel_id"],
        slot=r["slot"],
        question=question,
        state=QuizState(r["state"]),
        message_ts=r["message_ts"],
        claimed_at=r["claimed_at"],
        first_claimed_at=r["first_claimed_at"] or r["claimed_at"],
        closes_at=r["closes_at"],
        shown_count=r["shown_count"],
        counted=bool(r["counted"]),
        fence=r["fence"],
        claimed_by=r["claimed_by"],
        failure=r["failure"],
    )


def select_quizzes(db: Database, *where: ColumnElement[bool]) -> list[QuizRecord]:
    """The quizzes matching `where`, oldest first."""
    with db.read() as conn:
        return [quiz_record(r) for r in conn.execute(select(quizzes).where(*where).order_by(quizzes.c.id))]


class Quizzes:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(
        self,
        ws: Workspace,
        channel_id: str,
        slot: str,
        question: Question,
        owner: str,
        now: datetime,
        closes_at: datetime,
        counted: bool = True,
    ) -> QuizRecord | None:
        """Insert the slot's row; None when another process (or an earlier run) has it."""
        values = {
            **workspace_values(ws),
            "channel_id": channel_id,
            "slot": slot,
            "term": question.term,
            "kind": question.kind,
            "prompt": question.prompt,
            "choices": json.dumps(list(question.choices)),
            "correct": question.correct,
            "state": QuizState.CLAIMED,
            "claimed_by": owner,
            "claimed_at": now,
            "first_claimed_at": now,
            "closes_at": closes_at,
            "counted": counted,
            "fence": 1,
        }
        try:
            with self.db.begin() as conn:
                row = conn.execute(quizzes.insert().values(values).returning(*quizzes.c)).one()
        except IntegrityError:
            return None
        return quiz_record(row)

    def get(self, ws: Workspace, quiz_id: int) -> QuizRecord | None:
        found = select_quizzes(self.db, in_workspace(quizzes, ws), quizzes.c.id == quiz_id)
        return found[0] if found else None

    def slot_taken(self, ws: Workspace, channel_id: str, slot: str) -> bool:
        query = select(quizzes.c.id).where(
            in_workspace(quizzes, ws), quizzes.c.channel_id == channel_id, quizzes.c.slot == slot
        )
        with self.db.read() as conn:
            return conn.execute(query).first() is not None

    def history(self, ws: Workspace, channel_id: str) -> list[str]:
        """Terms of the channel's counted quizzes, oldest first (the rotation reads it; practice
        rounds are left out, so they never use up the channel's terms)."""
        query = (
            select(quizzes.c.term)
            .where(in_workspace(quizzes, ws), quizzes.c.channel_id == channel_id, quizzes.c.counted.is_(True))
            .order_by(quizzes.c.id)
        )
        with self.db.read() as conn:
            return list(conn.execute(query).scalars())

    def open_in(self, ws: Workspace, channel_id: str) -> list[QuizRecord]:
        """The channel's quizzes that are claimed or open for answers, oldest first."""
        return select_quizzes(
            self.db,
            in_workspace(quizzes, ws),
            quizzes.c.channel_id == channel_id,
            quizzes.c.state.in_([QuizState.CLAIMED, QuizState.POSTED]),
        )

    def holds(self, claim: Claim, taken_after: datetime) -> bool:
        return claims.holds(self.db, quizzes, claim, taken_after)

    def retake(self, quiz: QuizRecord, owner: str, now: datetime, stale_before: datetime) -> Claim | None:
        return claims.retake(self.db, quizzes, quiz.id, quiz.fence, owner, now, stale_before)

    def stale_claims(self, before: datetime) -> list[QuizRecord]:
        """Claims whose owner never recorded a post: it may have died mid-post."""
        return select_quizzes(self.db, quizzes.c.state == QuizState.CLAIMED, quizzes.c.claimed_at < before)

    def mark_posted(self, claim: Claim, message_ts: str, now: datetime) -> bool:
        with self.db.begin() as conn:
            done = conn.execute(
                update(quizzes)
                .where(
                    quizzes.c.id == claim.id,
                    quizzes.c.state == QuizState.CLAIMED,
                    quizzes.c.fence == claim.fence,
                )
                .values(state=QuizState.POSTED, message_ts=message_ts, posted_at=now)
            )
        return done.rowcount == 1

    def mark_failed(self, claim: Claim, failure: str) -> None:
        with self.db.begin() as conn:
            conn.execute(
                update(quizzes)
                .where(
                    quizzes.c.id == claim.id,
                    quizzes.c.state == QuizState.CLAIMED,
                    quizzes.c.fence == claim.fence,
                )
                .values(state=QuizState.FAILED, failure=failure[:64])
            )

    def release(self, claim: Claim) -> None:
        """Give up a claim that was never posted, so its slot can be tried again (`/quiz now`)."""
        with self.db.begin() as conn:
            conn.execute(
                delete(quizzes).where(
                    quizzes.c.id == claim.id,
                    quizzes.c.state.in_([QuizState.CLAIMED, QuizState.FAILED]),
                    quizzes.c.fence == claim.fence,
                )
            )

    def slots_since(self, since: datetime) -> set[tuple[Workspace, str, str]]:
        """(workspace, channel, slot) of every quiz claimed since `since`: the recovery's list of done slots."""
        query = select(
            quizzes.c.enterprise_id, quizzes.c.team_id, quizzes.c.channel_id, quizzes.c.slot
        ).where(quizzes.c.first_claimed_at >= since)
        with self.db.read() as conn:
            return {
                (Workspace(team_id=r.team_id, enterprise_id=r.enterprise_id), r.channel_id, r.slot)
                for r in conn.execute(query)
            }
