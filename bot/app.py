"""Building the Bolt app: `build_app(settings, context)` registers every listener.

The app is the same in HTTP mode (served by `bot.web`) and in Socket Mode.
One error handler turns unexpected failures into a short apology for the user
(a 200, never a 500 and never a stack trace in Slack) and turns a database
outage into "please try again".
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.config import Settings
from bot.listeners import actions, commands, events
from bot.listeners.context import BotContext

log = logging.getLogger(__name__)

DB_DOWN = "The bot's database is not reachable right now, so nothing was saved. Please try again in a minute."
BROKEN = "Sorry, something went wrong on my side and nothing was saved. Please try again."


def build_app(settings: Settings, ctx: BotContext, client: WebClient) -> App:
    app = App(
        client=client,
        signing_secret=settings.signing_secret or None,
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,
        process_before_response=False,
        logger=logging.getLogger("slack_bolt"),
    )
    commands.register(app, ctx)
    actions.register(app, ctx)
    events.register(app, ctx)

    @app.error
    def on_error(
        error: Exception, body: dict[str, Any], respond: Any, response: BoltResponse | None
    ) -> BoltResponse | None:
        text = DB_DOWN if isinstance(error, (OperationalError, DBAPIError)) else BROKEN
        log.error("listener failed: %s", type(error).__name__, exc_info=error)
        if response is not None and isinstance(body, dict) and body.get("command"):
            # A slash command not yet acknowledged: the apology is the answer.
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        if respond is not None and isinstance(body, dict) and body.get("response_url"):
            try:
                respond(text=text, response_type="ephemeral", replace_original=False)
            except Exception:  # noqa: BLE001 - nothing more can be said to the user
                log.warning("could not tell the user about the failure")
        if response is not None:
            return BoltResponse(status=200, body="")  # acknowledged: never a 500 to Slack
        return None

    return app
