"""Helpers shared by bench/clicks.py and bench/leaderboard.py (not a benchmark itself).

* the machine line, percentiles and the plain-text table every bench prints;
* `--db sqlite|postgres|both` and the scratch databases (a temporary SQLite file; PostgreSQL at
  BENCH_DATABASE_URL (default: a studylab_bench database, created if missing), reset with
  DROP SCHEMA public CASCADE first);
* the *floor* server: a minimal Bolt app with the bot's signing secret that only acknowledges,
  served by the bot's own waitress server (`bot.web.make_server`);
* the load generator, `fire`, which runs in a separate (spawned) process so that its 50 client
  threads do not share the bot's interpreter lock; the bot in production does not share its
  process with Slack either.
"""

from __future__ import annotations

import http.client
import math
import os
import platform
import re
import resource
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

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
    """Nearest-rank percentile (p99 of 2,000 samples is the 20th largest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


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


def maxrss_mib() -> float:
    """This process's peak resident set so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- databases -----------------------------------------------------------------------------


def add_db_argument(parser: Any) -> None:
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")


def chosen(db: str) -> list[str]:
    return ["sqlite", "postgres"] if db == "both" else [db]


def postgres_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
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


@dataclass
class Served:
    server: Any
    thread: threading.Thread
    closing: threading.Event

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def close(self) -> None:
        deadline = time.monotonic() + 5
        while self.server.active_channels and time.monotonic() < deadline:
            time.sleep(0.02)
        self.closing.set()
        self.server.close()


def serve(wsgi: Any) -> Served:
    from bot.web import make_server

    server = make_server(wsgi, "127.0.0.1", 0)
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # close() pulls the socket away under waitress's loop
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return Served(server, thread, closing)


def floor_app(api_url: str) -> Any:
    """The least a Bolt app can do: verify the signature, route, acknowledge."""
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from tests.support.bot import SECRET, TOKEN

    app = App(
        client=WebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        request_verification_enabled=True,
        token_verification_enabled=False,
        process_before_response=False,
    )

    @app.action(re.compile(r"^quiz_answer_\d+$"))
    def click(ack: Ack) -> None:
        ack()

    @app.command("/leaderboard")
    def leaderboard(ack: Ack) -> None:
        ack(response_type="ephemeral", text="ok")

    return app


def serve_floor(api_url: str, store: Any) -> Served:
    """The floor app behind the bot's own WSGI function and waitress settings."""
    from bot.web import make_wsgi

    return serve(make_wsgi(floor_app(api_url), store))


# -- the load generator (runs in a child process) ----------------------------------------------


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
