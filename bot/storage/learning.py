"""What the learning report reads: every quiz and practice answer of a workspace (or one person), in time order.

Quiz answers carry their term through their quiz; practice answers carry it
themselves.  `bot.domain.learning` turns these into the report's figures.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.learning import Answer, Source
from bot.domain.workspace import Workspace
from bot.storage.database import Database, in_workspace
from bot.storage.tables import answers, practice_answers, quizzes


class LearningRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def answers(self, ws: Workspace, user_id: str | None = None) -> list[Answer]:
        """Quiz and practice answers in the workspace (of `user_id` alone when given), oldest first."""
        quiz = (
            select(answers.c.user_id, quizzes.c.term, answers.c.correct, answers.c.answered_at)
            .select_from(answers.join(quizzes, quizzes.c.id == answers.c.quiz_id))
            .where(in_workspace(answers, ws))
        )
        practice = select(
            practice_answers.c.user_id,
            practice_answers.c.term,
            practice_answers.c.correct,
            practice_answers.c.answered_at,
        ).where(in_workspace(practice_answers, ws))
        if user_id is not None:
            quiz = quiz.where(answers.c.user_id == user_id)
            practice = practice.where(practice_answers.c.user_id == user_id)
        with self.db.begin() as conn:
            found = [
                Answer(r.user_id, r.term, bool(r.correct), r.answered_at, source)
                for query, source in ((quiz, Source.QUIZ), (practice, Source.PRACTICE))
                for r in conn.execute(query)
            ]
        return sorted(found, key=lambda a: (a.at, a.source is Source.QUIZ))
