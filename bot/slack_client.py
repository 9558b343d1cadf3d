"""The Slack Web API client, with slack_sdk's retry handlers set on purpose.

Rate limits (HTTP 429 with Retry-After) are retried for every method: Slack did
nothing with a limited call, so a retry cannot duplicate.  Server errors and
dropped connections are retried too, except for `chat.postMessage`: there the
first attempt may have posted, so the caller re-checks the channel (message
metadata read back with `conversations.history`) before posting again.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
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


class _SkipNonIdempotent(RetryHandler):
    """Wraps a retry handler so it leaves calls that may already have taken effect alone."""

    def __init__(self, inner: RetryHandler) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if any(request.url.endswith("/" + method) for method in NOT_IDEMPOTENT):
            return False
        return bool(self.inner._can_retry(state=state, request=request, response=response, error=error))


def retry_handlers(rate_limit_retries: int = 3) -> list[RetryHandler]:
    return [
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        _SkipNonIdempotent(ServerErrorRetryHandler(max_retry_count=2)),
        _SkipNonIdempotent(ConnectionErrorRetryHandler(max_retry_count=2)),
    ]


def make_client(token: str, base_url: str, timeout: int = 10) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers())
