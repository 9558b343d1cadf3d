"""Every query the bot makes, behind one `Store` (SQLite or PostgreSQL).

The exactly-once rules live here as database facts, not process memory:
a quiz slot or a weekly post is *claimed* by inserting a row under a unique key
before anything is sent to Slack; an answer is one row per quiz and user under
a unique key; state changes (posted → closing → closed, count updates) are
conditional UPDATEs whose row count says which process won.  Every statement
uses bound parameters.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.leaderboard import Score, Week
from bot.practice import Card
from bot.quiz import Question
from bot.schedule import Schedule, format_days, parse_days
from bot.schema import (
    answers,
    lookups,
    migrate,
    open_engine,
    practice_answers,
    practice_cards,
    quizzes,
    schedules,
    weekly_posts,
)

log = logging.getLogger(__name__)
OPEN = "posted"
LOOKUP_BATCH = 200
LOOKUP_FLUSH_SECONDS = 1.0


@dataclass(frozen=True)
class QuizRecord:
    id: int
    channel_id: str
    slot: str
    question: Question
    state: str
    message_ts: str | None
    claimed_at: datetime
    closes_at: datetime
    shown_count: int


@dataclass(frozen=True)
class AnswerOutcome:
    stored: bool  # False: the user had already answered
    choice: int  # the choice on record (the earlier one when not stored)
    correct: bool


@dataclass(frozen=True)
class WeeklyClaim:
    id: int
    channel_id: str
    week: str
    state: str
    claimed_at: datetime


@dataclass(frozen=True)
class Progress:
    answered: int
    right: int
    streak: int


def _quiz(row: object) -> QuizRecord:
    r = row._mapping  # type: ignore[attr-defined]
    question = Question(
        term=r["term"],
        kind=r["kind"],
        prompt=r["prompt"],
        choices=tuple(json.loads(r["choices"])),
        correct=r["correct"],
    )
    return QuizRecord(
        id=r["id"],
        channel_id=r["channel_id"],
        slot=r["slot"],
        question=question,
        state=r["state"],
        message_ts=r["message_ts"],
        claimed_at=r["claimed_at"],
        closes_at=r["closes_at"],
        shown_count=r["shown_count"],
    )


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lookups_lock = threading.Lock()
        self._pending_lookups: list[dict[str, object]] = []
        self._lookups_timer: threading.Timer | None = None

    @classmethod
    def open(cls, url: str) -> Store:
        engine = open_engine(url)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.flush_lookups()
        self.engine.dispose()

    # -- schedules ---------------------------------------------------------

    def save_schedule(self, schedule: Schedule, user_id: str, now: datetime) -> None:
        values = {
            "local_time": schedule.at.strftime("%H:%M"),
            "timezone": schedule.timezone,
            "days": format_days(schedule.days),
            "updated_by": user_id,
            "updated_at": now,
        }
        with self.engine.begin() as conn:
            done = conn.execute(
                update(schedules).where(schedules.c.channel_id == schedule.channel_id).values(values)
            )
            if done.rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(schedules).values(channel_id=schedule.channel_id, **values))
                except IntegrityError:
                    conn.execute(
                        update(schedules).where(schedules.c.channel_id == schedule.channel_id).values(values)
                    )

    def delete_schedule(self, channel_id: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(delete(schedules).where(schedules.c.channel_id == channel_id)).rowcount > 0

    def get_schedule(self, channel_id: str) -> Schedule | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(schedules).where(schedules.c.channel_id == channel_id)).first()
        return _schedule(row) if row is not None else None

    def list_schedules(self) -> list[Schedule]:
        with self.engine.begin() as conn:
            rows = conn.execute(select(schedules).order_by(schedules.c.channel_id)).all()
        return [_schedule(r) for r in rows]

    # -- quizzes -----------------------------------------------------------

    def channel_history(self, channel_id: str) -> list[str]:
        """Terms of the channel's quizzes, oldest first."""
        with self.engine.begin() as conn:
            query = select(quizzes.c.term).where(quizzes.c.channel_id == channel_id).order_by(quizzes.c.id)
            return list(conn.execute(query).scalars())

    def claim_quiz(
        self, channel_id: str, slot: str, question: Question, owner: str, now: datetime, closes_at: datetime
    ) -> QuizRecord | None:
        """Insert the slot's row; None when another process (or an earlier run) has it."""
        values = {
            "channel_id": channel_id,
            "slot": slot,
            "term": question.term,
            "kind": question.kind,
            "prompt": question.prompt,
            "choices": json.dumps(list(question.choices)),
            "correct": question.correct,
            "state": "claimed",
            "claimed_by": owner,
            "claimed_at": now,
            "closes_at": closes_at,
        }
        try:
            with self.engine.begin() as conn:
                quiz_id = conn.execute(insert(quizzes).values(values).returning(quizzes.c.id)).scalar_one()
        except IntegrityError:
            return None
        return self.get_quiz(quiz_id)

    def slot_taken(self, channel_id: str, slot: str) -> bool:
        with self.engine.begin() as conn:
            query = select(quizzes.c.id).where(quizzes.c.channel_id == channel_id, quizzes.c.slot == slot)
            return conn.execute(query).first() is not None

    def get_quiz(self, quiz_id: int) -> QuizRecord | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(quizzes).where(quizzes.c.id == quiz_id)).first()
        return _quiz(row) if row is not None else None

    def mark_quiz_posted(self, quiz_id: int, message_ts: str, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(quizzes)
                .where(quizzes.c.id == quiz_id, quizzes.c.state == "claimed")
                .values(state=OPEN, message_ts=message_ts, posted_at=now)
            )

    def mark_quiz_failed(self, quiz_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(quizzes)
                .where(quizzes.c.id == quiz_id, quizzes.c.state == "claimed")
                .values(state="failed")
            )

    def stale_quiz_claims(self, before: datetime) -> list[QuizRecord]:
        """Claims whose owner never recorded a post: it may have died mid-post."""
        with self.engine.begin() as conn:
            query = select(quizzes).where(quizzes.c.state == "claimed", quizzes.c.claimed_at < before)
            return [_quiz(r) for r in conn.execute(query)]

    def retake_claim(
        self, kind: str, row_id: int, seen_claimed_at: datetime, owner: str, now: datetime
    ) -> bool:
        """Take over a stale claim; only one process wins (compare-and-swap on claimed_at)."""
        table = quizzes if kind == "quiz" else weekly_posts
        with self.engine.begin() as conn:
            done = conn.execute(
                update(table)
                .where(
                    table.c.id == row_id, table.c.state == "claimed", table.c.claimed_at == seen_claimed_at
                )
                .values(claimed_by=owner, claimed_at=now)
            )
            return done.rowcount == 1

    def open_quizzes(self, channel_id: str) -> list[QuizRecord]:
        with self.engine.begin() as conn:
            query = select(quizzes).where(quizzes.c.channel_id == channel_id, quizzes.c.state == OPEN)
            return [_quiz(r) for r in conn.execute(query.order_by(quizzes.c.id))]

    def quizzes_to_close(self, now: datetime, stale_before: datetime) -> list[QuizRecord]:
        """Open quizzes past their closing time, and closes that a dead process left half done."""
        with self.engine.begin() as conn:
            query = select(quizzes).where(
                or_(
                    and_(quizzes.c.state == OPEN, quizzes.c.closes_at <= now),
                    and_(quizzes.c.state == "closing", quizzes.c.count_updated_at < stale_before),
                )
            )
            return [_quiz(r) for r in conn.execute(query.order_by(quizzes.c.id))]

    def begin_close(self, quiz: QuizRecord, now: datetime, stale_before: datetime) -> bool:
        """posted → closing (or retake a stale closing); True for the one process that wins."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(quizzes)
                .where(
                    quizzes.c.id == quiz.id,
                    or_(
                        quizzes.c.state == OPEN,
                        and_(quizzes.c.state == "closing", quizzes.c.count_updated_at < stale_before),
                    ),
                )
                .values(state="closing", count_updated_at=now)
            )
            return done.rowcount == 1

    def finish_close(self, quiz_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(quizzes)
                .where(quizzes.c.id == quiz_id, quizzes.c.state == "closing")
                .values(state="closed", closed_at=now)
            )

    # -- answers -----------------------------------------------------------

    def record_answer(self, quiz_id: int, user_id: str, choice: int, now: datetime) -> AnswerOutcome | None:
        """Store a user's first answer; None when the quiz is not open for answers."""
        return self.answer_quiz(quiz_id, user_id, choice, now)[1]

    def answer_quiz(
        self, quiz_id: int, user_id: str, choice: int, now: datetime
    ) -> tuple[QuizRecord | None, AnswerOutcome | None]:
        """The quiz, and the outcome of storing the user's first answer, in one transaction.

        The outcome is None when there is no such quiz, it is not open, or the
        choice is not one of its choices.  The quiz row is read with a share
        lock, so a close cannot slip in between the check and the insert on
        PostgreSQL (SQLite's write lock already serialises them).  A later
        click is an INSERT that does nothing on the unique key (no savepoint,
        no exception); the answer on record is then read.
        """
        with self.engine.begin() as conn:
            row = conn.execute(
                select(quizzes).where(quizzes.c.id == quiz_id).with_for_update(read=True)
            ).first()
            if row is None:
                return None, None
            quiz = _quiz(row)
            if quiz.state != OPEN or quiz.closes_at <= now or not 0 <= choice < len(quiz.question.choices):
                return quiz, None
            correct = choice == quiz.question.correct
            upsert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
            stored = conn.execute(
                upsert(answers)
                .values(
                    quiz_id=quiz_id,
                    channel_id=quiz.channel_id,
                    user_id=user_id,
                    choice=choice,
                    correct=correct,
                    answered_at=now,
                )
                .on_conflict_do_nothing(index_elements=[answers.c.quiz_id, answers.c.user_id])
                .returning(answers.c.id)  # rowcount is -1 here with psycopg 3
            ).first()
            if stored is not None:
                return quiz, AnswerOutcome(stored=True, choice=choice, correct=correct)
            earlier = conn.execute(
                select(answers.c.choice, answers.c.correct).where(
                    answers.c.quiz_id == quiz_id, answers.c.user_id == user_id
                )
            ).one()
            return quiz, AnswerOutcome(stored=False, choice=earlier.choice, correct=earlier.correct)

    def user_answer(self, quiz_id: int, user_id: str) -> int | None:
        with self.engine.begin() as conn:
            query = select(answers.c.choice).where(answers.c.quiz_id == quiz_id, answers.c.user_id == user_id)
            return conn.execute(query).scalar_one_or_none()

    def tally(self, quiz_id: int) -> tuple[int, int]:
        """(answered, right) for one quiz."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(func.count(), func.coalesce(func.sum(case((answers.c.correct, 1), else_=0)), 0)).where(
                    answers.c.quiz_id == quiz_id
                )
            ).one()
            return int(row[0]), int(row[1])

    def counts_to_show(self) -> list[tuple[QuizRecord, int]]:
        """Open quizzes whose message shows a different answer count from the stored one.

        Runs every few seconds, so it counts only the open quizzes' answers
        (through the unique (quiz_id, user_id) index), never the whole table.
        """
        n = (
            select(func.count())
            .where(answers.c.quiz_id == quizzes.c.id)
            .correlate(quizzes)
            .scalar_subquery()
            .label("n")
        )
        with self.engine.begin() as conn:
            open_counts = select(quizzes, n).where(quizzes.c.state == OPEN).subquery("open_counts")
            query = select(open_counts).where(open_counts.c.n != open_counts.c.shown_count)
            return [(_quiz(r), int(r.n)) for r in conn.execute(query)]

    def claim_count_update(self, quiz_id: int, count: int, now: datetime, min_interval: timedelta) -> bool:
        """Whether this process may edit the message now: at most one edit per quiz per interval."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(quizzes)
                .where(
                    quizzes.c.id == quiz_id,
                    quizzes.c.state == OPEN,
                    or_(
                        quizzes.c.count_updated_at.is_(None), quizzes.c.count_updated_at <= now - min_interval
                    ),
                )
                .values(shown_count=count, count_updated_at=now)
            )
            return done.rowcount == 1

    # -- weekly results ----------------------------------------------------

    def claim_weekly(self, channel_id: str, week: str, owner: str, now: datetime) -> WeeklyClaim | None:
        try:
            with self.engine.begin() as conn:
                row_id = conn.execute(
                    insert(weekly_posts)
                    .values(
                        channel_id=channel_id, week=week, state="claimed", claimed_by=owner, claimed_at=now
                    )
                    .returning(weekly_posts.c.id)
                ).scalar_one()
        except IntegrityError:
            return None
        return WeeklyClaim(row_id, channel_id, week, "claimed", now)

    def mark_weekly(self, row_id: int, state: str, message_ts: str | None, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(weekly_posts)
                .where(weekly_posts.c.id == row_id, weekly_posts.c.state == "claimed")
                .values(state=state, message_ts=message_ts, posted_at=now)
            )

    def stale_weekly_claims(self, before: datetime) -> list[WeeklyClaim]:
        with self.engine.begin() as conn:
            query = select(weekly_posts).where(
                weekly_posts.c.state == "claimed", weekly_posts.c.claimed_at < before
            )
            return [
                WeeklyClaim(r.id, r.channel_id, r.week, r.state, r.claimed_at) for r in conn.execute(query)
            ]

    def weekly_posts_count(self, channel_id: str, week: str) -> int:
        with self.engine.begin() as conn:
            query = select(func.count()).where(
                weekly_posts.c.channel_id == channel_id, weekly_posts.c.week == week
            )
            return int(conn.execute(query).scalar_one())

    # -- leaderboard -------------------------------------------------------

    def week_scores(self, channel_id: str, week: Week, users: list[str] | None = None) -> list[Score]:
        """Points and answers of everyone who answered in the channel that week, with streaks."""
        right = func.coalesce(func.sum(case((answers.c.correct, 1), else_=0)), 0)
        query = (
            select(answers.c.user_id, right.label("points"), func.count().label("answered"))
            .where(
                answers.c.channel_id == channel_id,
                answers.c.answered_at >= week.start,
                answers.c.answered_at < week.end,
            )
            .group_by(answers.c.user_id)
        )
        if users is not None:
            query = query.where(answers.c.user_id.in_(users))
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
            streaks = self._streaks(conn, channel_id, [r.user_id for r in rows], week.end)
        return [Score(r.user_id, int(r.points), int(r.answered), streaks.get(r.user_id, 0)) for r in rows]

    def _streaks(
        self, conn: Connection, channel_id: str, users: list[str], until: datetime
    ) -> dict[str, int]:
        """Right answers since each user's last wrong one in this channel, up to `until`."""
        if not users:
            return {}
        last_wrong = (
            select(answers.c.user_id, func.max(answers.c.answered_at).label("at"))
            .where(
                answers.c.channel_id == channel_id,
                answers.c.user_id.in_(users),
                answers.c.correct.is_(False),
                answers.c.answered_at < until,
            )
            .group_by(answers.c.user_id)
            .subquery("last_wrong")
        )
        query = (
            select(answers.c.user_id, func.count().label("streak"))
            .select_from(answers.outerjoin(last_wrong, last_wrong.c.user_id == answers.c.user_id))
            .where(
                answers.c.channel_id == channel_id,
                answers.c.user_id.in_(users),
                answers.c.correct.is_(True),
                answers.c.answered_at < until,
                or_(last_wrong.c.at.is_(None), answers.c.answered_at > last_wrong.c.at),
            )
            .group_by(answers.c.user_id)
        )
        return {r.user_id: int(r.streak) for r in conn.execute(query)}

    def most_missed(
        self, channel_id: str | None, start: datetime, end: datetime, limit: int = 1
    ) -> list[tuple[str, int]]:
        """Terms most often answered wrongly in quizzes (one channel, or all), with counts."""
        wrong = func.sum(case((answers.c.correct, 0), else_=1)).label("wrong")
        query = (
            select(quizzes.c.term, wrong)
            .select_from(answers.join(quizzes, quizzes.c.id == answers.c.quiz_id))
            .where(answers.c.answered_at >= start, answers.c.answered_at < end)
            .group_by(quizzes.c.term)
            .having(wrong > 0)
            .order_by(wrong.desc(), quizzes.c.term)
            .limit(limit)
        )
        if channel_id is not None:
            query = query.where(answers.c.channel_id == channel_id)
        with self.engine.begin() as conn:
            return [(r.term, int(r.wrong)) for r in conn.execute(query)]

    def user_progress(self, user_id: str) -> Progress:
        """Channel quiz answers of one user: counts and current streak across channels."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(func.count(), func.coalesce(func.sum(case((answers.c.correct, 1), else_=0)), 0)).where(
                    answers.c.user_id == user_id
                )
            ).one()
            last_wrong = conn.execute(
                select(func.max(answers.c.answered_at)).where(
                    answers.c.user_id == user_id, answers.c.correct.is_(False)
                )
            ).scalar_one()
            streak_query = select(func.count()).where(
                answers.c.user_id == user_id, answers.c.correct.is_(True)
            )
            if last_wrong is not None:
                streak_query = streak_query.where(answers.c.answered_at > last_wrong)
            streak = conn.execute(streak_query).scalar_one()
        return Progress(answered=int(row[0]), right=int(row[1]), streak=int(streak))

    def user_channels(self, user_id: str) -> list[str]:
        with self.engine.begin() as conn:
            query = select(answers.c.channel_id).where(answers.c.user_id == user_id).distinct()
            return sorted(conn.execute(query).scalars())

    # -- lookups (what the glossary's owners learn) -------------------------

    def record_lookup(self, term: str | None, miss: str | None, now: datetime) -> None:
        """Buffer a lookup; buffered lookups are written together, within LOOKUP_FLUSH_SECONDS.

        One INSERT per /define costs more than the lookup itself and holds the
        write lock; these are statistics, so a crash may lose the last second.
        """
        row: dict[str, object] = {"term": term, "miss": (miss or None) and miss[:200], "looked_up_at": now}
        with self._lookups_lock:
            self._pending_lookups.append(row)
            full = len(self._pending_lookups) >= LOOKUP_BATCH
            if not full and self._lookups_timer is None:
                self._lookups_timer = threading.Timer(LOOKUP_FLUSH_SECONDS, self._flush_lookups_quietly)
                self._lookups_timer.daemon = True
                self._lookups_timer.start()
        if full:
            self.flush_lookups()

    def _flush_lookups_quietly(self) -> None:
        try:
            self.flush_lookups()
        except SQLAlchemyError as exc:  # the database is down: these statistics are dropped
            log.warning("lookup statistics not recorded: %s", type(exc).__name__)

    def flush_lookups(self) -> None:
        """Write the buffered lookups in one INSERT (also before reading them, and at close)."""
        with self._lookups_lock:
            rows, self._pending_lookups = self._pending_lookups, []
            timer, self._lookups_timer = self._lookups_timer, None
        if timer is not None:
            timer.cancel()
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(lookups), rows)

    def top_lookups(self, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """Terms most often found by /define since `since`, with counts."""
        return self._most_common(lookups.c.term, since, limit)

    def top_misses(self, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """Normalised searches that found nothing since `since`: the glossary's gaps."""
        return self._most_common(lookups.c.miss, since, limit)

    def _most_common(self, column: Any, since: datetime, limit: int) -> list[tuple[str, int]]:
        self.flush_lookups()
        n = func.count().label("n")
        query = (
            select(column.label("name"), n)
            .where(column.is_not(None), lookups.c.looked_up_at >= since)
            .group_by(column)
            .order_by(n.desc(), column)
            .limit(limit)
        )
        with self.engine.begin() as conn:
            return [(r.name, int(r.n)) for r in conn.execute(query)]

    # -- practice ------------------------------------------------------------

    def practice_cards(self, user_id: str) -> list[Card]:
        with self.engine.begin() as conn:
            query = select(practice_cards).where(practice_cards.c.user_id == user_id)
            return [Card(r.term, r.box, r.due_at, r.misses) for r in conn.execute(query)]

    def save_practice(self, user_id: str, card: Card, kind: str, correct: bool, now: datetime) -> None:
        """Record a practice answer and the card's new box, in one transaction."""
        values = {"box": card.box, "due_at": card.due_at, "misses": card.misses, "updated_at": now}
        with self.engine.begin() as conn:
            conn.execute(
                insert(practice_answers).values(
                    user_id=user_id, term=card.term, kind=kind, correct=correct, answered_at=now
                )
            )
            done = conn.execute(
                update(practice_cards)
                .where(practice_cards.c.user_id == user_id, practice_cards.c.term == card.term)
                .values(values)
            )
            if done.rowcount == 0:
                conn.execute(insert(practice_cards).values(user_id=user_id, term=card.term, **values))

    def practice_count(self, user_id: str) -> tuple[int, int]:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(
                    func.count(), func.coalesce(func.sum(case((practice_answers.c.correct, 1), else_=0)), 0)
                ).where(practice_answers.c.user_id == user_id)
            ).one()
            return int(row[0]), int(row[1])


def _schedule(row: object) -> Schedule:
    r = row._mapping  # type: ignore[attr-defined]
    hour, minute = (int(p) for p in r["local_time"].split(":"))
    return Schedule(
        channel_id=r["channel_id"], at=time(hour, minute), timezone=r["timezone"], days=parse_days(r["days"])
    )
