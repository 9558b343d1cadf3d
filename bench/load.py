"""Load-test `/define` over HTTP: the bot as production runs it against two ack-only Bolt floors.

Run from the repository root (a full run takes about six minutes)::

    .venv/bin/python bench/load.py                       # 1, 4 and 32 connections, 3 rounds of 10 s
    .venv/bin/python bench/load.py --quick               # one round of 5 s
    .venv/bin/python bench/load.py --quick --before ../study-lab-before   # also the bot of another checkout
    .venv/bin/python bench/load.py --connections 100 --texts mix --client python --rate 300

Four servers, each in a process of its own, loaded one at a time:

* ours: the bot, `python -m bot` (`bench.harness.BotProcess`: the production runtime and server,
  SQLite in a temporary directory, the Web API pointed at a `SlackStandIn` in this process).  Every
  `/define` answers with the definition and records the lookup in the database, as in production.
* floor (default Bolt): an App whose `/define` listener only calls `ack()`, in Bolt's default
  configuration (`process_before_response=False`: the listener runs on Bolt's 5-thread pool and the
  request thread polls for the ack every 10 ms), served by a production server, gunicorn with
  threaded workers (2 workers x 8 threads, as in issue 10; waitress when gunicorn is missing).
* floor (pbr): the same ack-only App with `process_before_response=True`, behind the same server as
  ours (`python -m bench.floor`: `bot.slack.server.serve_wsgi` and `make_wsgi`, the bot's default thread
  count): the framework's real limit on this server.
* floor (pbr, answer): that App again, but `/define` acknowledges with the very message ours
  answered to `/define drain` (captured at start): what answering with content costs any Bolt app,
  before looking anything up.  Reported as a ratio, not a target.

Load: `wrk` (when installed; else `--client python`) with `--connections` keep-alive connections,
closed loop (each connection sends its next request when the answer arrives), sending signed
`/define` requests: a Lua script holds bodies signed as Slack signs them (v0 HMAC-SHA256 of the
timestamp and body; re-signed for every run, a signature being valid for five minutes) and checks
every answer (status 200; ours: the ephemeral answer in the body).  `--texts drain` (the default,
as in the issue) sends `/define drain`; `--texts mix` a seeded mix of exact names, aliases, one- and
two-letter typos, free text around a name, and misses.

The Python client (`--client python`) drives its keep-alive sockets with `selectors` from
`--procs` client processes; with `--rate` it paces each connection on a fixed timetable and counts
latency from the planned send time (no coordinated omission).

For each round, each connection count and each server (in a rotating order, so a change in the
machine's other load affects all alike): `--warmup` unmeasured seconds, then `--seconds` measured.
Reported per server and connection count: the median over rounds of req/s and of the p99 (with the
range), p50, errors, and the server's CPU per answer (its process tree, from /proc).  The targets
(issue 10) compare ours with both floors at every connection count: req/s >= 1.5x the default floor (issue 22),
>= 0.85x the pbr floor, p99 no worse than the default floor's; and no errors.  Each target is judged
on the median over rounds of the ratio within one round (`paired_ratio`: the two windows less than a
minute apart), with the ratio of the two medians printed beside it: on a shared machine a slow
spell can fall on one server's rounds, which the ratio of medians then reads as that server's.
"""

from __future__ import annotations

import argparse
import heapq
import json
import multiprocessing
import os
import random
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the repository, for bench and tests
    sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    ANSWER_TIMEOUT,
    OURS_EXPECT,
    BotProcess,
    Run,
    Server,
    cpu_seconds_of,
    define_bodies,
    free_port,
    machine,
    median,
    print_verdicts,
    process_tree,
    run_wrk,
    signed_request,
    stop,
    table,
    wait_listening,
)

SEED = 20261125
RESIGN_EVERY = 60.0

TARGET_VS_DEFAULT = 1.5  # ours / default-Bolt floor, req/s (issue 22)
TARGET_VS_PBR = 0.85  # ours / pbr floor behind our server, req/s
DEFAULT_FLOOR = "floor (default Bolt)"
PBR_FLOOR = "floor (pbr)"
SAME_ANSWER = "floor (pbr, answer)"
BEFORE = "ours (before)"


# --- requests ---------------------------------------------------------------------------


# --- results ----------------------------------------------------------------------------


