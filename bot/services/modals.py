"""Opening and updating modals: the Web API calls that answer a click with a view.

Listeners hand a built view here (through `BotContext.open_modal` and
`update_modal`, after the acknowledgement), so no listener calls Slack itself.
"""

from __future__ import annotations

from bot.domain.workspace import Workspace
from bot.services.core import Core


class Modals:
    def __init__(self, core: Core) -> None:
        self.core = core

    def open(self, ws: Workspace, trigger_id: str, view: dict[str, object]) -> None:
        self.core.client(ws).views_open(trigger_id=trigger_id, view=view)

    def update(
        self, ws: Workspace, view_id: str, view: dict[str, object], view_hash: str | None = None
    ) -> None:
        """Replace an open modal; with `view_hash`, Slack refuses it if the modal changed meanwhile."""
        self.core.client(ws).views_update(view_id=view_id, hash=view_hash, view=view)
