"""Keeping every process's glossaries current with the approved suggestions of each workspace.

`refresh()` (a job every 2 seconds, and right after an approval in the process
that approved) asks the database for each workspace's newest change, and for
a workspace whose overlay moved (or when the file was reloaded) applies its
active changes on top of the file (`bot.glossary_edits.apply_changes`).
Changes the file now holds are retired as exported; changes the file
contradicts are retired as conflicts and logged: the file is the source of
truth.  An overlay that would make an invalid glossary is logged and not used.
"""

from __future__ import annotations

import logging
import threading

from bot.glossary import GlossaryError, parse_glossary
from bot.glossary_edits import apply_changes, to_yaml
from bot.service.core import Core
from bot.workspace import Workspace

log = logging.getLogger(__name__)


class Overlays:
    def __init__(self, core: Core) -> None:
        self.core = core
        self._lock = threading.Lock()
        self._seen: dict[Workspace, tuple[int, int]] = {}  # (newest change id, file version) applied

    def refresh(self) -> None:
        glossaries = self.core.glossaries
        glossaries.reload_if_changed()
        for ws, newest in self.core.storage.overlay.versions().items():
            if self._seen.get(ws) != (newest, glossaries.version):
                self.rebuild(ws, newest)

    def rebuild(self, ws: Workspace, newest: int | None = None) -> None:
        storage, glossaries = self.core.storage, self.core.glossaries
        with self._lock:
            version = glossaries.version
            active = storage.overlay.active(ws)
            applied = apply_changes(glossaries.base.glossary, [c.change for c in active])
            now = self.core.clock()
            storage.overlay.retire(applied.caught_up, "exported", now)
            if applied.conflicts:
                log.warning(
                    "workspace %s: the glossary file changed terms that approved suggestions also changed; "
                    "the file wins, changes %s retired as conflicts",
                    ws.key,
                    applied.conflicts,
                )
                storage.overlay.retire(applied.conflicts, "conflict", now)
            overlaid = len(applied.caught_up) + len(applied.conflicts) < len(active)
            try:
                if overlaid:
                    parse_glossary(to_yaml(applied.glossary), f"overlay of {ws.key}")
            except GlossaryError as exc:
                log.error(
                    "workspace %s: approved changes do not make a valid glossary; not used.\n%s",
                    ws.key,
                    exc.report(),
                )
                return
            glossaries.set_overlay(ws, applied.glossary if overlaid else None)
            latest = newest if newest is not None else max((c.change.id for c in active), default=0)
            self._seen[ws] = (latest, version)
