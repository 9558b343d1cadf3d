"""Installed workspaces: install state, per-workspace settings, and deleting a workspace's data.

A workspace row is written at install (or at start, in single-workspace mode)
and marked at uninstall; its schedules then stop at once, and its data is
deleted `DATA_RETENTION_DAYS` later by `purge_uninstalled`, whose row lock
makes the deletion happen once however many replicas run it.  Settings left
NULL fall back to the environment's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from bot.domain.workspace import UNOWNED, Workspace
from bot.storage.database import Database, in_workspace, workspace_values
from bot.storage.tables import WORKSPACE_TABLES, workspaces

SETTING_COLUMNS = ("quiz_admins", "glossary_owners", "review_channel", "default_timezone")


@dataclass(frozen=True)
class WorkspaceRecord:
    workspace: Workspace
    is_enterprise_install: bool
    installed_at: datetime
    uninstalled_at: datetime | None
    settings: dict[str, str | None]

    @property
    def active(self) -> bool:
        return self.uninstalled_at is None


class Workspaces:
    def __init__(self, db: Database) -> None:
        self.db = db

    def installed(self, ws: Workspace, is_enterprise_install: bool, now: datetime) -> None:
        """Record an install (or a reinstall, which cancels a pending deletion)."""
        with self.db.begin() as conn:
            conn.execute(
                self.db.insert(workspaces)
                .values(
                    **workspace_values(ws),
                    is_enterprise_install=is_enterprise_install,
                    installed_at=now,
                    updated_at=now,
                )
                .on_conflict_do_update(
                    index_elements=[workspaces.c.enterprise_id, workspaces.c.team_id],
                    set_={
                        "uninstalled_at": None,
                        "installed_at": now,
                        "updated_at": now,
                        "is_enterprise_install": is_enterprise_install,
                    },
                )
            )

    def uninstalled(self, ws: Workspace, now: datetime, happened_at: datetime | None = None) -> bool:
        """Mark the workspace gone; True the first time (its jobs must stop).

        With `happened_at` (an event's time), an install made after it wins: a retried
        `app_uninstalled` delivered after a reinstall changes nothing.
        """
        query = update(workspaces).where(in_workspace(workspaces, ws), workspaces.c.uninstalled_at.is_(None))
        if happened_at is not None:
            query = query.where(workspaces.c.installed_at <= happened_at)
        with self.db.begin() as conn:
            done = conn.execute(query.values(uninstalled_at=now, updated_at=now))
        return done.rowcount == 1

    def get(self, ws: Workspace) -> WorkspaceRecord | None:
        with self.db.read() as conn:
            r = conn.execute(select(workspaces).where(in_workspace(workspaces, ws))).first()
        if r is None:
            return None
        return WorkspaceRecord(
            ws,
            bool(r.is_enterprise_install),
            r.installed_at,
            r.uninstalled_at,
            {name: getattr(r, name) for name in SETTING_COLUMNS},
        )

    def all(self) -> list[Workspace]:
        query = select(workspaces.c.enterprise_id, workspaces.c.team_id).order_by(
            workspaces.c.enterprise_id, workspaces.c.team_id
        )
        with self.db.read() as conn:
            return [Workspace(team_id=r.team_id, enterprise_id=r.enterprise_id) for r in conn.execute(query)]

    def set_setting(self, ws: Workspace, name: str, value: str | None, now: datetime) -> None:
        if name not in SETTING_COLUMNS:
            raise ValueError(f"unknown workspace setting {name!r}")
        with self.db.begin() as conn:  # an upsert: the setting sticks even before an install is recorded
            conn.execute(
                self.db.insert(workspaces)
                .values(**workspace_values(ws), installed_at=now, updated_at=now, **{name: value})
                .on_conflict_do_update(
                    index_elements=[workspaces.c.enterprise_id, workspaces.c.team_id],
                    set_={name: value, "updated_at": now},
                )
            )

    def adopt_unowned(self, ws: Workspace) -> int:
        """Give rows written before workspaces existed (release 0.1) to `ws`; how many moved."""
        moved = 0
        with self.db.begin() as conn:
            for table in WORKSPACE_TABLES:
                moved += conn.execute(
                    update(table).where(in_workspace(table, UNOWNED)).values(**workspace_values(ws))
                ).rowcount
        return moved

    def due_for_deletion(self, uninstalled_before: datetime) -> list[Workspace]:
        query = select(workspaces.c.enterprise_id, workspaces.c.team_id).where(
            workspaces.c.uninstalled_at < uninstalled_before
        )
        with self.db.read() as conn:
            return [Workspace(team_id=r.team_id, enterprise_id=r.enterprise_id) for r in conn.execute(query)]

    def delete_data(self, ws: Workspace, uninstalled_before: datetime | None = None) -> bool:
        """Delete every row of the workspace; with `uninstalled_before`, only if it is still due.

        The workspace row is locked first, so of several processes deleting the
        same workspace one does the work and the others find nothing to do.
        """
        with self.db.begin() as conn:
            query = select(workspaces.c.team_id).where(in_workspace(workspaces, ws))
            if uninstalled_before is not None:
                query = query.where(workspaces.c.uninstalled_at < uninstalled_before)
            found = conn.execute(query.with_for_update()).first() is not None
            if uninstalled_before is not None and not found:
                return False
            for table in WORKSPACE_TABLES:
                conn.execute(delete(table).where(in_workspace(table, ws)))
            conn.execute(delete(workspaces).where(in_workspace(workspaces, ws)))
        return True
