"""Logging set-up with secrets masked.

Every record passes a filter that replaces the configured tokens and signing
secret (and anything shaped like a Slack token) with `[redacted]`, whatever
library logged it and at whatever level.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_TOKEN_SHAPE = re.compile(r"\bx(?:oxb|oxp|oxa|oxe|app)-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return _TOKEN_SHAPE.sub("[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, cleaned, so no handler formats the raw one.
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Bolt asks `logger.level <= DEBUG` before building some debug messages, and an unset level
    # (0) passes that test: it would format them on every request only to drop them.
    logging.getLogger("slack_bolt").setLevel(level)
    # waitress warns "Task queue depth is N" for every request queued in a burst;
    # that is load, not a fault, and would drown the log.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # urllib3 names the path of every response_url it posts to (at DEBUG, and when it retries): a
    # credential.  `bot.slack.response_urls` logs each failure itself, with the host only.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    # The scheduler logs every job it runs (several a second) and Alembic each step of every
    # migration check; `bot.storage.migrate` says in one line what changed.  Both speak up at DEBUG.
    quiet = logging.DEBUG if logging.getLevelName(level) == logging.DEBUG else logging.WARNING
    for chatty in ("apscheduler", "alembic"):
        logging.getLogger(chatty).setLevel(quiet)
