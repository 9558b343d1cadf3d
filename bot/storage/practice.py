"""Private practice: each user's Leitner cards and their practice answers (never on a board).

A person's cards also count their channel quiz answers (`with_quiz_answers`),
folded in when the cards are read: a click on a quiz button is acknowledged
only once its answer is stored, and that path does no practice work at all.

A practice answer carries the nonce of the question the modal showed, under a
unique key: the same submission twice (a double click, a retry) is stored once
and moves the card once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.domain.practice import Card, with_quiz_answers
from bot.domain.workspace import Workspace
from bot.storage.database import Database, in_workspace, right_answers, workspace_values
from bot.storage.tables import answers, practice_answers, practice_cards, quizzes


class PracticeRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def cards(self, ws: Workspace, user_id: str) -> dict[str, Card]:
        """The user's cards, with their channel quiz answers counted."""
        query = select(practice_cards).where(
            in_workspace(practice_cards, ws), practice_cards.c.user_id == user_id
        )
        quiz_query = (
            select(quizzes.c.term, answers.c.correct, answers.c.answered_at)
            .select_from(answers.join(quizzes, quizzes.c.id == answers.c.quiz_id))
            .where(in_workspace(answers, ws), answers.c.user_id == user_id)
        )
        with self.db.read() as conn:
            stored = {
                r.term: Card(r.term, r.box, r.due_at, r.misses, r.updated_at) for r in conn.execute(query)
            }
            quiz = [(r.term, bool(r.correct), r.answered_at) for r in conn.execute(quiz_query)]
        return with_quiz_answers(stored, quiz)

    def save(
        self, ws: Workspace, user_id: str, card: Card, kind: str, correct: bool, nonce: str, now: datetime
    ) -> bool:
        """Record one practice answer and the card's new box in one transaction.

        False, and nothing changed, when this nonce was answered before.
        """
        with self.db.begin() as conn:
            stored = conn.execute(
                self.db.insert(practice_answers)
                .values(
                    **workspace_values(ws),
                    user_id=user_id,
                    term=card.term,
                    kind=kind,
                    correct=correct,
                    answered_at=now,
                    nonce=nonce,
                )
                .on_conflict_do_nothing(index_elements=[practice_answers.c.nonce])
                .returning(practice_answers.c.id)
            ).first()
            if stored is None:
                return False
            values = {"box": card.box, "due_at": card.due_at, "misses": card.misses, "updated_at": now}
            conn.execute(
                self.db.insert(practice_cards)
                .values(**workspace_values(ws), user_id=user_id, term=card.term, **values)
                .on_conflict_do_update(
                    index_elements=[
                        practice_cards.c.enterprise_id,
                        practice_cards.c.team_id,
                        practice_cards.c.user_id,
                        practice_cards.c.term,
                    ],
                    set_=values,
                )
            )
        return True

    def count(self, ws: Workspace, user_id: str) -> tuple[int, int]:
        """(answered, right) in practice."""
        query = select(func.count(), right_answers(practice_answers.c.correct)).where(
            in_workspace(practice_answers, ws), practice_answers.c.user_id == user_id
        )
        with self.db.read() as conn:
            total, right = conn.execute(query).one()
        return int(total), int(right)
