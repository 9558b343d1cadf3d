"""Benchmark the weekly leaderboard over a million stored answers, against a count(*) floor.

Run from the repository root (a full run takes a few minutes per database)::

    .venv/bin/python bench/leaderboard.py                 # 1,000,000 answers, SQLite and PostgreSQL
    .venv/bin/python bench/leaderboard.py --quick         # 100,000 answers (100 channels)
    .venv/bin/python bench/leaderboard.py --db sqlite     # one database only

PostgreSQL comes from BENCH_DATABASE_URL (default: a `studylab_bench` database, created if missing);
its public schema is dropped and recreated first, so it must be a scratch database (never the
tests' `test` database).  SQLite is a file in a temporary directory.  The schema is the bot's own
(`Storage.open` runs the migrations); every row belongs to the bot's one workspace (T1).

Data (seeded): 1,000 channels (100 with --quick), each with a mon-fri 09:30 schedule in one of
eight zones, a quiz every weekday for six ISO weeks (2026-W42 to W47: 30 per channel), 50 to 100
members drawn from a pool of 20,000 users, and exactly 1,000 answers: the (quiz, user) pairs are
drawn without replacement, weighted by a per-user activity, and each user has a per-user skill
(the chance of a right answer).  Answers are stamped within eight hours of their quiz's post.
SQLite is loaded with SQLAlchemy Core executemany in batches; PostgreSQL with COPY through the raw
psycopg connection, then ANALYZE (what autovacuum would do soon after such a load).

Timed, on 200 random (channel, week) pairs with data, interleaved one by one:

* ours: `storage.answers.week_board(ws, channel, week, 10, user)`, the first ten standings and a
  member's own, ranked by the database (what `Boards.for_week` does after finding the channel's
  zone);
* floor: `SELECT count(*) FROM answers WHERE <workspace> AND channel_id = :c`, in a transaction
  opened the way storage opens them (`Database.begin()`): the least that touches a channel's rows.

Then the same pairs once more under tracemalloc (its peak is the query phase's Python memory), and
the full `/leaderboard` (and `/leaderboard last`, alternately) over signed HTTP to the real bot
(`tests.support.bot.RunningBot` on the same database, the clock on Saturday of W47) for a sample
of channels, one request at a time, against a Bolt app that only acknowledges a command
(Bolt's default configuration), behind the same WSGI function and server (`bench.harness.serve_floor`).
"""

from __future__ import annotations

import argparse
import heapq
import json
import logging
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for bench and tests

from sqlalchemy import Engine, insert, text

from bench.harness import (
    add_db_argument,
    chosen,
    machine,
    maxrss_mib,
    ms,
    percentile,
    postgres_url,
    print_verdicts,
    scratch_database,
    serve_floor,
    table,
)
from bot.domain.glossary import load_glossary
from bot.domain.leaderboard import Standing, Week, week_of
from bot.domain.quiz import KINDS, Question, build_question
from bot.domain.slots import end_of_local_day
from bot.domain.workspace import Workspace
from bot.services.boards import TOP
from bot.standin import SlackStandIn
from bot.storage import Storage
from bot.storage.database import workspace_values
from bot.storage.statuses import QuizState
from bot.storage.tables import answers, quizzes, schedules
from tests.support.bot import GLOSSARY, FakeClock, RunningBot, SlackSender

SEED = 20261121
WS = Workspace("T1")  # the stand-in's workspace for the test token
START = date(2026, 10, 12)  # Monday of 2026-W42
WEEKS = 6  # to 2026-W47
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # Saturday of W47 in every zone below
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "UTC",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Europe/London",
    "Australia/Sydney",
)
USER_POOL = 20_000
ANSWERS_PER_CHANNEL = 1_000
BATCH_CHANNELS = 50
SAMPLE = 200
TARGET_MS = 50.0


@dataclass
class Channel:
    id: str
    zone: ZoneInfo
    users: list[str]


@dataclass
class Loaded:
    channels: list[Channel]
    answers: int
    quizzes: int
    load_s: float
    insert_s: float
    rss_mib: float


@dataclass
class Timings:
    ours: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    http: list[float] = field(default_factory=list)
    http_floor: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # users ranked per call
    traced_peak_mib: float = 0.0
    problems: list[str] = field(default_factory=list)


# -- data -------------------------------------------------------------------------------------


