"""The one harness the benchmarks in bench/ share (not a benchmark itself).

Each benchmark imports from here and from no other benchmark.

* printing: the machine line, percentiles, the plain-text `table`, and `print_verdicts`
  (one MET/MISS line per target; the exit status);
* databases: `--db sqlite|postgres|both` and scratch databases: a temporary SQLite file, or
  PostgreSQL at BENCH_DATABASE_URL (default: a `studylab_bench` database, created if missing;
  never the tests' `test` database), reset with DROP SCHEMA public CASCADE first;
* floors: `floor_app`, a Bolt app with the bot's signing secret that only acknowledges, served in
  this process by the bot's own server (`serve_floor`: `bot.slack.server.make_wsgi` + `serve_wsgi`), or
  in a process of its own by `bench/floor.py`;
* processes: `BotProcess`, the bot as `python -m bot` in a subprocess (the one helper for that),
  and `/proc` readings of a process tree's CPU time and resident memory (also split by where it
  lives);
* the burst client `fire`, which runs in a spawned process (`LoadGenerator`) so that its 50
  client threads do not share the bot's interpreter lock; in production the bot does not share
  its process with Slack either;
* quiz clicks: a quiz posted with `/quiz now` (`post_quiz`, in a `noon_zone`), signed clicks
  (`Click`, `make_clicks`, `signed`), their replies (`wait_replies`) and `verify` of what was stored;
* `/define` requests: the seeded text mix (`define_texts`, `define_bodies`), raw signed requests,
  and the `wrk` client (`run_wrk`) with its per-window result (`Run`) and target (`Server`);
* scheduled slots: the zones, local times and day sets the week simulations spread channels over,
  and the slots expected from a schedule, computed with zoneinfo apart from the triggers
  (`expected_slots`, `fire_times`, `dst_changes`, `matched_slots`).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import platform
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, select

from bot.services.posting import QUIZ_EVENT
from bot.storage.engine import normalise_url
from bot.storage.tables import answers
from tests.support.bot import SlackSender, click_body, sign

if TYPE_CHECKING:
    from bot.domain.slots import Schedule
    from bot.standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]

# A database of its own: the test suite resets `test`, and a benchmark must not race it.
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/studylab_bench"
EVENTS = "/slack/events"
DEFINE_SEED = 20261125  # the seeded mix of /define texts (`define_texts`)


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
    """The middle value (the mean of the two middle ones for an even count); nan when empty."""
    return statistics.median(values) if values else float("nan")


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
    """The floor app behind the bot's own WSGI function (`bot.slack.server.make_wsgi`)."""
    from sqlalchemy import create_engine

    from bot.slack.server import make_wsgi

    return make_wsgi(floor_app(api_url, process_before_response, answer), create_engine("sqlite://"))


def serve_floor(api_url: str, process_before_response: bool = False, threads: int | None = None) -> Any:
    """The floor, served in this process by the bot's own server; returns a `bot.slack.server.Serving`."""
    from bot.config import Settings
    from bot.slack.server import serve_wsgi

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


ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",  # negative DST in tzdata: winter is the "daylight" offset
    "Africa/Cairo",  # autumn change at midnight: 23:xx repeats
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/St_Johns",  # -03:30
    "America/Havana",  # changes at midnight: 00:xx is skipped in spring, repeated in autumn
    "America/Santiago",  # changes at midnight
    "America/Sao_Paulo",  # no DST
    "Australia/Sydney",
    "Australia/Adelaide",  # +10:30 / +09:30
    "Australia/Lord_Howe",  # a 30-minute DST change
    "Pacific/Auckland",
    "Pacific/Chatham",  # +13:45 / +12:45
    "Asia/Kolkata",  # +05:30, no DST
    "Asia/Kathmandu",  # +05:45, no DST
    "Asia/Tokyo",
    "UTC",
)


TIMES = ("02:30", "00:30", "09:30", "23:30", "01:45", "03:00", "00:00", "08:00", "12:00", "17:45")


DAY_SETS = ("daily", "sun", "mon-fri", "sat,sun", "mon,wed,fri")


@dataclass(frozen=True)
class Expected:
    channel: str
    day: date  # the local date of the slot
    instant: datetime | None  # None: the local time does not exist that day (the trigger decides)
    kind: str  # "normal", "repeat" (a local time that happens twice) or "gap"


