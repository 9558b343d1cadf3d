"""bot/storage/learning.py on SQLite and PostgreSQL: every quiz and practice answer, kept apart by workspace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.learning import Answer, Source
from bot.domain.practice import Card
from bot.domain.quiz import Question
from bot.domain.workspace import Workspace
from bot.storage import Storage

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
WS, OTHER = Workspace("T1"), Workspace("T2")


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = Storage.open(database_url)
    yield opened
    opened.close()


def posted_quiz(storage: Storage, ws: Workspace, term: str, slot: str) -> int:
    question = Question(term, "term", "a prompt", (term, "Other"), 0)
    quiz = storage.quizzes.claim(ws, "C1", slot, question, "p1", NOW, NOW + timedelta(hours=12), True)
    assert quiz is not None and storage.quizzes.mark_posted(quiz.claim, "1.1", NOW)
    return quiz.id


def test_answers_are_every_quiz_and_practice_answer_oldest_first(storage: Storage) -> None:
    drain, cell = posted_quiz(storage, WS, "Drain", "s1"), posted_quiz(storage, WS, "Cell", "s2")
    elsewhere = posted_quiz(storage, OTHER, "Drain", "s1")
    storage.answers.record(WS, drain, "U1", 1, NOW + timedelta(minutes=2))
    storage.answers.record(WS, cell, "U1", 0, NOW + timedelta(minutes=1))
    storage.answers.record(WS, drain, "U2", 0, NOW + timedelta(minutes=3))
    storage.answers.record(OTHER, elsewhere, "U1", 0, NOW)
    at = NOW + timedelta(hours=1)
    storage.practice.save(WS, "U1", Card("Drain", 2, at + timedelta(days=1)), "term", True, "n1", at)
    assert storage.learning.answers(WS) == [
        Answer("U1", "Cell", True, NOW + timedelta(minutes=1)),
        Answer("U1", "Drain", False, NOW + timedelta(minutes=2)),
        Answer("U2", "Drain", True, NOW + timedelta(minutes=3)),
        Answer("U1", "Drain", True, at, Source.PRACTICE),
    ]
    assert [a.term for a in storage.learning.answers(WS, "U2")] == ["Drain"]
    assert storage.learning.answers(OTHER) == [Answer("U1", "Drain", True, NOW)]
