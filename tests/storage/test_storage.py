"""Storage on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set: the unique
claims and their fences, concurrent answers, counted and practice quizzes, streaks,
closing, shared rate budgets, practice nonces, and workspaces kept apart."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from bot.domain.leaderboard import rank_scores, week_of
from bot.domain.practice import Card
from bot.domain.quiz import Question
from bot.domain.slots import parse_schedule
from bot.domain.workspace import Workspace
from bot.storage import Storage, answer_writes
from bot.storage.engine import SQLITE_CACHE_KIB
from bot.storage.quiz_records import QuizRecord
from bot.storage.statuses import PostState, QuizState
from bot.storage.tables import answers, lookups, quizzes

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
WS = Workspace("T1")
OTHER = Workspace("T2")
QUESTION = Question(
    term="Drain",
    kind="term",
    prompt="A no-new-work posture",
    choices=("Drain", "Cell", "RTO", "RPO"),
    correct=0,
)


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = Storage.open(database_url)
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


def claim(
    storage: Storage,
    channel: str = "C1",
    slot: str = "2026-11-26T09:30",
    owner: str = "p1",
    ws: Workspace = WS,
    counted: bool = True,
) -> QuizRecord | None:
    return storage.quizzes.claim(ws, channel, slot, QUESTION, owner, NOW, NOW + timedelta(hours=12), counted)


def posted(storage: Storage, **kwargs: Any) -> QuizRecord:
    quiz = claim(storage, **kwargs)
    assert quiz is not None
    assert storage.quizzes.mark_posted(quiz.claim, "1.1", NOW)
    found = storage.quizzes.get(quiz.workspace, quiz.id)
    assert found is not None
    return found


def test_reopening_keeps_data(storage: Storage, database_url: str) -> None:
    quiz = posted(storage)
    storage.answers.record(WS, quiz.id, "U1", 0, NOW)
    reopened = Storage.open(database_url)  # a later start runs the migrations again
    try:
        assert reopened.quizzes.get(WS, quiz.id) is not None
        assert reopened.answers.tally(quiz.id) == (1, 1)
    finally:
        reopened.close()


def test_every_sqlite_connection_has_a_bounded_page_cache(storage: Storage) -> None:
    """Each pooled connection keeps its own page cache: bounded, the pool's memory is bounded too."""
    if storage.db.is_postgres:
        pytest.skip("a SQLite setting")
    connections = [storage.db.engine.raw_connection() for _ in range(3)]  # three distinct ones
    try:
        sizes = [c.cursor().execute("PRAGMA cache_size").fetchone()[0] for c in connections]
    finally:
        for c in connections:
            c.close()
    assert sizes == [-SQLITE_CACHE_KIB] * 3  # negative: KiB, not pages


def test_a_slot_is_claimed_once_under_contention(storage: Storage) -> None:
    winners = [r for r in together(8, lambda i: claim(storage, owner=f"p{i}")) if r is not None]
    assert len(winners) == 1
    assert claim(storage) is None
    assert claim(storage, slot="2026-11-27T09:30") is not None
    assert claim(storage, ws=OTHER) is not None  # the same slot key in another workspace is its own


def test_stale_claim_is_retaken_by_exactly_one_and_fences_the_first_owner(storage: Storage) -> None:
    quiz = claim(storage)
    assert quiz is not None and storage.quizzes.holds(quiz.claim, NOW - timedelta(minutes=1))
    assert not storage.quizzes.holds(quiz.claim, NOW)  # too old to post under, though still ours
    later = NOW + timedelta(minutes=10)
    [stale] = storage.quizzes.stale_claims(later - timedelta(minutes=5))
    wins = [
        c
        for c in together(
            6, lambda i: storage.quizzes.retake(stale, f"p{i}", later, later - timedelta(minutes=5))
        )
        if c
    ]
    assert len(wins) == 1 and wins[0].fence == 2
    assert not storage.quizzes.holds(quiz.claim, NOW)  # the first owner may no longer post
    assert storage.quizzes.holds(wins[0], later - timedelta(minutes=1))
    assert not storage.quizzes.mark_posted(quiz.claim, "9.9", later)  # nor record a post
    retaken = storage.quizzes.get(WS, quiz.id)
    assert retaken is not None
    assert retaken.first_claimed_at == NOW  # the recovery window stays anchored to the first claim
    assert retaken.claimed_at == later


