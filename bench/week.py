"""Simulate weeks of the term of the day, driven by a fake clock: each slot posted once, on time.

Run from the repository root (a full run takes about three and a half minutes, --quick about 80 s)::

    .venv/bin/python bench/week.py             # 1,000 channels, three DST weeks
    .venv/bin/python bench/week.py --quick     # 200 channels, the same weeks
    .venv/bin/python bench/week.py --channels 300 --scenario autumn

Nothing sleeps and no scheduler thread runs.  For each scenario (a week or so around DST
changes, listed below) the real runtime is built (`bot.runtime.build_runtime`: SQLite in a
temporary directory, the Web API pointed at a `SlackStandIn` that has the bot in every channel, a
`FakeClock`), and every channel's schedule is saved with `storage.schedules.save`.  Channels are spread over 20 IANA zones (half-hour
and 45-minute offsets, zones that change at midnight, Lord Howe's 30-minute DST) with local times
that include 02:30, 00:30 and 23:30, and day sets from `daily` to `sun`.

The fire times of every channel's real triggers (`bot.jobs.quiz_trigger` and `results_trigger`,
asked `get_next_fire_time(prev, now)` as APScheduler asks) are merged in time order with answers (a
quarter of the channels answer their quizzes), the recovery job (`posting.recover`: stale claims,
due slots and results, closes) and the answer counts every 10 simulated minutes, and stray runs at
random moments: `posting.run_slot` and `weekly.run` for random channels, and restarts (a
`posting.recover` at a random moment, as `Runtime.start` runs it).  The bot is deployed just
before the window: its start-up `posting.recover` posts each channel's slot of that local day if
it was already due (a correct late post); those belong to days before the window and are left out
of every check.  For each event the fake clock
is set to its time and the service method the APScheduler job would call is called, in this
thread.

Expected slots are computed independently of the trigger, from the schedules and zoneinfo: one
per local date on a schedule day, at the local time (the first of two when an autumn change
repeats it).  A local time that does not exist (spring forward) counts as whatever the trigger
yields, once.  Checked: posts per channel in the fake Slack (messages with metadata event_type
`study_lab_quiz`) and quiz rows in the database, none twice, none missing, each posted at its
fire time (the fake clock at the post, and the message's Slack ts), stray runs posting nothing,
and one weekly results post per channel and week with answers, at RESULTS_TIME on RESULTS_DAY.
CPU: `time.process_time()` (this process, which also serves the fake Slack) and
`time.thread_time()` (the bot's side alone) over the scheduled quiz jobs, per quiz post.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

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
    table,
)
from bot.domain.slots import Schedule, parse_days, parse_time  # noqa: E402
from bot.jobs import quiz_trigger, results_trigger  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from bot.services.posting import QUIZ_EVENT  # noqa: E402
from bot.services.weekly import WEEKLY_EVENT  # noqa: E402
from bot.storage.statuses import PostState, QuizState  # noqa: E402
from bot.storage.tables import answers, quizzes, weekly_posts  # noqa: E402
from tests.support.bot import FakeClock, SlackStandIn, bot_env, load_settings  # noqa: E402

SEED = 20261025

ANSWERING = 4  # every 4th channel answers its quizzes
RECOVER_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class Scenario:
    name: str
    start: datetime
    days: int
    about: str

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)


SCENARIOS = {
    "autumn": Scenario(
        "autumn",
        datetime(2026, 10, 24, tzinfo=UTC),
        10,
        "Europe falls back Sun 25 Oct, Cairo at midnight on 29/30 Oct, the US, Canada and Cuba Sun 1 Nov",
    ),
    "us-spring": Scenario(
        "us-spring",
        datetime(2026, 3, 6, tzinfo=UTC),
        7,
        "the US and Canada spring forward Sun 8 Mar at 02:00, Cuba at midnight",
    ),
    "europe-spring": Scenario(
        "europe-spring",
        datetime(2026, 3, 28, tzinfo=UTC),
        10,
        "Europe springs forward Sun 29 Mar; Australia, New Zealand, Chatham, Lord Howe, Chile fall back Sun 5 Apr",
    ),
}


# --- channels and what they should get ---------------------------------------------------------


def make_schedules(count: int) -> list[Schedule]:
    """Channel i: zone i % 20, then every time daily, every time on Sundays, and so on.

    The first 200 channels (--quick) give every zone every time, daily; 1,000 give every zone
    every (time, days) pair.
    """
    combos = [(at, days) for days in DAY_SETS for at in TIMES]
    out = []
    for i in range(count):
        at, days = combos[(i // len(ZONES)) % len(combos)]
        clock = parse_time(at)
        assert clock is not None
        out.append(Schedule(f"C{i:04d}", clock, ZONES[i % len(ZONES)], parse_days(days)))
    return out


# --- the simulation ---------------------------------------------------------------------------


@dataclass
class Cost:
    cpu: float = 0.0  # process CPU seconds (the bot and the in-process fake Slack)
    bot_cpu: float = 0.0  # this thread's CPU seconds: the bot's side alone
    runs: int = 0


@dataclass
class Outcome:
    scenario: Scenario
    channels: int
    expected: list[Expected]
    fires: int
    quiz_posts: int
    weekly_posts: int
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter[str] = field(default_factory=Counter)
    costs: dict[str, Cost] = field(default_factory=lambda: defaultdict(Cost))
    wall: float = 0.0
    setup: float = 0.0
    gap_posts: Counter[str] = field(default_factory=Counter)
    fire_set: set[tuple[str, datetime]] = field(default_factory=set)  # (channel, fire instant)
    before: set[tuple[str, str]] = field(default_factory=set)  # (channel, slot) posted at start-up
    slack_calls: Counter[str] = field(default_factory=Counter)


def simulate(scenario: Scenario, count: int, strays: int, catch_ups: int) -> Outcome:
    started = time.perf_counter()
    rng = random.Random(f"{SEED}-{scenario.name}")
    start, end = scenario.start, scenario.end
    clock = FakeClock(start - timedelta(hours=1))
    fake = SlackStandIn()
    fake.clock = lambda: clock().timestamp()  # Slack's ts follows the simulated time
    with tempfile.TemporaryDirectory(prefix="study-lab-week-") as directory:
        settings = load_settings(bot_env(fake, f"sqlite:///{directory}/study-lab.db"))
        runtime = build_runtime(settings, clock=clock, claim_lease=timedelta(minutes=2))
        services, storage = runtime.services, runtime.storage
        assert runtime.workspace is not None
        ws = runtime.workspace
        try:
            schedules = make_schedules(count)
            by_channel = {s.channel_id: s for s in schedules}
            for schedule in schedules:
                fake.join(schedule.channel_id, ws.team_id)
                storage.schedules.save(ws, schedule, "bench", clock())
            stored = {s.schedule.channel_id: s for s in storage.schedules.in_workspace(ws)}
            expected = [e for s in schedules for e in expected_slots(s, start, end)]
            # Deployed just before the window: the start-up recovery posts the slots of each
            # channel's local today that were already due (a correct late post, the same day).
            # They belong to the days before the window and are left out of every check.
            clock.set(start - timedelta(microseconds=1))
            services.posting.recover()
            with storage.db.begin() as conn:
                before = {
                    (r.channel_id, r.slot) for r in conn.execute(select(quizzes.c.channel_id, quizzes.c.slot))
                }

            # (time, order, sequence, kind, channel, extra): weekly results before the quiz at
            # the same minute (as the README promises), answers and strays after both.
            events: list[tuple[datetime, int, int, str, str, Any]] = []
            seq = itertools.count()
            fires = 0
            for s in schedules:
                for fire in fire_times(quiz_trigger(stored[s.channel_id]), start, end):
                    events.append((fire, 1, next(seq), "quiz", s.channel_id, None))
                    fires += 1
                for fire in fire_times(results_trigger(stored[s.channel_id], settings), start, end):
                    events.append((fire, 0, next(seq), "weekly", s.channel_id, None))
            # Strays and restarts from 26 h in: a slot before the window start was never fired,
            # and catching it up later the same local day would be right, not a stray post.
            settled = start + timedelta(hours=26)
            span = (end - settled).total_seconds()
            for _ in range(strays):
                moment = settled + timedelta(seconds=rng.uniform(0, span))
                kind = "stray quiz" if rng.random() < 0.75 else "stray weekly"
                events.append((moment, 3, next(seq), kind, rng.choice(schedules).channel_id, None))
            for _ in range(catch_ups):
                moment = settled + timedelta(seconds=rng.uniform(0, span))
                events.append((moment, 3, next(seq), "catch-up", "", None))
            tick = start
            while tick < end:
                events.append((tick, 4, next(seq), "recover", "", None))
                events.append((tick, 5, next(seq), "answer counts", "", None))
                tick += RECOVER_EVERY
            heapq.heapify(events)
            outcome = Outcome(scenario, count, expected, fires, 0, 0)
            outcome.before = before
            outcome.fire_set = {(channel, when) for when, _, _, kind, channel, _ in events if kind == "quiz"}
            outcome.setup = time.perf_counter() - started

            wall_started = time.perf_counter()
            while events:
                when, order, _, kind, channel, extra = heapq.heappop(events)
                clock.set(when)
                calls_before = len(fake.calls)
                cpu0, bot0 = time.process_time(), time.thread_time()
                if kind == "quiz":
                    quiz = services.posting.run_slot(ws, channel)
                    if quiz is not None and int(channel[1:]) % ANSWERING == 0:
                        for user in rng.sample(range(12), rng.randint(1, 3)):
                            answer_at = when + timedelta(minutes=rng.randint(1, 180))
                            if answer_at < end:
                                choice = rng.randrange(len(quiz.question.choices))
                                heapq.heappush(
                                    events,
                                    (answer_at, 2, next(seq), "answer", channel, (quiz.id, user, choice)),
                                )
                elif kind == "weekly":
                    services.weekly.run(ws, channel)
                elif kind == "answer":
                    quiz_id, user, choice = extra
                    services.answering.answer(ws, quiz_id, f"U{user:03d}", choice)
                elif kind == "stray quiz":
                    services.posting.run_slot(ws, channel)
                elif kind == "stray weekly":
                    services.weekly.run(ws, channel)
                elif kind in ("catch-up", "recover"):  # a restart, or the periodic job: the same call
                    services.posting.recover()  # stale claims, due slots and results, then closes
                else:
                    services.closing.flush_counts()
                cost = outcome.costs[kind]
                cost.cpu += time.process_time() - cpu0
                cost.bot_cpu += time.thread_time() - bot0
                cost.runs += 1
                new_posts = [c for c in fake.calls[calls_before:] if c.method == "chat.postMessage"]
                for call in fake.calls[calls_before:]:
                    outcome.slack_calls[call.method] += 1
                if kind in ("quiz", "weekly"):
                    if len(new_posts) > 1:
                        outcome.problems["one job posted twice"].append(
                            f"{kind} {channel} at {when:%Y-%m-%d %H:%MZ}"
                        )
                elif kind in ("stray quiz", "stray weekly", "catch-up") and new_posts:
                    outcome.counts["stray posts"] += len(new_posts)
                    for call in new_posts:
                        outcome.problems["a stray run posted"].append(
                            f"{kind} at {when:%Y-%m-%d %H:%M:%SZ}: {call.body.get('channel')} "
                            f"{_metadata(call.body).get('event_payload')}"
                        )
                elif new_posts:
                    outcome.problems[f"{kind} posted"].append(f"{channel} at {when:%Y-%m-%d %H:%MZ}")
            outcome.wall = time.perf_counter() - wall_started
            verify(outcome, fake, storage, by_channel, settings)
        finally:
            runtime.close()
            fake.close()
    return outcome


def _metadata(body: dict[str, Any]) -> dict[str, Any]:
    meta = body.get("metadata") or {}
    return json.loads(meta) if isinstance(meta, str) else dict(meta)


# --- checking ------------------------------------------------------------------------------------


def verify(outcome: Outcome, fake: Any, storage: Any, by_channel: dict[str, Schedule], settings: Any) -> None:
    problems, counts = outcome.problems, outcome.counts
    with storage.db.begin() as conn:
        rows = conn.execute(
            select(
                quizzes.c.channel_id,
                quizzes.c.slot,
                quizzes.c.state,
                quizzes.c.posted_at,
                quizzes.c.message_ts,
            )
        ).all()
        weekly_rows = conn.execute(
            select(
                weekly_posts.c.channel_id, weekly_posts.c.week, weekly_posts.c.state, weekly_posts.c.posted_at
            )
        ).all()
        answer_rows = conn.execute(select(answers.c.channel_id, answers.c.answered_at)).all()
    rows = [r for r in rows if (r.channel_id, r.slot) not in outcome.before]

    # Slack's side: every message with our metadata, per channel.
    slack_quiz: dict[str, list[dict[str, Any]]] = defaultdict(list)
    slack_weekly: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for channel, messages in fake.messages.items():
        for message in messages:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == QUIZ_EVENT:
                if (channel, meta["event_payload"]["slot"]) not in outcome.before:
                    slack_quiz[channel].append(message)
            elif meta.get("event_type") == WEEKLY_EVENT:
                slack_weekly[channel].append(message)
    outcome.quiz_posts = sum(len(v) for v in slack_quiz.values())
    outcome.weekly_posts = sum(len(v) for v in slack_weekly.values())

    shown = (QuizState.POSTED, QuizState.CLOSING, QuizState.CLOSED)
    posted = [r for r in rows if r.state in shown]
    for r in rows:
        if r.state not in shown:
            problems[f"quiz left {r.state}"].append(f"{r.channel_id} {r.slot}")
    db_by_key = {(r.channel_id, r.slot): r for r in posted}
    counts["db quiz rows"] = len(posted)
    slack_keys = Counter(
        (channel, m["metadata"]["event_payload"]["slot"]) for channel, ms in slack_quiz.items() for m in ms
    )
    for key, n in slack_keys.items():
        if n > 1:
            problems["slot posted twice in Slack"].append(f"{key[0]} {key[1]} x{n}")
        if key not in db_by_key:
            problems["in Slack, not recorded"].append(f"{key[0]} {key[1]}")
    for key, r in db_by_key.items():
        if key not in slack_keys:
            problems["recorded, not in Slack"].append(f"{key[0]} {key[1]}")
        elif r.message_ts is not None and int(float(r.message_ts)) != int(r.posted_at.timestamp()):
            problems["Slack ts differs from the post time"].append(f"{key[0]} {key[1]}")

    # Each expected slot: exactly one post on its local date, at its instant.
    posts_by_day: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for r in posted:
        if not r.slot.startswith("now:"):
            posts_by_day[(r.channel_id, date.fromisoformat(r.slot.split("T")[0]))].append(r)
    counts["repeat slots"] = sum(e.kind == "repeat" for e in outcome.expected)
    counts["gap slots"] = sum(e.kind == "gap" for e in outcome.expected)
    describe = lambda channel: by_channel[channel].describe()  # noqa: E731
    for e, post in matched_slots(outcome.expected, posts_by_day, describe, counts, problems):
        schedule = by_channel[e.channel]
        local = post.posted_at.astimezone(schedule.zone)
        if e.instant is not None:
            if post.posted_at != e.instant:
                counts["late" if post.posted_at > e.instant else "early"] += 1
                problems["posted late" if post.posted_at > e.instant else "posted early"].append(
                    f"{e.channel} {schedule.describe()} on {e.day}: at {local:%Y-%m-%d %H:%M %Z}"
                )
            elif f"{local:%H:%M}" != f"{schedule.at:%H:%M}":
                problems["local wall time differs"].append(f"{e.channel} {e.day} {local:%H:%M}")
        elif (e.channel, post.posted_at) in outcome.fire_set:  # a gap: whatever the trigger yields
            outcome.gap_posts[f"{schedule.timezone} {schedule.at:%H:%M} on {e.day} → {local:%H:%M %Z}"] += 1
        else:
            counts["late"] += 1
            problems["gap slot posted when no trigger fired"].append(
                f"{e.channel} {schedule.describe()} on {e.day}: at {local:%Y-%m-%d %H:%M %Z}"
            )

    # Weekly results: one post per channel and week with answers, at RESULTS_TIME on RESULTS_DAY.
    at = settings.results_time
    answered_weeks: dict[str, set[str]] = defaultdict(set)
    for r in answer_rows:
        year, week, _ = r.answered_at.astimezone(by_channel[r.channel_id].zone).isocalendar()
        answered_weeks[r.channel_id].add(f"{year}-W{week:02d}")
    weekday = settings.results_day
    expected_weekly: dict[tuple[str, str], datetime] = {}
    for channel, schedule in by_channel.items():
        zone = schedule.zone
        day = outcome.scenario.start.astimezone(zone).date() - timedelta(days=1)
        while day <= outcome.scenario.end.astimezone(zone).date():
            due = datetime.combine(day, at, zone).astimezone(UTC)
            if day.weekday() == weekday and outcome.scenario.start <= due < outcome.scenario.end:
                year, week, _ = (day - timedelta(days=7)).isocalendar()
                label = f"{year}-W{week:02d}"
                if label in answered_weeks[channel]:
                    expected_weekly[(channel, label)] = due
            day += timedelta(days=1)
    counts["weekly expected"] = len(expected_weekly)
    got_weekly = Counter((r.channel_id, r.week) for r in weekly_rows if r.state == PostState.POSTED)
    weekly_at = {(r.channel_id, r.week): r.posted_at for r in weekly_rows if r.state == PostState.POSTED}
    slack_weeks = Counter(
        (channel, m["metadata"]["event_payload"]["week"]) for channel, ms in slack_weekly.items() for m in ms
    )
    for key, due in expected_weekly.items():
        if slack_weeks.get(key, 0) == 0 or got_weekly.get(key, 0) == 0:
            counts["weekly missing"] += 1
            problems["weekly results never posted"].append(f"{key[0]} {key[1]}")
        elif weekly_at[key] != due:
            counts["weekly late/early"] += 1
            problems["weekly results not at RESULTS_TIME"].append(f"{key[0]} {key[1]} at {weekly_at[key]}")
    for key, n in slack_weeks.items():
        if n > 1:
            counts["weekly duplicates"] += n - 1
            problems["weekly results posted twice"].append(f"{key[0]} {key[1]} x{n}")
        if key not in expected_weekly:
            counts["weekly extra"] += n
            problems["weekly results not expected"].append(f"{key[0]} {key[1]}")


# --- reporting ----------------------------------------------------------------------------------


def report(outcomes: list[Outcome]) -> bool:
    print()
    header = [
        "scenario",
        "slots",
        "fires",
        "posts",
        "dupes",
        "missing",
        "extra",
        "late/early",
        "gap",
        "repeat",
        "stray runs",
        "stray posts",
        "weekly",
        "CPU/post",
        "bot CPU/post",
        "wall",
    ]
    rows = [header]
    total = Counter[str]()
    for o in outcomes:
        quiz = o.costs["quiz"]
        strays = sum(o.costs[k].runs for k in ("stray quiz", "stray weekly", "catch-up"))
        c = o.counts
        weekly_bad = c["weekly missing"] + c["weekly duplicates"] + c["weekly extra"] + c["weekly late/early"]
        rows.append(
            [
                o.scenario.name,
                str(len(o.expected)),
                str(o.fires),
                str(o.quiz_posts),
                str(c["duplicates"]),
                str(c["missing"]),
                str(c["extra"]),
                str(c["late"] + c["early"]),
                str(c["gap slots"]),
                str(c["repeat slots"]),
                str(strays),
                str(c["stray posts"]),
                f"{o.weekly_posts}/{c['weekly expected']}" + (f" ({weekly_bad} bad)" if weekly_bad else ""),
                f"{quiz.cpu / max(1, o.quiz_posts) * 1000:.2f} ms",
                f"{quiz.bot_cpu / max(1, o.quiz_posts) * 1000:.2f} ms",
                f"{o.wall:.1f} s",
            ]
        )
        total.update({"slots": len(o.expected), "posts": o.quiz_posts})
    print(table(rows))
    print(
        "(slots: expected from the schedules and zoneinfo; fires: the triggers' fire times; posts: quiz "
        "messages in the fake Slack;\n gap/repeat: expected slots whose local time is skipped/repeated that "
        "day; weekly: results posts / expected;\n CPU/post: process CPU (bot + in-process fake Slack) in the "
        "quiz jobs per quiz post; bot CPU/post: the job thread alone)"
    )
    print()
    rows = [["scenario", "job", "runs", "CPU ms/run", "bot CPU ms/run", "total CPU s"]]
    for o in outcomes:
        for kind, cost in sorted(o.costs.items()):
            rows.append(
                [
                    o.scenario.name,
                    kind,
                    str(cost.runs),
                    f"{cost.cpu / max(1, cost.runs) * 1000:.2f}",
                    f"{cost.bot_cpu / max(1, cost.runs) * 1000:.2f}",
                    f"{cost.cpu:.1f}",
                ]
            )
    print(table(rows))
    ok = True
    for o in outcomes:
        print()
        print(
            f"{o.scenario.name}: setup {o.setup:.1f} s; Slack calls: "
            + ", ".join(f"{m} {n}" for m, n in o.slack_calls.most_common())
        )
        for case, n in sorted(o.gap_posts.items()):
            print(f"  gap: {case}" + (f" ({n} channels)" if n > 1 else ""))
        for what, items in o.problems.items():
            ok = False
            print(f"  PROBLEM {what}: {len(items)}")
            for item in items[:8]:
                print(f"    {item}")
            if len(items) > 8:
                print(f"    … and {len(items) - 8} more")
        bad = sum(o.counts[k] for k in ("duplicates", "missing", "extra", "late", "early", "stray posts"))
        ok = ok and not bad
    print()
    print(f"every slot posted exactly once, on time, nothing extra: {'yes' if ok else 'NO'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument(
        "--strays", type=int, help="stray run_slot/run_weekly calls per scenario (default 400)"
    )
    parser.add_argument("--catch-ups", type=int, default=3, help="catch_up calls (restarts) per scenario")
    parser.add_argument("--quick", action="store_true", help="200 channels: every zone and time, daily")
    args = parser.parse_args(argv)
    if args.quick:
        args.channels = min(args.channels, 200)
    strays = args.strays if args.strays is not None else (100 if args.quick else 400)

    print(machine())
    print(f"seed {SEED}")
    print(
        f"{args.channels} channels over {len(ZONES)} zones; times {', '.join(TIMES)}; days {', '.join(DAY_SETS)}; "
        f"every {ANSWERING}th channel answers; recovery every {int(RECOVER_EVERY.total_seconds() // 60)} "
        f"simulated minutes; {strays} stray runs and {args.catch_ups} catch-ups per scenario"
    )
    outcomes = []
    for name in SCENARIOS if args.scenario == "all" else [args.scenario]:
        scenario = SCENARIOS[name]
        print(
            f"{name}: {scenario.start:%a %Y-%m-%d %H:%MZ} to {scenario.end:%a %Y-%m-%d %H:%MZ}; {scenario.about}"
        )
        for change in dst_changes(scenario.start, scenario.end):
            print(f"  {change}")
        sys.stdout.flush()
        outcomes.append(simulate(scenario, args.channels, strays, args.catch_ups))
    return 0 if report(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