def question_pool(rng: random.Random) -> list[Question]:
    glossary = load_glossary(Path(GLOSSARY))
    return [build_question(glossary, rng.choice(glossary.terms), rng.choice(KINDS), rng) for _ in range(300)]


def generate(
    n_channels: int, rng: random.Random
) -> Iterator[tuple[list[Channel], list[dict[str, Any]], list[dict[str, Any]], list[tuple[Any, ...]]]]:
    """Batches of (channels, schedule rows, quiz rows, answer tuples); answers stay in step with quizzes."""
    pool = question_pool(rng)
    days = [START + timedelta(days=d) for d in range(7 * WEEKS) if (START + timedelta(days=d)).weekday() < 5]
    quiz_id = 0
    for first in range(0, n_channels, BATCH_CHANNELS):
        batch: list[Channel] = []
        schedule_rows: list[dict[str, Any]] = []
        quiz_rows: list[dict[str, Any]] = []
        answer_rows: list[tuple[Any, ...]] = []
        for c in range(first, min(first + BATCH_CHANNELS, n_channels)):
            zone_name = ZONES[c % len(ZONES)]
            zone = ZoneInfo(zone_name)
            channel = Channel(
                f"CL{c:05d}", zone, [f"U{u:06d}" for u in rng.sample(range(USER_POOL), rng.randint(50, 100))]
            )
            batch.append(channel)
            schedule_rows.append(
                {
                    **workspace_values(WS),
                    "channel_id": channel.id,
                    "local_time": "09:30",
                    "timezone": zone_name,
                    "days": "mon-fri",
                    "updated_by": "UADMIN",
                    "updated_at": datetime.combine(START, dtime(8, 0), UTC),
                }
            )
            posts: list[tuple[int, datetime, Question]] = []
            for day in days:
                quiz_id += 1
                question = pool[rng.randrange(len(pool))]
                local = datetime.combine(day, dtime(9, 30), zone)
                posted = local.astimezone(UTC)
                closes = end_of_local_day(posted, zone)
                posts.append((quiz_id, posted, question))
                quiz_rows.append(
                    {
                        **workspace_values(WS),
                        "id": quiz_id,
                        "channel_id": channel.id,
                        "slot": local.strftime("%Y-%m-%dT%H:%M"),
                        "term": question.term,
                        "kind": question.kind,
                        "prompt": question.prompt,
                        "choices": json.dumps(list(question.choices)),
                        "correct": question.correct,
                        "state": QuizState.CLOSED,
                        "message_ts": f"{posted.timestamp():.6f}",
                        "claimed_by": "bench",
                        "claimed_at": posted,
                        "first_claimed_at": posted,
                        "posted_at": posted,
                        "closes_at": closes,
                        "closed_at": closes,
                        "shown_count": 0,
                    }
                )
            # Weighted sampling without replacement (Efraimidis-Spirakis): activity varies by user.
            activity = [rng.uniform(0.05, 1.0) for _ in channel.users]
            skill = [rng.uniform(0.35, 0.95) for _ in channel.users]
            keyed = (
                (rng.random() ** (1.0 / activity[u]), q, u)
                for q in range(len(posts))
                for u in range(len(channel.users))
            )
            for _, q, u in heapq.nlargest(ANSWERS_PER_CHANNEL, keyed):
                qid, posted, question = posts[q]
                right = rng.random() < skill[u]
                choice = question.correct if right else (question.correct + 1 + rng.randrange(3)) % 4
                answered = posted + timedelta(seconds=rng.randint(10, 8 * 3600))
                answer_rows.append(
                    (qid, channel.id, channel.users[u], choice, right, answered, WS.enterprise_id, WS.team_id)
                )
        yield batch, schedule_rows, quiz_rows, answer_rows