def test_one_answer_per_user_under_double_clicks(storage: Storage) -> None:
    quiz = posted(storage)
    outcomes = [o for _, o in together(10, lambda i: storage.answers.record(WS, quiz.id, "U1", i % 4, NOW))]
    stored = [o for o in outcomes if o.stored]
    assert len(stored) == 1
    assert all(o.choice == stored[0].choice for o in outcomes)
    assert storage.answers.tally(quiz.id) == (1, int(stored[0].correct))


def test_one_batch_of_clicks_stores_each_first_answer_and_tells_the_rest(storage: Storage) -> None:
    """What the writer thread runs for clicks that arrived together (`AnswerWriter._record_batch`):
    a user's first click in the batch is stored, a second is told the first; someone who answered
    before is told that; a closed or unknown quiz and a choice out of range store nothing."""
    quiz = posted(storage)
    other = posted(storage, slot="2026-11-26T10:30")
    storage.answers.record(WS, quiz.id, "U0", 2, NOW)
    Click = answer_writes.Click
    batch = [
        Click(WS, quiz.id, "U1", 1, NOW),
        Click(WS, quiz.id, "U0", 0, NOW),  # answered before the batch
        Click(WS, quiz.id, "U1", 3, NOW),  # the same user again, in the same batch
        Click(WS, other.id, "U1", 0, NOW),  # another quiz: its own answer
        Click(WS, quiz.id, "U2", 9, NOW),  # not a choice
        Click(WS, 999_999, "U3", 0, NOW),  # no such quiz
        Click(OTHER, quiz.id, "U4", 0, NOW),  # another workspace's quiz id
        Click(WS, quiz.id, "U5", 0, NOW + timedelta(days=1)),  # after it closed
    ]
    got = storage.answers._writes._record_batch(batch)
    outcomes = [o and (o.stored, o.choice) for _, o in got]
    assert outcomes == [(True, 1), (False, 2), (False, 1), (True, 0), None, None, None, None]
    assert [q is not None for q, _ in got] == [True, True, True, True, True, False, False, True]
    assert storage.answers.tally(quiz.id) == (2, int(QUESTION.correct in (1, 2)))
    assert storage.answers.of_user(WS, quiz.id, "U1") == 1


def test_many_users_answering_at_once_are_all_counted(storage: Storage) -> None:
    quiz = posted(storage)
    together(20, lambda i: storage.answers.record(WS, quiz.id, f"U{i}", i % 4, NOW))
    assert storage.answers.tally(quiz.id) == (20, 5)


def test_an_answer_from_another_workspace_finds_no_quiz(storage: Storage) -> None:
    quiz = posted(storage)
    assert storage.answers.record(OTHER, quiz.id, "U1", 0, NOW) == (None, None)
    assert storage.quizzes.get(OTHER, quiz.id) is None
    assert storage.answers.tally(quiz.id) == (0, 0)


def test_no_answer_once_closing_or_past_close(storage: Storage) -> None:
    quiz = claim(storage)
    assert quiz is not None
    assert storage.answers.record(WS, quiz.id, "U1", 0, NOW)[1] is None  # claimed, not yet posted
    storage.quizzes.mark_posted(quiz.claim, "1.1", NOW)
    assert (
        storage.answers.record(WS, quiz.id, "U2", 0, NOW + timedelta(hours=13))[1] is None
    )  # past closes_at
    open_quiz = storage.quizzes.get(WS, quiz.id)
    assert open_quiz is not None
    assert storage.closes.begin(open_quiz, NOW, NOW - timedelta(minutes=2))
    assert not storage.closes.begin(open_quiz, NOW, NOW - timedelta(minutes=2))
    assert storage.answers.record(WS, quiz.id, "U3", 0, NOW)[1] is None
    storage.closes.finish(quiz.id, NOW)
    assert storage.closes.state_of(quiz.id) is QuizState.CLOSED
    assert storage.answers.tally(quiz.id) == (0, 0)


