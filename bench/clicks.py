"""Benchmark a burst of quiz clicks: acknowledgement time of the real bot against a Bolt floor.

Run from the repository root (a full run on both databases takes about a minute)::

    .venv/bin/python bench/clicks.py                 # 2,000 clicks, SQLite and PostgreSQL
    .venv/bin/python bench/clicks.py --quick         # 400 clicks from 100 users
    .venv/bin/python bench/clicks.py --db postgres   # one database only
    .venv/bin/python bench/clicks.py --reply-latency-ms 100   # response_urls answer 100 ms late

PostgreSQL comes from BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
its public schema is dropped and recreated first: it must be a scratch database, and not one a test
run is using at the same time (the tests reset the same schema).

The bot is the real one (`tests.support.bot.RunningBot`: the production runtime, the Bolt app,
waitress over real HTTP, `SlackStandIn` for the Web API and the response_urls).  A channel is
scheduled with a signed `/quiz schedule 09:30 Europe/Berlin daily`, and the quiz is posted by
`service.run_slot` with the clock at the slot.  Then 2,000 signed `block_actions` clicks from 500
users (4 each, choices drawn at random, so some differ from the first), in a seeded random order,
are sent 50 at a time from a thread pool in a separate process (so the client does not compete
for the bot's interpreter lock).  For each click the time to the HTTP 200 (Slack's 3-second
acknowledgement) is measured; and, from the fake's records, the time until the private reply
reaches the click's response_url.

Checks: no non-200; exactly one stored answer per user, 500 in all; every user got exactly one
reply that is not "already answered", naming the stored choice; every "already answered" reply
names the stored choice too; nothing else (no error apology) was replied.

The fake answers a response_url in about a millisecond; Slack, across the internet, takes tens to
hundreds.  --reply-latency-ms makes the fake answer that much later, to see what a bot that replies
on the same threads that acknowledge does when Slack is slow.

Floor, in the same run: the same burst against a Bolt app with the same signing secret that only
calls ack(), behind the same WSGI function and waitress server.  Both get a warm-up burst first
(clicks naming a quiz that does not exist, which the bot answers without writing).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for bench and tests

from bot.schema import answers
from sqlalchemy import func, select

from bench._common import (
    Burst,
    LoadGenerator,
    add_db_argument,
    chosen,
    machine,
    ms,
    percentile,
    postgres_url,
    scratch_database,
    serve_floor,
    table,
)
from bot.standin import SlackStandIn
from tests.support.bot import FakeClock, RunningBot, click_body, sign

SEED = 20261126
CHANNEL = "C100"
SLOT_TIME = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # Thursday 09:30 in Berlin
CONCURRENCY = 50
CLICKS_PER_USER = 4
TARGET_P99_MS = 300.0
LETTER = re.compile(r"\*([A-D])\*")
LETTERS = "ABCD"


class SlowRepliesFake(SlackStandIn):
    """A SlackStandIn whose response_urls answer `delay` seconds late, as Slack's do across the internet."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        super().__init__()

    def _record(self, target: list[Any], call: Any) -> None:
        super()._record(target, call)
        if target is self.responses and self.delay:
            time.sleep(self.delay)  # in the fake's handler thread, before it answers the bot


@dataclass
class Click:
    user: str
    choice: int
    url_name: str  # the response_url's last path part


def quiz_click_body(fake: SlackStandIn, quiz_id: int, message_ts: str, click: Click) -> bytes:
    """A quiz answer button click, as tests.support.bot.SlackSender.click sends it."""
    value = f"{quiz_id}:{click.choice}"
    url = fake.response_url(click.url_name)
    return click_body(f"quiz_answer_{click.choice}", value, click.user, CHANNEL, url, message_ts)


def signed(
    fake: SlackStandIn, quiz_id: int, message_ts: str, clicks: list[Click]
) -> list[tuple[bytes, dict]]:
    """Bodies and Slack's signature headers, made just before a burst (signatures age after 5 min)."""
    now = int(time.time())
    out = []
    for click in clicks:
        body = quiz_click_body(fake, quiz_id, message_ts, click)
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


@dataclass
class Result:
    label: str
    burst: Burst
    cpu_s: float  # this process's CPU time (user + system) from burst start to the last reply
    reply_ms: list[float] = field(default_factory=list)
    replies_done_s: float = 0.0

    @property
    def non_200(self) -> int:
        return sum(1 for s in self.burst.status if s != 200)

    def p(self, share: float) -> float:
        return percentile(self.burst.ack_ms, share)

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
            f"{self.cpu_s * 1000 / len(b.status):.2f}",
            *reply,
        ]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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


def verify(bot: RunningBot, quiz_id: int, clicks: list[Click], replies: list[Any]) -> list[str]:
    """Problems found; empty when the burst left exactly what it should."""
    problems: list[str] = []
    users = {c.user for c in clicks}
    chose: dict[str, set[int]] = defaultdict(set)
    for c in clicks:
        chose[c.user].add(c.choice)
    with bot.store.engine.connect() as conn:
        rows = conn.execute(
            select(answers.c.user_id, answers.c.choice).where(answers.c.quiz_id == quiz_id)
        ).all()
        total = conn.execute(select(func.count()).select_from(answers)).scalar_one()
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
        said = LETTERS.index(letters[0]) if letters else None
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


