"""`/leaderboard` (privately, in the acknowledgement) and sharing it in the channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import views
from bot.domain.workspace import Workspace
from bot.listeners import payload
from bot.listeners.context import BotContext, bot_of
from bot.views import ids

USAGE = "Use `/leaderboard` for this week or `/leaderboard last` for last week."
ONLY_HERE = "That leaderboard can only be shared where it was asked for."


def leaderboard(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    words = payload.command_text(command).lower().split()
    if words and words[0] not in ("last", "this"):
        ack(response_type="ephemeral", text=USAGE, blocks=views.quiz.notice_blocks(USAGE))
        return
    bot, channel, user = bot_of(context), payload.channel_id(command), payload.user_id(command)
    board = bot.services.boards.board(payload.workspace(context), channel, user, last=words[:1] == ["last"])
    shown = views.boards.leaderboard_blocks(channel, board.week, board.standings, board.caller, user)
    ack(response_type="ephemeral", text=views.kit.plain(f"Leaderboard {board.week.dates}"), blocks=shown)


def share_board(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    bot = bot_of(context)
    bot.later("share a leaderboard", _share, bot, payload.workspace(context), body)


def _share(bot: BotContext, ws: Workspace, body: dict[str, Any]) -> None:
    """Post the board in the channel, with names rather than mentions (nobody is notified)."""
    value, here, sharer = payload.action_value(body), payload.channel_id(body), payload.user_id(body)
    shared = bot.services.boards.shared(ws, value, here, sharer)
    if shared is None:
        bot.reply_now(body, text=ONLY_HERE)
        return
    text, shown = shared
    bot.reply_now(body, text=text, blocks=shown, response_type="in_channel")


def register(app: App) -> None:
    app.command("/leaderboard")(leaderboard)
    app.action(ids.LEADERBOARD_SHARE)(share_board)
