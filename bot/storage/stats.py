"""What the glossary's owners learn: every `/define`, found or not, buffered and written in batches.

One INSERT per `/define` would cost more than the lookup itself, so lookups
are kept in memory and written together within `FLUSH_SECONDS` (or once
`BATCH` have gathered, or before they are read, or at close).  These are
statistics: a crash may lose the last second of them, nothing else.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.database import Database, in_workspace, workspace_values
from bot.storage.tables import lookups
from bot.workspace import Workspace

log = logging.getLogger(__name__)
BATCH = 200
FLUSH_SECONDS = 1.0


class LookupStats:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._pending: list[dict[str, object]] = []
        self._timer: threading.Timer | None = None

    def record(self, ws: Workspace, term: str | None, miss: str | None, now: datetime) -> None:
        """Buffer one lookup: the term found, or the normalised text that found nothing."""
        row: dict[str, object] = {
            **workspace_values(ws),
            "term": term,
            "miss": (miss or None) and miss[:200],
            "looked_up_at": now,
        }
        with self._lock:
            self._pending.append(row)
            full = len(self._pending) >= BATCH
            if not full and self._timer is None:
                self._timer = threading.Timer(FLUSH_SECONDS, self._flush_quietly)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.flush()

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except SQLAlchemyError as exc:  # the database is down: these statistics are dropped
            log.warning("lookup statistics not recorded: %s", type(exc).__name__)

    def flush(self) -> None:
        with self._lock:
            rows, self._pending = self._pending, []
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if rows:
            with self.db.begin() as conn:
                conn.execute(insert(lookups), rows)

    def top_terms(self, ws: Workspace, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """Terms most often found by /define since `since`, with counts."""
        return self._most_common(ws, lookups.c.term, since, limit)

    def top_misses(self, ws: Workspace, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """Normalised searches that found nothing since `since`: the glossary's gaps."""
        return self._most_common(ws, lookups.c.miss, since, limit)

    def _most_common(self, ws: Workspace, column: Any, since: datetime, limit: int) -> list[tuple[str, int]]:
        self.flush()
        n = func.count().label("n")
        query = (
            select(column.label("name"), n)
            .where(in_workspace(lookups, ws), column.is_not(None), lookups.c.looked_up_at >= since)
            .group_by(column)
            .order_by(n.desc(), column)
            .limit(limit)
        )
        with self.db.begin() as conn:
            return [(r.name, int(r.n)) for r in conn.execute(query)]
