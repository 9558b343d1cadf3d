"""Soak the bot with mixed traffic for ten minutes on SQLite and watch its memory.

Run from the repository root (a full run takes about eleven minutes)::

    .venv/bin/python bench/soak.py                  # 10 minutes at 100 requests a second
    .venv/bin/python bench/soak.py --quick          # 2 minutes
    .venv/bin/python bench/soak.py --minutes 30 --rate 200
    MALLOC_ARENA_MAX=2 .venv/bin/python bench/soak.py --quick   # the bot inherits the environment
    .venv/bin/python bench/soak.py --quick --root ../study-lab-before   # another checkout's bot

The bot runs as production runs it, `python -m bot` in a process of its own
(`bench.harness.BotProcess`: SQLite in a temporary directory, its Web API and response_urls
pointed at a `SlackStandIn` in this process), with U100 as its quiz admin and the bot in five
channels, each with a counted quiz posted by a signed `/quiz now` (in a time zone where it is
about noon, so the quizzes stay open).

Traffic, from a client in a separate process: `--rate` signed requests a second in all, on a fixed
timetable spread over 16 keep-alive connections, in a seeded random mix: `/define` (60%, the texts
of `bench/load.py --texts mix`), quiz clicks (20%; a new user each time, so every click stores an
answer, and one click in four a repeat that is told "already answered"), `/leaderboard` (10%) and
`app_home_opened` events (10%, users from a pool of 2,000; each publishes a Home tab through
`views.publish` from the bot's pool).  Everything the bot sends Slack goes to the stand-in.

Memory: the bot's resident set (VmRSS from /proc) every five seconds: idle (after start-up,
before any traffic), after the first minute of traffic, the peak (and the kernel's high-water mark
VmHWM) and at the end.  After the first minute and at the end it is also split, approximately,
by where it lives (`bench.harness.rss_parts`): malloc's main heap, its other arenas, other
anonymous memory (Python's own object arenas, thread stacks) and mapped files; with the bot's
thread count.  The target (issue 10): the end within 5% of the value after the first minute.
Also reported: requests by kind with their p50/p99 and errors, the bot's CPU, and the rows
stored.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for bench and tests

from sqlalchemy import create_engine, func, select

from bench.harness import (
    ROOT,
    BotProcess,
    cpu_seconds_of,
    define_texts,
    machine,
    ms,
    noon_zone,
    percentile,
    post_quiz,
    print_verdicts,
    rss_mib,
    rss_parts,
    status_value,
    table,
)
from bot.standin import SlackStandIn
from bot.storage.tables import answers, lookups
from tests.support.bot import click_body, command_body, sign

SEED = 20261127
CHANNELS = [f"C{100 + i}" for i in range(5)]
ADMIN = "U100"
CONNECTIONS = 16
HOME_USERS = 2_000
SAMPLE_EVERY = 5.0
TARGET_GROWTH = 0.05
MIX = (("define", 0.6), ("click", 0.2), ("leaderboard", 0.1), ("home", 0.1))


@dataclass
class Quiz:
    channel: str
    id: int
    ts: str


@dataclass
class Plan:
    port: int
    response_base: str  # the stand-in's response_url prefix
    quizzes: list[Quiz]
    seconds: float
    rate: float
    texts: list[str]


@dataclass
class KindStats:
    sent: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)  # ms


def request_for(kind: str, n: int, rng: random.Random, plan: Plan) -> tuple[bytes, str]:
    """The n-th request of a kind: (body, content type)."""
    response_url = f"{plan.response_base}soak-{kind}-{n}"
    if kind == "define":
        user = f"U{rng.randrange(HOME_USERS):05d}"
        body = command_body("/define", rng.choice(plan.texts), user, rng.choice(CHANNELS), response_url)
        return body, "application/x-www-form-urlencoded"
    if kind == "leaderboard":
        user = f"U{rng.randrange(HOME_USERS):05d}"
        body = command_body(
            "/leaderboard", rng.choice(("", "last")), user, rng.choice(CHANNELS), response_url
        )
        return body, "application/x-www-form-urlencoded"
    if kind == "click":
        quiz = plan.quizzes[n % len(plan.quizzes)]
        # Every fourth click repeats an earlier clicker ("already answered"); the rest are new people.
        user = f"UC{(n - 3 if n % 4 == 3 else n):07d}"
        choice = rng.randrange(4)
        body = click_body(
            f"quiz_answer_{choice}", f"{quiz.id}:{choice}", user, quiz.channel, response_url, quiz.ts
        )
        return body, "application/x-www-form-urlencoded"
    event = {
        "type": "event_callback",
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": f"EvSoak{n:09d}",
        "event_time": int(time.time()),
        "event": {
            "type": "app_home_opened",
            "user": f"U{rng.randrange(HOME_USERS):05d}",
            "channel": "D1",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        },
    }
    return json.dumps(event).encode(), "application/json"


def run_traffic(plan: Plan) -> dict[str, KindStats]:
    """The client process: CONNECTIONS threads, each on a keep-alive connection and its own timetable."""
    stats: dict[str, KindStats] = defaultdict(KindStats)
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    interval = CONNECTIONS / plan.rate
    counter = iter(range(10**9))

    def worker(index: int) -> None:
        rng = random.Random(f"{SEED}-{index}")
        conn = http.client.HTTPConnection("127.0.0.1", plan.port, timeout=30)
        due = start + index * interval / CONNECTIONS
        kinds = [kind for kind, _ in MIX]
        weights = [weight for _, weight in MIX]
        while due < start + plan.seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            kind = rng.choices(kinds, weights)[0]
            with lock:
                n = next(counter)
            body, content_type = request_for(kind, n, rng, plan)
            headers = {"Content-Type": content_type, **sign(body, int(time.time()))}
            ok = False
            try:
                conn.request("POST", "/slack/events", body, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", plan.port, timeout=30)
            took = (time.monotonic() - due) * 1000  # from the planned send: no coordinated omission
            with lock:
                s = stats[kind]
                s.sent += 1
                s.errors += not ok
                s.latencies.append(took)
            due += interval
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return dict(stats)


def post_quizzes(bot: BotProcess, fake: SlackStandIn) -> list[Quiz]:
    return [Quiz(channel, *post_quiz(bot.url, fake, channel)) for channel in CHANNELS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=100.0, help="requests a second, all kinds together")
    parser.add_argument("--quick", action="store_true", help="2 minutes")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the checkout whose bot is soaked (default: this one)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.minutes = min(args.minutes, 2.0)
    seconds = args.minutes * 60

    print(machine())
    print(
        f"soak: {args.minutes:g} min at {args.rate:g} requests/s on {CONNECTIONS} keep-alive connections, "
        "mix " + ", ".join(f"{kind} {share:.0%}" for kind, share in MIX)
    )
    fake = SlackStandIn()
    for channel in CHANNELS:
        fake.join(channel)
    started = time.monotonic()
    samples: list[tuple[float, float]] = []  # (seconds since the traffic began, RSS MiB)
    with tempfile.TemporaryDirectory(prefix="study-lab-soak-") as tmp:
        url = f"sqlite:///{tmp}/study-lab.db"
        env = {"QUIZ_ADMINS": ADMIN, "QUIZ_TIMEZONE": noon_zone()}
        bot = BotProcess(fake, url, env, log_path=Path(tmp) / "bot.log", root=args.root.resolve())
        pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
        try:
            quizzes = post_quizzes(bot, fake)
            time.sleep(5)
            idle = rss_mib(bot.pid)
            texts = [text for _, text in define_texts(400, random.Random(SEED))]
            plan = Plan(bot.port, fake.response_url(""), quizzes, seconds, args.rate, texts)
            pool.submit(time.sleep, 0).result()
            cpu0 = cpu_seconds_of([bot.pid])
            traffic = pool.submit(run_traffic, plan)
            began = time.monotonic()
            parts: dict[str, dict[str, float]] = {}
            while not traffic.done():
                samples.append((time.monotonic() - began, rss_mib(bot.pid)))
                if samples[-1][0] >= 60 and "after 1 min" not in parts:
                    parts["after 1 min"] = rss_parts(bot.pid)
                minute = int(samples[-1][0] // 60)
                if len(samples) % 12 == 1:
                    print(
                        f"  {samples[-1][0]:5.0f} s: RSS {samples[-1][1]:.1f} MiB (minute {minute + 1})",
                        flush=True,
                    )
                wait([traffic], timeout=SAMPLE_EVERY)
            stats = traffic.result()
            cpu = cpu_seconds_of([bot.pid]) - cpu0
            end = rss_mib(bot.pid)
            parts["end"] = rss_parts(bot.pid)
            hwm = status_value(bot.pid, "VmHWM") / 1024
            engine = create_engine(url)
            with engine.connect() as conn:
                stored = conn.execute(select(func.count()).select_from(answers)).scalar_one()
                looked = conn.execute(select(func.count()).select_from(lookups)).scalar_one()
            engine.dispose()
            log_tail = (Path(tmp) / "bot.log").read_text(errors="replace").splitlines()
        finally:
            pool.shutdown()
            bot.close()
            fake.close()
    after_minute = next((rss for at, rss in samples if at >= 60), samples[-1][1])
    peak = max(rss for _, rss in samples)
    growth = (end - after_minute) / after_minute

    rows = [["kind", "sent", "errors", "p50 ms", "p99 ms", "max ms"]]
    for kind, _ in MIX:
        s = stats.get(kind, KindStats())
        rows.append(
            [
                kind,
                str(s.sent),
                str(s.errors),
                ms(percentile(s.latencies, 0.5)),
                ms(percentile(s.latencies, 0.99)),
                ms(max(s.latencies, default=float("nan"))),
            ]
        )
    print()
    print(table(rows))
    print("(latency: from the planned send time to the whole answer, as the client saw it)")
    sent = sum(s.sent for s in stats.values())
    errors = [line for line in log_tail if " ERROR " in line or "Traceback" in line]
    print(
        f"bot CPU {cpu:.0f} s over {seconds:.0f} s ({cpu / seconds:.2f} cores), {cpu / max(1, sent) * 1000:.2f} ms "
        f"per request; stored {stored} answers and {looked} lookups; {len(errors)} ERROR lines in its log"
    )
    print()
    print(
        table(
            [
                ["RSS MiB", "idle", "after 1 min", "peak (sampled)", "VmHWM", "end", "end vs 1 min"],
                [
                    "bot",
                    f"{idle:.1f}",
                    f"{after_minute:.1f}",
                    f"{peak:.1f}",
                    f"{hwm:.1f}",
                    f"{end:.1f}",
                    f"{growth:+.1%}",
                ],
            ]
        )
    )
    print(
        "RSS by minute: "
        + ", ".join(f"{_at_minute(samples, m):.1f}" for m in range(1, int(args.minutes) + 1))
    )
    if len(parts) == 2:
        first, last = parts["after 1 min"], parts["end"]
        print()
        print(
            table(
                [["where (MiB, threads)", "after 1 min", "end", "change"]]
                + [_part_row(name, first[name], last[name]) for name in first]
            )
        )
    errors_sent = sum(s.errors for s in stats.values())
    return print_verdicts(
        [
            (
                f"RSS at the end {end:.1f} MiB, {growth:+.1%} against {after_minute:.1f} MiB after the first "
                f"minute (target within {TARGET_GROWTH:.0%}); idle {idle:.1f} MiB, peak {max(peak, hwm):.1f} MiB",
                abs(growth) <= TARGET_GROWTH,
            ),
            (f"requests answered with an error: {errors_sent} of {sent} (target 0)", errors_sent == 0),
            (f"ERROR lines in the bot's log: {len(errors)} (target 0)", not errors),
        ],
        started,
    )


def _part_row(name: str, first: float, last: float) -> list[str]:
    digits = 0 if name == "threads" else 1
    return [name, f"{first:.{digits}f}", f"{last:.{digits}f}", f"{last - first:+.{digits}f}"]


def _at_minute(samples: list[tuple[float, float]], minute: int) -> float:
    return next((rss for at, rss in samples if at >= minute * 60 - SAMPLE_EVERY), samples[-1][1])


if __name__ == "__main__":
    sys.exit(main())