# --- the wrk client ---------------------------------------------------------------------


# --- the Python client (used without wrk, and for paced load) -----------------------------


@dataclass
class Job:
    index: int
    port: int
    bodies: list[bytes]
    secret: bytes
    connections: int
    warmup: float
    seconds: float
    expect: bytes  # an answer's body must contain this
    interval: float = 0.0  # paced: seconds between one connection's requests; 0: closed loop


@dataclass
class ClientResult:
    latencies: bytes = b""  # array("d") of seconds, for the answers completed in the window
    answered: int = 0  # good answers completed in the window
    errors: dict[str, int] = field(default_factory=dict)
    cpu: float = 0.0  # this process's CPU seconds during the window


class Conn:
    __slots__ = ("buf", "busy", "due", "index", "out", "sock", "turn")

    def __init__(self, sock: socket.socket, index: int, turn: int) -> None:
        self.sock = sock
        self.index = index
        self.turn = turn  # which request body goes next
        self.buf = bytearray()
        self.out = b""  # the part of the request not yet sent
        self.due = 0.0  # when the request was (meant to be) sent: latency counts from here
        self.busy = False


def parse_answer(buf: bytearray) -> tuple[int, int, bool] | None:
    """(status, length, close) of a complete HTTP answer at the start of buf; None if incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    length, chunked, close = 0, False, False
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            close = "close" in value.lower()
    if chunked:
        tail = buf.find(b"\r\n0\r\n\r\n", end)
        return (status, tail + 7, close) if tail >= 0 else None
    total = end + 4 + length
    return (status, total, close) if len(buf) >= total else None


def run_client(job: Job, ready: Any, go: Any, go_at: Any, results: Any) -> None:
    """One client process: `job.connections` keep-alive connections driven by one selector.

    Closed loop (interval 0): a connection sends its next request as soon as its answer
    arrives.  Paced: each connection sends every `interval` seconds on a fixed timetable;
    latency counts from the planned send time, so a server that falls behind is charged
    for the wait (no coordinated omission).
    """
    clock = time.monotonic
    sel = selectors.DefaultSelector()
    latencies: array[float] = array("d")
    result = ClientResult()
    errors = result.errors
    requests: list[bytes] = []
    signed_at = 0.0
    waiting: list[tuple[float, int]] = []  # paced: (due, index) of idle connections

    def sign_all() -> None:
        nonlocal signed_at
        stamp = int(time.time())
        requests[:] = [signed_request(job.port, body, job.secret, stamp) for body in job.bodies]
        signed_at = clock()

    def connect(index: int, turn: int) -> Conn:
        sock = socket.create_connection(("127.0.0.1", job.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        conn = Conn(sock, index, turn)
        sel.register(sock, selectors.EVENT_READ, conn)
        return conn

    def send(conn: Conn, due: float) -> None:
        conn.turn += 1
        conn.buf.clear()
        conn.due, conn.busy = due, True
        data = requests[conn.turn % len(requests)]
        try:
            sent = conn.sock.send(data)
        except BlockingIOError:
            sent = 0
        conn.out = data[sent:]
        if conn.out:
            sel.modify(conn.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, conn)

    def count_error(reason: str, now: float) -> None:
        if window_start <= now <= stop:
            errors[reason] = errors.get(reason, 0) + 1

    def next_request(i: int, now: float) -> None:
        conn = conns[i]
        conn.busy = False
        if not job.interval:
            send(conn, now)
            return
        due = conn.due + job.interval
        if due <= now:
            send(conn, due)
        else:
            heapq.heappush(waiting, (due, i))

    def reconnect(i: int, reason: str, now: float) -> None:
        count_error(reason, now)
        old = conns[i]
        sel.unregister(old.sock)
        old.sock.close()
        conns[i] = connect(i, old.turn)
        conns[i].due = old.due
        next_request(i, now)

    sign_all()
    conns = [connect(i, job.index * 7919 + i * 104729) for i in range(job.connections)]
    ready.put(job.index)
    go.wait()
    start: float = go_at.value
    window_start = start + job.warmup
    stop = window_start + job.seconds
    while clock() < start:
        time.sleep(0.001)
    stagger = random.Random(job.index)
    for i, conn in enumerate(conns):
        if job.interval:
            conn.due = start + stagger.uniform(0, job.interval) - job.interval
            heapq.heappush(waiting, (conn.due + job.interval, i))
        else:
            send(conn, clock())
    cpu_start: float | None = None
    last_sweep = start
    while True:
        now = clock()
        if cpu_start is None and now >= window_start:
            cpu_start = time.process_time()
        if now >= stop:
            break
        if now - signed_at > RESIGN_EVERY:
            sign_all()
        while waiting and waiting[0][0] <= now:
            due, i = heapq.heappop(waiting)
            send(conns[i], due)
        timeout = 0.05 if not waiting else min(0.05, max(0.0, waiting[0][0] - now))
        for key, mask in sel.select(timeout=timeout):
            conn = key.data
            i = conn.index
            if conns[i] is not conn:  # replaced earlier in this batch
                continue
            now = clock()
            if mask & selectors.EVENT_WRITE and conn.out:
                try:
                    sent = conn.sock.send(conn.out)
                except BlockingIOError:
                    sent = 0
                except OSError:
                    reconnect(i, "send failed", now)
                    continue
                conn.out = conn.out[sent:]
                if not conn.out:
                    sel.modify(conn.sock, selectors.EVENT_READ, conn)
            if not mask & selectors.EVENT_READ:
                continue
            try:
                data = conn.sock.recv(262144)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                reconnect(i, "connection dropped", now)
                continue
            conn.buf += data
            parsed = parse_answer(conn.buf)
            if parsed is None:
                continue
            status, total, close = parsed
            good = status == 200 and job.expect in conn.buf[:total]
            if window_start <= now <= stop:
                if good:
                    result.answered += 1
                    latencies.append(now - conn.due)
                else:
                    count_error("non-200" if status != 200 else "unexpected body", now)
            if close:
                reconnect(i, "keep-alive closed", now)
            else:
                next_request(i, now)
        if now - last_sweep > 1.0:
            last_sweep = now
            for i, conn in enumerate(conns):
                if conn.busy and now - conn.due > ANSWER_TIMEOUT:
                    reconnect(i, "no answer in 10 s", now)
    result.cpu = time.process_time() - (cpu_start if cpu_start is not None else time.process_time())
    result.latencies = latencies.tobytes()
    for conn in conns:
        conn.sock.close()
    results.put(result)


def run_python(
    server: Server,
    bodies: list[bytes],
    secret: str,
    connections: int,
    seconds: float,
    warmup: float,
    procs: int,
    rate: float,
) -> Run:
    """Load `server` for warm-up + `seconds` from fresh client processes; rate 0: closed loop."""
    from bench.harness import percentile

    mp = multiprocessing.get_context("spawn")
    ready, results = mp.Queue(), mp.Queue()
    go, go_at = mp.Event(), mp.Value("d", 0.0)
    procs = max(1, min(procs, connections))
    shares = [connections // procs + (1 if i < connections % procs else 0) for i in range(procs)]
    interval = connections / rate if rate else 0.0
    workers = []
    for i, n in enumerate(shares):
        job = Job(
            i, server.port, bodies, secret.encode(), n, warmup, seconds, server.expect.encode(), interval
        )
        worker = mp.Process(target=run_client, args=(job, ready, go, go_at, results), daemon=True)
        worker.start()
        workers.append(worker)
    for _ in workers:
        ready.get(timeout=120)
    go_at.value = time.monotonic() + 0.1
    go.set()
    time.sleep(max(0.0, go_at.value + warmup - time.monotonic()))
    pids = process_tree(server.pid)
    cpu0 = cpu_seconds_of(pids)
    time.sleep(seconds)
    cpu1 = cpu_seconds_of(pids)
    got: list[ClientResult] = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    latencies: array[float] = array("d")
    errors: dict[str, int] = {}
    for r in got:
        latencies.frombytes(r.latencies)
        for reason, n in r.errors.items():
            errors[reason] = errors.get(reason, 0) + n
    samples = [v * 1000 for v in latencies]
    return Run(
        server.name,
        connections,
        seconds,
        sum(r.answered for r in got),
        percentile(samples, 0.5),
        percentile(samples, 0.9),
        percentile(samples, 0.99),
        max(samples, default=float("nan")),
        errors,
        cpu1 - cpu0,
        sum(r.cpu for r in got),
    )


# --- servers ----------------------------------------------------------------------------


def start_ours(
    fake: Any, directory: Path, threads: int | None, root: Path = ROOT, name: str = "ours"
) -> Server:
    """The bot, from the checkout at `root` (another worktree: the code before a change)."""
    env = {"WEB_THREADS": str(threads)} if threads else {}
    slug = name.replace(" ", "-").strip("()")
    bot = BotProcess(
        fake, f"sqlite:///{directory}/{slug}.db", env, log_path=directory / f"{slug}.log", root=root
    )
    from bot.config import Settings

    about = f"python -m bot from {root}: waitress, {threads or Settings().web_threads} threads (WEB_THREADS)"
    return Server(name, about, bot.proc, bot.port, OURS_EXPECT, bot.close)


def ours_answer(ours: Server, fake: Any) -> dict[str, Any]:
    """What ours answers to `/define drain`: the message the same-answer floor acknowledges with."""
    from tests.support.bot import SlackSender

    reply = SlackSender(f"http://127.0.0.1:{ours.port}", fake).command("/define", "drain")
    answer = reply.json()
    if reply.status != 200 or "blocks" not in answer:
        raise RuntimeError(f"ours did not answer /define drain: {reply.status} {reply.body[:200]}")
    return dict(answer)


def start_floor(
    fake: Any,
    name: str,
    pbr: bool,
    server: str,
    workers: int,
    threads: int,
    directory: Path,
    answer: Path | None = None,
) -> Server:
    """The ack-only floor in its own process: `bench.floor` on the bot's server, or gunicorn."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FLOOR_API_URL": fake.api_url, "FLOOR_PBR": str(int(pbr))}
    log = open(directory / f"{name}.log", "ab")  # noqa: SIM115 - closed with the server
    if server == "gunicorn":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "bench.floor:from_env()",
        ]
        about = f"gunicorn gthread, {workers} workers x {threads} threads"
    else:
        command = [sys.executable, "-m", "bench.floor", f"--api-url={fake.api_url}", f"--port={port}"]
        command += [f"--threads={threads}"] + (["--process-before-response"] if pbr else [])
        command += [f"--answer={answer}"] if answer else []
        about = f"bot.slack.server (waitress), {threads} threads" + (
            ", answers with ours' message" if answer else ""
        )
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_listening(port, proc)

    def close() -> None:
        stop(proc)
        log.close()

    setting = "process_before_response=True" if pbr else "process_before_response=False, Bolt's pool"
    return Server(name, f"{about}; {setting}", proc, port, "", close)


