"""Fenced claims: how one process, and only one, takes a slot or a weekly post.

A claim is a row inserted under a unique key before anything is sent to Slack.
Its `fence` starts at 1 and grows by one each time another process retakes a
stale claim (compare-and-swap on the fence), so the process about to post can
check, just before posting, that the claim is still the one it took (`holds`).
`first_claimed_at` never moves: the search for an earlier post starts there.
A claim is only used to post while at least the slowest call Slack allows is left
of its lease, so no post can land after the lease ends and another process retakes it.
Quizzes and weekly posts share this; each passes its own table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, select, update

from bot.storage.database import Database

CLAIMED = "claimed"  # QuizState.CLAIMED and PostState.CLAIMED share this value


@dataclass(frozen=True)
class Claim:
    id: int
    fence: int
    owner: str


def retake(
    db: Database,
    table: Table,
    row_id: int,
    seen_fence: int,
    owner: str,
    now: datetime,
    stale_before: datetime,
) -> Claim | None:
    """Take over a claim whose owner has not finished within the lease; one process wins."""
    with db.begin() as conn:
        done = conn.execute(
            update(table)
            .where(
                table.c.id == row_id,
                table.c.state == CLAIMED,
                table.c.fence == seen_fence,
                table.c.claimed_at < stale_before,
            )
            .values(claimed_by=owner, claimed_at=now, fence=seen_fence + 1)
        )
    return Claim(row_id, seen_fence + 1, owner) if done.rowcount == 1 else None


def holds(db: Database, table: Table, claim: Claim, taken_after: datetime) -> bool:
    """Whether `claim` is still current: not retaken by another process, not yet finished, and
    taken after `taken_after`, so that what follows (one call to Slack) ends within its lease."""
    with db.read() as conn:
        row = conn.execute(
            select(table.c.state, table.c.fence, table.c.claimed_by, table.c.claimed_at).where(
                table.c.id == claim.id
            )
        ).first()
    return (
        row is not None
        and row.state == CLAIMED
        and row.fence == claim.fence
        and row.claimed_by == claim.owner
        and row.claimed_at > taken_after
    )