def load(engine: Engine, n_channels: int) -> Loaded:
    started = time.perf_counter()
    inserting = 0.0
    channels: list[Channel] = []
    n_answers = n_quizzes = 0
    postgres = engine.dialect.name == "postgresql"
    columns = (
        "quiz_id",
        "channel_id",
        "user_id",
        "choice",
        "correct",
        "answered_at",
        "enterprise_id",
        "team_id",
    )
    for batch, schedule_rows, quiz_rows, answer_rows in generate(n_channels, random.Random(SEED)):
        channels += batch
        n_quizzes += len(quiz_rows)
        n_answers += len(answer_rows)
        began = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(schedules), schedule_rows)
            conn.execute(insert(quizzes), quiz_rows)
            if not postgres:
                conn.execute(insert(answers), [dict(zip(columns, row, strict=True)) for row in answer_rows])
        if postgres:
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                with cursor.copy(f"COPY answers ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in answer_rows:
                        # the bot stores naive UTC (bot.storage.engine.UtcDateTime)
                        copy.write_row((*row[:5], row[5].replace(tzinfo=None), *row[6:]))
                raw.commit()
            finally:
                raw.close()
        inserting += time.perf_counter() - began
    if postgres:
        began = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('quizzes', 'id'), (SELECT max(id) FROM quizzes))")
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        inserting += time.perf_counter() - began
    return Loaded(channels, n_answers, n_quizzes, time.perf_counter() - started, inserting, maxrss_mib())


# -- timing -------------------------------------------------------------------------------------


def pairs(channels: list[Channel], n: int, rng: random.Random) -> list[tuple[Channel, Week]]:
    picked = []
    for _ in range(n):
        channel = rng.choice(channels)
        monday = START + timedelta(weeks=rng.randrange(WEEKS))
        picked.append((channel, week_of(monday, channel.zone)))
    return picked


def count_floor(storage: Storage, channel_id: str) -> int:
    with storage.db.begin() as conn:
        query = text(
            "SELECT count(*) FROM answers WHERE enterprise_id = :e AND team_id = :t AND channel_id = :c"
        )
        return int(
            conn.execute(query, {"e": WS.enterprise_id, "t": WS.team_id, "c": channel_id}).scalar_one()
        )


def time_queries(storage: Storage, sample: list[tuple[Channel, Week]], out: Timings) -> None:
    def board(channel: Channel, week: Week) -> list[Standing]:
        top, mine = storage.answers.week_board(WS, channel.id, week, TOP, channel.users[-1])
        return top + ([mine] if mine is not None and mine not in top else [])

    for channel, week in sample[:20]:  # warm-up: statement caches, pool connections
        board(channel, week)
        count_floor(storage, channel.id)
    for channel, week in sample:
        began = time.perf_counter()
        standings = board(channel, week)
        out.ours.append((time.perf_counter() - began) * 1000)
        out.rows.append(len(standings))
        began = time.perf_counter()
        count_floor(storage, channel.id)
        out.floor.append((time.perf_counter() - began) * 1000)
    if min(out.rows) == 0:
        out.problems.append("a sampled week had no standings")

    tracemalloc.start()
    for channel, week in sample:
        board(channel, week)
    out.traced_peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()


def time_http(url: str, channels: list[Channel], n: int, rng: random.Random, out: Timings) -> None:
    fake = SlackStandIn()
    clock = FakeClock(NOW)
    fake.clock = lambda: clock().timestamp()
    bot = RunningBot.start(fake, url, clock=clock)
    floor = serve_floor(fake.api_url)
    floor_sender = SlackSender(f"http://127.0.0.1:{floor.port}", fake)
    try:
        sample = [rng.choice(channels) for _ in range(n)]
        for channel in sample[:10]:  # warm-up
            bot.command("/leaderboard", "", user=channel.users[0], channel=channel.id)
            floor_sender.command("/leaderboard", "", user=channel.users[0], channel=channel.id)
        for i, channel in enumerate(sample):
            user = rng.choice(channel.users)
            words = "last" if i % 2 else ""
            began = time.perf_counter()
            reply = bot.command("/leaderboard", words, user=user, channel=channel.id)
            out.http.append((time.perf_counter() - began) * 1000)
            body = reply.json() if reply.status == 200 else None
            shown = json.dumps((body or {}).get("blocks"))
            if (
                reply.status != 200
                or "Leaderboard 2026-W4" not in str((body or {}).get("text"))
                or "<@U" not in shown
            ):
                out.problems.append(
                    f"/leaderboard {words} in {channel.id}: {reply.status} {reply.body[:120]}"
                )
            began = time.perf_counter()
            reply = floor_sender.command("/leaderboard", words, user=user, channel=channel.id)
            out.http_floor.append((time.perf_counter() - began) * 1000)
            if reply.status != 200:
                out.problems.append(f"floor /leaderboard: {reply.status}")
    finally:
        floor.close()
        bot.close()
        fake.close()


