"""Choose the HTTP server and its thread counts by measurement: the bot and the ack-only floor behind each.

Run from the repository root (a full run takes about ten minutes)::

    .venv/bin/python bench/servers.py                 # every candidate, 2 rounds
    .venv/bin/python bench/servers.py --quick         # 1 round, shorter windows
    .venv/bin/python bench/servers.py --only waitress-16,gunicorn-1x16

Candidates (`--only` picks some):

* `waitress-N`: the bot's own server (`bot.slack.server`: waitress, N threads; `python -m bot` with
  WEB_THREADS=N; the pool for Slack calls after the ack keeps its default SLACK_THREADS), for N
  in 4, 8, 16;
* `gunicorn-WxT`: gunicorn's threaded workers (`gthread`), W worker processes with T threads each;
  the bot is built in each worker (`ours_from_env` below: the same runtime `python -m bot` builds,
  scheduler included; several workers are replicas on one database, which the bot supports).

For each candidate, two apps behind it, each in a process of its own: the bot (SQLite in a
temporary directory, Slack played by a `SlackStandIn` in this process) and the ack-only Bolt app
with `process_before_response=True` (`bench/floor.py`), and two loads:

1. `/define drain` with `wrk`, closed loop, at 4 and 32 connections (`bench/load.py`'s client);
2. a click burst: 2,000 signed quiz clicks from 500 users, 50 at a time (`bench/clicks.py`'s burst
   and checks), the bot's answers stored once each.

Reported per candidate: req/s and p99 (median of the rounds), the bot's ratio to the floor behind
the same server, the click burst's ack p50/p99 and the server's CPU per click.  The bot's default
(`bot.config`: WEB_THREADS, SLACK_THREADS; `bot.slack.server.serve`) is the candidate this chooses.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for bench and tests

from bench import harness  # noqa: E402
from bench.harness import (  # noqa: E402  # noqa: E402
    OURS_EXPECT,
    ROOT,
    BotProcess,
    LoadGenerator,
    Server,
    cpu_seconds_of,
    define_bodies,
    free_port,
    machine,
    median,
    percentile,
    process_tree,
    run_wrk,
    stop,
    table,
    wait_listening,
)

CANDIDATES = ("waitress-4", "waitress-8", "waitress-16", "gunicorn-1x8", "gunicorn-1x16", "gunicorn-2x8")


def ours_from_env() -> Any:
    """The bot's WSGI app for gunicorn, built in the worker as `python -m bot` builds it."""
    from bot.config import load_settings
    from bot.logs import setup_logging
    from bot.runtime import build_runtime
    from bot.slack.server import make_wsgi

    settings = load_settings(os.environ)
    setup_logging(settings.log_level, [settings.bot_token, settings.signing_secret])
    runtime = build_runtime(settings)
    runtime.start()
    return make_wsgi(runtime.app, runtime.storage.db.engine)


@dataclass
class Candidate:
    name: str
    server: str  # waitress or gunicorn
    workers: int
    threads: int


def parse(name: str) -> Candidate:
    server, _, shape = name.partition("-")
    if server == "waitress":
        return Candidate(name, server, 1, int(shape))
    workers, _, threads = shape.partition("x")
    return Candidate(name, server, int(workers), int(threads))


def start(candidate: Candidate, app: str, fake: Any, url: str, workdir: Path) -> Server:
    """`app` "ours" or "floor" behind the candidate server, in a process of its own."""
    from tests.support.bot import bot_env

    threads = str(candidate.threads)
    settings = {"WEB_THREADS": threads, "QUIZ_ADMINS": harness.ADMIN}
    settings["QUIZ_TIMEZONE"] = harness.noon_zone()
    log = workdir / f"{candidate.name}-{app}.log"
    if candidate.server == "waitress" and app == "ours":
        bot = BotProcess(fake, url, settings, log_path=log)
        return Server("ours", candidate.name, bot.proc, bot.port, OURS_EXPECT, bot.close)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FLOOR_API_URL": fake.api_url, "FLOOR_PBR": "1"}
    if app == "ours":
        env.update(bot_env(fake, url, PORT=str(port), **settings))
    if candidate.server == "waitress":
        command = [sys.executable, "-m", "bench.floor", f"--api-url={fake.api_url}", f"--port={port}"]
        command += [f"--threads={threads}", "--process-before-response"]
    else:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            f"--workers={candidate.workers}",
            "--worker-class=gthread",
        ]
        command += [f"--threads={threads}", f"--bind=127.0.0.1:{port}", "--log-level=warning"]
        command += ["bench.servers:ours_from_env()" if app == "ours" else "bench.floor:from_env()"]
    out = log.open("ab")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    wait_listening(port, proc)
    if app == "ours":
        time.sleep(2.0 * candidate.workers)  # every worker builds its runtime after it listens

    def close() -> None:
        stop(proc)
        out.close()

    return Server(app, candidate.name, proc, port, OURS_EXPECT if app == "ours" else "", close)


@dataclass
class Clicks:
    p50: float
    p99: float
    cpu_ms: float
    problems: list[str]


