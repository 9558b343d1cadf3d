"""Weekly results posts: one claimed row per channel and ISO week, fenced like quiz claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.workspace import Workspace
from bot.storage import claims
from bot.storage.claims import Claim
from bot.storage.database import Database, in_workspace, workspace_values
from bot.storage.statuses import PostState
from bot.storage.tables import weekly_posts


@dataclass(frozen=True)
class WeeklyPost:
    id: int
    workspace: Workspace
    channel_id: str
    week: str
    state: PostState
    claimed_at: datetime
    first_claimed_at: datetime
    fence: int
    claimed_by: str

    @property
    def claim(self) -> Claim:
        return Claim(self.id, self.fence, self.claimed_by)


def _post(row: Row[tuple[object, ...]]) -> WeeklyPost:
    r = row._mapping
    return WeeklyPost(
        id=r["id"],
        workspace=Workspace(team_id=r["team_id"], enterprise_id=r["enterprise_id"]),
        channel_id=r["channel_id"],
        week=r["week"],
        state=PostState(r["state"]),
        claimed_at=r["claimed_at"],
        first_claimed_at=r["first_claimed_at"] or r["claimed_at"],
        fence=r["fence"],
        claimed_by=r["claimed_by"],
    )


class WeeklyPosts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(
        self, ws: Workspace, channel_id: str, week: str, owner: str, now: datetime
    ) -> WeeklyPost | None:
        values = {
            **workspace_values(ws),
            "channel_id": channel_id,
            "week": week,
            "state": PostState.CLAIMED,
            "claimed_by": owner,
            "claimed_at": now,
            "first_claimed_at": now,
            "fence": 1,
        }
        try:
            with self.db.begin() as conn:
                row = conn.execute(weekly_posts.insert().values(values).returning(*weekly_posts.c)).one()
        except IntegrityError:
            return None
        return _post(row)

    def holds(self, claim: Claim, taken_after: datetime) -> bool:
        return claims.holds(self.db, weekly_posts, claim, taken_after)

    def retake(self, post: WeeklyPost, owner: str, now: datetime, stale_before: datetime) -> Claim | None:
        return claims.retake(self.db, weekly_posts, post.id, post.fence, owner, now, stale_before)

    def finish(self, claim: Claim, state: PostState, message_ts: str | None, now: datetime) -> None:
        with self.db.begin() as conn:
            conn.execute(
                update(weekly_posts)
                .where(
                    weekly_posts.c.id == claim.id,
                    weekly_posts.c.state == PostState.CLAIMED,
                    weekly_posts.c.fence == claim.fence,
                )
                .values(state=state, message_ts=message_ts, posted_at=now)
            )

    def stale_claims(self, before: datetime) -> list[WeeklyPost]:
        query = select(weekly_posts).where(
            weekly_posts.c.state == PostState.CLAIMED, weekly_posts.c.claimed_at < before
        )
        with self.db.read() as conn:
            return [_post(r) for r in conn.execute(query)]

    def done(self, weeks: set[str]) -> set[tuple[Workspace, str, str]]:
        """(workspace, channel, week) of every weekly post claimed for one of `weeks`."""
        query = select(
            weekly_posts.c.enterprise_id,
            weekly_posts.c.team_id,
            weekly_posts.c.channel_id,
            weekly_posts.c.week,
        ).where(weekly_posts.c.week.in_(sorted(weeks)))
        with self.db.read() as conn:
            return {
                (Workspace(team_id=r.team_id, enterprise_id=r.enterprise_id), r.channel_id, r.week)
                for r in conn.execute(query)
            }

    def count(self, ws: Workspace, channel_id: str, week: str) -> int:
        query = select(func.count()).where(
            in_workspace(weekly_posts, ws),
            weekly_posts.c.channel_id == channel_id,
            weekly_posts.c.week == week,
        )
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())
