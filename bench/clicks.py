"""Benchmark a burst of quiz clicks: acknowledgement time of the bot against an ack-only Bolt floor.

Run from the repository root (a full run on both databases takes about a minute)::

    .venv/bin/python bench/clicks.py                 # 2,000 clicks, SQLite and PostgreSQL
    .venv/bin/python bench/clicks.py --quick         # 400 clicks from 100 users
    .venv/bin/python bench/clicks.py --quick --db sqlite --repeat 3 --before ../study-lab-before
    .venv/bin/python bench/clicks.py --db postgres   # one database only
    .venv/bin/python bench/clicks.py --reply-latency-ms 100   # response_urls answer 100 ms late

PostgreSQL comes from BENCH_DATABASE_URL (default: a `studylab_bench` database, created if missing);
its public schema is dropped and recreated first, so it must be a scratch database (never the
tests' `test` database).

The bot runs as production runs it, `python -m bot` in a process of its own
(`bench.harness.BotProcess`), its Web API and response_urls pointed at a `SlackStandIn` in this
process; U100 is its quiz admin.  A counted quiz is posted with a signed `/quiz now` in a joined
channel (in a time zone where it is about noon, so the quiz stays open).  Then 2,000 signed
`block_actions` clicks from 500 users (4 each, choices drawn at random, so some differ from the
first), in a seeded random order, are sent 50 at a time from a thread pool in a separate process.
For each click the time to the HTTP 200 (Slack's 3-second acknowledgement) is measured; and, from
the stand-in's records, the time until the private reply reaches the click's response_url.  CPU per
click is the server process's user + system time over the burst (/proc), the bot's alone: the
stand-in and the client run in other processes.

Checks: no non-200; exactly one stored answer per user, 500 in all; every user got exactly one
reply that is not "already answered", naming the stored choice; every "already answered" reply
names the stored choice too; nothing else (no error apology) was replied.

The stand-in answers a response_url in about a millisecond; Slack, across the internet, takes tens
to hundreds.  --reply-latency-ms makes it answer that much later, to check that slow replies do
not hold the threads that acknowledge.

Floors, in the same run and each in a process of its own, behind the bot's own server and WSGI
function (`python -m bench.floor`): the same burst against a Bolt app with the same signing secret
that only calls ack(), in Bolt's default configuration (process_before_response=False; the target
is relative to this one), and with process_before_response=True.  Each server gets a warm-up burst
first (for the bot, clicks naming a quiz that does not exist, which it answers without writing).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for bench and tests


from bench.harness import (  # noqa: E402
    ADMIN,
    CHANNEL,
    CLICKS_PER_USER,
    ROOT,
    BotProcess,
    Burst,
    Click,
    LoadGenerator,
    add_db_argument,
    chosen,
    cpu_seconds_of,
    free_port,
    machine,
    make_clicks,
    median,
    ms,
    noon_zone,
    percentile,
    post_quiz,
    postgres_url,
    print_verdicts,
    process_tree,
    scratch_database,
    signed,
    stop,
    table,
    verify,
    wait_listening,
    wait_replies,
)
from bot.standin import SlackStandIn

SEED = 20261126
CONCURRENCY = 50
TARGET_RATIO = 2.0  # ours / floor, ack p99
BOT = "Study Lab bot"
BEFORE = "Study Lab bot (before)"
DEFAULT_FLOOR = "floor (default Bolt)"
PBR_FLOOR = "floor (pbr)"


@dataclass
class Result:
    label: str
    burst: Burst
    cpu_s: float  # the server process's CPU time (user + system) from burst start to the last reply
    reply_ms: list[float] = field(default_factory=list)
    replies_done_s: float = 0.0

    @property
    def non_200(self) -> int:
        return sum(1 for s in self.burst.status if s != 200)

    def p(self, share: float) -> float:
        return percentile(self.burst.ack_ms, share)

    @property
    def cpu_ms_per_click(self) -> float:
        return self.cpu_s * 1000 / len(self.burst.status)

    def row(self, db: str) -> list[str]:
        b = self.burst
        wall = b.end - b.start
        reply = (
            [
                ms(percentile(self.reply_ms, 0.5)),
                ms(percentile(self.reply_ms, 0.99)),
                f"{self.replies_done_s:.2f}",
            ]
            if self.reply_ms
            else ["-", "-", "-"]
        )
        return [
            db,
            self.label,
            str(len(b.status)),
            str(self.non_200),
            ms(self.p(0.5)),
            ms(self.p(0.99)),
            ms(max(b.ack_ms)),
            f"{len(b.status) / wall:.0f}",
            f"{self.cpu_ms_per_click:.2f}",
            *reply,
        ]


def start_floor(fake: SlackStandIn, pbr: bool, workdir: Path) -> tuple[subprocess.Popen[Any], int]:
    port = free_port()
    command = [sys.executable, "-m", "bench.floor", f"--api-url={fake.api_url}", f"--port={port}"]
    proc = subprocess.Popen(
        command + (["--process-before-response"] if pbr else []),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=(workdir / f"floor-{int(pbr)}.log").open("ab"),
    )
    wait_listening(port, proc)
    return proc, port


def burst(
    label: str,
    pid: int,
    port: int,
    load: LoadGenerator,
    requests: list[tuple[bytes, dict[str, str]]],
    after: Any = None,
) -> Result:
    """Fire the burst at `port` and charge the CPU of `pid`'s process tree until `after()` returns."""
    pids = process_tree(pid)
    cpu = cpu_seconds_of(pids)
    got = load.fire(port, requests, CONCURRENCY)
    extra = after(got) if after is not None else None
    result = Result(label, got, cpu_seconds_of(pids) - cpu)
    if extra is not None:
        result.reply_ms, result.replies_done_s = extra
    return result


