"""The "Explain terms" message shortcut: every glossary term a message mentions, privately."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.listeners import payload
from bot.listeners.context import bot_of
from bot.views.ids import EXPLAIN_CALLBACK


def explain_terms(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """Acknowledge at once; the answer goes to the shortcut's response_url (ephemeral)."""
    ack()
    bot, ws = bot_of(context), payload.workspace(context)
    answer = bot.services.definitions.explain(ws, payload.message_text(body))
    bot.reply(body, text=answer.text, blocks=answer.blocks)


def register(app: App) -> None:
    app.message_shortcut(EXPLAIN_CALLBACK)(explain_terms)