# -- report -----------------------------------------------------------------------------------


def run_database(kind: str, n_channels: int, http_sample: int, workdir: Path) -> tuple[Loaded, Timings]:
    with scratch_database(kind, workdir) as url:
        storage = Storage.open(url)
        try:
            loaded = load(storage.db.engine, n_channels)
            out = Timings()
            time_queries(storage, pairs(loaded.channels, SAMPLE, random.Random(f"{SEED}-pairs")), out)
        finally:
            storage.close()
        time_http(url, loaded.channels, http_sample, random.Random(f"{SEED}-http"), out)
    return loaded, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 answers in 100 channels")
    add_db_argument(parser)
    args = parser.parse_args(argv)
    n_channels = 100 if args.quick else 1000
    http_sample = 50 if args.quick else SAMPLE
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    print(machine())
    if "postgres" in chosen(args.db):
        print(f"postgres: {postgres_url()} (its public schema is dropped and recreated)")
    print(
        f"data: {n_channels} channels x {ANSWERS_PER_CHANNEL} answers = {n_channels * ANSWERS_PER_CHANNEL:,}, "
        f"{WEEKS} ISO weeks of mon-fri quizzes, 50-100 users per channel; "
        f"{SAMPLE} (channel, week) pairs, {http_sample} HTTP /leaderboard"
    )
    load_rows = [["db", "answers", "quizzes", "load s", "of it inserting s", "maxrss after load MiB"]]
    rows = [
        ["db", "timed", "n", "p50 ms", "p99 ms", "max ms", "floor p50 ms", "floor p99 ms", "x p50", "x p99"]
    ]
    memory: list[str] = []
    verdicts: list[tuple[str, bool]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-leaderboard-") as tmp:
        for kind in chosen(args.db):
            loaded, t = run_database(kind, n_channels, http_sample, Path(tmp))
            load_rows.append(
                [
                    kind,
                    f"{loaded.answers:,}",
                    f"{loaded.quizzes:,}",
                    f"{loaded.load_s:.1f}",
                    f"{loaded.insert_s:.1f}",
                    f"{loaded.rss_mib:.0f}",
                ]
            )
            for label, ours, floor, floor_label in (
                ("week_board", t.ours, t.floor, "count(*)"),
                ("/leaderboard HTTP", t.http, t.http_floor, "Bolt ack"),
            ):
                rows.append(
                    [
                        kind,
                        label,
                        str(len(ours)),
                        ms(percentile(ours, 0.5)),
                        ms(percentile(ours, 0.99)),
                        ms(max(ours)),
                        f"{ms(percentile(floor, 0.5))} ({floor_label})",
                        ms(percentile(floor, 0.99)),
                        f"{percentile(ours, 0.5) / percentile(floor, 0.5):.1f}x",
                        f"{percentile(ours, 0.99) / percentile(floor, 0.99):.1f}x",
                    ]
                )
            memory.append(
                f"{kind}: tracemalloc peak during the {len(t.ours)} queries {t.traced_peak_mib:.2f} MiB; "
                f"ru_maxrss {maxrss_mib():.0f} MiB (process peak so far, includes generating the data); "
                f"users ranked per board: median {int(percentile(t.rows, 0.5))}, max {max(t.rows)}"
            )
            p99 = percentile(t.http, 0.99)
            verdicts.append(
                (
                    f"{kind}: /leaderboard over HTTP p99 {ms(p99)} ms, p50 {ms(percentile(t.http, 0.5))} ms "
                    f"(target < {TARGET_MS:.0f} ms); the query alone p99 {ms(percentile(t.ours, 0.99))} ms, "
                    f"{percentile(t.ours, 0.99) / percentile(t.floor, 0.99):.1f}x the count(*) floor",
                    p99 < TARGET_MS,
                )
            )
            verdicts.append(
                (
                    f"{kind}: every board answered and non-empty"
                    + ("" if not t.problems else ": " + "; ".join(t.problems[:5])),
                    not t.problems,
                )
            )
    print()
    print(table(load_rows))
    print()
    print(table(rows))
    print("(x = ours / floor at the same percentile; HTTP: one request at a time, client in this process)")
    print()
    for line in memory:
        print(line)
    return print_verdicts(verdicts, started)


if __name__ == "__main__":
    sys.exit(main())
