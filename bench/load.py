"""Load-test `/define` over HTTP: the production server against a bare Bolt app's floor.

Run from the repository root (a full run takes about three and a half minutes)::

    .venv/bin/python bench/load.py              # 100 clients, 60 s per server, then paced
    .venv/bin/python bench/load.py --quick      # 10 s per server, one round
    .venv/bin/python bench/load.py --seconds 30 --clients 50 --procs 2 --rate 200

Two servers, both in this process, loaded one at a time:

* ours: the real runtime (`tests.support.bot.RunningBot`: `build_runtime`, the Bolt app, SQLite
  in a temporary directory, the Web API pointed at a `SlackStandIn`) behind the production waitress
  server (`bot.web.make_server` + `make_wsgi`).  Every `/define` answers with the definition and
  records the lookup in the database, as in production.
* floor: a minimal Bolt app with the same options (signing secret, `process_before_response=False`),
  whose `/define` listener only calls `ack()`, behind the same `make_server`, with
  `slack_bolt.adapter.wsgi.SlackRequestHandler` as its WSGI app.

Load: `--clients` keep-alive connections spread over `--procs` client processes, so the client does
not share the server's GIL.  Each client process is one thread driving its sockets with `selectors`
and sending pre-built requests, signed as Slack signs them (re-signed every minute: the signature
carries a timestamp valid for five minutes), so the client costs little CPU; its CPU is reported.
The bodies are real slash-command payloads with a seeded mix of texts: exact names, aliases, one-
and two-letter typos, free text around a name, and misses.

1. Closed loop (`--seconds` per server): each connection sends its next request as soon as the
   answer arrives, so the server is saturated: the throughput is its capacity, and by Little's law
   the latency is about clients / throughput.
2. Paced (`--paced-seconds` per server, at `--rate` req/s, by default half of ours' closed-loop
   throughput, the same for both): each connection sends on a fixed timetable and latency counts
   from the planned send time, so a server that falls behind is charged for it (no coordinated
   omission).  This is the latency people see below saturation.

The servers alternate over `--rounds` windows, each after `--warmup` unmeasured seconds, so a change
in the machine's other load affects both alike.  Throughput counts the answers completed in the
windows; latency runs from the first byte sent to the last byte read; an error is a status other
than 200, an answer without the expected body, a dropped connection, or no answer within 10 s.
CPU: the server's (this process), the clients', and the whole machine's from /proc/stat ("others"
is what neither used: other processes on a shared machine).
"""

from __future__ import annotations

import argparse
import heapq
import logging
import multiprocessing
import os
import platform
import random
import selectors
import socket
import sys
import tempfile
import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the repository, for bench._common and tests
    sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bench._common import table  # noqa: E402

SEED = 20261125
PATH = "/slack/events"
ANSWER_TIMEOUT = 10.0
RESIGN_EVERY = 60.0

TARGET_RATIO = 0.8  # ours / floor throughput
TARGET_P99_MS = 100.0


# --- requests ---------------------------------------------------------------------------

FREE_TEXT = (
    "what is a {}?",
    "what's {}",
    "define {} please",
    "explain {}",
    "{} meaning",
    "tell me about the {}",
)
MISSES = (
    "kubernetes",
    "how do I get a coffee",
    "zzz",
    "quarterly okr review",
    "blorp flange",
    "what is love",
    "terraform state",
    "lunch menu",
)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(text: str, edits: int, rng: random.Random) -> str:
    for _ in range(edits):
        i = rng.randrange(len(text))
        kind = rng.choice(("delete", "insert", "substitute", "transpose"))
        if kind == "delete" and len(text) > 3:
            text = text[:i] + text[i + 1 :]
        elif kind == "transpose" and i < len(text) - 1:
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        elif kind == "substitute":
            text = text[:i] + rng.choice(LETTERS) + text[i + 1 :]
        else:
            text = text[:i] + rng.choice(LETTERS) + text[i:]
    return text


