"""Events about the installation itself: uninstalled, tokens revoked; and messages the bot ignores."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.listeners import payload
from bot.listeners.context import bot_of


def workspace_gone(body: dict[str, Any], context: BoltContext) -> None:
    """`app_uninstalled` or `tokens_revoked`: stop the workspace now; its data waits for the retention.
    A delivery older than a reinstall (Slack retries events) changes nothing."""
    bot = bot_of(context)
    bot.later(
        "stop a workspace", bot.services.workspaces.gone, payload.workspace(context), payload.event_time(body)
    )


def tokens_revoked(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    if (event.get("tokens") or {}).get("bot"):
        workspace_gone(body, context)


def ignore(body: dict[str, Any]) -> None:
    """The bot reads no messages; acknowledging keeps Bolt from logging each as unhandled."""


def register(app: App) -> None:
    app.event("app_uninstalled")(workspace_gone)
    app.event("tokens_revoked")(tokens_revoked)
    app.event("message")(ignore)