def run_database(
    kind: str, users: int, load: LoadGenerator, workdir: Path, reply_latency: float = 0.0
) -> tuple[list[Result], list[str]]:
    fake = SlowRepliesFake(reply_latency)
    clock = FakeClock(SLOT_TIME - timedelta(hours=1))
    fake.clock = lambda: clock().timestamp()
    with scratch_database(kind, workdir) as url:
        bot = RunningBot.start(fake, url, clock=clock)
        floor = serve_floor(fake.api_url, bot.store)
        try:
            reply = bot.command("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
            if reply.status != 200 or "Scheduled" not in reply.json()["text"]:
                raise SystemExit(f"/quiz schedule failed: {reply.status} {reply.body[:200]}")
            clock.set(SLOT_TIME)
            quiz = bot.service.run_slot(CHANNEL)
            if quiz is None or quiz.message_ts is None:
                raise SystemExit("the quiz was not posted")

            rng = random.Random(f"{SEED}-{kind}")
            clicks = make_clicks(users, rng)
            warm = [Click(f"UW{i:03d}", i % 4, f"warm-UW{i:03d}") for i in range(100)]

            # The floor: warm up, then the burst.
            load.fire(floor.port, signed(fake, quiz.id, quiz.message_ts, warm), CONCURRENCY)
            requests = signed(fake, quiz.id, quiz.message_ts, clicks)
            cpu = cpu_seconds()
            floor_burst = load.fire(floor.port, requests, CONCURRENCY)
            floor_result = Result("floor (ack only)", floor_burst, cpu_seconds() - cpu)

            # The bot: warm up on a quiz that does not exist (no writes), then the burst.
            load.fire(bot.server.effective_port, signed(fake, 999_999, quiz.message_ts, warm), CONCURRENCY)
            wait_replies(fake, "/response/warm-", len(warm), timeout=60)
            requests = signed(fake, quiz.id, quiz.message_ts, clicks)
            cpu = cpu_seconds()
            burst = load.fire(bot.server.effective_port, requests, CONCURRENCY)
            replies = wait_replies(fake, "/response/act-", len(clicks), timeout=300)
            index = {c.url_name: i for i, c in enumerate(clicks)}
            result = Result("Study Lab bot", burst, cpu_seconds() - cpu)
            result.reply_ms = [
                (call.at - burst.sent[index[call.method.split("/")[-1]]]) * 1000 for call in replies
            ]
            result.replies_done_s = max(call.at for call in replies) - burst.start
            problems = verify(bot, quiz.id, clicks, replies)
        finally:
            floor.close()
            bot.close()
            fake.close()
    return [floor_result, result], problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="400 clicks from 100 users")
    parser.add_argument(
        "--reply-latency-ms",
        type=float,
        default=0.0,
        help="make the fake's response_urls answer this late (Slack is across the internet); default 0",
    )
    add_db_argument(parser)
    args = parser.parse_args(argv)
    users = 100 if args.quick else 500

    # waitress warns "Task queue depth is N" for every queued request; the figures say it better.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    print(machine())
    if "postgres" in chosen(args.db):
        print(f"postgres: {postgres_url()} (its public schema is dropped and recreated)")
    print(
        f"burst: {users * CLICKS_PER_USER} signed clicks from {users} users ({CLICKS_PER_USER} each), "
        f"{CONCURRENCY} concurrent, client in a separate process; waitress threads=16 (bot.web.make_server); "
        f"response_url latency {args.reply_latency_ms:.0f} ms"
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
            for kind in chosen(args.db):
                (floor, bot), problems = run_database(
                    kind, users, load, Path(tmp), args.reply_latency_ms / 1000
                )
                rows += [floor.row(kind), bot.row(kind)]
                ratio = bot.p(0.99) / floor.p(0.99)
                verdicts.append(
                    (
                        f"{kind}: non-200 responses {bot.non_200 + floor.non_200} (target 0)",
                        not (bot.non_200 + floor.non_200),
                    )
                )
                verdicts.append(
                    (
                        f"{kind}: ack p99 {ms(bot.p(0.99))} ms (target < {TARGET_P99_MS:.0f} ms); "
                        f"{ratio:.1f}x the floor's p99 of {ms(floor.p(0.99))} ms",
                        bot.p(0.99) < TARGET_P99_MS,
                    )
                )
                verdicts.append(
                    (
                        f"{kind}: {users} answers stored, one per user, replies consistent"
                        + ("" if not problems else ": " + "; ".join(problems)),
                        not problems,
                    )
                )
    finally:
        load.close()
    print()
    print(table(rows))
    print(
        "(ack: click sent to HTTP 200 received, as the client saw it; cpu: this process's CPU time over the\n"
        " burst per click (the bot's, and the in-process fake's for the replies); reply: click sent to the\n"
        " private reply reaching its response_url at the fake; all replied: burst start to the last reply)"
    )
    print()
    for text, met in verdicts:
        print(f"{'MET ' if met else 'MISS'}  {text}")
    print(f"(run took {time.monotonic() - started:.0f} s)")
    return 0 if all(met for _, met in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
