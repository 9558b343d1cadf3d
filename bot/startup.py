"""Start-up checks whose failures a person can act on: one or two lines naming the setting and what to do.

`python -m bot run` calls `check_before_start(settings)` before it builds
anything: the port is free (Socket Mode binds `PORT` too, for `/healthz`),
the glossary file can be read and is valid, the database answers, Slack answers and accepts
the bot token (and, in Socket Mode, the app-level token).  Each failure raises
`StartupError`, whose message names the setting; the command line prints it
and exits 1, with the traceback only at `LOG_LEVEL=DEBUG`.  `explain(exc,
settings)` gives the same message for a failure met later in start-up (the
port taken in the moment between the check and the bind, say).

The Slack check uses a client of its own that retries nothing and logs below
CRITICAL only at `LOG_LEVEL=DEBUG`: its failure is the one message, not three
retries' worth of slack_sdk's error lines.
"""

from __future__ import annotations

import errno
import logging
import socket
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.config import DEFAULT_API_URL, Settings
from bot.domain.glossary import load_glossary

TIMEOUT_SECONDS = 10
# Slack's answers to a token it will not take: a typo, a token of a deleted app, a revoked install.
REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start; the message (one or two lines) names the setting and what to do."""


def check_before_start(settings: Settings, host: str = "0.0.0.0") -> None:
    check_port(host, settings.port, settings.socket_mode)
    check_glossary(settings)
    check_database(settings.database_url)
    if not settings.oauth:
        check_slack(settings)


def check_port(host: str, port: int, socket_mode: bool = False) -> None:
    """Bind `port` as waitress will (SO_REUSEADDR), then let it go."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StartupError(port_message(exc, port, socket_mode)) from exc


def port_message(exc: OSError, port: int, socket_mode: bool = False) -> str:
    why = " (Socket Mode serves /healthz on it too)" if socket_mode else ""
    if exc.errno == errno.EADDRINUSE:
        return (
            f"PORT {port} is already in use{why}: stop the program using it "
            "(the playground, another copy of the bot), or set PORT to a free port"
        )
    if exc.errno == errno.EACCES:
        return f"PORT {port} needs privileges to listen on{why}: set PORT to a port above 1023"
    return f"PORT {port} cannot be listened on ({exc.strerror}){why}: set PORT to a free port"


def check_glossary(settings: Settings) -> None:
    """The file can be read (else one line naming GLOSSARY_PATH) and is valid (else `GlossaryError`,
    whose report lists every problem), before anything is asked of the network."""
    path = settings.glossary_path
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise StartupError(
            f"GLOSSARY_PATH {path} cannot be read ({exc.strerror}): point it at a glossary file, "
            "or unset it to serve the glossary that ships with the bot"
        ) from exc
    load_glossary(path)


def shown_url(database_url: str) -> str:
    """The database URL with its password hidden, fit for a log line or an error."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(a malformed URL)"


def database_message(exc: BaseException, database_url: str) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = lines[0] if lines else type(exc).__name__
    if database_url.startswith("sqlite"):
        advice = "check that its directory exists and the bot may write there"
    else:
        advice = "check that the server is running, and the host, port, user, password and database name"
    return f"DATABASE_URL {shown_url(database_url)} cannot be opened ({reason}): {advice}"


def check_database(database_url: str) -> None:
    """Connect once and ask `SELECT 1`, with no pool kept."""
    try:
        engine = create_engine(database_url, poolclass=NullPool)
    except (ArgumentError, ImportError) as exc:
        raise StartupError(
            f"DATABASE_URL {shown_url(database_url)} is not a URL the bot can use ({exc}): "
            "use sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST:5432/NAME"
        ) from exc
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise StartupError(database_message(exc, database_url)) from exc
    finally:
        engine.dispose()


def quiet_logger(level: str) -> logging.Logger:
    """The Slack check's logger: silent below CRITICAL unless LOG_LEVEL=DEBUG, as its failure is reported."""
    quiet = logging.getLogger("bot.startup.slack")
    quiet.setLevel(logging.DEBUG if level == "DEBUG" else logging.CRITICAL)
    return quiet


def check_slack(settings: Settings) -> None:
    """`auth.test` with the bot token; in Socket Mode `apps.connections.open` with the app-level token."""
    client = WebClient(
        base_url=settings.api_url,
        timeout=TIMEOUT_SECONDS,
        logger=quiet_logger(settings.log_level),
        retry_handlers=[],  # a start-up check: one answer, now
    )
    try:
        client.auth_test(token=settings.bot_token)
        if settings.socket_mode:
            client.apps_connections_open(app_token=settings.app_token)
    except (SlackApiError, URLError, OSError) as exc:
        raise StartupError(slack_message(exc, settings)) from exc


def slack_message(exc: BaseException, settings: Settings) -> str:
    if isinstance(exc, SlackApiError):
        error = str(exc.response.get("error", "") or "unknown error")
        method = str(getattr(exc.response, "api_url", "")).rsplit("/", 1)[-1]
        if method == "apps.connections.open":
            return (
                f"SLACK_APP_TOKEN was refused by Slack ({error}): create an app-level token with the "
                "connections:write scope under Basic Information → App-Level Tokens"
            )
        if error in REFUSED:
            return (
                f"SLACK_BOT_TOKEN was refused by Slack ({error}): copy the Bot User OAuth Token (xoxb-…) "
                "from your app's OAuth & Permissions page, or reinstall the app"
            )
        return f"Slack answered {method or 'a call'} with {error!r} at start-up: check SLACK_BOT_TOKEN and the app's scopes"
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
    where = "" if settings.api_url == DEFAULT_API_URL else ", or unset SLACK_API_URL to use Slack's own"
    return (
        f"Slack cannot be reached at SLACK_API_URL {settings.api_url} ({reason}): "
        f"check the network and any proxy (HTTPS_PROXY){where}"
    )


def start_failed(exc: BaseException, settings: Settings) -> StartupError:
    """`exc`, met while starting, as a `StartupError` (its traceback kept as the cause, for DEBUG)."""
    message = explain(exc, settings) or (
        f"Study Lab could not start ({type(exc).__name__}): set LOG_LEVEL=DEBUG to see where it failed"
    )
    error = StartupError(message)
    error.__cause__ = exc
    return error


def start_line(settings: Settings, terms: int, workspaces: list[str]) -> str:
    """The one line the bot logs once it serves: mode, port, database, glossary, workspaces."""
    if settings.socket_mode:
        mode = f"Socket Mode (health on port {settings.port})"
    else:
        mode = f"HTTP mode on port {settings.port} (/slack/events)"
    if settings.oauth:
        installed = f"{len(workspaces)} workspace{'s' if len(workspaces) != 1 else ''} installed"
    else:
        installed = f"workspace {', '.join(workspaces) or 'unknown'}"
    return (
        f"Study Lab started: {mode}; database {shown_url(settings.database_url)}; "
        f"glossary {terms} terms from {settings.glossary_path}; {installed}"
    )


def explain(exc: BaseException, settings: Settings) -> str | None:
    """The one- or two-line message for a failure start-up can meet, or None for one it did not expect."""
    if isinstance(exc, StartupError):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        return database_message(exc, settings.database_url)
    if isinstance(exc, SlackApiError | URLError):
        return slack_message(exc, settings)
    if isinstance(exc, OSError) and exc.errno in (errno.EADDRINUSE, errno.EACCES):
        return port_message(exc, settings.port, settings.socket_mode)
    return None