def wall_time_kind(day: date, at: dtime, zone: ZoneInfo) -> tuple[str, datetime]:
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone)  # fold=0: the earlier instant of a repeated time
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return "gap", first.astimezone(UTC)
    if first.utcoffset() != naive.replace(tzinfo=zone, fold=1).utcoffset():
        return "repeat", first.astimezone(UTC)
    return "normal", first.astimezone(UTC)


def expected_slots(schedule: Schedule, start: datetime, end: datetime) -> list[Expected]:
    zone = schedule.zone
    out = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date() + timedelta(days=1):
        if day.weekday() in schedule.days:
            kind, instant = wall_time_kind(day, schedule.at, zone)
            if start <= instant < end:
                out.append(Expected(schedule.channel_id, day, None if kind == "gap" else instant, kind))
        day += timedelta(days=1)
    return out


def fire_times(trigger: Any, start: datetime, end: datetime) -> list[datetime]:
    """Every fire time in [start, end), asked for as APScheduler asks: (previous fire, now)."""
    out: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        out.append(fire.astimezone(UTC))
        fire = trigger.get_next_fire_time(fire, fire)
    return out


def dst_changes(start: datetime, end: datetime) -> list[str]:
    """Each zone's offset changes in [start, end), as local wall clocks ("02:00 → 03:00")."""
    out = []
    for name in ZONES:
        zone = ZoneInfo(name)
        moment = start
        offset = moment.astimezone(zone).utcoffset()
        while moment < end:
            moment += timedelta(minutes=15)  # every zone here changes on a quarter hour (UTC)
            new = moment.astimezone(zone).utcoffset()
            if new != offset and new is not None and offset is not None:
                before, after = moment.replace(tzinfo=None) + offset, moment.replace(tzinfo=None) + new
                out.append(f"{name} {after:%a %d %b}: {before:%H:%M} → {after:%H:%M}")
                offset = new
    return out


def matched_slots(
    expected: list[Expected],
    posts_by_day: dict[tuple[str, date], list[Any]],
    describe: Callable[[str], str],
    counts: Counter[str],
    problems: dict[str, list[str]],
) -> Iterator[tuple[Expected, Any]]:
    """Each expected slot with its first post, when it has one (both week benches judge the time).

    Counts slots never posted, local dates posted twice, and posts on a day without a slot (once
    every slot has been yielded)."""
    wanted = {(e.channel, e.day): e for e in expected}
    for key, e in wanted.items():
        got = posts_by_day.get(key, [])
        if not got:
            counts["missing"] += 1
            problems["slot never posted"].append(f"{e.channel} {describe(e.channel)} on {e.day} ({e.kind})")
            continue
        if len(got) > 1:
            counts["duplicates"] += len(got) - 1
            problems["local date posted twice"].append(f"{e.channel} {e.day}: {[r.slot for r in got]}")
        yield e, got[0]
    for key, got in posts_by_day.items():
        if key not in wanted:
            counts["extra"] += len(got)
            problems["posted on a day without a slot"].append(f"{key[0]} {key[1]}: {[r.slot for r in got]}")


CHANNEL = "C100"


ADMIN = "U100"


CLICKS_PER_USER = 4


LETTER = re.compile(r"\*([A-D])\*")


CHOICE_LETTERS = "ABCD"
ALPHABET = "abcdefghijklmnopqrstuvwxyz"  # for typos


@dataclass
class Click:
    user: str
    choice: int
    url_name: str  # the response_url's last path part


def signed(
    fake: SlackStandIn, quiz_id: int, message_ts: str, clicks: list[Click]
) -> list[tuple[bytes, dict[str, str]]]:
    """Bodies and Slack's signature headers, made just before a burst (signatures age after 5 min)."""
    now = int(time.time())
    out = []
    for click in clicks:
        url = fake.response_url(click.url_name)
        value = f"{quiz_id}:{click.choice}"
        body = click_body(f"quiz_answer_{click.choice}", value, click.user, CHANNEL, url, message_ts)
        out.append((body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body, now)}))
    return out


def make_clicks(users: int, rng: random.Random) -> list[Click]:
    clicks = [
        Click(f"UB{u:04d}", rng.randrange(4), f"act-UB{u:04d}-{k}")
        for u in range(users)
        for k in range(CLICKS_PER_USER)
    ]
    rng.shuffle(clicks)
    return clicks


