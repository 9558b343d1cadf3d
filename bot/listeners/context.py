"""`BotContext`: what every listener reaches through Bolt's context (`context["study_lab"]`).

A middleware puts it there for every request, so listeners are plain
module-level functions that a unit test can call with a stub `ack`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.config import Settings
from bot.domain.workspace import Workspace
from bot.services import Services
from bot.services.core import Core

KEY = "study_lab"


@dataclass
class BotContext:
    services: Services
    settings: Settings
    on_schedule_change: Callable[[], None] = lambda: None

    @property
    def core(self) -> Core:
        return self.services.core

    def later(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `fn` in the bot's own pool, after the acknowledgement has been sent."""
        self.core.after_ack.run(what, fn, *args, **kwargs)

    def open_modal(self, ws: Workspace, body: dict[str, Any], view: View) -> None:
        """Open `view` for the click in `body`, after the acknowledgement (a trigger lives 3 seconds).
        A view that needs the database comes as a function, built after the acknowledgement too."""
        trigger = body.get("trigger_id")
        if trigger:
            self.later("open a modal", lambda: self.services.modals.open(ws, str(trigger), _built(view)))

    def update_modal(self, ws: Workspace, view_id: str, view: View, view_hash: str | None = None) -> None:
        self.later(
            "update a modal", lambda: self.services.modals.update(ws, view_id, _built(view), view_hash)
        )

    def reply(self, body: dict[str, Any], **message: Any) -> None:
        """Answer through the request's response_url, from the pool after the acknowledgement;
        private unless said otherwise."""
        if body.get("response_url"):  # else a Home tab or modal click: there is no message to answer
            self.later("reply", self.reply_now, body, **message)

    def reply_now(self, body: dict[str, Any], **message: Any) -> None:
        """`reply` in the calling thread, for work that already runs in the pool."""
        url = body.get("response_url")
        if url:
            message.setdefault("response_type", "ephemeral")
            message.setdefault("replace_original", False)
            self.core.responses.post(str(url), message)


View = dict[str, object] | Callable[[], dict[str, object]]


def _built(view: View) -> dict[str, object]:
    return view() if callable(view) else view


def bot_of(context: BoltContext) -> BotContext:
    bot = context[KEY]
    assert isinstance(bot, BotContext)
    return bot


class Attach(Middleware):
    """A global middleware that puts the bot into every request's context.

    A `Middleware` subclass rather than a function: Bolt calls a function
    middleware through its argument injection (about 10 us a request, the cost
    of a listener's), and this one runs for every request there is.
    """

    def __init__(self, bot: BotContext) -> None:
        self.bot = bot

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],  # noqa: A002 - Bolt's name
    ) -> BoltResponse | None:
        req.context[KEY] = self.bot
        return next()