def define_texts(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, text) for /define: a fixed mix of exact names, aliases, typos, free text, misses."""
    from bot.glossary import load_glossary

    terms = load_glossary(ROOT / "data" / "glossary.yml").terms
    aliased = [t for t in terms if t.aliases]
    mix = (("exact", 0.25), ("alias", 0.10), ("typo", 0.25), ("text", 0.20), ("miss", 0.20))
    out: list[tuple[str, str]] = []
    for kind, share in mix:
        for _ in range(round(count * share)):
            term = rng.choice(aliased if kind == "alias" else terms)
            if kind == "exact":
                text = rng.choice((term.term, term.term.lower(), term.term.upper()))
            elif kind == "alias":
                text = rng.choice(term.aliases)
            elif kind == "typo":
                text = typo(term.term.lower(), rng.choice((1, 2)), rng)
            elif kind == "text":
                text = rng.choice(FREE_TEXT).format(term.term.lower())
            else:
                text = rng.choice(MISSES)
            out.append((kind, text))
    rng.shuffle(out)
    return out


def signed_request(port: int, body: bytes, secret: bytes, timestamp: int) -> bytes:
    """The raw HTTP/1.1 request, signed as Slack signs it (v0 HMAC-SHA256 of timestamp and body)."""
    signature = SignatureVerifier(secret.decode()).generate_signature(
        timestamp=str(timestamp), body=body.decode()
    )
    head = (
        f"POST {PATH} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Slack-Request-Timestamp: {timestamp}\r\n"
        f"X-Slack-Signature: {signature}\r\n"
        "\r\n"
    )
    return head.encode() + body


# --- the client process -----------------------------------------------------------------


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
    answered_total: int = 0  # good answers, warm-up included
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
            result.answered_total += good
            if window_start <= now <= stop:
                if good:
                    result.answered += 1
                    latencies.append(now - conn.due)
                else:
                    count_error(f"HTTP {status}" if status != 200 else "unexpected body", now)
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


# --- servers ----------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    expect: bytes
    close: Callable[[], None]
    check: Callable[[], str] = lambda: ""


def start_ours(fake: Any, directory: str) -> Server:
    """The production runtime and server, exactly as the end-to-end tests run it."""
    from bot.schema import lookups
    from sqlalchemy import func, select

    from tests.support.bot import FakeClock, RunningBot

    bot = RunningBot.start(fake, f"sqlite:///{directory}/study-lab.db", clock=FakeClock(datetime.now(UTC)))

    def check() -> str:
        with bot.store.engine.begin() as conn:
            return f"{conn.execute(select(func.count()).select_from(lookups)).scalar_one()} lookups recorded"

    return Server("ours", bot.server.effective_port, b'"response_type": "ephemeral"', bot.close, check)


def start_floor(fake: Any, secret: str, token: str) -> Server:
    """A minimal Bolt app with the same options, whose /define only acks, on the same server."""
    from bot.web import make_server
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    app = App(
        client=WebClient(token=token, base_url=fake.api_url),
        signing_secret=secret,
        token_verification_enabled=False,
        process_before_response=False,
        logger=logging.getLogger("slack_bolt"),
    )

    @app.command("/define")
    def define(ack: Ack) -> None:
        ack()

    server = make_server(SlackRequestHandler(app, path=PATH), "127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()

    def close() -> None:
        deadline = time.monotonic() + 5
        while server.active_channels and time.monotonic() < deadline:
            time.sleep(0.02)
        server.close()

    return Server("floor", server.effective_port, b"", close)


# --- measuring --------------------------------------------------------------------------


def cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class Totals:
    """One server under one kind of load, summed over rounds."""

    server: str
    seconds: float = 0.0
    latencies: array[float] = field(default_factory=lambda: array("d"))
    answered: int = 0
    answered_all: int = 0  # warm-ups included
    errors: dict[str, int] = field(default_factory=dict)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    busy_ticks: int = 0
    all_ticks: int = 0
    _sorted: list[float] | None = None

    def add(self, seconds: float, got: list[ClientResult], server_cpu: float, ticks: tuple[int, int]) -> None:
        self.seconds += seconds
        self.server_cpu += server_cpu
        self.busy_ticks += ticks[0]
        self.all_ticks += ticks[1]
        for r in got:
            self.latencies.frombytes(r.latencies)
            self.answered += r.answered
            self.answered_all += r.answered_total
            self.client_cpu += r.cpu
            for reason, n in r.errors.items():
                self.errors[reason] = self.errors.get(reason, 0) + n
        self._sorted = None

    @property
    def rps(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def ms(self, share: float) -> float:
        if self._sorted is None:
            self._sorted = sorted(self.latencies)
        return percentile(self._sorted, share) * 1000

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def machine_cores(self) -> float | None:
        return self.busy_ticks / self.all_ticks * (os.cpu_count() or 1) if self.all_ticks else None


def run_window(
    server: Server, bodies: list[bytes], secret: str, args: argparse.Namespace, seconds: float, rate: float
) -> tuple[list[ClientResult], float, tuple[int, int]]:
    """Load `server` for warm-up + `seconds` from fresh client processes; rate 0: closed loop."""
    mp = multiprocessing.get_context("spawn")
    ready, results = mp.Queue(), mp.Queue()
    go, go_at = mp.Event(), mp.Value("d", 0.0)
    procs = max(1, min(args.procs, args.clients))
    shares = [args.clients // procs + (1 if i < args.clients % procs else 0) for i in range(procs)]
    interval = args.clients / rate if rate else 0.0
    workers = []
    for i, n in enumerate(shares):
        job = Job(i, server.port, bodies, secret.encode(), n, args.warmup, seconds, server.expect, interval)
        worker = mp.Process(target=run_client, args=(job, ready, go, go_at, results), daemon=True)
        worker.start()
        workers.append(worker)
    for _ in workers:
        ready.get(timeout=120)
    go_at.value = time.monotonic() + 0.1
    go.set()
    time.sleep(max(0.0, go_at.value + args.warmup - time.monotonic()))
    cpu0, ticks0 = time.process_time(), cpu_ticks()
    time.sleep(seconds)
    cpu1, ticks1 = time.process_time(), cpu_ticks()
    got: list[ClientResult] = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    ticks = (ticks1[0] - ticks0[0], ticks1[1] - ticks0[1]) if ticks0 and ticks1 else (0, 0)
    return got, cpu1 - cpu0, ticks


# --- reporting --------------------------------------------------------------------------


def load_rows(totals: list[Totals]) -> list[list[str]]:
    cores = os.cpu_count() or 1
    rows = [
        [
            "server",
            "req/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "answers",
            "errors",
            "server CPU",
            "per answer",
            "client CPU",
            "machine busy",
            "others",
        ]
    ]
    for t in totals:
        busy = t.machine_cores()
        rows.append(
            [
                t.server,
                f"{t.rps:.0f}",
                f"{t.ms(0.5):.1f}",
                f"{t.ms(0.9):.1f}",
                f"{t.ms(0.99):.1f}",
                f"{t.ms(1.0):.1f}",
                str(t.answered),
                str(t.error_count),
                f"{t.server_cpu / t.seconds:.2f} cores",
                f"{t.server_cpu / max(1, t.answered) * 1000:.2f} ms",
                f"{t.client_cpu / t.seconds:.2f} cores",
                f"{busy:.2f}/{cores} cores" if busy is not None else "-",
                f"{max(0.0, busy - (t.server_cpu + t.client_cpu) / t.seconds):.2f} cores"
                if busy is not None
                else "-",
            ]
        )
    return rows


def report(
    args: argparse.Namespace, closed: list[Totals], paced: list[Totals], rate: float, notes: list[str]
) -> bool:
    ours, floor = closed
    print()
    print(f"closed loop, {closed[0].seconds:.0f} s measured per server:")
    print(table(load_rows(closed)))
    if paced:
        print()
        print(f"paced at {rate:.0f} req/s (same for both; latency from the planned send time):")
        print(table(load_rows(paced)))
    for t in closed + paced:
        if t.errors:
            print(f"  {t.server} errors: " + ", ".join(f"{k}: {v}" for k, v in sorted(t.errors.items())))
    for note in notes:
        print(f"  {note}")
    ratio = ours.rps / floor.rps if floor.rps else float("nan")
    p99 = ours.ms(0.99)
    errors = sum(t.error_count for t in closed + paced)
    ok_ratio, ok_p99 = ratio >= TARGET_RATIO, p99 < TARGET_P99_MS
    print()
    print(
        f"throughput ours/floor: {ratio:.2f} (target >= {TARGET_RATIO}): {'met' if ok_ratio else 'NOT met'}"
    )
    print(
        f"ours p99 under {args.clients} clients: {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms): "
        f"{'met' if ok_p99 else 'NOT met'}; floor p99 {floor.ms(0.99):.1f} ms"
    )
    if paced:
        print(
            f"ours p99 paced at {rate:.0f} req/s: {paced[0].ms(0.99):.1f} ms; floor {paced[1].ms(0.99):.1f} ms"
        )
    print(f"errors: {errors}")
    return ok_ratio and ok_p99 and not errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="closed-loop seconds measured per server")
    parser.add_argument("--clients", type=int, default=100, help="concurrent keep-alive connections")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--warmup", type=float, help="unmeasured seconds before each window (default 3)")
    parser.add_argument("--rounds", type=int, help="alternate the servers this many times (default 2)")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="paced req/s (default: half ours' closed-loop req/s)"
    )
    parser.add_argument(
        "--paced-seconds", type=float, help="paced seconds per server (default: half --seconds; 0: skip)"
    )
    parser.add_argument("--quick", action="store_true", help="10 s per server, one round")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = min(args.seconds, 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    args.rounds = max(1, args.rounds or (1 if args.quick else 2))
    paced_seconds = args.paced_seconds if args.paced_seconds is not None else args.seconds / 2

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.support.bot import SECRET, TOKEN, SlackStandIn, command_body, sign

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" is the point here
    print(f"machine: {platform.platform()}, os.cpu_count()={os.cpu_count()}, {platform.machine()}")
    print(f"python {platform.python_version()} ({platform.python_implementation()}), seed {SEED}")
    texts = define_texts(400, random.Random(SEED))
    kinds: dict[str, int] = {}
    for kind, _ in texts:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(
        f"load: {args.clients} keep-alive clients in {args.procs} processes; {args.rounds} round(s) "
        f"alternating the servers, {args.warmup:.0f} s warm-up before each window; /define texts: "
        + ", ".join(f"{k} {v}" for k, v in kinds.items())
    )
    fake = SlackStandIn()
    bodies = [
        command_body("/define", text, f"U{i % 500:04d}", f"C{i % 20:03d}", fake.response_url(f"cmd-{i}"))
        for i, (_, text) in enumerate(texts)
    ]
    stamp = int(time.time())
    slack_signature = sign(bodies[0], stamp)["X-Slack-Signature"].encode()
    assert slack_signature in signed_request(1, bodies[0], SECRET.encode(), stamp), (
        "not signed as Slack signs"
    )

    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="study-lab-load-") as directory:
        servers = [start_ours(fake, directory), start_floor(fake, SECRET, TOKEN)]
        try:

            def measure(seconds: float, rate: float) -> list[Totals]:
                totals = {s.name: Totals(s.name) for s in servers}
                for round_no in range(args.rounds):
                    for server in servers if round_no % 2 == 0 else servers[::-1]:
                        what = f"paced {rate:.0f} req/s" if rate else "closed loop"
                        print(f"  {server.name}: {what}, round {round_no + 1}", flush=True)
                        got, cpu, ticks = run_window(
                            server, bodies, SECRET, args, seconds / args.rounds, rate
                        )
                        totals[server.name].add(seconds / args.rounds, got, cpu, ticks)
                return [totals[s.name] for s in servers]

            closed = measure(args.seconds, 0.0)
            rate = args.rate or max(1.0, round(closed[0].rps / 2))
            paced = measure(paced_seconds, rate) if paced_seconds > 0 else []
        finally:
            for server in servers:
                server.close()
            fake.close()
        # After close, when the runtime has written everything it was still holding.
        answered = sum(t.answered_all for t in closed + paced if t.server == "ours")
        notes.append(f"ours: {servers[0].check()} for {answered} answers sent back (warm-ups included)")
    return 0 if report(args, closed, paced, rate, notes) else 1


if __name__ == "__main__":
    sys.exit(main())
