"""The running bot's glossaries: the file, reloaded when it changes, and each workspace's overlay.

`Glossaries.base` is the last good glossary from the file with its lookup
index, every workspace's default; `for_workspace(ws)` is what one workspace
sees: the base, or the base with its approved suggestions applied
(`set_overlay`, kept current by `bot.services.overlays`).  A check (run every
few seconds by the scheduler) compares the file's modification time and size;
on a change it loads the file again and bumps `version`, so overlays are
applied again on top of it.  An invalid edit is logged with the full report
and the last good glossary keeps serving.

At most `OVERLAYS_KEPT` overlays (a glossary and its index each) are kept in
memory; past that the oldest is dropped, and built again from the database
(`load_overlay`, set by `bot.services.overlays`) the next time its workspace
asks, so memory stays flat however many workspaces approve suggestions.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.domain.descriptions import DescriptionIndex
from bot.domain.glossary import Glossary, GlossaryError, load_glossary
from bot.domain.lookup import Lookup
from bot.domain.mentions import MentionScanner
from bot.domain.workspace import Workspace

log = logging.getLogger(__name__)
OVERLAYS_KEPT = 200  # workspaces whose glossary-with-changes is kept built in memory


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Loaded:
    """One glossary snapshot: the terms and their lookup index (a snapshot never changes)."""

    glossary: Glossary
    lookup: Lookup

    # Built on first use, once per snapshot (a snapshot never changes): a workspace that never
    # describes a term or explains a message never pays for them.
    @cached_property
    def descriptions(self) -> DescriptionIndex:
        """The full-text index of definitions, traps, names and aliases (`/define` by description)."""
        return DescriptionIndex(self.glossary)

    @cached_property
    def mentions(self) -> MentionScanner:
        """The multi-pattern matcher of every name and alias ("Explain terms")."""
        return MentionScanner(self.glossary)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class Glossaries:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp = _stamp(self.path)
        glossary = load_glossary(self.path)  # GlossaryError: the bot refuses to start
        self._current = Loaded(glossary, Lookup(glossary))
        # Read without the lock (one dict read is atomic); changed under it.  Oldest first.
        self._overlays: dict[Workspace, Loaded] = {}
        self._dropped: set[Workspace] = set()  # overlays dropped for room: built again on demand
        self.load_overlay: Callable[[Workspace], None] = lambda ws: None
        self.version = 1  # bumped on every reload of the file

    @property
    def base(self) -> Loaded:
        """The file's glossary, every workspace's default."""
        return self._current

    def for_workspace(self, ws: Workspace) -> Loaded:
        found = self._overlays.get(ws)
        if found is None and ws in self._dropped:
            self.load_overlay(ws)  # dropped for room: built again from the database
            found = self._overlays.get(ws)
        return found or self._current

    def set_overlay(self, ws: Workspace, glossary: Glossary | None) -> None:
        """What `ws` sees from now on: `glossary` (the base with its approved changes), or the base."""
        with self._lock:
            self._dropped.discard(ws)
            self._overlays.pop(ws, None)
            if glossary is not None:
                self._overlays[ws] = Loaded(glossary, Lookup(glossary))
                while len(self._overlays) > OVERLAYS_KEPT:
                    oldest = next(iter(self._overlays))
                    del self._overlays[oldest]
                    self._dropped.add(oldest)

    def forget_overlay(self, ws: Workspace) -> None:
        """The workspace has no overlay any more (its data was deleted)."""
        with self._lock:
            self._dropped.discard(ws)
            self._overlays.pop(ws, None)

    def reload_if_changed(self) -> bool:
        """Reload after an edit; True when a new glossary is now serving."""
        stamp = _stamp(self.path)
        with self._lock:
            if stamp == self._stamp:
                return False
            self._stamp = stamp
            try:
                glossary = load_glossary(self.path)
            except GlossaryError as exc:
                log.error("glossary edit not loaded; still serving the last good one.\n%s", exc.report())
                return False
            self._current = Loaded(glossary, Lookup(glossary))
            self.version += 1
        log.info("glossary reloaded: %d terms from %s", len(glossary.terms), self.path)
        return True