# --- reporting --------------------------------------------------------------------------


def summary_rows(runs: list[Run], names: list[str], connections: list[int]) -> list[list[str]]:
    rows = [
        [
            "conns",
            "server",
            "req/s (median)",
            "req/s range",
            "p50 ms",
            "p99 ms (median)",
            "p99 range",
            "errors",
            "server CPU/answer",
        ]
    ]
    for c in connections:
        for name in names:
            mine = [r for r in runs if r.server == name and r.connections == c]
            if not mine:
                continue
            rps = [r.rps for r in mine]
            p99 = [r.p99_ms for r in mine]
            cpu = sum(r.server_cpu_s for r in mine) / max(1, sum(r.answered for r in mine)) * 1000
            rows.append(
                [
                    str(c),
                    name,
                    f"{median(rps):.0f}",
                    f"{min(rps):.0f}-{max(rps):.0f}",
                    f"{median([r.p50_ms for r in mine]):.1f}",
                    f"{median(p99):.1f}",
                    f"{min(p99):.1f}-{max(p99):.1f}",
                    str(sum(r.error_count for r in mine)),
                    f"{cpu:.2f} ms",
                ]
            )
    return rows


def paired_ratio(runs: list[Run], name: str, baseline: str, c: int, value: Callable[[Run], float]) -> float:
    """The median over rounds of ours/baseline, each ratio from the two servers' windows of one
    round (loaded less than a minute apart, not across the whole run), so that a slow spell of the
    machine lowers both sides of a ratio rather than one side of the medians."""
    ratios = [
        value(mine) / value(base)
        for mine in runs
        if mine.server == name and mine.connections == c
        for base in runs
        if base.server == baseline and base.connections == c and base.round_no == mine.round_no
        if value(base)
    ]
    return median(ratios) if ratios else float("nan")