def wait_replies(fake: SlackStandIn, prefix: str, n: int, timeout: float) -> list[Any]:
    def ready() -> list[Any] | None:
        got = [c for c in fake.responses if c.method.startswith(prefix)]
        return got if len(got) >= n else None

    return fake.wait_for(ready, timeout=timeout)  # type: ignore[no-any-return]


def reply_text(body: dict[str, Any]) -> str:
    blocks = body.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return " ".join(str((b.get("text") or {}).get("text", "")) for b in blocks) or str(body.get("text", ""))


def verify(url: str, quiz_id: int, clicks: list[Click], replies: list[Any]) -> list[str]:
    """Problems found; empty when the burst left exactly what it should."""
    problems: list[str] = []
    users = {c.user for c in clicks}
    chose: dict[str, set[int]] = defaultdict(set)
    for c in clicks:
        chose[c.user].add(c.choice)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(answers.c.user_id, answers.c.choice).where(answers.c.quiz_id == quiz_id)
            ).all()
            total = conn.execute(select(func.count()).select_from(answers)).scalar_one()
    finally:
        engine.dispose()
    per_user = Counter(r.user_id for r in rows)
    stored = {r.user_id: r.choice for r in rows}
    if len(rows) != len(users) or total != len(users):
        problems.append(f"{len(rows)} answers stored for the quiz ({total} in all), expected {len(users)}")
    if set(per_user) != users or any(n != 1 for n in per_user.values()):
        problems.append("not exactly one stored answer per user")
    if any(stored.get(u) not in chose[u] for u in users):
        problems.append("a stored choice that the user never clicked")

    fresh: Counter[str] = Counter()
    for call in replies:
        user = call.method.split("/")[-1].split("-")[1]
        text = reply_text(call.body)
        letters = LETTER.findall(text)
        said = CHOICE_LETTERS.index(letters[0]) if letters else None
        if "already answered" in text:
            if said != stored.get(user):
                problems.append(f"{user}: 'already answered {said}' but {stored.get(user)} is stored")
        elif "Right!" in text or "Not quite" in text:
            fresh[user] += 1
            if said != stored.get(user):
                problems.append(f"{user}: first reply names {said} but {stored.get(user)} is stored")
        else:
            problems.append(f"{user}: unexpected reply {text[:80]!r}")
    if len(replies) != len(clicks):
        problems.append(f"{len(replies)} replies for {len(clicks)} clicks")
    wrong = [u for u in users if fresh[u] != 1]
    if wrong:
        problems.append(
            f"{len(wrong)} users without exactly one fresh reply, e.g. {wrong[0]}: {fresh[wrong[0]]}"
        )
    return problems[:10]


def noon_zone() -> str:
    """A fixed-offset zone where it is about noon now, so the quiz closes hours after the burst."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12  # -12..11
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # POSIX: Etc/GMT-3 is UTC+3


def post_quiz(url: str, fake: SlackStandIn, channel: str = CHANNEL) -> tuple[int, str]:
    """`/quiz now` as the quiz admin, to the bot at `url`; the quiz's id and message ts, from the post."""
    said = SlackSender(url, fake).say("/quiz", "now", user=ADMIN, channel=channel)

    def posted() -> dict[str, Any] | None:
        for message in fake.posted(channel):
            meta = message.get("metadata") or {}
            if meta.get("event_type") == QUIZ_EVENT:
                return message
        return None

    message = fake.wait_for(posted, timeout=30)
    if not message:
        raise SystemExit(f"the quiz was not posted in {channel}; /quiz now said: {said!r}")
    return int(message["metadata"]["event_payload"]["quiz_id"]), str(message["ts"])


PATH = "/slack/events"


OURS_EXPECT = '"response_type": "ephemeral"'


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


def typo(text: str, edits: int, rng: random.Random) -> str:
    for _ in range(edits):
        i = rng.randrange(len(text))
        kind = rng.choice(("delete", "insert", "substitute", "transpose"))
        if kind == "delete" and len(text) > 3:
            text = text[:i] + text[i + 1 :]
        elif kind == "transpose" and i < len(text) - 1:
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        elif kind == "substitute":
            text = text[:i] + rng.choice(ALPHABET) + text[i + 1 :]
        else:
            text = text[:i] + rng.choice(ALPHABET) + text[i:]
    return text


