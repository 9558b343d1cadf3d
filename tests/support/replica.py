"""A bot replica in its own OS process, for tests of several copies on one database.

`Replica.start(...)` spawns a process that builds the production runtime (its
own engine, APScheduler scheduler and waitress server) against a shared
database and a `SlackStandIn` in the test process.  The test steers it over a pipe:
set its clock, and fire one of its scheduler's jobs now (through APScheduler,
waiting for the run to finish), as the cron trigger would at the slot time.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any


def _serve(conn: Connection, env: dict[str, str], start: float) -> None:
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from bot.config import load_settings
    from tests.support.bot import FakeClock, RunningBot

    clock = FakeClock(datetime.fromtimestamp(start, UTC))
    settings = load_settings(env)
    bot = RunningBot(fake=None, settings=settings, clock=clock, claim_lease=timedelta(seconds=60))  # type: ignore[arg-type]
    jobs = bot.runtime.jobs
    done: dict[str, threading.Event] = {}
    errors: list[str] = []

    def finished(event: Any) -> None:
        if event.exception is not None:
            errors.append(repr(event.exception))
        flag = done.get(event.job_id)
        if flag is not None:
            flag.set()

    jobs.scheduler.add_listener(finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    jobs.start()
    conn.send(bot.url)
    while True:
        command, arg = conn.recv()
        if command == "stop":
            break
        if command == "clock":
            clock.set(datetime.fromtimestamp(arg, UTC))
            conn.send(True)
        elif command == "sync":
            jobs.sync()
            conn.send(sorted(job.id for job in jobs.scheduler.get_jobs()))
        elif command == "fire":
            done[arg] = threading.Event()
            job = jobs.scheduler.get_job(arg)
            if job is None:
                conn.send(f"no job {arg}")
                continue
            job.modify(next_run_time=datetime.now(UTC))
            jobs.scheduler.wakeup()
            conn.send(done[arg].wait(30) and not errors or f"job failed: {errors}")
    bot.close()
    conn.send("stopped")


class Replica:
    def __init__(self, env: dict[str, str], start: datetime) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, env, start.timestamp()), daemon=True)
        self.process.start()
        if not self.conn.poll(60):
            raise AssertionError("the replica did not start")
        self.url: str = self.conn.recv()

    def ask(self, command: str, arg: Any = None, timeout: float = 60) -> Any:
        self.conn.send((command, arg))
        if not self.conn.poll(timeout):
            raise AssertionError(f"the replica did not answer {command}")
        return self.conn.recv()

    def fire_and_forget(self, job_id: str) -> None:
        """Start a job without waiting for it (the test may kill the process meanwhile)."""
        self.conn.send(("fire", job_id))

    def kill(self) -> None:
        """kill -9: no clean-up, no goodbye."""
        self.process.kill()
        self.process.join(10)

    def set_clock(self, moment: datetime) -> None:
        self.ask("clock", moment.timestamp())

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.ask("stop", timeout=20)
            finally:
                self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
