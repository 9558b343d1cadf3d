"""Posting to `response_url`s over kept-alive connections: `ResponseUrls`.

Every command, click and shortcut Slack sends carries a `response_url`, and the
bot's private answers go there.  Bolt's `respond` posts through slack_sdk's
`WebhookClient`, which opens a new connection for every post (in production a
new TLS session with hooks.slack.com): in a burst of quiz clicks that was a
quarter of the bot's interpreter time (`bench/clicks.py` under py-spy).  Here
one urllib3 pool keeps up to `connections` connections per host open and
reuses them; a thread that finds them all busy waits for one.

Retries follow the Web API client's rules (`bot.slack.client`): a 429 is
retried after its Retry-After (waiting `MAX_RETRY_AFTER` seconds at most);
a connection that could not be made is retried.  A post
that was sent is never sent again, whatever happened next: it may have arrived,
and a reply must not show twice.

A `response_url` is a credential (anyone holding it can post for five uses,
thirty minutes), so it never reaches a log: failures are logged with the host
and Slack's answer only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import urllib3
from slack_sdk.proxy_env_variable_loader import load_http_proxy_from_env
from urllib3.exceptions import HTTPError as TransportError

from bot.slack.client import MAX_RETRY_AFTER, OTHER_RETRIES, RATE_LIMIT_RETRIES

log = logging.getLogger(__name__)
CONNECT_SECONDS = 5.0
READ_SECONDS = 30.0  # as slack_sdk's WebhookClient


def retries() -> urllib3.Retry:
    return urllib3.Retry(
        total=RATE_LIMIT_RETRIES + OTHER_RETRIES,
        connect=OTHER_RETRIES,  # nothing was sent: safe to try again
        read=0,  # sent, and then the answer was lost: it may have arrived
        other=0,
        redirect=0,
        status=RATE_LIMIT_RETRIES,
        status_forcelist=(429,),
        allowed_methods=None,  # POST too: a 429 means Slack did nothing with it
        respect_retry_after_header=True,
        retry_after_max=MAX_RETRY_AFTER,  # a longer wait is cut short, as a thread waits it out
        raise_on_status=False,
        raise_on_redirect=False,
        backoff_factor=0.5,
    )


class ResponseUrls:
    """Posts messages to response_urls; `connections` kept open per host, at most."""

    def __init__(self, connections: int) -> None:
        options: dict[str, Any] = {
            "maxsize": connections,
            "block": True,  # a burst waits for a kept connection rather than opening throwaway ones
            "retries": retries(),
            "timeout": urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS),
            "headers": {"Content-Type": "application/json;charset=utf-8"},
        }
        proxy = load_http_proxy_from_env(log)  # HTTPS_PROXY and friends, as slack_sdk's clients read them
        self._http = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)

    def post(self, url: str, message: Mapping[str, Any]) -> bool:
        """Post `message`; True when Slack took it.  Failures are logged (never the URL) and swallowed:
        the person already has their acknowledgement, and there is nobody else to tell."""
        host = urlsplit(url).hostname or "?"
        try:
            answer = self._http.request("POST", url, body=json.dumps(message).encode())
        except (TransportError, ValueError) as exc:
            log.warning("a reply to %s was not delivered: %s", host, type(exc).__name__)
            return False
        if answer.status >= 300:
            said = answer.data[:100].decode("utf-8", "replace")
            log.warning("a reply to %s was refused: HTTP %d %s", host, answer.status, said)
            return False
        return True

    def close(self) -> None:
        self._http.clear()
