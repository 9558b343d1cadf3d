"""Events: the Home tab opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.listeners.context import BotContext


def register(app: App, ctx: BotContext) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            ctx.home.publish(str(event["user"]))

    @app.event("message")
    def ignore_messages() -> None:
        """The bot reads no messages; acknowledging keeps Bolt from logging each as unhandled."""
