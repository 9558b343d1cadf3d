"""`/define` and the glossary's buttons and menus: term cards, related terms, sharing."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.domain.workspace import Workspace
from bot.listeners import payload
from bot.listeners.context import BotContext, bot_of
from bot.views import ids

GONE = "That term is no longer in the glossary."


def define(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """`/define TEXT`: the private answer is the acknowledgement itself."""
    services, ws = bot_of(context).services, payload.workspace(context)
    answer = services.definitions.define(ws, payload.command_text(command), services.suggestions.enabled(ws))
    ack(response_type="ephemeral", text=answer.text, blocks=answer.blocks)


def show_term(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """A "Did you mean", "Related" or menu pick: the card replaces the private message."""
    bot, ws = bot_of(context), payload.workspace(context)
    suggest = bot.services.suggestions.enabled(ws)
    card = bot.services.definitions.card(ws, payload.action_value(body), suggest=suggest)
    ack()
    if card is None:
        bot.reply(body, text=GONE)
    else:
        bot.reply(body, text=card.text, blocks=card.blocks, replace_original=True)


def share_term(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    bot = bot_of(context)
    bot.later("share a term", _share, bot, payload.workspace(context), body)


def _share(bot: BotContext, ws: Workspace, body: dict[str, Any]) -> None:
    services = bot.services
    name = services.people.name(ws, payload.user_id(body))
    card = services.definitions.card(ws, payload.action_value(body), shared_by=name)
    if card is None:
        bot.reply_now(body, text=GONE)
    else:
        bot.reply_now(body, text=card.text, blocks=card.blocks, response_type="in_channel")


def term_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """Options for a category menu of a large glossary, as the person types."""
    typed = str(body.get("value") or "")[:100]
    block = str(body.get("block_id") or "")
    ack(options=bot_of(context).services.definitions.options(payload.workspace(context), block, typed))


def home_pick(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """A term picked in the Home tab's glossary: its card in a modal."""
    bot = bot_of(context)
    modal = bot.services.definitions.modal(payload.workspace(context), payload.action_value(body))
    ack()
    if modal is not None:
        bot.open_modal(payload.workspace(context), body, modal)


def register(app: App) -> None:
    """`/define`, and the glossary's buttons and menus."""
    app.command("/define")(define)
    app.action(re.compile(rf"^{ids.DEFINE_SHOW}_\d+$"))(show_term)
    app.action(ids.DEFINE_PICK)(show_term)
    app.action(re.compile(rf"^{ids.DEFINE_SHARE}(_\d+)?$"))(share_term)
    app.options(ids.DEFINE_PICK)(term_options)
    app.options(ids.HOME_PICK)(term_options)
    app.action(ids.HOME_PICK)(home_pick)
