"""What the glossary's owners learn: every `/define`, found or not, buffered and written in batches.

One INSERT per `/define` would cost more than the lookup itself, so lookups
are kept in memory and written together by one flusher thread: at least every
`FLUSH_SECONDS`, sooner once `BATCH` have gathered, and before they are read
or at close.  A flush writes one row per workspace and term (or miss) with how
many `times` it was looked up, stamped with the last of them: a popular term
costs a row a second, not a row a request.  These are statistics: a crash may
lose the last second of them, nothing else.

The request path takes no lock.  `record` appends to a deque (atomic under
the GIL) and at most wakes the flusher.  A lock there, taken by every request
thread, formed a convoy under load: a thread woken to take it must then wait
for the GIL, so the lock was held across GIL hand-offs and sixteen threads
queued on it (py-spy: 79% of request-thread samples waiting at it; `/define`
fell to a few hundred req/s; `bench/load.py`).  The old buffer also started a
`threading.Timer` while holding that lock, and `Thread.start` blocks until the
new thread runs.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.workspace import Workspace
from bot.storage.database import Database, in_workspace, workspace_values
from bot.storage.tables import lookups

log = logging.getLogger(__name__)
BATCH = 20_000  # a bound on memory: with counts, flushing sooner saves nothing
FLUSH_SECONDS = 1.0


class LookupStats:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: deque[tuple[Workspace, str | None, str | None, datetime]] = deque()
        self._wake = threading.Event()  # set: a batch is full, flush now
        self._flushing = threading.Lock()  # one writer of the buffer at a time
        self._starting = threading.Lock()
        self._flusher: threading.Thread | None = None

    def record(self, ws: Workspace, term: str | None, miss: str | None, now: datetime) -> None:
        """Buffer one lookup: the term found, or the normalised text that found nothing."""
        self._pending.append((ws, term, (miss or None) and miss[:200], now))
        if self._flusher is None:
            self._start_flusher()
        elif len(self._pending) >= BATCH and not self._wake.is_set():
            self._wake.set()

    def _start_flusher(self) -> None:
        with self._starting:
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._run, name="lookup-stats", daemon=True)
                self._flusher.start()

    def _run(self) -> None:
        """Flush every FLUSH_SECONDS (sooner when woken); stop after an interval with nothing to write,
        so an idle or closed storage keeps no thread (the next lookup starts one again)."""
        while True:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            wrote = bool(self._pending)
            try:
                self.flush()
            except SQLAlchemyError as exc:  # the database is down: these statistics are dropped
                log.warning("lookup statistics not recorded: %s", type(exc).__name__)
            if not wrote and not self._pending:
                with self._starting:
                    self._flusher = None
                if self._pending:  # a lookup arrived while stopping and saw this thread still set
                    self._start_flusher()
                return

    def flush(self) -> None:
        """Write what is buffered now (the flusher does this by itself; readers and close call it)."""
        with self._flushing:
            # Only flush() takes rows out, so all of the length read here can be taken.
            taken = [self._pending.popleft() for _ in range(len(self._pending))]
            if taken:
                with self.db.begin() as conn:
                    conn.execute(insert(lookups), counted(taken))

    def top_terms(self, ws: Workspace, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """Terms most often found by /define since `since`, with counts."""
        return self._most_common(ws, lookups.c.term, since, limit)

    def top_misses(self, ws: Workspace, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """Normalised searches that found nothing since `since`: the glossary's gaps."""
        return self._most_common(ws, lookups.c.miss, since, limit)

    def _most_common(self, ws: Workspace, column: Any, since: datetime, limit: int) -> list[tuple[str, int]]:
        self.flush()
        n = func.sum(lookups.c.times).label("n")
        query = (
            select(column.label("name"), n)
            .where(in_workspace(lookups, ws), column.is_not(None), lookups.c.looked_up_at >= since)
            .group_by(column)
            .order_by(n.desc(), column)
            .limit(limit)
        )
        with self.db.read() as conn:
            return [(r.name, int(r.n)) for r in conn.execute(query)]


def counted(taken: list[tuple[Workspace, str | None, str | None, datetime]]) -> list[dict[str, object]]:
    """One row per workspace and term (or miss), with how many times and the last time."""
    groups: dict[tuple[Workspace, str | None, str | None], list[Any]] = {}
    for ws, term, miss, at in taken:
        group = groups.get((ws, term, miss))
        if group is None:
            groups[(ws, term, miss)] = [1, at]
        else:
            group[0] += 1
            group[1] = max(group[1], at)
    return [
        {**workspace_values(ws), "term": term, "miss": miss, "times": times, "looked_up_at": at}
        for (ws, term, miss), (times, at) in groups.items()
    ]
