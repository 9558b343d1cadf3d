"""A week of the term of the day for many workspaces installed through OAuth, on PostgreSQL.

Issue 11's benchmark.  Run from the repository root, with PostgreSQL at 127.0.0.1:5432::

    .venv/bin/python bench/week_workspaces.py --quick            # 500 workspaces, about 2 minutes
    .venv/bin/python bench/week_workspaces.py                    # 10,000 workspaces, about 35 minutes
    .venv/bin/python bench/week_workspaces.py --workspaces 2000 --week autumn

It uses a database of its own, `studylab_bench_ws` (created if missing, emptied first; never the
tests' `test` database); `--database-url` names another.

N workspaces (default 10,000), one channel each, spread over the 20 IANA zones of `bench/week.py`
(half-hour and 45-minute offsets, zones that change at midnight, Lord Howe's 30-minute DST), with
its local times (00:30, 02:30, 09:30, 23:30, …) and day sets (daily to one day).  The real runtime
is built in OAuth mode (`bot.runtime.build_runtime` with `tests.support.bot.oauth_env`), its Web
API pointed at a `SlackStandIn` that knows every workspace's bot token and nothing else (an unknown
token is refused).  Workspace i is team `T{i:06d}` with channel `C{i:08d}`: its token is
registered in the stand-in, its bot joined to its channel, its installation saved through the
runtime's slack_sdk installation store, the workspace recorded as installed, and its schedule saved.

Nothing sleeps and no scheduler thread runs the week.  The fire times of every channel's real
triggers (`bot.jobs.quiz_trigger` and `results_trigger`, asked `get_next_fire_time(prev, now)` as
APScheduler asks) are merged in time order with the recovery job (`posting.recover`) and the
answer counts every simulated hour, and with answers: about 1% of the workspaces (every 97th)
answer their quizzes, so their weekly results are posted and everyone else's are recorded as
skipped.  For each event the `FakeClock` is set to its time and the service function the job calls
is called in this thread (`posting.run_slot`, `weekly.run`, `posting.recover`,
`closing.flush_counts`, `answering.answer`).  The stand-in's clock follows the FakeClock.  The bot
is deployed just before the window: its start-up `posting.recover` posts the slots of each
channel's local day that were already due; those belong to days before the window and are left
out of every check.

Checked (any failure exits 1): the slots expected, computed independently from the schedules with
zoneinfo (`bench.harness.expected_slots`: one per local date on a schedule day at the local time, the
first of two in an autumn repeat, a spring time that does not exist once at whatever the trigger
yields), each posted exactly once (quiz messages in the stand-in per channel, and quiz rows per
workspace, channel and slot), none missing, each at its fire time (the row's posted_at), every
`chat.postMessage` made with the token of the channel's own workspace, and one weekly results post
per workspace and week that had answers (one skipped row for every other workspace).

Reported: the checks' counts; CPU per quiz post (`time.process_time`, which includes the
in-process stand-in, and `time.thread_time`, the bot's side alone, over the `run_slot` calls); the
largest burst of slots due at one instant and how long posting it took in this one thread; the
scheduler's memory at N workspaces (`runtime.jobs`: its scheduler started paused, one `sync()`
adding 2 jobs per workspace, measured with tracemalloc and RSS); one `jobs.sync()` over unchanged
schedules and one `posting.recover()` (every 30 s and 20 s in production); the database's size
after the week and its largest tables; wall times.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import itertools
import json
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # this checkout's bot and tests, whatever else is installed
    sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    DAY_SETS,
    TIMES,
    ZONES,
    Expected,
    dst_changes,
    expected_slots,
    fire_times,
    machine,
    matched_slots,
    reset_postgres,
    table,
)
from bot.domain.slots import Schedule, parse_days, parse_time  # noqa: E402
from bot.domain.workspace import Workspace  # noqa: E402
from bot.jobs import Jobs, quiz_trigger, results_trigger  # noqa: E402
from bot.runtime import Runtime, build_runtime  # noqa: E402
from bot.services.posting import QUIZ_EVENT  # noqa: E402
from bot.services.weekly import WEEKLY_EVENT  # noqa: E402
from bot.standin import Identity  # noqa: E402
from bot.storage.statuses import PostState, QuizState  # noqa: E402
from bot.storage.tables import answers, quizzes, weekly_posts  # noqa: E402
from tests.support.bot import CLIENT_ID, FakeClock, SlackStandIn, load_settings, oauth_env  # noqa: E402

SEED = 20260329
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/studylab_bench_ws"
ANSWER_EVERY = 97  # workspace i answers when i % 97 == 0: about 1%, over every zone and schedule
TICK = timedelta(hours=1)  # the recovery job and the answer counts


@dataclass(frozen=True)
class Window:
    name: str
    start: datetime
    about: str

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=7)


WEEKS = {
    "spring": Window(
        "spring",
        datetime(2026, 3, 29, tzinfo=UTC),
        "Europe springs forward Sun 29 Mar (02:30 Berlin and 01:45 London do not exist); "
        "Australia, New Zealand and Lord Howe fall back Sun 5 Apr local (02:30 Sydney repeats); "
        "results Mon 30 Mar for the week that ended on the Sunday",
    ),
    "autumn": Window(
        "autumn",
        datetime(2026, 10, 23, tzinfo=UTC),
        "Europe falls back Sun 25 Oct (02:30 Berlin repeats), Cairo at midnight on Thu 29 Oct "
        "(23:30 repeats); results Mon 26 Oct for Fri-Sun's play",
    ),
}


# --- workspaces ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenant:
    index: int
    ws: Workspace
    channel: str
    token: str
    schedule: Schedule

    @property
    def answers(self) -> bool:
        return self.index % ANSWER_EVERY == 0


def make_tenants(count: int) -> list[Tenant]:
    """Workspace i: zone i % 20, then (time, days) pair (i // 20) % 50: every zone gets every pair."""
    combos = [(at, days) for days in DAY_SETS for at in TIMES]
    out = []
    for i in range(count):
        at, days = combos[(i // len(ZONES)) % len(combos)]
        clock = parse_time(at)
        assert clock is not None
        channel = f"C{i:08d}"
        schedule = Schedule(channel, clock, ZONES[i % len(ZONES)], parse_days(days))
        out.append(Tenant(i, Workspace(team_id=f"T{i:06d}"), channel, f"xoxb-T{i:06d}-bench-{i:x}", schedule))
    return out


def install(runtime: Runtime, fake: SlackStandIn, tenants: list[Tenant], now: datetime) -> None:
    store = runtime.services.workspaces.installations
    assert store is not None, "OAuth mode has an installation store"
    for t in tenants:
        fake.state.add_token(
            t.token, Identity(team_id=t.ws.team_id, bot_user_id=f"UB{t.index}", bot_id=f"BB{t.index}")
        )
        fake.join(t.channel, team_id=t.ws.team_id)
        store.save(
            Installation(
                app_id="A0BENCH",
                team_id=t.ws.team_id,
                team_name=f"bench {t.index}",
                bot_token=t.token,
                bot_id=f"BB{t.index}",
                bot_user_id=f"UB{t.index}",
                bot_scopes="commands,chat:write",
                user_id="U000",
            )
        )
        runtime.storage.workspaces.installed(t.ws, False, now)
        runtime.storage.schedules.save(t.ws, t.schedule, "bench", now)


# --- measurements outside the week -------------------------------------------------------------


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class SchedulerCost:
    jobs: int = 0
    sync_s: float = 0.0  # the first sync, which adds every job (under tracemalloc)
    untraced_sync_s: float = 0.0  # the same first sync into a second scheduler, without tracemalloc
    traced_bytes: int = 0  # allocated by that sync and still held after it
    traced_peak: int = 0
    rss_before: float = 0.0
    rss_after: float = 0.0
    unchanged_sync_s: list[float] = field(default_factory=list)  # syncs over unchanged schedules


def measure_scheduler(runtime: Runtime) -> SchedulerCost:
    """The scheduler at N workspaces: started paused, then one sync adds every channel's two jobs."""
    cost = SchedulerCost()
    runtime.jobs.scheduler.start(paused=True)  # nothing runs: the week below is driven by hand
    gc.collect()
    cost.rss_before = rss_mib()
    tracemalloc.start()
    began = time.perf_counter()
    runtime.jobs.sync()
    cost.sync_s = time.perf_counter() - began
    cost.traced_bytes, cost.traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    cost.rss_after = rss_mib()
    cost.jobs = len(runtime.jobs.scheduler.get_jobs())
    cost.unchanged_sync_s.append(timed(runtime.jobs.sync))
    second = Jobs(runtime.services, runtime.glossaries, runtime.settings)  # the time, untraced
    second.scheduler.start(paused=True)
    cost.untraced_sync_s = timed(second.sync)
    second.stop()
    return cost


def timed(fn: Any) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def time_periodic_jobs(runtime: Runtime) -> list[tuple[str, float, float]]:
    """Each shared periodic job of `bot.jobs.Jobs.start`, run once at N workspaces: (job, wall, CPU)."""
    services, every = runtime.services, runtime.settings.count_update_interval.total_seconds()
    jobs = [
        ("posting.recover (every 20 s)", services.posting.recover),
        ("jobs.sync (every 30 s)", runtime.jobs.sync),
        (f"closing.flush_counts (every {every:.0f} s)", services.closing.flush_counts),
        ("home.publish_stale (every 5 s)", services.home.publish_stale),
        ("overlays.refresh (every 2 s)", services.overlays.refresh),
        ("workspaces.purge_due (hourly)", services.workspaces.purge_due),
    ]
    out = []
    for name, fn in jobs:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        fn()
        out.append((name, time.perf_counter() - wall0, time.process_time() - cpu0))
    return out


# --- the week --------------------------------------------------------------------------------


@dataclass
class Cost:
    cpu: float = 0.0  # process CPU seconds (the bot and the in-process stand-in)
    bot_cpu: float = 0.0  # this thread's CPU seconds: the bot's side alone
    wall: list[float] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return len(self.wall)


@dataclass
class Outcome:
    window: Window
    tenants: list[Tenant]
    expected: list[Expected] = field(default_factory=list)
    fires: int = 0
    fire_set: set[tuple[str, datetime]] = field(default_factory=set)  # (channel, fire instant)
    before: set[tuple[str, str]] = field(default_factory=set)  # (channel, slot) posted at start-up
    costs: dict[str, Cost] = field(default_factory=lambda: defaultdict(Cost))
    counts: Counter[str] = field(default_factory=Counter)
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    gap_posts: Counter[str] = field(default_factory=Counter)
    slack_calls: Counter[str] = field(default_factory=Counter)
    burst: tuple[datetime, int, float] = (datetime.min.replace(tzinfo=UTC), 0, 0.0)  # when, posts, wall
    scheduler: SchedulerCost = field(default_factory=SchedulerCost)
    periodic: list[tuple[str, float, float]] = field(default_factory=list)  # job, wall s, CPU s, once at N
    db_bytes: int = 0
    tables: list[tuple[str, int, int]] = field(default_factory=list)  # name, bytes, rows
    phases: dict[str, float] = field(default_factory=dict)


def simulate(window: Window, count: int, url: str) -> Outcome:
    began = time.perf_counter()
    start, end = window.start, window.end
    rng = random.Random(f"{SEED}-{window.name}-{count}")
    clock = FakeClock(start - timedelta(hours=1))
    fake = SlackStandIn()
    fake.clock = lambda: clock().timestamp()  # Slack's ts follows the simulated time
    fake.state.default_identity = None  # a token the stand-in was not given is refused
    reset_postgres(url)
    settings = load_settings(oauth_env(fake, url))
    runtime = build_runtime(settings, clock=clock, claim_lease=timedelta(minutes=2))
    services = runtime.services
    tenants = make_tenants(count)
    outcome = Outcome(window, tenants)
    try:
        install(runtime, fake, tenants, clock())
        outcome.phases["install"] = time.perf_counter() - began
        print(f"  installed {count} workspaces in {outcome.phases['install']:.0f} s", flush=True)

        mark = time.perf_counter()
        outcome.scheduler = measure_scheduler(runtime)
        outcome.phases["scheduler"] = time.perf_counter() - mark
        print(
            f"  scheduler: {outcome.scheduler.jobs} jobs, first sync {outcome.scheduler.sync_s:.1f} s",
            flush=True,
        )

        mark = time.perf_counter()
        by_channel = {t.channel: t for t in tenants}
        stored = {s.schedule.channel_id: s for s in runtime.storage.schedules.active()}
        assert len(stored) == count, f"{len(stored)} active schedules for {count} workspaces"
        outcome.expected = [e for t in tenants for e in expected_slots(t.schedule, start, end)]
        # Deployed just before the window: the start-up recovery posts the slots of each channel's
        # local today that were already due; they belong to days before the window.
        clock.set(start - timedelta(microseconds=1))
        services.posting.recover()
        with runtime.storage.db.begin() as conn:
            rows = conn.execute(select(quizzes.c.channel_id, quizzes.c.slot))
            outcome.before = {(r.channel_id, r.slot) for r in rows}
        # (time, order, sequence, kind, channel, extra): weekly results before the quiz of the same
        # minute, answers after both, then the hourly jobs.
        events: list[tuple[datetime, int, int, str, str, Any]] = []
        seq = itertools.count()
        for t in tenants:
            for fire in fire_times(quiz_trigger(stored[t.channel]), start, end):
                events.append((fire, 1, next(seq), "quiz", t.channel, None))
                outcome.fire_set.add((t.channel, fire))
            for fire in fire_times(results_trigger(stored[t.channel], settings), start, end):
                events.append((fire, 0, next(seq), "weekly", t.channel, None))
        outcome.fires = len(outcome.fire_set)
        per_instant = Counter(when for when, _, _, kind, _, _ in events if kind == "quiz")
        tick = start
        while tick < end:
            events.append((tick, 4, next(seq), "recover", "", None))
            events.append((tick, 5, next(seq), "answer counts", "", None))
            tick += TICK
        heapq.heapify(events)
        outcome.phases["plan"] = time.perf_counter() - mark
        print(
            f"  {len(outcome.before)} start-up posts; {outcome.fires} quiz fires planned; "
            f"largest burst {max(per_instant.values())} at one instant",
            flush=True,
        )

        mark = time.perf_counter()
        busiest, busiest_n = max(per_instant.items(), key=lambda kv: kv[1])
        burst_wall = 0.0
        total, done, shown = len(events), 0, 0
        retries: set[datetime] = set()
        while events:
            when, _, _, kind, channel, extra = heapq.heappop(events)
            clock.set(when)
            calls_before = len(fake.calls)
            cpu0, bot0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
            try:
                if kind == "quiz":
                    tenant = by_channel[channel]
                    quiz = services.posting.run_slot(tenant.ws, channel)
                    if quiz is not None and tenant.answers:
                        for user in rng.sample(range(12), rng.randint(1, 3)):
                            answer_at = when + timedelta(minutes=rng.randint(1, 180))
                            if answer_at < end:
                                choice = rng.randrange(len(quiz.question.choices))
                                item = (answer_at, 2, next(seq), "answer", channel, (quiz.id, user, choice))
                                heapq.heappush(events, item)
                                total += 1
                elif kind == "weekly":
                    services.weekly.run(by_channel[channel].ws, channel)
                elif kind == "answer":
                    quiz_id, user, choice = extra
                    services.answering.answer(by_channel[channel].ws, quiz_id, f"U{user:03d}", choice)
                elif kind == "recover":
                    services.posting.recover()
                else:
                    services.closing.flush_counts()
            except Exception as exc:  # noqa: BLE001 - APScheduler logs a job's exception and goes on
                # Lost to an outside fault (the test suite restarts PostgreSQL): reported, and the
                # recovery job's next 20-second run, which production has, is added once.
                first = (str(exc).splitlines() or [""])[0][:120]
                outcome.problems["a job raised"].append(
                    f"{kind} {channel} at {when:%d %b %H:%M:%SZ}: {first}"
                )
                retry = when + timedelta(seconds=20)
                if retry not in retries:
                    retries.add(retry)
                    heapq.heappush(events, (retry, 4, next(seq), "recover", "", None))
                    total += 1
            wall = time.perf_counter() - wall0
            cost = outcome.costs[kind]
            cost.cpu += time.process_time() - cpu0
            cost.bot_cpu += time.thread_time() - bot0
            cost.wall.append(wall)
            if kind == "quiz" and when == busiest:
                burst_wall += wall
            new = fake.calls[calls_before:]
            for call in new:
                outcome.slack_calls[call.method] += 1
            posts = [c for c in new if c.method == "chat.postMessage"]
            if kind in ("quiz", "weekly") and len(posts) > 1:
                outcome.problems["one job posted twice"].append(f"{kind} {channel} at {when:%Y-%m-%d %H:%MZ}")
            elif kind in ("recover", "answer counts", "answer") and posts:
                outcome.problems[f"{kind} posted (a job was late or missed)"].append(
                    f"{len(posts)} at {when:%Y-%m-%d %H:%MZ}: "
                    + ", ".join(str(c.body.get("channel")) for c in posts[:5])
                )
            done += 1
            if done * 10 // total > shown:
                shown = done * 10 // total
                print(
                    f"  {shown * 10:3d}% of {total} events, simulated {when:%a %d %b %H:%MZ}, "
                    f"{time.perf_counter() - mark:.0f} s",
                    flush=True,
                )
        outcome.burst = (busiest, busiest_n, burst_wall)
        outcome.phases["week"] = time.perf_counter() - mark

        mark = time.perf_counter()
        outcome.periodic = time_periodic_jobs(runtime)
        outcome.scheduler.unchanged_sync_s.append(timed(runtime.jobs.sync))
        measure_database(runtime, outcome)
        verify(outcome, fake, runtime, settings)
        outcome.phases["check"] = time.perf_counter() - mark
    finally:
        runtime.close()
        fake.close()
    outcome.phases["total"] = time.perf_counter() - began
    return outcome


def measure_database(runtime: Runtime, outcome: Outcome) -> None:
    with runtime.storage.db.begin() as conn:
        outcome.db_bytes = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        rows = conn.execute(
            text(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 8"
            )
        ).all()
        for name, size in rows:
            n = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            outcome.tables.append((str(name), int(size), int(n)))


# --- checking ----------------------------------------------------------------------------------


def _metadata(message: dict[str, Any]) -> dict[str, Any]:
    meta = message.get("metadata") or {}
    return json.loads(meta) if isinstance(meta, str) else dict(meta)


def verify(outcome: Outcome, fake: SlackStandIn, runtime: Runtime, settings: Any) -> None:
    problems, counts = outcome.problems, outcome.counts
    by_channel = {t.channel: t for t in outcome.tenants}
    window = outcome.window
    with runtime.storage.db.begin() as conn:
        quiz_rows = conn.execute(
            select(
                quizzes.c.team_id,
                quizzes.c.channel_id,
                quizzes.c.slot,
                quizzes.c.state,
                quizzes.c.posted_at,
                quizzes.c.message_ts,
            )
        ).all()
        weekly_rows = conn.execute(
            select(
                weekly_posts.c.team_id,
                weekly_posts.c.channel_id,
                weekly_posts.c.week,
                weekly_posts.c.state,
                weekly_posts.c.posted_at,
            )
        ).all()
        answer_rows = conn.execute(select(answers.c.channel_id, answers.c.answered_at)).all()
    quiz_rows = [r for r in quiz_rows if (r.channel_id, r.slot) not in outcome.before]

    # Every post was made with the token of the channel's own workspace.
    for call in fake.calls:
        if call.method != "chat.postMessage":
            continue
        channel = str(call.body.get("channel"))
        who = fake.state.tokens.get(call.token)
        owner = by_channel.get(channel)
        counts["posts checked for token"] += 1
        if who is None or owner is None or who.team_id != owner.ws.team_id:
            counts["wrong token"] += 1
            problems["posted with another workspace's token"].append(
                f"{channel} with {call.token[:16]}… of {who.team_id if who else 'nobody'}"
            )
    for refusal in fake.state.refusals:
        problems["Slack refused"].append(f"{refusal['what']}: {refusal['error']}")

    # Slack's side: quiz and weekly messages per channel.
    slack_slots: Counter[tuple[str, str]] = Counter()
    slack_weeks: Counter[tuple[str, str]] = Counter()
    for channel, messages in fake.messages.items():
        for message in messages:
            meta = _metadata(message)
            if meta.get("event_type") == QUIZ_EVENT:
                key = (channel, meta["event_payload"]["slot"])
                if key not in outcome.before:
                    slack_slots[key] += 1
            elif meta.get("event_type") == WEEKLY_EVENT:
                slack_weeks[(channel, meta["event_payload"]["week"])] += 1
    counts["posted"] = sum(slack_slots.values())
    counts["weekly posted"] = sum(slack_weeks.values())

    # The database's side: one row per (workspace, channel, slot), in the channel's workspace.
    shown = (QuizState.POSTED, QuizState.CLOSING, QuizState.CLOSED)
    rows_per_key = Counter((r.team_id, r.channel_id, r.slot) for r in quiz_rows)
    for (team, channel, slot), n in rows_per_key.items():
        if n > 1:
            problems["quiz rows for one slot"].append(f"{team} {channel} {slot} x{n}")
        if by_channel[channel].ws.team_id != team:
            problems["quiz row in another workspace"].append(f"{team} {channel} {slot}")
    posted = [r for r in quiz_rows if r.state in shown]
    for r in quiz_rows:
        if r.state not in shown:
            problems[f"quiz left {r.state}"].append(f"{r.channel_id} {r.slot}")
    db_keys = {(r.channel_id, r.slot): r for r in posted}
    counts["db rows"] = len(posted)
    for key, n in slack_slots.items():
        if n > 1:
            problems["slot posted twice in Slack"].append(f"{key[0]} {key[1]} x{n}")
        if key not in db_keys:
            problems["in Slack, not recorded"].append(f"{key[0]} {key[1]}")
    for key in db_keys:
        if key not in slack_slots:
            problems["recorded, not in Slack"].append(f"{key[0]} {key[1]}")

    # Each expected slot: exactly one post on its local date, at its fire time.
    by_day: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for r in posted:
        by_day[(r.channel_id, date.fromisoformat(r.slot[:10]))].append(r)
    counts["expected"] = len({(e.channel, e.day) for e in outcome.expected})
    counts["gap"] = sum(e.kind == "gap" for e in outcome.expected)
    counts["repeat"] = sum(e.kind == "repeat" for e in outcome.expected)
    describe = lambda channel: by_channel[channel].schedule.describe()  # noqa: E731
    for e, post in matched_slots(outcome.expected, by_day, describe, counts, problems):
        schedule = by_channel[e.channel].schedule
        local = post.posted_at.astimezone(schedule.zone)
        on_time = (e.channel, post.posted_at) in outcome.fire_set
        if e.instant is not None:
            on_time = on_time and post.posted_at == e.instant
        if not on_time:
            counts["late" if e.instant is None or post.posted_at > e.instant else "early"] += 1
            problems["not posted at its fire time"].append(
                f"{e.channel} {schedule.describe()} on {e.day} ({e.kind}): at {local:%Y-%m-%d %H:%M %Z}"
            )
        elif e.instant is None:
            outcome.gap_posts[f"{schedule.timezone} {schedule.at:%H:%M} on {e.day} → {local:%H:%M %Z}"] += 1

    # Weekly results: once per workspace and week with answers, at RESULTS_TIME on RESULTS_DAY;
    # every other workspace's week recorded as skipped.
    played: dict[str, set[str]] = defaultdict(set)
    for answer in answer_rows:
        zone = by_channel[answer.channel_id].schedule.zone
        year, week, _ = answer.answered_at.astimezone(zone).isocalendar()
        played[answer.channel_id].add(f"{year}-W{week:02d}")
    due: dict[tuple[str, str], datetime] = {}
    for t in outcome.tenants:
        zone = t.schedule.zone
        day = window.start.astimezone(zone).date() - timedelta(days=1)
        while day <= window.end.astimezone(zone).date():
            at = datetime.combine(day, settings.results_time, zone).astimezone(UTC)
            if day.weekday() == settings.results_day and window.start <= at < window.end:
                year, week, _ = (day - timedelta(days=7)).isocalendar()
                due[(t.channel, f"{year}-W{week:02d}")] = at
            day += timedelta(days=1)
    rows_by_key: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for weekly in weekly_rows:
        rows_by_key[(weekly.channel_id, weekly.week)].append(weekly)
    counts["weekly due"] = len(due)
    for key, at in due.items():
        got = rows_by_key.get(key, [])
        should_post = key[1] in played.get(key[0], set())
        counts["weekly expected"] += should_post
        if len(got) != 1:
            counts["weekly rows wrong"] += 1
            problems["weekly rows for one week"].append(f"{key[0]} {key[1]}: {len(got)}")
            continue
        row = got[0]
        if should_post:
            if row.state != PostState.POSTED or slack_weeks.get(key, 0) != 1:
                counts["weekly missing"] += 1
                problems["weekly results not posted once"].append(
                    f"{key[0]} {key[1]}: {row.state}, {slack_weeks.get(key, 0)} in Slack"
                )
            elif row.posted_at != at:
                counts["weekly late"] += 1
                problems["weekly results not at RESULTS_TIME"].append(f"{key[0]} {key[1]} at {row.posted_at}")
        elif row.state != PostState.SKIPPED:
            problems["a week nobody played was not skipped"].append(f"{key[0]} {key[1]}: {row.state}")
        else:
            counts["weekly skipped"] += 1
    for key, n in slack_weeks.items():
        if n > 1 or key not in due or key[1] not in played.get(key[0], set()):
            counts["weekly extra"] += 1
            problems["weekly results posted when not due, or twice"].append(f"{key[0]} {key[1]} x{n}")


# --- reporting ---------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def report(o: Outcome, count: int) -> bool:
    c, s = o.counts, o.scheduler
    quiz = o.costs["quiz"]
    posts = max(1, c["posted"])
    print()
    rows = [
        ["workspaces", str(count)],
        ["channels", str(count)],
        ["zones", str(len({t.schedule.timezone for t in o.tenants}))],
        ["answering workspaces", str(sum(t.answers for t in o.tenants))],
        [
            "slots expected",
            f"{c['expected']} ({c['gap']} in a spring gap, {c['repeat']} in an autumn repeat)",
        ],
        ["quiz trigger fires", str(o.fires)],
        ["slots posted (Slack)", str(c["posted"])],
        ["quiz rows posted (database)", str(c["db rows"])],
        ["duplicates", str(c["duplicates"])],
        ["missing", str(c["missing"])],
        ["late / early (not at the fire time)", f"{c['late']} / {c['early']}"],
        ["posted on a day without a slot", str(c["extra"])],
        ["posts with another workspace's token", f"{c['wrong token']} of {c['posts checked for token']}"],
        [
            "weekly results posted / expected",
            f"{c['weekly posted']} / {c['weekly expected']} ({c['weekly skipped']} of {c['weekly due']} "
            "workspace-weeks skipped)",
        ],
        ["CPU per post (process: bot + stand-in)", _ms(quiz.cpu / posts)],
        ["CPU per post (bot thread)", _ms(quiz.bot_cpu / posts)],
        [
            "run_slot wall p50 / p99 / max",
            " / ".join(
                _ms(v)
                for v in (
                    statistics.median(quiz.wall or [0]),
                    sorted(quiz.wall or [0])[int(0.99 * max(0, len(quiz.wall) - 1))],
                    max(quiz.wall or [0]),
                )
            ),
        ],
        [
            "largest burst (slots at one instant)",
            f"{o.burst[1]} at {o.burst[0]:%a %d %b %H:%MZ}, posted in {o.burst[2]:.1f} s by one thread",
        ],
        ["scheduler jobs (2 per workspace)", str(s.jobs)],
        [
            "scheduler memory: traced by the sync (held / peak)",
            f"{_mb(s.traced_bytes)} / {_mb(s.traced_peak)} ({s.traced_bytes / max(1, s.jobs):.0f} B per job)",
        ],
        ["scheduler memory: RSS before / after the sync", f"{s.rss_before:.0f} / {s.rss_after:.0f} MiB"],
        [
            "jobs.sync(): first, adding every job (untraced / traced)",
            f"{s.untraced_sync_s:.2f} / {s.sync_s:.2f} s",
        ],
        ["jobs.sync(): unchanged schedules", ", ".join(f"{v:.2f} s" for v in s.unchanged_sync_s)],
        [
            "posting.recover(): hourly in the week, mean / max",
            f"{statistics.mean(o.costs['recover'].wall or [0]):.2f} / "
            f"{max(o.costs['recover'].wall or [0]):.2f} s",
        ],
        ["database size after the week", _mb(o.db_bytes)],
        [
            "wall: install / scheduler / week / checks / total",
            " / ".join(
                f"{o.phases.get(k, 0):.0f} s" for k in ("install", "scheduler", "week", "check", "total")
            ),
        ],
    ]
    print(table([["measure", "value"], *rows]))
    print()
    print(table([["table", "size", "rows"], *[[n, _mb(b), str(r)] for n, b, r in o.tables]]))
    print()
    rows = [["job", "runs", "CPU ms/run", "bot CPU ms/run", "wall ms/run", "wall max ms", "total wall s"]]
    for kind, cost in sorted(o.costs.items()):
        rows.append(
            [
                kind,
                str(cost.runs),
                f"{cost.cpu / max(1, cost.runs) * 1000:.2f}",
                f"{cost.bot_cpu / max(1, cost.runs) * 1000:.2f}",
                f"{sum(cost.wall) / max(1, cost.runs) * 1000:.2f}",
                f"{max(cost.wall or [0]) * 1000:.1f}",
                f"{sum(cost.wall):.1f}",
            ]
        )
    print(table(rows))
    print()
    rows = [["periodic job, once at N after the week", "wall s", "CPU s"]]
    rows += [[name, f"{wall:.3f}", f"{cpu:.3f}"] for name, wall, cpu in o.periodic]
    print(table(rows))
    print()
    print("Slack calls: " + ", ".join(f"{m} {n}" for m, n in o.slack_calls.most_common()))
    for case, n in sorted(o.gap_posts.items()):
        print(f"  gap: {case}" + (f" ({n} channels)" if n > 1 else ""))
    ok = True
    for what, items in o.problems.items():
        ok = False
        print(f"  PROBLEM {what}: {len(items)}")
        for item in items[:8]:
            print(f"    {item}")
        if len(items) > 8:
            print(f"    … and {len(items) - 8} more")
    bad = ("duplicates", "missing", "late", "early", "extra", "wrong token", "weekly missing", "weekly extra")
    ok = ok and not any(c[k] for k in bad) and c["weekly posted"] == c["weekly expected"]
    ok = ok and s.jobs == 2 * count
    print()
    print(f"every slot posted exactly once, on time, with its workspace's token: {'yes' if ok else 'NO'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--workspaces", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="500 workspaces")
    parser.add_argument("--week", choices=list(WEEKS), default="spring")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    count = 500 if args.quick else args.workspaces
    window = WEEKS[args.week]
    print(machine())
    print(f"seed {SEED}; database {make_url(args.database_url).render_as_string(hide_password=True)}")
    print(
        f"{count} workspaces (one channel each, OAuth, client {CLIENT_ID}) over {len(ZONES)} zones; times "
        f"{', '.join(TIMES)}; days {', '.join(DAY_SETS)}; every {ANSWER_EVERY}th workspace answers; "
        f"recovery and answer counts every {TICK.total_seconds() / 3600:.0f} simulated hour"
    )
    print(
        f"{window.name}: {window.start:%a %Y-%m-%d %H:%MZ} to {window.end:%a %Y-%m-%d %H:%MZ}; {window.about}"
    )
    for change in dst_changes(window.start, window.end):
        print(f"  {change}")
    sys.stdout.flush()
    outcome = simulate(window, count, args.database_url)
    return 0 if report(outcome, count) else 1


if __name__ == "__main__":
    sys.exit(main())