def click_burst(server: Server, fake: Any, url: str | None, load: LoadGenerator, users: int) -> Clicks:
    """The click burst of bench/clicks.py against `server` (for ours: on a quiz it posts first)."""
    if url is not None:
        quiz_id, ts = harness.post_quiz(f"http://127.0.0.1:{server.port}", fake)
    else:
        quiz_id, ts = 1, "1.0"
    clicks = harness.make_clicks(users, random.Random(f"{server.about}-{users}"))
    tag = server.about.replace("-", "_")
    clicks = [harness.Click(c.user, c.choice, f"act-{c.user}-{tag}-{i}") for i, c in enumerate(clicks)]
    warm = [harness.Click(f"UW{i:03d}", i % 4, f"warm-UW{i:03d}-{tag}") for i in range(100)]
    load.fire(server.port, harness.signed(fake, 999_999 if url else quiz_id, ts, warm), 50)
    pids = process_tree(server.pid)
    cpu = cpu_seconds_of(pids)
    got = load.fire(server.port, harness.signed(fake, quiz_id, ts, clicks), 50)
    problems: list[str] = []
    if url is not None:
        replies = harness.wait_replies(fake, "/response/act-", len(clicks), timeout=300)
        problems = harness.verify(url, quiz_id, clicks, replies)
    cpu = cpu_seconds_of(pids) - cpu
    if any(s != 200 for s in got.status):
        problems.append(f"{sum(s != 200 for s in got.status)} non-200")
    return Clicks(
        percentile(got.ack_ms, 0.5), percentile(got.ack_ms, 0.99), cpu / len(clicks) * 1000, problems
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--only", help="comma-separated candidates (default: all)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", default="4,32")
    parser.add_argument("--users", type=int, default=500, help="click burst: users, 4 clicks each")
    parser.add_argument("--quick", action="store_true", help="1 round of 5 s, 250 users")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.users = 1, 5.0, 250
    if not shutil.which("wrk"):
        raise SystemExit("bench/servers.py needs wrk (apt-get install wrk)")
    candidates = [parse(n) for n in (args.only.split(",") if args.only else CANDIDATES)]
    connections = [int(c) for c in args.connections.split(",")]

    from bot.standin import SlackStandIn
    from tests.support.bot import SECRET

    print(machine())
    print(
        f"candidates: {', '.join(c.name for c in candidates)}; /define drain with wrk at {connections} "
        f"connections, {args.rounds} round(s) of {args.seconds:g} s; click burst {args.users * 4} clicks, "
        "50 at a time"
    )
    results: dict[tuple[str, str, int], list[tuple[float, float]]] = {}
    bursts: dict[tuple[str, str], Clicks] = {}
    started = time.monotonic()
    load = LoadGenerator()
    try:
        for candidate in candidates:
            fake = SlackStandIn()
            fake.join(harness.CHANNEL)
            bodies = define_bodies("drain", fake)
            with tempfile.TemporaryDirectory(prefix="study-lab-servers-") as tmp:
                workdir = Path(tmp)
                url = f"sqlite:///{workdir}/study-lab.db"
                servers = [
                    start(candidate, "ours", fake, url, workdir),
                    start(candidate, "floor", fake, url, workdir),
                ]
                try:
                    for round_no in range(args.rounds):
                        for c in connections:
                            for server in servers if round_no % 2 == 0 else servers[::-1]:
                                run_wrk(server, bodies, SECRET, c, 1.0, workdir)  # warm-up
                                r = run_wrk(server, bodies, SECRET, c, args.seconds, workdir)
                                results.setdefault((candidate.name, server.name, c), []).append(
                                    (r.rps, r.p99_ms)
                                )
                                print(
                                    f"  {candidate.name:<14} {server.name:<5} {c:>3} conns: {r.rps:6.0f} req/s, "
                                    f"p99 {r.p99_ms:6.1f} ms" + (f", errors {r.errors}" if r.errors else ""),
                                    flush=True,
                                )
                    for server in servers:
                        b = click_burst(
                            server, fake, url if server.name == "ours" else None, load, args.users
                        )
                        bursts[(candidate.name, server.name)] = b
                        print(
                            f"  {candidate.name:<14} {server.name:<5} clicks: ack p50 {b.p50:.0f} ms, p99 {b.p99:.0f} "
                            f"ms, {b.cpu_ms:.2f} ms CPU/click" + (f"; {b.problems}" if b.problems else ""),
                            flush=True,
                        )
                finally:
                    for server in servers:
                        server.close()
                    fake.close()
    finally:
        load.close()

    header = ["server"]
    for c in connections:
        header += [f"ours {c}c req/s", f"floor {c}c", "ratio", "ours p99", "floor p99"]
    header += ["clicks p99 ours", "floor", "CPU/click ours", "floor"]
    rows = [header]
    for candidate in candidates:
        row = [candidate.name]
        for c in connections:
            ours = results[(candidate.name, "ours", c)]
            floor = results[(candidate.name, "floor", c)]
            o_rps, f_rps = median([r for r, _ in ours]), median([r for r, _ in floor])
            row += [
                f"{o_rps:.0f}",
                f"{f_rps:.0f}",
                f"{o_rps / f_rps:.2f}",
                f"{median([p for _, p in ours]):.1f}",
                f"{median([p for _, p in floor]):.1f}",
            ]
        ours_b, floor_b = bursts[(candidate.name, "ours")], bursts[(candidate.name, "floor")]
        row += [f"{ours_b.p99:.0f}", f"{floor_b.p99:.0f}", f"{ours_b.cpu_ms:.2f}", f"{floor_b.cpu_ms:.2f}"]
        rows.append(row)
    print()
    print(table(rows))
    print(
        "(req/s and p99 ms: medians over rounds; ratio: ours / the pbr floor behind the same server;\n"
        " clicks: ack p99 ms of the burst, and the server's CPU ms per click, its whole process tree)"
    )
    problems = [p for b in bursts.values() for p in b.problems]
    print(f"problems: {problems or 'none'}")
    print(f"(run took {time.monotonic() - started:.0f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
