"""Keeping every process's glossaries current with the approved suggestions of each workspace.

`refresh()` (a job every 2 seconds) asks the database for each workspace's
newest change, and for a workspace whose overlay moved (or when the file was
reloaded) applies its active changes on top of the file
(`bot.domain.edits.apply_changes`).  Changes the file now holds are retired
as exported; changes the file contradicts are retired as conflicts and logged:
the file is the source of truth.  Should the changes together break `check`'s
rules (approvals are checked, so only a race could), the newest are retired as
invalid and logged, and the rest serve.  A workspace whose data was deleted
loses its overlay here too.
"""

from __future__ import annotations

import logging
import threading

from bot.domain.edits import Applied, Change, apply_changes
from bot.domain.text import normalise
from bot.domain.workspace import Workspace
from bot.services.core import Core
from bot.storage.glossary_changes import OverlayChange

log = logging.getLogger(__name__)


class Overlays:
    def __init__(self, core: Core) -> None:
        self.core = core
        self._lock = threading.Lock()
        self._seen: dict[Workspace, tuple[int, int]] = {}  # (newest change id, file version) applied
        core.glossaries.load_overlay = self.rebuild  # an overlay dropped for room is built again

    def refresh(self) -> None:
        glossaries = self.core.glossaries
        glossaries.reload_if_changed()
        versions = self.core.storage.overlay.versions()
        for ws in [ws for ws in self._seen if ws not in versions]:  # deleted (forgotten, or purged)
            glossaries.forget_overlay(ws)
            del self._seen[ws]
        for ws, newest in versions.items():
            if self._seen.get(ws) != (newest, glossaries.version):
                self.rebuild(ws, newest)

    def key_of(self, ws: Workspace, name: str) -> str:
        """The chain a term served under `name` belongs to: the key of the change that gave it this
        name (a term renamed or added by an approved change), else the name itself."""
        wanted = normalise(name)
        keys = [
            c.change.term_key
            for c in self.core.storage.overlay.active(ws)
            if normalise(c.change.fields.term) == wanted
        ]
        return keys[-1] if keys else wanted

    def candidate(self, ws: Workspace, change: Change) -> Applied:
        """The workspace's glossary as it would be with `change` approved too."""
        active = [c.change for c in self.core.storage.overlay.active(ws)]
        return apply_changes(self.core.glossaries.base.glossary, [*active, change])

    def rebuild(self, ws: Workspace, newest: int | None = None) -> None:
        storage, glossaries = self.core.storage, self.core.glossaries
        with self._lock:
            version = glossaries.version
            active = storage.overlay.active(ws)
            applied = self._apply(ws, active)
            serving = len(applied.caught_up) + len(applied.conflicts) < len(active)
            glossaries.set_overlay(ws, applied.glossary if serving else None)
            latest = newest if newest is not None else max((c.change.id for c in active), default=0)
            self._seen[ws] = (latest, version)

    def _apply(self, ws: Workspace, active: list[OverlayChange]) -> Applied:
        storage, now = self.core.storage, self.core.clock()
        base = self.core.glossaries.base.glossary
        changes = [c.change for c in active]
        applied = apply_changes(base, changes)
        while applied.problems() and changes:
            dropped = changes.pop()
            log.error(
                "workspace %s: approved change %s breaks the glossary's rules; retired", ws.key, dropped.id
            )
            storage.overlay.retire([dropped.id], "invalid", now)
            applied = apply_changes(base, changes)
        storage.overlay.retire(applied.caught_up, "exported", now)
        if applied.conflicts:
            log.warning(
                "workspace %s: the glossary file changed terms that approved suggestions also changed; "
                "the file wins, changes %s retired as conflicts",
                ws.key,
                applied.conflicts,
            )
            storage.overlay.retire(applied.conflicts, "conflict", now)
        return applied