def test_count_updates_are_coalesced(storage: Storage) -> None:
    quiz = posted(storage)
    storage.answers.record(WS, quiz.id, "U1", 0, NOW)
    [(pending, count)] = storage.counts.to_show()
    assert (pending.id, count) == (quiz.id, 1)
    every = timedelta(seconds=5)
    assert together(5, lambda i: storage.counts.claim_update(quiz.id, 1, NOW, every)).count(True) == 1
    assert storage.counts.to_show() == []
    storage.answers.record(WS, quiz.id, "U2", 0, NOW)
    assert not storage.counts.claim_update(quiz.id, 2, NOW + timedelta(seconds=1), every)
    assert storage.counts.claim_update(quiz.id, 2, NOW + timedelta(seconds=5), every)


def add_answer(
    storage: Storage,
    quiz_id: int,
    user: str,
    correct: bool,
    at: datetime,
    channel: str = "C1",
    ws: Workspace = WS,
    counted: bool = True,
) -> None:
    with storage.db.begin() as conn:
        conn.execute(
            insert(answers).values(
                quiz_id=quiz_id,
                channel_id=channel,
                user_id=user,
                choice=0 if correct else 1,
                correct=correct,
                answered_at=at,
                team_id=ws.team_id,
                enterprise_id=ws.enterprise_id,
                counted=counted,
            )
        )


def test_week_scores_streaks_and_what_does_not_count(storage: Storage) -> None:
    zone = ZoneInfo("Europe/Berlin")
    week = week_of(NOW.date(), zone)
    ids = [posted(storage, slot=f"s{i}").id for i in range(6)]
    # U1: right, wrong, right, right (streak 2); U2: right x3 (streak 3); U3: wrong only
    history = {"U1": [True, False, True, True], "U2": [True, True, True], "U3": [False]}
    for user, outcomes in history.items():
        for i, right in enumerate(outcomes):
            add_answer(storage, ids[i], user, right, week.start + timedelta(hours=10 + i))
    add_answer(storage, ids[5], "U1", True, week.start - timedelta(hours=1))  # last week
    add_answer(storage, ids[5], "U9", True, week.start + timedelta(hours=1), channel="C2")  # other channel
    add_answer(storage, ids[5], "U8", True, week.start + timedelta(hours=1), counted=False)  # practice round
    add_answer(storage, ids[4], "U1", True, week.start + timedelta(hours=1), ws=OTHER)  # other workspace
    scores = {s.user: s for s in storage.answers.week_scores(WS, "C1", week)}
    assert set(scores) == {"U1", "U2", "U3"}
    assert (scores["U1"].points, scores["U1"].answered, scores["U1"].streak) == (3, 4, 2)
    assert (scores["U2"].points, scores["U2"].answered, scores["U2"].streak) == (3, 3, 3)
    assert (scores["U3"].points, scores["U3"].answered, scores["U3"].streak) == (0, 1, 0)
    assert storage.answers.most_missed(WS, "C1", week.start, week.end) == [("Drain", 2)]
    assert [s.user for s in storage.answers.week_scores(OTHER, "C1", week)] == ["U1"]


def test_week_board_is_the_head_of_the_full_ranking_and_finds_the_caller(storage: Storage) -> None:
    """The database's ranking agrees with `rank_scores` over every player: ties share a rank and
    are listed by user id, across the cut at the limit; a caller below the cut gets their own rank."""
    week = week_of(NOW.date(), ZoneInfo("Europe/Berlin"))
    ids = [posted(storage, slot=f"s{i}").id for i in range(4)]
    points = {f"U{n:02d}": n % 4 for n in range(14)}  # ranks with ties at 3, 2, 1 and 0 points
    for user, got in points.items():
        for i in range(4):
            add_answer(storage, ids[i], user, i < got, week.start + timedelta(hours=1 + i))
    full = rank_scores(storage.answers.week_scores(WS, "C1", week))
    top, mine = storage.answers.week_board(WS, "C1", week, 5, "U12")
    assert top == full[:5]
    assert [s.rank for s in top] == [1, 1, 1, 4, 4]  # U03, U07, U11 on 3; U02, U06 of the 2s
    assert mine == next(s for s in full if s.user == "U12") and mine.rank == 11  # 0 points, behind ten
    assert storage.answers.week_board(WS, "C1", week, 5, "U03")[1] == full[0]  # the caller within the top
    assert storage.answers.week_board(WS, "C1", week, 5, "U77") == (full[:5], None)  # never played
    assert storage.answers.week_board(OTHER, "C1", week, 5, "U12") == ([], None)
    assert storage.answers.week_has_scores(WS, "C1", week)
    assert not storage.answers.week_has_scores(WS, "C2", week)


