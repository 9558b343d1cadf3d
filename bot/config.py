"""Settings from the environment, validated once, parsed into typed values, frozen.

`load_settings(environ)` reads every setting the bot knows (the README lists
them), checks each, and raises `ConfigError` naming the first bad one in a
single line.  Values arrive parsed (times, zones, days, durations), so no
caller parses a setting again.  Secret values (tokens, secrets, the database
URL) never appear in an error or in `repr(settings)`.

Three ways to run: one workspace with `SLACK_BOT_TOKEN` (HTTP, or Socket Mode
with `SLACK_APP_TOKEN`), or many workspaces installed through OAuth when
`SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` are set and the bot token is not.
`QUIZ_ADMINS`, `GLOSSARY_OWNERS`, `GLOSSARY_REVIEW_CHANNEL` and `QUIZ_CHANNEL`
configure the single workspace only: in OAuth mode they are cleared (and named
in `ignored_in_oauth`, which the start logs), as each workspace sets its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.data import default_glossary
from bot.domain.slots import DAY_NAMES, DaysError, find_zone, parse_days, parse_time

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///study-lab.db"
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Settings that configure the one workspace of SLACK_BOT_TOKEN mode; no installed workspace uses them.
SINGLE_WORKSPACE_SETTINGS = ("QUIZ_ADMINS", "GLOSSARY_OWNERS", "GLOSSARY_REVIEW_CHANNEL", "QUIZ_CHANNEL")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it, never its value if secret."""


@dataclass(frozen=True)
class Settings:
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    port: int = 3000
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)
    glossary_path: Path = Path("data/glossary.yml")
    log_level: str = "INFO"
    quiz_channel: str = ""
    quiz_time: time = time(9, 30)
    default_zone: ZoneInfo = ZoneInfo("UTC")
    quiz_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    quiz_admins: frozenset[str] = frozenset()
    quiz_close_after: timedelta | None = None  # None: at the end of the quiz's local day
    results_day: int = 0  # 0 = Monday
    results_time: time = time(9, 0)
    count_update_interval: timedelta = timedelta(seconds=5)
    slack_threads: int = 16  # the pool that calls Slack after a request is answered
    web_threads: int = 16
    glossary_owners: frozenset[str] = frozenset()
    review_channel: str = ""
    data_retention: timedelta = timedelta(days=30)
    # OAuth mode: single-workspace settings that were set but apply to no installed workspace
    ignored_in_oauth: tuple[str, ...] = ()

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def oauth(self) -> bool:
        """Many workspaces, installed through OAuth (no single bot token)."""
        return not self.bot_token and bool(self.client_id)


