"""Settings from the environment, validated once and frozen.

`load_settings(environ)` reads every setting the bot knows (the README lists
them), checks each, and raises `ConfigError` naming the first bad one in a
single line.  Secret values (tokens, the signing secret) never appear in an
error or in `repr(settings)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.schedule import DaysError, parse_days, parse_time

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///study-lab.db"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it, never its value if secret."""


@dataclass(frozen=True)
class Settings:
    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    port: int = 3000
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)
    glossary_path: str = "data/glossary.yml"
    log_level: str = "INFO"
    quiz_channel: str = ""
    quiz_time: str = "09:30"
    quiz_timezone: str = "UTC"
    quiz_days: str = "mon-fri"
    quiz_admins: frozenset[str] = frozenset()
    quiz_close_after_minutes: int = 0  # 0: close at the end of the quiz's day
    results_day: str = "mon"
    results_time: str = "09:00"
    count_update_seconds: float = 5.0

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)


def _require(env: Mapping[str, str], name: str, prefix: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(
            f"{name} is not set: set it to the {what} ({prefix}…) from your Slack app's settings"
        )
    if not value.startswith(prefix):
        raise ConfigError(f"{name} is malformed: the {what} starts with '{prefix}'")
    return value


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


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validated settings for running the bot; raise ConfigError on the first bad one."""
    bot_token = _require(env, "SLACK_BOT_TOKEN", "xoxb-", "bot token")
    app_token = env.get("SLACK_APP_TOKEN", "").strip()
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN is malformed: the app-level token starts with 'xapp-'")
    signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    if not app_token and not signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it (or set SLACK_APP_TOKEN for Socket Mode)"
        )
    return _common(env, bot_token=bot_token, signing_secret=signing_secret, app_token=app_token)


def load_offline_settings(env: Mapping[str, str]) -> Settings:
    """Settings for the terminal commands, which need no Slack tokens."""
    return _common(env, bot_token="", signing_secret="", app_token="")


def _common(env: Mapping[str, str], **tokens: str) -> Settings:
    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}")
    if not api_url.endswith("/"):
        api_url += "/"
    database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if not database_url.startswith(("sqlite", "postgresql")):
        raise ConfigError("DATABASE_URL must start with sqlite:/// or postgresql+psycopg://")
    if database_url.startswith(("postgresql://", "postgres://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in _LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LEVELS)}, got {log_level!r}")
    quiz_time = env.get("QUIZ_TIME", "").strip() or "09:30"
    results_time = env.get("RESULTS_TIME", "").strip() or "09:00"
    for name, value in (("QUIZ_TIME", quiz_time), ("RESULTS_TIME", results_time)):
        if parse_time(value) is None:
            raise ConfigError(f"{name} must be a time of day as HH:MM (24-hour), got {value!r}")
    zone = env.get("QUIZ_TIMEZONE", "").strip() or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"QUIZ_TIMEZONE must be an IANA time zone such as Europe/Berlin, got {zone!r}"
        ) from None
    days = env.get("QUIZ_DAYS", "").strip() or "mon-fri"
    try:
        parse_days(days)
    except DaysError:
        raise ConfigError(
            f"QUIZ_DAYS must be days such as mon-fri, daily or mon,wed,fri, got {days!r}"
        ) from None
    results_day = (env.get("RESULTS_DAY", "").strip() or "mon").lower()
    try:
        if len(parse_days(results_day)) != 1:
            raise DaysError(results_day)
    except DaysError:
        raise ConfigError(f"RESULTS_DAY must be one day such as mon, got {results_day!r}") from None
    admins = frozenset(a for a in re.split(r"[\s,]+", env.get("QUIZ_ADMINS", "").strip()) if a)
    for admin in admins:
        if not _USER_ID.match(admin):
            raise ConfigError(f"QUIZ_ADMINS must be Slack user ids such as U012ABCDEF, got {admin!r}")
    channel = env.get("QUIZ_CHANNEL", "").strip()
    if channel and not re.match(r"^[CGD][A-Z0-9]{2,}$", channel):
        raise ConfigError(f"QUIZ_CHANNEL must be a channel id such as C012ABCDEF, got {channel!r}")
    count_seconds = _int(env, "COUNT_UPDATE_SECONDS", 5, 1, 300)
    return Settings(
        api_url=api_url,
        port=_int(env, "PORT", 3000, 1, 65535),
        database_url=database_url,
        glossary_path=env.get("GLOSSARY_PATH", "").strip() or "data/glossary.yml",
        log_level=log_level,
        quiz_channel=channel,
        quiz_time=quiz_time,
        quiz_timezone=zone,
        quiz_days=days,
        quiz_admins=admins,
        quiz_close_after_minutes=_int(env, "QUIZ_CLOSE_AFTER_MINUTES", 0, 0, 7 * 24 * 60),
        results_day=results_day,
        results_time=results_time,
        count_update_seconds=float(count_seconds),
        **tokens,
    )
