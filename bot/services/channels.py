"""What the bot can do in a channel: post there at all, link to a message, find its own earlier post.

`find_own_post` recognises a post by its message metadata.  Apps distributed
outside the Slack Marketplace may call `conversations.history` once a minute
with at most 15 messages, so it reads one page of a narrow window (from the
claim's first attempt to the end of its last attempt's lease, after which no
post of it can land), never pages, and answers `UNKNOWN` when the window held more than one page and the
post was not in it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.domain.workspace import Workspace
from bot.services.core import UNREACHABLE, Core
from bot.slack.client import SLACK_FAILURES, slack_error
from bot.slack.installations import NotInstalled

log = logging.getLogger(__name__)
HISTORY_LIMIT = 15
SKEW = timedelta(seconds=60)  # Slack's clock and ours may disagree a little
UNKNOWN = "unknown"  # the window held more than one page, and not the post
UNREADABLE = "unreadable"  # Slack could not be asked (an error, no connection): try later
NOT_A_MEMBER = frozenset({"channel_not_found", "not_in_channel", "is_archived"})


class Channels:
    def __init__(self, core: Core) -> None:
        self.core = core

    def can_post(self, ws: Workspace, channel_id: str) -> tuple[bool, str]:
        """(whether the bot can post there, Slack's reason when it cannot); unknown counts as yes."""
        try:
            info = self.core.client(ws).conversations_info(channel=channel_id).get("channel") or {}
        except NotInstalled:
            return False, "not_installed"
        except SLACK_FAILURES as exc:
            error = slack_error(exc)
            return (False, error) if error in NOT_A_MEMBER else (True, "")
        if info.get("is_archived"):
            return False, "is_archived"
        if info.get("is_im") or info.get("is_member", True):
            return True, ""
        return False, "not_in_channel"

    def permalink(self, ws: Workspace, channel_id: str, ts: str | None) -> str | None:
        if not ts:
            return None
        try:
            link = self.core.client(ws).chat_getPermalink(channel=channel_id, message_ts=ts).get("permalink")
        except UNREACHABLE as exc:
            log.warning("no permalink for %s (%s)", channel_id, type(exc).__name__)
            return None
        return str(link) if link else None

    def find_own_post(
        self,
        ws: Workspace,
        channel_id: str,
        event_type: str,
        match: dict[str, Any],
        first_attempt: datetime,
        last_attempt: datetime,
    ) -> str | None:
        """The ts of this app's post whose metadata payload holds `match`; None; UNKNOWN; or UNREADABLE."""
        try:
            response = self.core.client(ws).conversations_history(
                channel=channel_id,
                oldest=f"{(first_attempt - SKEW).timestamp():.6f}",
                latest=f"{(last_attempt + self.core.claim_lease + SKEW).timestamp():.6f}",
                inclusive=True,
                include_all_metadata=True,
                limit=HISTORY_LIMIT,
            )
        except UNREACHABLE as exc:
            log.warning("cannot read %s history to find an earlier post (%s)", channel_id, type(exc).__name__)
            return UNREADABLE
        messages: list[dict[str, Any]] = response.get("messages") or []
        for message in messages:
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == event_type and all(payload.get(k) == v for k, v in match.items()):
                return str(message["ts"])
        return UNKNOWN if response.get("has_more") else None