def run_database(
    kind: str,
    users: int,
    load: LoadGenerator,
    workdir: Path,
    reply_latency: float = 0.0,
    bots: Sequence[tuple[str, Path]] = ((BOT, ROOT),),
) -> tuple[list[Result], list[str]]:
    """The two floors, then each bot of `bots` (label, checkout) on a fresh database of `kind`."""
    fake = SlackStandIn()
    rng = random.Random(f"{SEED}-{kind}")
    clicks = make_clicks(users, rng)
    warm = [Click(f"UW{i:03d}", i % 4, f"warm-UW{i:03d}") for i in range(100)]
    results: list[Result] = []
    problems: list[str] = []
    floors = [start_floor(fake, pbr, workdir) for pbr in (False, True)]
    try:
        for (proc, port), label in zip(floors, (DEFAULT_FLOOR, PBR_FLOOR), strict=True):
            requests = signed(fake, 1, "1.0", warm)
            load.fire(port, requests, CONCURRENCY)
            results.append(burst(label, proc.pid, port, load, signed(fake, 1, "1.0", clicks)))
    finally:
        for proc, _ in floors:
            stop(proc)
        fake.close()
    for label, root in bots:
        result, found = run_bot(kind, label, root, clicks, warm, load, workdir, reply_latency)
        results.append(result)
        problems += [f"{label}: {p}" for p in found]
    return results, problems


