"""The Slack Web API client, with slack_sdk's retry handlers set on purpose.

Rate limits (HTTP 429 with Retry-After) are retried for every method: Slack did
nothing with a limited call, so a retry cannot duplicate.  A wait longer than
`MAX_RETRY_AFTER` is not slept through; the call fails and the caller's own
schedule tries again, so no call outlives `WORST_CALL` and a claim's lease can
be longer than any call made under it.  Server errors and dropped connections
are retried too, except for `chat.postMessage`: there the first attempt may
have posted, so the caller re-checks the channel (message metadata read back
with `conversations.history`) before posting again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

NOT_IDEMPOTENT = ("chat.postMessage",)
# What a Web API call can raise once retries are spent: Slack's error answers,
# and connection failures (slack_sdk lets OSError subclasses through).
SLACK_FAILURES: tuple[type[Exception], ...] = (SlackClientError, OSError)
TIMEOUT_SECONDS = 10
RATE_LIMIT_RETRIES = 3
OTHER_RETRIES = 2
MAX_RETRY_AFTER = 30
# The longest one call can take, every retry and wait included (connection retries back off
# by at most a few seconds each).
WORST_CALL = timedelta(
    seconds=(1 + RATE_LIMIT_RETRIES + 2 * OTHER_RETRIES) * TIMEOUT_SECONDS
    + RATE_LIMIT_RETRIES * (MAX_RETRY_AFTER + 1)
    + 2 * OTHER_RETRIES * 5
)
# Errors after which the same call can never succeed.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "message_not_found",
        "cant_update_message",
        "invalid_blocks",
        "msg_too_long",
        "no_permission",
        "restricted_action",
        "team_access_not_granted",
    }
)
# Errors that mean the workspace's token is gone: the workspace stops until it reinstalls (once its
# current token is refused too). Not `token_expired`: with token rotation a refresh follows; not
# `not_authed`: no token was sent at all.
TOKEN_GONE_ERRORS = frozenset({"invalid_auth", "account_inactive", "token_revoked"})


def slack_error(exc: Exception) -> str:
    """Slack's error code for a failed call ('' for a connection failure)."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "") or "")
    return ""


class _CappedRateLimit(RateLimitErrorRetryHandler):
    """Retries a 429 after its Retry-After, unless Slack asks for a wait longer than MAX_RETRY_AFTER."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        waits = [v for k, v in response.headers.items() if k.lower() == "retry-after"]
        try:
            wait = int(waits[0][0] if isinstance(waits[0], list) else waits[0]) if waits else 1
        except (ValueError, IndexError):
            wait = 1
        return wait <= MAX_RETRY_AFTER


class _SkipNonIdempotent(RetryHandler):
    """Wraps a retry handler so it leaves calls that may already have taken effect alone."""

    def __init__(self, inner: RetryHandler) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if any(request.url.endswith("/" + method) for method in NOT_IDEMPOTENT):
            return False
        return bool(self.inner._can_retry(state=state, request=request, response=response, error=error))


def retry_handlers() -> list[RetryHandler]:
    return [
        _CappedRateLimit(max_retry_count=RATE_LIMIT_RETRIES),
        _SkipNonIdempotent(ServerErrorRetryHandler(max_retry_count=OTHER_RETRIES)),
        _SkipNonIdempotent(ConnectionErrorRetryHandler(max_retry_count=OTHER_RETRIES)),
    ]


def make_client(token: str | None, base_url: str, timeout: int = TIMEOUT_SECONDS) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers())