def verdicts(runs: list[Run], connections: list[int]) -> list[tuple[str, bool]]:
    """Each target as the median over rounds of the ratio within a round (`paired_ratio`); the
    ratio of the medians over rounds is shown beside it."""
    out: list[tuple[str, bool]] = []

    def pick(name: str, c: int) -> list[Run]:
        return [r for r in runs if r.server == name and r.connections == c]

    def rps(r: Run) -> float:
        return r.rps

    def p99(r: Run) -> float:
        return r.p99_ms

    for c in connections:
        ours, default, pbr = pick("ours", c), pick(DEFAULT_FLOOR, c), pick(PBR_FLOOR, c)
        if not ours:
            continue
        mine = median([r.rps for r in ours])
        if default:
            ratio = paired_ratio(runs, "ours", DEFAULT_FLOOR, c, rps)
            theirs = median([r.rps for r in default])
            out.append(
                (
                    f"{c} conns: ours = {ratio:.2f}x the default-Bolt floor, round by round "
                    f"(medians {mine:.0f} and {theirs:.0f} req/s: {mine / theirs:.2f}x) "
                    f"(target >= {TARGET_VS_DEFAULT})",
                    ratio >= TARGET_VS_DEFAULT,
                )
            )
            slower = paired_ratio(runs, "ours", DEFAULT_FLOOR, c, p99)
            out.append(
                (
                    f"{c} conns: ours p99 = {slower:.2f}x the default-Bolt floor's, round by round "
                    f"(medians {median([r.p99_ms for r in ours]):.1f} and "
                    f"{median([r.p99_ms for r in default]):.1f} ms) (target: no worse, <= 1)",
                    slower <= 1.0,
                )
            )
        if pbr:
            ratio = paired_ratio(runs, "ours", PBR_FLOOR, c, rps)
            theirs = median([r.rps for r in pbr])
            out.append(
                (
                    f"{c} conns: ours = {ratio:.2f}x the pbr floor behind our server, round by round "
                    f"(medians {mine:.0f} and {theirs:.0f} req/s: {mine / theirs:.2f}x) "
                    f"(target >= {TARGET_VS_PBR})",
                    ratio >= TARGET_VS_PBR,
                )
            )
    errors = sum(r.error_count for r in runs)
    out.append((f"errors and unexpected answers: {errors} (target 0)", errors == 0))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--connections", default="1,4,32", help="comma-separated connection counts")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per window")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each window")
    parser.add_argument("--rounds", type=int, default=3, help="windows per server and connection count")
    parser.add_argument("--texts", choices=("drain", "mix"), default="drain")
    parser.add_argument("--client", choices=("wrk", "python"), help="default: wrk when installed")
    parser.add_argument("--procs", type=int, default=2, help="client processes (python client)")
    parser.add_argument("--rate", type=float, default=0.0, help="paced req/s in all (python client)")
    parser.add_argument("--threads", type=int, help="WEB_THREADS for ours and the pbr floor")
    parser.add_argument(
        "--floor-server",
        choices=("gunicorn", "waitress"),
        help="the default-Bolt floor's server (default: gunicorn 2x8 when installed)",
    )
    parser.add_argument("--quick", action="store_true", help="one round of 5 s")
    parser.add_argument(
        "--before",
        type=Path,
        help="another checkout (say a worktree of the commit before a change): its bot is loaded too, "
        f"as {BEFORE!r}, in the same rounds",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.warmup = 1, min(args.seconds, 5.0), min(args.warmup, 1.0)
    connections = [int(c) for c in args.connections.split(",")]
    client = args.client or ("wrk" if shutil.which("wrk") else "python")
    if client == "wrk" and args.rate:
        parser.error("--rate needs --client python")
    floor_server = args.floor_server or ("gunicorn" if _has("gunicorn") else "waitress")

    from bot.config import Settings
    from bot.standin import SlackStandIn
    from tests.support.bot import SECRET

    threads = args.threads or Settings().web_threads
    print(machine())
    fake = SlackStandIn()
    bodies = define_bodies(args.texts, fake)
    print(
        f"load: {client}, closed loop{f' paced at {args.rate:.0f} req/s' if args.rate else ''}; "
        f"connections {connections}; {args.rounds} round(s) of {args.seconds:g} s after {args.warmup:g} s "
        f"warm-up, servers in rotating order; /define texts: {args.texts}"
    )
    runs: list[Run] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="study-lab-load-") as tmp:
        directory = Path(tmp)
        servers: list[Server] = []
        try:
            servers.append(start_ours(fake, directory, args.threads))
            if args.before:
                servers.append(start_ours(fake, directory, args.threads, args.before.resolve(), BEFORE))
            servers.append(start_floor(fake, DEFAULT_FLOOR, False, floor_server, 2, 8, directory))
            servers.append(start_floor(fake, PBR_FLOOR, True, "waitress", 1, threads, directory))
            answer = directory / "answer.json"  # ours' answer to the first request, for the third floor
            answer.write_text(json.dumps(ours_answer(servers[0], fake)))
            servers.append(
                start_floor(fake, SAME_ANSWER, True, "waitress", 1, threads, directory, answer=answer)
            )
            for server in servers:
                print(f"  {server.name}: {server.about}")
            for round_no in range(args.rounds):
                for c in connections:
                    shift = (round_no + c) % len(servers)
                    for server in servers[shift:] + servers[:shift]:
                        r = measure(server, bodies, SECRET, c, args, client, directory)
                        r.round_no = round_no
                        runs.append(r)
                        print(
                            f"    round {round_no + 1}, {c:>3} conns, {server.name:<20} {r.rps:7.0f} req/s  "
                            f"p50 {r.p50_ms:6.1f} ms  p99 {r.p99_ms:6.1f} ms"
                            + (f"  errors {r.errors}" if r.errors else ""),
                            flush=True,
                        )
        finally:
            for server in servers:
                server.close()
            fake.close()
    print()
    print(table(summary_rows(runs, [s.name for s in servers], connections)))
    print(
        "(req/s and p99: median over rounds, with the range; server CPU: the server's process tree,\n"
        " user + system, per good answer; latency: wrk's, from sending a request to its answer)"
    )
    for c in connections:  # not a target: what answering with content costs any Bolt app
        ours = [r.rps for r in runs if r.server == "ours" and r.connections == c]
        same = [r.rps for r in runs if r.server == SAME_ANSWER and r.connections == c]
        if ours and same:
            ratio = paired_ratio(runs, "ours", SAME_ANSWER, c, lambda r: r.rps)
            print(
                f"{c} conns: ours = {ratio:.2f}x the pbr floor answering with ours' message, round by "
                f"round (medians {median(ours):.0f} and {median(same):.0f} req/s)"
            )
    for line in before_and_after(runs, connections):
        print(line)
    return print_verdicts(verdicts(runs, connections), started)