def run_bot(
    kind: str,
    label: str,
    root: Path,
    clicks: list[Click],
    warm: list[Click],
    load: LoadGenerator,
    workdir: Path,
    reply_latency: float,
) -> tuple[Result, list[str]]:
    """The bot from the checkout at `root`, with a stand-in and a scratch database of its own."""
    fake = SlackStandIn()
    fake.join(CHANNEL)
    if reply_latency:
        fake.delays["response"] = reply_latency
    slug = label.replace(" ", "-").strip("()")
    with scratch_database(kind, workdir) as url:
        env = {"QUIZ_ADMINS": ADMIN, "QUIZ_TIMEZONE": noon_zone(), "COUNT_UPDATE_SECONDS": "5"}
        bot = BotProcess(fake, url, env, log_path=workdir / f"{slug}-{kind}.log", root=root)
        try:
            quiz_id, message_ts = post_quiz(bot.url, fake)
            # Warm up on a quiz that does not exist (no writes), then the burst.
            load.fire(bot.port, signed(fake, 999_999, message_ts, warm), CONCURRENCY)
            wait_replies(fake, "/response/warm-", len(warm), timeout=60)
            index = {c.url_name: i for i, c in enumerate(clicks)}
            replies: list[Any] = []

            def replied(got: Burst) -> tuple[list[float], float]:
                replies[:] = wait_replies(fake, "/response/act-", len(clicks), timeout=300)
                reply_ms = [
                    (call.at - got.sent[index[call.method.split("/")[-1]]]) * 1000 for call in replies
                ]
                return reply_ms, max(call.at for call in replies) - got.start

            requests = signed(fake, quiz_id, message_ts, clicks)
            result = burst(label, bot.pid, bot.port, load, requests, replied)
            return result, verify(url, quiz_id, clicks, replies)
        finally:
            bot.close()
            fake.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="400 clicks from 100 users")
    parser.add_argument(
        "--reply-latency-ms",
        type=float,
        default=0.0,
        help="make the stand-in's response_urls answer this late (Slack is across the internet); default 0",
    )
    parser.add_argument(
        "--before",
        type=Path,
        help=f"another checkout (say a worktree of the commit before a change): its bot gets the same "
        f"burst too, as {BEFORE!r}",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per database (the bots' order alternates)"
    )
    add_db_argument(parser)
    args = parser.parse_args(argv)
    users = 100 if args.quick else 500

    from bot.config import Settings

    print(machine())
    if "postgres" in chosen(args.db):
        print(f"postgres: {postgres_url()} (its public schema is dropped and recreated)")
    print(
        f"burst: {users * CLICKS_PER_USER} signed clicks from {users} users ({CLICKS_PER_USER} each), "
        f"{CONCURRENCY} concurrent, client in a separate process; servers each in their own process, "
        f"{Settings().web_threads} waitress threads (WEB_THREADS); response_url latency "
        f"{args.reply_latency_ms:.0f} ms"
    )
    load = LoadGenerator()
    rows = [
        [
            "db",
            "server",
            "clicks",
            "non-200",
            "ack p50 ms",
            "ack p99 ms",
            "ack max ms",
            "acks/s",
            "cpu ms/click",
            "reply p50 ms",
            "reply p99 ms",
            "all replied s",
        ]
    ]
    verdicts: list[tuple[str, bool]] = []
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-clicks-") as tmp:
            bots = [(BOT, ROOT)] + ([(BEFORE, args.before.resolve())] if args.before else [])
            for kind in chosen(args.db):
                runs: list[list[Result]] = []
                for n in range(args.repeat):
                    order = bots[n % len(bots) :] + bots[: n % len(bots)]
                    results, problems = run_database(
                        kind, users, load, Path(tmp), args.reply_latency_ms / 1000, order
                    )
                    rows += [r.row(kind) for r in results]
                    runs.append(results)
                    non_200 = sum(r.non_200 for r in results)
                    verdicts.append(
                        (f"{kind}, run {n + 1}: non-200 responses {non_200} (target 0)", not non_200)
                    )
                    verdicts.append(
                        (
                            f"{kind}, run {n + 1}: {users} answers stored per bot, one per user, replies "
                            "consistent" + ("" if not problems else ": " + "; ".join(problems)),
                            not problems,
                        )
                    )
                verdicts += ratio_verdicts(kind, runs)
    finally:
        load.close()
    print()
    print(table(rows))
    print(
        "(ack: click sent to HTTP 200 received, as the client saw it; cpu: the server process's CPU time\n"
        " (user + system) over the burst, and for the bot until the last reply was sent, per click;\n"
        " reply: click sent to the private reply reaching its response_url at the stand-in; all replied:\n"
        " burst start to the last reply)"
    )
    return print_verdicts(verdicts, started)


def ratio_verdicts(kind: str, runs: list[list[Result]]) -> list[tuple[str, bool]]:
    """The target (the bot's ack p99 within TARGET_RATIO of the default-Bolt floor's, both from the
    same run), as the median over runs; with a second bot, both bots' ratios and CPU side by side."""

    def of(results: list[Result], label: str) -> Result | None:
        return next((r for r in results if r.label == label), None)

    def ratios(label: str, floor: str) -> list[float]:
        out = []
        for results in runs:
            mine, base = of(results, label), of(results, floor)
            if mine is not None and base is not None:
                out.append(mine.p(0.99) / base.p(0.99))
        return out

    def cpu(label: str) -> float:
        return median([r.cpu_ms_per_click for results in runs if (r := of(results, label)) is not None])

    verdicts: list[tuple[str, bool]] = []
    for label in (BOT, BEFORE):
        default, pbr = ratios(label, DEFAULT_FLOOR), ratios(label, PBR_FLOOR)
        if not default:
            continue
        text = (
            f"{kind}: {label}: ack p99 = {median(default):.2f}x the default-Bolt floor's, "
            f"{median(pbr):.2f}x the pbr floor's (median of {len(default)} run(s); target <= "
            f"{TARGET_RATIO:g}x the default-Bolt floor's); CPU {cpu(label):.2f} ms a click"
        )
        verdicts.append((text, median(default) <= TARGET_RATIO))
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
