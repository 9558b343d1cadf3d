"""The Home tab and private practice: opened, answered, next."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.listeners import payload
from bot.listeners.context import bot_of
from bot.views import ids


def home_opened(event: dict[str, Any], context: BoltContext) -> None:
    """Publish the person's Home from the pool: the event's acknowledgement never waits for Slack."""
    if event.get("tab", "home") == "home" and event.get("user"):
        bot = bot_of(context)
        bot.later(
            "publish a Home tab", bot.services.home.publish, payload.workspace(context), str(event["user"])
        )


def practice_start(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    bot, ws, user = bot_of(context), payload.workspace(context), payload.user_id(body)
    bot.open_modal(ws, body, lambda: bot.services.practice.next_question(ws, user))


def practice_answer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """Judged and stored before the acknowledgement; the modal is updated afterwards."""
    bot, ws, view = bot_of(context), payload.workspace(context), payload.view(body)
    meta = str(view.get("private_metadata") or "")
    shown = bot.services.practice.answer_or_ask(ws, payload.user_id(body), meta, payload.choice_index(body))
    ack()
    if view.get("id"):
        bot.update_modal(ws, str(view["id"]), shown, view.get("hash"))


def practice_next(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    bot, ws, view = bot_of(context), payload.workspace(context), payload.view(body)
    user, last = payload.user_id(body), payload.action_value(body)
    if view.get("id"):
        bot.update_modal(
            ws, str(view["id"]), lambda: bot.services.practice.next_question(ws, user, last=last)
        )


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(ids.HOME_PRACTICE)(practice_start)
    app.action(re.compile(rf"^{ids.PRACTICE_ANSWER}_\d+$"))(practice_answer)
    app.action(ids.PRACTICE_NEXT)(practice_next)
