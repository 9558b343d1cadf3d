"""Storage on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set:
migrations, the unique claims, concurrent answers, streaks and closing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from bot.leaderboard import week_of
from bot.quiz import Question
from bot.schedule import parse_schedule
from bot.schema import LATEST, answers, migrate, open_engine, quizzes, schema_version
from bot.store import Store

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
QUESTION = Question(
    term="Drain",
    kind="term",
    prompt="A no-new-work posture",
    choices=("Drain", "Cell", "RTO", "RPO"),
    correct=0,
)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url)
    yield opened
    opened.close()


def together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in n threads released at the same moment."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def claim(store: Store, channel: str = "C1", slot: str = "2026-11-26T09:30", owner: str = "p1") -> Any:
    return store.claim_quiz(channel, slot, QUESTION, owner, NOW, NOW + timedelta(hours=12))


def test_migrate_is_recorded_and_idempotent(store: Store, database_url: str) -> None:
    assert migrate(store.engine) == LATEST
    assert migrate(store.engine) == LATEST
    with store.engine.connect() as conn:
        versions = list(conn.execute(select(schema_version.c.version)).scalars())
    assert versions == [v for v in range(1, LATEST + 1)]


def test_reopening_keeps_data(store: Store, database_url: str) -> None:
    quiz = claim(store)
    store.mark_quiz_posted(quiz.id, "1.1", NOW)
    store.record_answer(quiz.id, "U1", 0, NOW)
    reopened = Store.open(database_url)  # a later start runs the migrations again
    try:
        assert reopened.get_quiz(quiz.id) is not None
        assert reopened.tally(quiz.id) == (1, 1)
    finally:
        reopened.close()


def test_concurrent_migrations_from_two_processes_agree(database_url: str) -> None:
    engines = [open_engine(database_url) for _ in range(4)]
    try:
        assert together(4, lambda i: migrate(engines[i])) == [LATEST] * 4
    finally:
        for e in engines:
            e.dispose()


def test_a_slot_is_claimed_once_under_contention(store: Store) -> None:
    winners = [r for r in together(8, lambda i: claim(store, owner=f"p{i}")) if r is not None]
    assert len(winners) == 1
    assert claim(store) is None
    assert claim(store, slot="2026-11-27T09:30") is not None


def test_stale_claim_is_retaken_by_exactly_one(store: Store) -> None:
    quiz = claim(store)
    later = NOW + timedelta(minutes=5)
    [stale] = store.stale_quiz_claims(later - timedelta(minutes=2))
    wins = together(6, lambda i: store.retake_claim("quiz", stale.id, stale.claimed_at, f"p{i}", later))
    assert wins.count(True) == 1
    assert store.stale_quiz_claims(later - timedelta(minutes=2)) == []
    assert quiz.id == stale.id


def test_one_answer_per_user_under_double_clicks(store: Store) -> None:
    quiz = claim(store)
    store.mark_quiz_posted(quiz.id, "1.1", NOW)
    outcomes = together(10, lambda i: store.record_answer(quiz.id, "U1", i % 4, NOW))
    stored = [o for o in outcomes if o.stored]
    assert len(stored) == 1
    assert all(o.choice == stored[0].choice for o in outcomes)
    assert store.tally(quiz.id) == (1, int(stored[0].correct))


def test_many_users_answering_at_once_are_all_counted(store: Store) -> None:
    quiz = claim(store)
    store.mark_quiz_posted(quiz.id, "1.1", NOW)
    together(20, lambda i: store.record_answer(quiz.id, f"U{i}", i % 4, NOW))
    assert store.tally(quiz.id) == (20, 5)


def test_no_answer_once_closing_or_past_close(store: Store) -> None:
    quiz = claim(store)
    assert store.record_answer(quiz.id, "U1", 0, NOW) is None  # claimed, not yet posted
    store.mark_quiz_posted(quiz.id, "1.1", NOW)
    assert store.record_answer(quiz.id, "U2", 0, NOW + timedelta(hours=13)) is None  # past closes_at
    posted = store.get_quiz(quiz.id)
    assert store.begin_close(posted, NOW, NOW - timedelta(minutes=2))
    assert not store.begin_close(posted, NOW, NOW - timedelta(minutes=2))
    assert store.record_answer(quiz.id, "U3", 0, NOW) is None
    store.finish_close(quiz.id, NOW)
    assert store.get_quiz(quiz.id).state == "closed"
    assert store.tally(quiz.id) == (0, 0)


def test_count_updates_are_coalesced(store: Store) -> None:
    quiz = claim(store)
    store.mark_quiz_posted(quiz.id, "1.1", NOW)
    store.record_answer(quiz.id, "U1", 0, NOW)
    [(pending, count)] = store.counts_to_show()
    assert (pending.id, count) == (quiz.id, 1)
    every = timedelta(seconds=5)
    assert together(5, lambda i: store.claim_count_update(quiz.id, 1, NOW, every)).count(True) == 1
    assert store.counts_to_show() == []
    store.record_answer(quiz.id, "U2", 0, NOW)
    assert not store.claim_count_update(quiz.id, 2, NOW + timedelta(seconds=1), every)
    assert store.claim_count_update(quiz.id, 2, NOW + timedelta(seconds=5), every)


def add_answer(
    store: Store, quiz_id: int, user: str, correct: bool, at: datetime, channel: str = "C1"
) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            insert(answers).values(
                quiz_id=quiz_id,
                channel_id=channel,
                user_id=user,
                choice=0 if correct else 1,
                correct=correct,
                answered_at=at,
            )
        )


def test_week_scores_and_streaks(store: Store) -> None:
    zone = ZoneInfo("Europe/Berlin")
    week = week_of(NOW.date(), zone)
    ids = [claim(store, slot=f"s{i}").id for i in range(6)]
    # U1: right, wrong, right, right (streak 2); U2: right x3 (streak 3); U3: wrong only
    history = {"U1": [True, False, True, True], "U2": [True, True, True], "U3": [False]}
    for user, outcomes in history.items():
        for i, right in enumerate(outcomes):
            add_answer(store, ids[i], user, right, week.start + timedelta(hours=10 + i))
    add_answer(store, ids[5], "U1", True, week.start - timedelta(hours=1))  # last week: not counted
    add_answer(store, ids[5], "U9", True, week.start + timedelta(hours=1), channel="C2")  # other channel
    scores = {s.user: s for s in store.week_scores("C1", week)}
    assert set(scores) == {"U1", "U2", "U3"}
    assert (scores["U1"].points, scores["U1"].answered, scores["U1"].streak) == (3, 4, 2)
    assert (scores["U2"].points, scores["U2"].answered, scores["U2"].streak) == (3, 3, 3)
    assert (scores["U3"].points, scores["U3"].answered, scores["U3"].streak) == (0, 1, 0)
    assert store.most_missed("C1", week.start, week.end) == [("Drain", 2)]


def test_weekly_post_is_claimed_once(store: Store) -> None:
    results = together(6, lambda i: store.claim_weekly("C1", "2026-W48", f"p{i}", NOW))
    assert len([r for r in results if r is not None]) == 1
    assert store.weekly_posts_count("C1", "2026-W48") == 1


def test_schedule_upsert_under_contention(store: Store) -> None:
    together(6, lambda i: store.save_schedule(parse_schedule("C1", [f"09:3{i}"], "UTC"), f"U{i}", NOW))
    assert len(store.list_schedules()) == 1


def test_lookups_store_only_the_term_or_normalised_miss(store: Store) -> None:
    store.record_lookup("Drain", None, NOW)
    store.record_lookup(None, "quantum flux", NOW)
    store.record_lookup(None, "x" * 500, NOW)
    since = NOW - timedelta(days=1)
    assert store.top_lookups(since) == [("Drain", 1)]
    misses = dict(store.top_misses(since))
    assert misses["quantum flux"] == 1 and max(len(m) for m in misses) == 200


def test_answers_table_has_the_unique_constraint(store: Store) -> None:
    quiz = claim(store)
    add_answer(store, quiz.id, "U1", True, NOW)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        add_answer(store, quiz.id, "U1", False, NOW)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(answers)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(quizzes)).scalar_one() == 1
