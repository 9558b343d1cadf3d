"""The approved overlay: each workspace's approved glossary changes, with their history.

Every process polls `versions()` (each workspace's newest change) and applies
a workspace's `active()` changes on top of the glossary file when it moves
(`bot.services.overlays`); changes the file has caught up with, or contradicts,
are `retire`d but kept, so the history of who changed what stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from bot.domain.edits import Change, TermText
from bot.domain.workspace import Workspace
from bot.storage.database import Database, in_workspace
from bot.storage.tables import glossary_changes


@dataclass(frozen=True)
class OverlayChange:
    workspace: Workspace
    change: Change
    author_id: str
    approved_by: str
    approved_at: datetime


class Overlay:
    """The approved changes not yet retired, per workspace, with their history."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _changes(self, *where: object) -> list[OverlayChange]:
        query = select(glossary_changes).where(*where).order_by(glossary_changes.c.id)  # type: ignore[arg-type]
        with self.db.read() as conn:
            return [
                OverlayChange(
                    Workspace(team_id=r.team_id, enterprise_id=r.enterprise_id),
                    Change(
                        r.id,
                        r.term_key,
                        TermText.from_json(r.fields),
                        TermText.from_json(r.base_fields) if r.base_fields else None,
                    ),
                    r.author_id,
                    r.approved_by,
                    r.approved_at,
                )
                for r in conn.execute(query)
            ]

    def active(self, ws: Workspace) -> list[OverlayChange]:
        return self._changes(in_workspace(glossary_changes, ws), glossary_changes.c.retired_at.is_(None))

    def history(self, ws: Workspace) -> list[OverlayChange]:
        return self._changes(in_workspace(glossary_changes, ws))

    def versions(self) -> dict[Workspace, int]:
        """Each workspace's newest change id (retired or not): a process rebuilds a workspace's
        glossary when this moves."""
        query = select(
            glossary_changes.c.enterprise_id, glossary_changes.c.team_id, func.max(glossary_changes.c.id)
        ).group_by(glossary_changes.c.enterprise_id, glossary_changes.c.team_id)
        with self.db.read() as conn:
            return {Workspace(team_id=r[1], enterprise_id=r[0]): int(r[2]) for r in conn.execute(query)}

    def retire(self, ids: list[int], why: str, now: datetime) -> None:
        if not ids:
            return
        with self.db.begin() as conn:
            conn.execute(
                update(glossary_changes)
                .where(glossary_changes.c.id.in_(ids), glossary_changes.c.retired_at.is_(None))
                .values(retired_at=now, retired_why=why)
            )