def define_texts(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, text) for /define: a fixed mix of exact names, aliases, typos, free text, misses."""
    from bot.domain.glossary import load_glossary

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


def define_bodies(texts: str, fake: Any) -> list[bytes]:
    from tests.support.bot import command_body

    chosen = [("exact", "drain")] * 200 if texts == "drain" else define_texts(400, random.Random(DEFINE_SEED))
    return [
        command_body("/define", text, f"U{i % 500:04d}", f"C{i % 20:03d}", fake.response_url(f"cmd-{i}"))
        for i, (_, text) in enumerate(chosen)
    ]


def signed_request(port: int, body: bytes, secret: bytes, timestamp: int) -> bytes:
    """The raw HTTP/1.1 request, signed as Slack signs it (v0 HMAC-SHA256 of timestamp and body)."""
    from tests.support.bot import sign

    headers = sign(body, timestamp, secret.decode())
    head = (
        f"POST {PATH} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Slack-Request-Timestamp: {headers['X-Slack-Request-Timestamp']}\r\n"
        f"X-Slack-Signature: {headers['X-Slack-Signature']}\r\n"
        "\r\n"
    )
    return head.encode() + body


def _lua_string(text: str) -> str:
    level = "=" * 3
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def wrk_script(bodies: Sequence[bytes], secret: str, expect: str) -> str:
    """A wrk Lua script cycling through `bodies`, signed now, checking every answer."""
    from tests.support.bot import sign

    stamp = int(time.time())
    lines = ["local reqs = {}"]
    for body in bodies:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, stamp, secret)}
        lua_headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
        lines.append(
            f"reqs[#reqs + 1] = wrk.format('POST', '{PATH}', {{{lua_headers}}}, {_lua_string(body.decode())})"
        )
    lines.append(f"local expect = {_lua_string(expect)}")
    lines.append(
        """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  turn = id * 7919
  bad_status = 0
  bad_body = 0
end
function request()
  turn = turn + 1
  return reqs[(turn % #reqs) + 1]
end
function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif expect ~= "" and not string.find(body, expect, 1, true) then
    bad_body = bad_body + 1
  end
end
function done(summary, latency, requests)
  local bs, bb = 0, 0
  for _, t in ipairs(threads) do
    bs = bs + t:get("bad_status")
    bb = bb + t:get("bad_body")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, "bad_status": %d, "bad_body": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status, bs, bb))
end
"""
    )
    return "\n".join(lines)


def run_wrk(
    server: Server, bodies: Sequence[bytes], secret: str, connections: int, seconds: float, workdir: Path
) -> Run:
    script = workdir / "define.lua"
    script.write_text(wrk_script(bodies, secret, server.expect))
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={ANSWER_TIMEOUT:g}s",
        "-s",
        str(script),
        f"http://127.0.0.1:{server.port}{PATH}",
    ]
    pids = process_tree(server.pid)
    cpu0, client0 = cpu_seconds_of(pids), _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    cpu1, client1 = cpu_seconds_of(pids), _children_cpu()
    found = re.search(r"^WRK (\{.*\})$", done.stdout, re.MULTILINE)
    if found is None or done.stderr.strip():
        raise RuntimeError(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    got = json.loads(found.group(1))
    errors = {
        name: got[key]
        for name, key in (
            ("connect errors", "connect"),
            ("read errors", "read"),
            ("write errors", "write"),
            ("timeouts", "timeout"),
            ("non-200", "bad_status"),
            ("unexpected body", "bad_body"),
        )
        if got[key]
    }
    good = got["requests"] - got["bad_status"] - got["bad_body"]
    return Run(
        server.name,
        connections,
        got["duration_us"] / 1e6,
        good,
        got["p50"] / 1000,
        got["p90"] / 1000,
        got["p99"] / 1000,
        got["max"] / 1000,
        errors,
        cpu1 - cpu0,
        client1 - client0,
    )


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


@dataclass
class Server:
    name: str
    about: str
    proc: subprocess.Popen[Any]
    port: int
    expect: str
    close: Callable[[], None]

    @property
    def pid(self) -> int:
        return self.proc.pid


ANSWER_TIMEOUT = 10.0


@dataclass
class Run:
    """One measured window of one server at one connection count."""

    server: str
    connections: int
    seconds: float
    answered: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    round_no: int = 0

    @property
    def rps(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())
