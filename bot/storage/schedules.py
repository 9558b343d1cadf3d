"""Each channel's term-of-the-day schedule, and why its last scheduled post failed."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import ColumnElement, Row, delete, select, update

from bot.domain.slots import Schedule, StoredSchedule, format_days, parse_days
from bot.domain.workspace import Workspace
from bot.storage.database import Database, in_workspace, workspace_values
from bot.storage.tables import schedules, workspaces


def _stored(row: Row[tuple[object, ...]]) -> StoredSchedule:
    r = row._mapping
    hour, minute = (int(p) for p in r["local_time"].split(":"))
    schedule = Schedule(
        channel_id=r["channel_id"], at=time(hour, minute), timezone=r["timezone"], days=parse_days(r["days"])
    )
    return StoredSchedule(
        Workspace(team_id=r["team_id"], enterprise_id=r["enterprise_id"]),
        schedule,
        r["last_error"],
        r["last_error_at"],
    )


class Schedules:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _one(self, ws: Workspace, channel_id: str) -> ColumnElement[bool]:
        return in_workspace(schedules, ws) & (schedules.c.channel_id == channel_id)

    def save(self, ws: Workspace, schedule: Schedule, user_id: str, now: datetime) -> None:
        """Create or replace the channel's schedule (and forget its last failure)."""
        values = {
            "local_time": schedule.at.strftime("%H:%M"),
            "timezone": schedule.timezone,
            "days": format_days(schedule.days),
            "updated_by": user_id,
            "updated_at": now,
            "last_error": None,
            "last_error_at": None,
        }
        key = {**workspace_values(ws), "channel_id": schedule.channel_id}
        with self.db.begin() as conn:
            inserted = conn.execute(
                self.db.insert(schedules)
                .values(**key, **values)
                .on_conflict_do_nothing()
                .returning(schedules.c.channel_id)
            ).first()
            if inserted is None:
                conn.execute(update(schedules).where(self._one(ws, schedule.channel_id)).values(values))

    def delete(self, ws: Workspace, channel_id: str) -> bool:
        with self.db.begin() as conn:
            return conn.execute(delete(schedules).where(self._one(ws, channel_id))).rowcount > 0

    def get(self, ws: Workspace, channel_id: str) -> StoredSchedule | None:
        with self.db.read() as conn:
            row = conn.execute(select(schedules).where(self._one(ws, channel_id))).first()
        return _stored(row) if row is not None else None

    def active(self) -> list[StoredSchedule]:
        """Every schedule of a workspace that is installed (not uninstalled), in a stable order."""
        gone = (
            select(workspaces.c.team_id)
            .where(
                workspaces.c.enterprise_id == schedules.c.enterprise_id,
                workspaces.c.team_id == schedules.c.team_id,
                workspaces.c.uninstalled_at.is_not(None),
            )
            .exists()
        )
        query = (
            select(schedules)
            .where(~gone)
            .order_by(schedules.c.enterprise_id, schedules.c.team_id, schedules.c.channel_id)
        )
        with self.db.read() as conn:
            return [_stored(r) for r in conn.execute(query)]

    def in_workspace(self, ws: Workspace) -> list[StoredSchedule]:
        query = select(schedules).where(in_workspace(schedules, ws)).order_by(schedules.c.channel_id)
        with self.db.read() as conn:
            return [_stored(r) for r in conn.execute(query)]

    def record_error(self, ws: Workspace, channel_id: str, error: str | None, now: datetime) -> None:
        """Remember why the last scheduled post failed (None: it worked), for `/quiz status`."""
        with self.db.begin() as conn:
            conn.execute(
                update(schedules)
                .where(self._one(ws, channel_id))
                .values(last_error=error and error[:64], last_error_at=now if error else None)
            )
