"""Helpers shared by the benchmarks in bench/ (not a benchmark itself).

* printing: the machine line, percentiles, the plain-text `table`, and `print_verdicts`
  (one MET/MISS line per target; the exit status);
* databases: `--db sqlite|postgres|both` and scratch databases: a temporary SQLite file, or
  PostgreSQL at BENCH_DATABASE_URL (default: a `studylab_bench` database, created if missing;
  never the tests' `test` database), reset with DROP SCHEMA public CASCADE first;
* floors: `floor_app`, a Bolt app with the bot's signing secret that only acknowledges, served in
  this process by the bot's own server (`serve_floor`: `bot.server.make_wsgi` + `serve_wsgi`), or
  in a process of its own by `bench/floor.py`;
* processes: `BotProcess`, the bot as `python -m bot` in a subprocess (the one helper for that),
  and `/proc` readings of a process tree's CPU time and resident memory (also split by where it
  lives);
* the burst client `fire`, which runs in a spawned process (`LoadGenerator`) so that its 50
  client threads do not share the bot's interpreter lock; in production the bot does not share
  its process with Slack either.
"""

from __future__ import annotations

import http.client
import math
import os
import platform
import re
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bot.storage.engine import normalise_url

ROOT = Path(__file__).resolve().parents[1]

# A database of its own: the test suite resets `test`, and a benchmark must not race it.
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/studylab_bench"
EVENTS = "/slack/events"


# -- printing ------------------------------------------------------------------------------


