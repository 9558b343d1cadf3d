"""The App Home tab: one person's progress (with their own "initial vs current"), their rank per channel,
the glossary, a Practice button.

Published when the person opens the tab (Slack says so every time), and
refreshed after they answer a quiz if they opened it lately (`VIEWER_SECONDS`),
as someone may still have it on screen: answers mark such a Home stale and a job
republishes stale Homes.  Anyone else finds theirs fresh when they next open it,
so a burst of clicks from people elsewhere in Slack costs no Home work at all
(it cost a sixth of the bot's CPU in `bench/clicks.py`).  Both draw on the
workspace's `views.publish` budget, shared by every process: refreshes stop at
`REFRESH_LIMIT` a minute so that people opening the tab always find room under
Slack's tier (about 100 a minute).
"""

from __future__ import annotations

import logging
import threading

from cachetools import TTLCache

from bot import views
from bot.domain.workspace import Workspace
from bot.services.boards import Boards
from bot.services.core import UNREACHABLE, Core
from bot.services.learning import LearningReports
from bot.services.suggestions import SuggestionBox
from bot.slack.client import SLACK_FAILURES

log = logging.getLogger(__name__)
PUBLISH_LIMIT = 100  # views.publish a minute per workspace (Tier 4)
REFRESH_LIMIT = 60  # of which refreshes after answers may use this many
REFRESH_BATCH = 50  # stale Homes tried per run
VIEWER_SECONDS = 15 * 60  # a Home opened this lately is refreshed after its owner answers
VIEWERS = 50_000  # remembered viewers per process (the oldest are forgotten first)


class HomeTabs:
    def __init__(
        self, core: Core, boards: Boards, suggestions: SuggestionBox, learning: LearningReports | None = None
    ) -> None:
        self.core = core
        self.learning = learning
        self.boards = boards
        self.suggestions = suggestions
        self._stale: set[tuple[Workspace, str]] = set()
        self._viewers: TTLCache[tuple[Workspace, str], bool] = TTLCache(
            VIEWERS, VIEWER_SECONDS, timer=lambda: core.clock().timestamp()
        )
        self._lock = threading.Lock()

    def view_for(self, ws: Workspace, user_id: str) -> dict[str, object]:
        storage = self.core.storage
        progress = storage.answers.progress(ws, user_id)
        ranks: list[tuple[str, int | None]] = []
        for channel in storage.answers.channels_of(ws, user_id)[:10]:
            board = self.boards.board(ws, channel, user_id, last=False)
            ranks.append((channel, board.caller.rank if board.caller else None))
        return views.home.home_view(
            self.core.glossary(ws).glossary,
            progress.answered,
            progress.right,
            progress.streak,
            ranks,
            storage.practice.count(ws, user_id),
            [
                *(self.learning.home_blocks(ws, user_id) if self.learning else []),
                *self.suggestions.owners_blocks(ws, user_id),
            ],
        )

    def publish(self, ws: Workspace, user_id: str, refresh: bool = False) -> bool:
        """Publish the user's Home; False when the budget had no room (or Slack failed)."""
        limit = REFRESH_LIMIT if refresh else PUBLISH_LIMIT
        if not self.core.storage.budgets.take(ws, "views.publish", limit, self.core.clock()):
            return False
        try:
            self.core.client(ws).views_publish(user_id=user_id, view=self.view_for(ws, user_id))
            if not refresh:
                with self._lock:
                    self._viewers[(ws, user_id)] = True
        except UNREACHABLE as exc:
            log.warning("Home tab not published (%s)", type(exc).__name__)
            if isinstance(exc, SLACK_FAILURES):
                self.core.check_token(ws, exc)
        return True

    def mark_stale(self, ws: Workspace, user_id: str) -> None:
        """Refresh the user's Home soon, if they opened it lately (else it is fresh when they do)."""
        with self._lock:
            if (ws, user_id) in self._viewers:
                self._stale.add((ws, user_id))

    def publish_stale(self) -> int:
        """Refresh Homes of people who answered since; what the budget has no room for waits."""
        with self._lock:
            batch = sorted(self._stale)[:REFRESH_BATCH]
            self._stale.difference_update(batch)
        published, full = 0, set()
        for ws, user_id in batch:
            if ws not in full and self.publish(ws, user_id, refresh=True):
                published += 1
                continue
            full.add(ws)  # no room this minute: this workspace's others wait without asking again
            with self._lock:
                self._stale.add((ws, user_id))
        return published
