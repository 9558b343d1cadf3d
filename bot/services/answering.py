"""A click on a quiz button: stored first, then the private answer built from what was stored."""

from __future__ import annotations

from bot import views
from bot.domain.quiz import is_valid_choice
from bot.domain.workspace import Workspace
from bot.services.core import Core


class Answering:
    def __init__(self, core: Core) -> None:
        self.core = core

    def answer(self, ws: Workspace, quiz_id: int, user_id: str, choice: int) -> views.kit.Blocks:
        """Store the user's first answer, then say privately whether it was right and why."""
        quiz, outcome = self.core.storage.answers.record(ws, quiz_id, user_id, choice, self.core.clock())
        if quiz is None:
            return views.quiz.notice_blocks("I can't find that quiz; nothing was recorded.")
        if not is_valid_choice(len(quiz.question.choices), choice):
            return views.quiz.notice_blocks("That is not one of this quiz's choices; nothing was recorded.")
        if outcome is None:
            return views.quiz.closed_blocks(quiz.question)
        if not outcome.stored:
            return views.quiz.already_answered_blocks(outcome.choice)
        term = self.core.glossary(ws).glossary.get(quiz.question.term)
        return views.quiz.feedback_blocks(quiz.question, choice, term, counted=quiz.counted)