def test_weekly_post_is_claimed_once_and_fenced(storage: Storage) -> None:
    results = together(6, lambda i: storage.weekly.claim(WS, "C1", "2026-W48", f"p{i}", NOW))
    [won] = [r for r in results if r is not None]
    assert storage.weekly.count(WS, "C1", "2026-W48") == 1
    assert storage.weekly.claim(OTHER, "C1", "2026-W48", "p1", NOW) is not None
    assert storage.weekly.done({"2026-W48"}) == {(WS, "C1", "2026-W48"), (OTHER, "C1", "2026-W48")}
    later = NOW + timedelta(minutes=10)
    retaken = storage.weekly.retake(won, "p9", later, later - timedelta(minutes=5))
    assert retaken is not None and not storage.weekly.holds(won.claim, NOW - timedelta(minutes=1))
    storage.weekly.finish(won.claim, PostState.POSTED, "1.1", later)  # the fenced-out owner changes nothing
    [mine] = [p for p in storage.weekly.stale_claims(later + timedelta(minutes=10)) if p.id == won.id]
    assert (mine.state, mine.fence, mine.claimed_by) == (PostState.CLAIMED, 2, "p9")


def test_schedule_upsert_under_contention_per_workspace(storage: Storage) -> None:
    together(6, lambda i: storage.schedules.save(WS, parse_schedule("C1", [f"09:3{i}"], "UTC"), f"U{i}", NOW))
    storage.schedules.save(OTHER, parse_schedule("C1", ["10:00"], "UTC"), "U1", NOW)
    assert len(storage.schedules.active()) == 2
    stored = storage.schedules.get(OTHER, "C1")
    assert stored is not None and stored.schedule.describe() == "10:00 UTC, mon-fri"
    storage.workspaces.installed(OTHER, False, NOW)
    storage.workspaces.uninstalled(OTHER, NOW)
    assert [s.workspace for s in storage.schedules.active()] == [WS]  # an uninstalled workspace's stop


def test_lookups_store_only_the_term_or_normalised_miss(storage: Storage) -> None:
    storage.stats.record(WS, "Drain", None, NOW)
    storage.stats.record(WS, None, "quantum flux", NOW)
    storage.stats.record(WS, None, "x" * 500, NOW)
    storage.stats.record(OTHER, "Cell", None, NOW)
    since = NOW - timedelta(days=1)
    assert storage.stats.top_terms(WS, since) == [("Drain", 1)]
    misses = dict(storage.stats.top_misses(WS, since))
    assert misses["quantum flux"] == 1 and max(len(m) for m in misses) == 200


def test_lookups_are_written_as_counts_per_flush(storage: Storage) -> None:
    for minute in range(3):
        storage.stats.record(WS, "Drain", None, NOW + timedelta(minutes=minute))
    storage.stats.record(WS, None, "quantum flux", NOW)
    storage.stats.record(OTHER, "Drain", None, NOW)
    storage.stats.flush()
    storage.stats.record(WS, "Drain", None, NOW + timedelta(minutes=5))
    since = NOW - timedelta(days=1)
    assert storage.stats.top_terms(WS, since) == [("Drain", 4)]
    assert storage.stats.top_terms(OTHER, since) == [("Drain", 1)]
    assert storage.stats.top_terms(WS, NOW + timedelta(minutes=4)) == [("Drain", 1)]
    with storage.db.engine.connect() as conn:
        written = conn.execute(
            select(lookups.c.team_id, lookups.c.term, lookups.c.times, lookups.c.looked_up_at).order_by(
                lookups.c.id
            )
        ).all()
    assert [(r.team_id, r.term, r.times) for r in written] == [
        (WS.team_id, "Drain", 3),
        (WS.team_id, None, 1),
        (OTHER.team_id, "Drain", 1),
        (WS.team_id, "Drain", 1),
    ]
    assert written[0].looked_up_at == NOW + timedelta(minutes=2)  # the last of the three


