"""Building the Bolt app: `build_app(...)` registers every listener, and the OAuth flow when installing.

The app answers from the request thread (`process_before_response=True`):
each listener's `ack` becomes the HTTP response the moment the listener
returns, with no polling, and everything slow after it runs in the bot's own
pool (`Core.after_ack`).  One error handler turns unexpected failures into a
short apology for the user (a 200, never a 500 and never a stack trace in
Slack) and a database outage into "please try again".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache
from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.config import Settings
from bot.domain.workspace import Workspace
from bot.listeners import register_listeners
from bot.listeners.context import BotContext
from bot.services.core import DB_DOWN

log = logging.getLogger(__name__)
BROKEN = "Sorry, something went wrong on my side and nothing was saved. Please try again."
# The bot scopes the app asks for at install; manifest.yml lists the same (a test checks).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
    "files:write",
    "im:write",
)
STATE_EXPIRATION_SECONDS = 600
AUTHORIZE_CACHE_SIZE = 10_000  # tokens whose auth.test answer is kept (least recently used go first)
AUTHORIZE_CACHE_SECONDS = 3600.0  # and for at most this long


def authorize_url(api_url: str) -> str:
    """Slack's authorize page beside its Web API (https://slack.com/oauth/v2/authorize for the real one)."""
    return api_url.removesuffix("/").removesuffix("api") + "oauth/v2/authorize"


def oauth_settings(
    settings: Settings,
    client: WebClient,
    installations: SQLAlchemyInstallationStore,
    states: SQLAlchemyOAuthStateStore,
    rotator: TokenRotator,
    on_installed: Callable[[Workspace, bool], None],
) -> OAuthSettings:
    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        ws = Workspace.of_install(
            installation.team_id, installation.enterprise_id, bool(installation.is_enterprise_install)
        )
        on_installed(ws, bool(installation.is_enterprise_install))
        return args.default.success(args)

    oauth = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=states,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        authorization_url=authorize_url(settings.api_url),
        callback_options=CallbackOptions(success=success, failure=lambda args: args.default.failure(args)),
    )
    # OAuthSettings makes its own WebClient for token rotation; this one goes to SLACK_API_URL too.
    authorize = InstallationStoreAuthorize(
        logger=log,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        installation_store=installations,
        token_rotation_expiration_minutes=120,
        client=client,
        cache_enabled=True,  # one auth.test per token, not one per request before every acknowledgement
    )
    # Bolt keeps that cache in a plain dict keyed by token, and every rotation adds a token: bounded
    # here, so memory stays flat however many workspaces and refreshes there are.
    # (Bolt reads and writes it only with `in`, `[key]` and `[key] =`, which a TTLCache answers.)
    bounded: TTLCache[str, AuthorizeResult] = TTLCache(AUTHORIZE_CACHE_SIZE, AUTHORIZE_CACHE_SECONDS)
    authorize.authorize_result_cache = bounded  # type: ignore[assignment]
    # Bolt's refreshes and the bot's own go through one rotator: a refresh token is good for one use
    # (`bot.slack.installations.SerialRotator`).
    authorize.token_rotator = rotator
    oauth.authorize = authorize
    return oauth


def build_app(
    settings: Settings, bot: BotContext, client: WebClient, oauth: OAuthSettings | None = None
) -> App:
    app = App(
        client=client,
        signing_secret=settings.signing_secret or None,
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,
        process_before_response=True,
        oauth_settings=oauth,
        logger=logging.getLogger("slack_bolt"),
    )
    register_listeners(app, bot)
    app.error(lambda error, body, response: on_error(error, body, response, bot))
    return app


def on_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None, bot: BotContext
) -> BoltResponse | None:
    """Acknowledge first, whatever failed; the apology goes to `response_url` afterwards, from the
    bot's own pool, so a slow `response_url` can never hold the acknowledgement past Slack's 3 s."""
    text = DB_DOWN if isinstance(error, (OperationalError, DBAPIError)) else BROKEN
    log.error("listener failed: %s", type(error).__name__, exc_info=error)
    if response is not None and isinstance(body, dict) and body.get("command"):
        # A slash command not yet acknowledged: the apology is the answer.
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if isinstance(body, dict):
        bot.reply(body, text=text)  # through its response_url, if it has one
    if response is not None:
        return BoltResponse(status=200, body="")  # acknowledged: never a 500 to Slack
    return None
