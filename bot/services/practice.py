"""Private practice in a modal: the next term by Leitner boxes, judged against what was shown.

The modal's private metadata carries the question as shown (term, kind,
choices, the right index) and a one-time nonce.  The answer is judged against
that, so a glossary change between showing and answering cannot move the
right answer; the nonce is stored with the answer under a unique key, so a
second submission of the same question changes nothing.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass

from bot import views
from bot.domain.practice import after_answer, next_term
from bot.domain.quiz import KINDS, Question, build_question, is_valid_choice, kind_for
from bot.domain.workspace import Workspace
from bot.services.core import Core

METADATA_LIMIT = 3000  # Slack's limit on a view's private_metadata


@dataclass(frozen=True)
class Shown:
    question: Question
    nonce: str

    def to_metadata(self) -> str:
        q = self.question
        for clip in (600, 300, 150, 75):
            meta = json.dumps(
                {
                    "t": q.term,
                    "k": q.kind,
                    "c": [c[:clip] for c in q.choices],
                    "r": q.correct,
                    "n": self.nonce,
                }
            )
            if len(meta) <= METADATA_LIMIT:
                return meta
        raise ValueError("a practice question too large for a modal's metadata")

    @classmethod
    def from_metadata(cls, raw: str) -> Shown | None:
        try:
            data = json.loads(raw)
            choices = tuple(str(c) for c in data["c"])
            question = Question(str(data["t"]), str(data["k"]), "", choices, int(data["r"]))
            nonce = str(data["n"])
        except (ValueError, TypeError, KeyError):
            return None
        if question.kind not in KINDS or not is_valid_choice(len(choices), question.correct) or not nonce:
            return None
        return cls(question, nonce)


class PracticeSessions:
    def __init__(self, core: Core, rng: random.Random | None = None) -> None:
        self.core = core
        self.rng = rng or random.Random()

    def next_question(self, ws: Workspace, user_id: str, last: str | None = None) -> dict[str, object]:
        glossary = self.core.glossary(ws).glossary
        cards = self.core.storage.practice.cards(ws, user_id)
        keys = [glossary.key(t) for t in glossary.terms]  # a name with several meanings: one key each
        key = next_term(keys, cards, self.core.clock(), self.rng, last)
        term = glossary.get(key)
        assert term is not None  # next_term picks from the glossary's own keys
        kind = kind_for(term, self.rng.choice(KINDS), glossary.shared(term))
        question = build_question(glossary, term, kind, self.rng)
        shown = Shown(question, uuid.uuid4().hex)
        return views.home.practice_question_view(question, shown.to_metadata())

    def answer_or_ask(self, ws: Workspace, user_id: str, raw_meta: str, choice: int) -> dict[str, object]:
        """The feedback view; or, for a question this bot did not ask, a fresh question instead."""
        return self.answer(ws, user_id, raw_meta, choice) or self.next_question(ws, user_id)

    def answer(self, ws: Workspace, user_id: str, raw_meta: str, choice: int) -> dict[str, object] | None:
        """Judge a practice answer, move the card once, and return the feedback view (None: not ours)."""
        shown = Shown.from_metadata(raw_meta)
        if shown is None or not is_valid_choice(len(shown.question.choices), choice):
            return None
        question, now = shown.question, self.core.clock()
        correct = choice == question.correct
        storage = self.core.storage
        cards = storage.practice.cards(ws, user_id)
        card = after_answer(cards.get(question.term), question.term, correct, now)
        if not storage.practice.save(ws, user_id, card, question.kind, correct, shown.nonce, now):
            card = cards.get(question.term, card)  # answered before: the card stays where it is
        term = self.core.glossary(ws).glossary.get(question.term)
        return views.home.practice_feedback_view(question, choice, term, card.box, question.term)