def before_and_after(runs: list[Run], connections: list[int]) -> list[str]:
    """With `--before`: both bots against each other and against the floors, round by round."""
    lines: list[str] = []
    for c in connections:
        if not any(r.server == BEFORE and r.connections == c for r in runs):
            continue
        rps = paired_ratio(runs, "ours", BEFORE, c, lambda r: r.rps)
        p99 = paired_ratio(runs, "ours", BEFORE, c, lambda r: r.p99_ms)
        lines.append(f"{c} conns: ours = {rps:.2f}x the req/s of {BEFORE}, p99 {p99:.2f}x its p99")
        for name in ("ours", BEFORE):
            vs_default = paired_ratio(runs, name, DEFAULT_FLOOR, c, lambda r: r.rps)
            vs_pbr = paired_ratio(runs, name, PBR_FLOOR, c, lambda r: r.rps)
            lines.append(
                f"{c} conns: {name} = {vs_default:.2f}x the default-Bolt floor, {vs_pbr:.2f}x the pbr floor"
            )
    return lines


def measure(
    server: Server,
    bodies: list[bytes],
    secret: str,
    c: int,
    args: argparse.Namespace,
    client: str,
    work: Path,
) -> Run:
    if client == "python":
        return run_python(server, bodies, secret, c, args.seconds, args.warmup, args.procs, args.rate)
    if args.warmup:
        run_wrk(server, bodies, secret, c, args.warmup, work)
    return run_wrk(server, bodies, secret, c, args.seconds, work)


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


if __name__ == "__main__":
    sys.exit(main())