def test_answers_table_has_the_unique_constraint(storage: Storage) -> None:
    quiz = claim(storage)
    assert quiz is not None
    add_answer(storage, quiz.id, "U1", True, NOW)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        add_answer(storage, quiz.id, "U1", False, NOW)
    with storage.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(answers)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(quizzes)).scalar_one() == 1


def test_rate_budget_is_shared_and_renews_each_window(storage: Storage) -> None:
    taken = together(12, lambda i: storage.budgets.take(WS, "views.publish", 5, NOW))
    assert taken.count(True) == 5
    assert storage.budgets.take(OTHER, "views.publish", 5, NOW)  # per workspace
    assert not storage.budgets.take(WS, "views.publish", 5, NOW + timedelta(seconds=30))
    assert storage.budgets.take(WS, "views.publish", 5, NOW + timedelta(minutes=1))
    assert storage.budgets.take(WS, "views.publish", 8, NOW + timedelta(minutes=1))  # a higher limit


def test_a_practice_nonce_is_answered_once(storage: Storage) -> None:
    card = Card("Drain", 2, NOW + timedelta(days=1))
    results = together(5, lambda i: storage.practice.save(WS, "U1", card, "term", True, "nonce-1", NOW))
    assert results.count(True) == 1
    assert storage.practice.count(WS, "U1") == (1, 1)
    assert storage.practice.cards(WS, "U1")["Drain"].box == 2
    assert storage.practice.cards(OTHER, "U1") == {}


def test_a_quiz_miss_reaches_practice_and_a_practice_answer_then_counts_once(storage: Storage) -> None:
    quiz = posted(storage)
    storage.answers.record(WS, quiz.id, "U1", 1, NOW + timedelta(minutes=1))  # wrong
    storage.answers.record(WS, quiz.id, "U2", 0, NOW + timedelta(minutes=1))  # right, never missed
    missed = storage.practice.cards(WS, "U1")["Drain"]
    assert (missed.box, missed.misses, missed.due_at) == (1, 1, NOW + timedelta(minutes=1))
    assert storage.practice.cards(WS, "U2") == {} and storage.practice.cards(OTHER, "U1") == {}
    then = NOW + timedelta(hours=1)
    assert storage.practice.save(
        WS, "U1", Card("Drain", 2, then + timedelta(days=1), 1), "term", True, "n", then
    )
    # The stored card now counts the quiz miss: it is not counted a second time.
    assert storage.practice.cards(WS, "U1")["Drain"] == Card("Drain", 2, then + timedelta(days=1), 1)
    assert [
        s.answered for s in storage.answers.week_scores(WS, "C1", week_of(NOW.date(), ZoneInfo("UTC")))
    ] == [1, 1]


def test_forgetting_a_workspace_deletes_only_its_rows(storage: Storage) -> None:
    for ws in (WS, OTHER):
        storage.workspaces.installed(ws, False, NOW)
        quiz = posted(storage, ws=ws)
        storage.answers.record(ws, quiz.id, "U1", 0, NOW)
        storage.schedules.save(ws, parse_schedule("C1", ["09:30"], "UTC"), "U1", NOW)
        storage.practice.save(ws, "U1", Card("Drain", 2, NOW), "term", True, f"n-{ws.team_id}", NOW)
    storage.workspaces.uninstalled(OTHER, NOW)
    assert storage.workspaces.due_for_deletion(NOW + timedelta(days=1)) == [OTHER]
    outcomes = together(3, lambda i: storage.workspaces.delete_data(OTHER, NOW + timedelta(days=1)))
    assert outcomes.count(True) == 1  # several replicas: one does the deletion
    assert storage.workspaces.all() == [WS]
    assert storage.schedules.in_workspace(OTHER) == [] and storage.practice.count(OTHER, "U1") == (0, 0)
    assert storage.schedules.in_workspace(WS) and storage.practice.count(WS, "U1") == (1, 1)


def test_rate_budget_holds_across_two_engines(database_url: str) -> None:
    """Two processes (two engines, two connection pools) drawing on one workspace's budget."""
    first, second = Storage.open(database_url), Storage.open(database_url)
    try:
        taken = together(10, lambda i: (first if i % 2 else second).budgets.take(WS, "chat.update", 4, NOW))
        assert taken.count(True) == 4
    finally:
        first.close()
        second.close()
