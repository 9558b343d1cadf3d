"""Answer batches lock rows in one fixed order, whatever order the clicks arrived in: quizzes by
(workspace, id), answers by (quiz, user).  Two replicas storing overlapping batches then never wait
for each other in a cycle (PostgreSQL would fail one of them as a deadlock).  And SQLite commits
with synchronous=FULL, so an acknowledged answer survives a power loss."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.storage import Storage
from bot.storage.answer_writes import AnswerWriter, Click
from tests.storage.test_storage import NOW, WS, posted


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = Storage.open(database_url)
    yield opened
    opened.close()


def test_a_batch_locks_quizzes_and_answers_in_a_fixed_order(storage: Storage) -> None:
    first = posted(storage, channel="C1")
    second = posted(storage, channel="C2")
    arrived = [  # the later quiz first, users out of order, and one user twice (the first counts)
        Click(WS, second.id, "U9", 1, NOW),
        Click(WS, first.id, "U5", 0, NOW),
        Click(WS, second.id, "U1", 2, NOW),
        Click(WS, first.id, "U2", 1, NOW),
        Click(WS, second.id, "U9", 0, NOW),
    ]
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(storage.db.engine, "before_cursor_execute", seen)
    try:
        out = AnswerWriter(storage.db)._record_batch(arrived)
    finally:
        event.remove(storage.db.engine, "before_cursor_execute", seen)
    quiz_reads = [p for s, p in statements if s.lstrip().upper().startswith("SELECT") and "FROM quizzes" in s]
    read_ids = [p["quiz_id"] if isinstance(p, dict) else p[-1] for p in quiz_reads]
    assert read_ids == [first.id, second.id]
    [insert] = [(s, p) for s, p in statements if s.lstrip().startswith("INSERT INTO answers")]
    flat = list(insert[1].values()) if isinstance(insert[1], dict) else list(insert[1])
    users = [v for v in flat if isinstance(v, str) and v.startswith("U") and len(v) == 2]
    assert users == ["U2", "U5", "U1", "U9", "U9"]  # by (quiz, user); U9's first click first
    assert [o.stored for _, o in out if o is not None] == [True, True, True, True, False]
    assert storage.answers.of_user(WS, second.id, "U9") == 1


def test_sqlite_commits_with_synchronous_full(sqlite_url: str) -> None:
    storage = Storage.open(sqlite_url)
    try:
        with storage.db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    finally:
        storage.close()