def _require(env: Mapping[str, str], name: str, prefix: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(
            f"{name} is not set: set it to the {what} ({prefix}…) from your Slack app's settings"
        )
    if not value.startswith(prefix):
        raise ConfigError(f"{name} is malformed: the {what} starts with '{prefix}'")
    if looks_like_placeholder(value):
        raise ConfigError(
            f"{name} is still a placeholder: paste the {what} ({prefix}…) from your Slack app's settings"
        )
    return value


def looks_like_placeholder(token: str) -> bool:
    """Whether a token is an example's stand-in (`xoxb-your-bot-token`) rather than one Slack issued.

    Every token Slack issues carries numbers after its prefix (the workspace's or
    the app's) and no spaces; a placeholder made of words carries none.
    """
    return not any(c.isdigit() for c in token) or any(c.isspace() for c in token)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _ids(env: Mapping[str, str], name: str) -> frozenset[str]:
    ids = frozenset(a for a in re.split(r"[\s,]+", env.get(name, "").strip()) if a)
    for user in ids:
        if not USER_ID.match(user):
            raise ConfigError(f"{name} must be Slack user ids such as U012ABCDEF, got {user!r}")
    return ids


def _channel(env: Mapping[str, str], name: str) -> str:
    channel = env.get(name, "").strip()
    if channel and not CHANNEL_ID.match(channel):
        raise ConfigError(f"{name} must be a channel id such as C012ABCDEF, got {channel!r}")
    return channel


def _time(env: Mapping[str, str], name: str, default: str) -> time:
    raw = env.get(name, "").strip() or default
    parsed = parse_time(raw)
    if parsed is None:
        raise ConfigError(f"{name} must be a time of day as HH:MM (24-hour), got {raw!r}")
    return parsed


def _days(env: Mapping[str, str], name: str, default: str, one: bool = False) -> tuple[int, ...]:
    raw = (env.get(name, "").strip() or default).lower()
    try:
        days = parse_days(raw)
    except DaysError:
        days = ()
    if not days or (one and len(days) != 1):
        example = "one day such as mon" if one else "days such as mon-fri, daily or mon,wed,fri"
        raise ConfigError(f"{name} must be {example}, got {raw!r}")
    return days


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validated settings for running the bot; raise ConfigError on the first bad one."""
    client_id = env.get("SLACK_CLIENT_ID", "").strip()
    client_secret = env.get("SLACK_CLIENT_SECRET", "").strip()
    if bool(client_id) != bool(client_secret):
        given, missing = "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"
        if client_secret:
            given, missing = missing, given
        raise ConfigError(
            f"{missing} is not set but {given} is: OAuth installs need both (Basic Information → "
            "App Credentials); for one workspace, unset both and set SLACK_BOT_TOKEN"
        )
    oauth = bool(client_id and client_secret) and not env.get("SLACK_BOT_TOKEN", "").strip()
    bot_token = "" if oauth else _require(env, "SLACK_BOT_TOKEN", "xoxb-", "bot token")
    app_token = env.get("SLACK_APP_TOKEN", "").strip()
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN is malformed: the app-level token starts with 'xapp-'")
    if app_token and looks_like_placeholder(app_token):
        raise ConfigError(
            "SLACK_APP_TOKEN is still a placeholder: paste an app-level token (xapp-…) with the "
            "connections:write scope from Basic Information → App-Level Tokens"
        )
    if oauth and app_token:
        raise ConfigError(
            "SLACK_APP_TOKEN is set: Socket Mode serves one workspace; unset it to install through OAuth"
        )
    signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    if not app_token and not signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it (or set SLACK_APP_TOKEN for Socket Mode)"
        )
    settings = _common(
        env,
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        client_id=client_id if oauth else "",
        client_secret=client_secret if oauth else "",
    )
    if not oauth:
        return settings
    # Each installed workspace has its own admins, owners, review channel and schedules (set with
    # its own /quiz commands): these name people and channels of one workspace only.
    ignored = tuple(name for name in SINGLE_WORKSPACE_SETTINGS if env.get(name, "").strip())
    return replace(
        settings,
        quiz_admins=frozenset(),
        glossary_owners=frozenset(),
        review_channel="",
        quiz_channel="",
        ignored_in_oauth=ignored,
    )


def load_offline_settings(env: Mapping[str, str]) -> Settings:
    """Settings for the terminal commands, which need no Slack tokens."""
    return _common(env)


def _common(env: Mapping[str, str], **tokens: Any) -> Settings:
    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}")
    database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if not database_url.startswith(("sqlite", "postgres")):
        raise ConfigError("DATABASE_URL must start with sqlite:/// or postgresql+psycopg://")
    if database_url.startswith(("postgresql://", "postgres://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in _LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LEVELS)}, got {log_level!r}")
    zone_name = env.get("QUIZ_TIMEZONE", "").strip() or "UTC"
    zone = find_zone(zone_name)
    if zone is None:
        raise ConfigError(f"QUIZ_TIMEZONE must be an IANA time zone such as Europe/Berlin, got {zone_name!r}")
    close_after = _int(env, "QUIZ_CLOSE_AFTER_MINUTES", 0, 0, 7 * 24 * 60)
    return Settings(
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        port=_int(env, "PORT", 3000, 1, 65535),
        database_url=database_url,
        glossary_path=Path(env.get("GLOSSARY_PATH", "").strip() or default_glossary()),
        log_level=log_level,
        quiz_channel=_channel(env, "QUIZ_CHANNEL"),
        quiz_time=_time(env, "QUIZ_TIME", "09:30"),
        default_zone=zone,
        quiz_days=_days(env, "QUIZ_DAYS", "mon-fri"),
        quiz_admins=_ids(env, "QUIZ_ADMINS"),
        quiz_close_after=timedelta(minutes=close_after) if close_after else None,
        results_day=_days(env, "RESULTS_DAY", "mon", one=True)[0],
        results_time=_time(env, "RESULTS_TIME", "09:00"),
        count_update_interval=timedelta(seconds=_int(env, "COUNT_UPDATE_SECONDS", 5, 1, 300)),
        slack_threads=_int(env, "SLACK_THREADS", 16, 1, 256),
        web_threads=_int(env, "WEB_THREADS", 16, 1, 256),
        glossary_owners=_ids(env, "GLOSSARY_OWNERS"),
        review_channel=_channel(env, "GLOSSARY_REVIEW_CHANNEL"),
        data_retention=timedelta(days=_int(env, "DATA_RETENTION_DAYS", 30, 1, 3650)),
        **tokens,
    )


__all__ = ["DAY_NAMES", "ConfigError", "Settings", "load_offline_settings", "load_settings"]