def machine() -> str:
    return (
        f"machine: os.cpu_count()={os.cpu_count()}, {platform.platform()}, "
        f"python {platform.python_version()} ({platform.python_implementation()}); "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (p99 of 2,000 samples is the 20th largest); nan when empty."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def median(values: Sequence[float]) -> float:
    return percentile(values, 0.5)


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_verdicts(verdicts: Sequence[tuple[str, bool]], started: float | None = None) -> int:
    """One line per target, MET or MISS; returns the exit status (0 when every target is met)."""
    print()
    for text, met in verdicts:
        print(f"{'MET ' if met else 'MISS'}  {text}")
    if started is not None:
        print(f"(run took {time.monotonic() - started:.0f} s)")
    return 0 if all(met for _, met in verdicts) else 1


def maxrss_mib() -> float:
    """This process's peak resident set so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- databases -----------------------------------------------------------------------------


def add_db_argument(parser: Any) -> None:
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")


def chosen(db: str) -> list[str]:
    return ["sqlite", "postgres"] if db == "both" else [db]


def postgres_url() -> str:
    return normalise_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if target.database in ("test", "postgres"):  # the tests' database, or the server's own
        raise SystemExit(f"refusing to use the {target.database!r} database for a benchmark")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        ).first()
        if exists is None:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def scratch_database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh, empty database URL of the given kind."""
    if kind == "sqlite":
        path = workdir / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{path}"
    else:
        url = postgres_url()
        reset_postgres(url)
        yield url


# -- the floor: a Bolt app that only acknowledges --------------------------------------------


def floor_app(
    api_url: str, process_before_response: bool = False, answer: dict[str, Any] | None = None
) -> Any:
    """The least a Bolt app can do: verify the signature, route, acknowledge.

    `process_before_response=False` is Bolt's default (the listener runs on Bolt's 5-thread
    pool while the request thread polls for the ack every 10 ms); True answers from the
    request thread, as the bot does.  With `answer`, `/define` acknowledges with that message
    (the bot's own answer, captured): the cost of answering with content, without looking
    anything up.
    """
    import logging

    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from tests.support.bot import SECRET, TOKEN

    app = App(
        client=WebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        request_verification_enabled=True,
        token_verification_enabled=False,
        process_before_response=process_before_response,
        logger=logging.getLogger("slack_bolt"),
    )

    @app.command("/define")
    def define(ack: Ack) -> None:
        ack(**(answer or {}))

    @app.action(re.compile(r"^quiz_answer_\d+$"))
    def click(ack: Ack) -> None:
        ack()

    @app.command("/leaderboard")
    def leaderboard(ack: Ack) -> None:
        ack(response_type="ephemeral", text="ok")

    return app


def floor_wsgi(
    api_url: str, process_before_response: bool = False, answer: dict[str, Any] | None = None
) -> Any:
    """The floor app behind the bot's own WSGI function (`bot.server.make_wsgi`)."""
    from sqlalchemy import create_engine

    from bot.server import make_wsgi

    return make_wsgi(floor_app(api_url, process_before_response, answer), create_engine("sqlite://"))


def serve_floor(api_url: str, process_before_response: bool = False, threads: int | None = None) -> Any:
    """The floor, served in this process by the bot's own server; returns a `bot.server.Serving`."""
    from bot.config import Settings
    from bot.server import serve_wsgi

    wsgi = floor_wsgi(api_url, process_before_response)
    return serve_wsgi(wsgi, "127.0.0.1", 0, threads or Settings().web_threads)


# -- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, proc: subprocess.Popen[Any], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on port {port} after {timeout:.0f} s")


def stop(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """SIGTERM (the bot and gunicorn shut down gracefully on it), then SIGKILL."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (gunicorn's workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def cpu_seconds_of(pids: Sequence[int]) -> float:
    """User + system CPU seconds used so far by these processes (/proc/PID/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def rss_mib(pid: int) -> float:
    """A process's resident set now (VmRSS), in MiB; nan once it is gone."""
    return status_value(pid, "VmRSS") / 1024


def status_value(pid: int, field_name: str) -> float:
    """A number from /proc/PID/status (memory fields are in KiB); nan once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


ARENA_ALIGN = 64 << 20  # glibc maps each malloc arena but the first at a multiple of its heap size


def rss_parts(pid: int) -> dict[str, float]:
    """A process's resident memory by where it lives (MiB, from /proc smaps), and its threads.

    Approximate: an anonymous mapping that happens to start at a multiple of 64 MiB is counted
    as a malloc arena.
    """
    parts = dict.fromkeys(("malloc main heap", "malloc other arenas", "other anonymous", "files"), 0.0)
    where = "files"
    try:
        for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
            head = line.split()
            if head[0].endswith(":"):  # a field of the current mapping
                if head[0] == "Rss:":
                    parts[where] += int(head[1]) / 1024
                continue
            path = head[5] if len(head) > 5 else ""  # a mapping's first line: range, perms, ..., path
            if path == "[heap]":
                where = "malloc main heap"
            elif not path:
                anon_start = int(head[0].split("-")[0], 16)
                where = "malloc other arenas" if anon_start % ARENA_ALIGN == 0 else "other anonymous"
            else:
                where = "files" if path.startswith("/") else "other anonymous"  # [stack], [vdso]...
    except OSError:
        return parts | {"threads": float("nan")}
    return parts | {"threads": status_value(pid, "Threads")}


class BotProcess:
    """The bot as production runs it: `python -m bot`, its Web API pointed at a Slack stand-in.

    Its settings are the tests' (`tests.support.bot.bot_env`: the test token, signing secret and
    glossary) with `env` on top; PORT is chosen free.  The log goes to `log_path` (or is dropped).
    `root` is the checkout whose `bot` package runs (default: this one); another checkout, such as
    a worktree of an older commit, lets one run measure the code before and after a change.
    """

    def __init__(
        self,
        fake: Any,
        database_url: str,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        root: Path = ROOT,
    ) -> None:
        from tests.support.bot import bot_env

        self.port = free_port()
        settings = bot_env(fake, database_url, PORT=str(self.port), **(env or {}))
        full_env = {**os.environ, "PYTHONPATH": str(root), **settings}
        self._log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=root, env=full_env, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            wait_listening(self.port, self.proc)
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        stop(self.proc)
        if not isinstance(self._log, int):  # a file of ours, not subprocess.DEVNULL
            self._log.close()


# -- the burst client (runs in a child process) ----------------------------------------------


@dataclass
class Burst:
    start: float  # time.monotonic() in the child: comparable with the parent's on Linux
    end: float
    status: list[int]  # per request; -1 when the connection failed
    sent: list[float]  # monotonic time each request was started
    ack_ms: list[float]  # time to the whole HTTP response


def fire(port: int, requests: list[tuple[bytes, dict[str, str]]], concurrency: int) -> Burst:
    """POST every request to /slack/events, `concurrency` at a time, one connection each (as urllib)."""
    n = len(requests)
    status = [0] * n
    sent = [0.0] * n
    took = [0.0] * n

    def one(i: int) -> None:
        body, headers = requests[i]
        sent[i] = time.monotonic()
        began = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("POST", EVENTS, body, {**headers, "Connection": "close"})
            response = conn.getresponse()
            response.read()
            status[i] = response.status
        except OSError:
            status[i] = -1
        finally:
            conn.close()
        took[i] = (time.perf_counter() - began) * 1000

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(n)))
    return Burst(start, time.monotonic(), status, sent, took)


class LoadGenerator:
    """One spawned child process that fires bursts on request."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
        self._pool.submit(time.sleep, 0).result()  # start it now, not inside a measurement

    def fire(self, port: int, requests: list[tuple[bytes, dict[str, str]]], concurrency: int) -> Burst:
        return self._pool.submit(fire, port, requests, concurrency).result()

    def close(self) -> None:
        self._pool.shutdown()
