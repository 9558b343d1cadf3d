"""Rate budgets shared by every process: how many calls of a kind a workspace may still make.

Slack's rate tiers are per workspace and per app, not per process.  A budget is
one row per workspace and name holding the current window's start and how much
of it is used; `take` is a single conditional UPDATE (a new window resets the
count), so two replicas together stay inside the tier.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import case, update

from bot.domain.workspace import Workspace
from bot.storage.database import Database, in_workspace, workspace_values
from bot.storage.tables import rate_budgets


def window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


class RateBudgets:
    def __init__(self, db: Database) -> None:
        self.db = db

    def take(
        self, ws: Workspace, name: str, limit: int, now: datetime, window: timedelta = timedelta(minutes=1)
    ) -> bool:
        """Use one call of `name` in the current window; False when `limit` are used already."""
        start = window_start(now, window)
        key = in_workspace(rate_budgets, ws) & (rate_budgets.c.name == name)
        with self.db.begin() as conn:
            conn.execute(
                self.db.insert(rate_budgets)
                .values(**workspace_values(ws), name=name, window_start=start, used=0)
                .on_conflict_do_nothing()
            )
            done = conn.execute(
                update(rate_budgets)
                .where(key, (rate_budgets.c.window_start != start) | (rate_budgets.c.used < limit))
                .values(
                    used=case((rate_budgets.c.window_start == start, rate_budgets.c.used + 1), else_=1),
                    window_start=start,
                )
            )
        return done.rowcount == 1
