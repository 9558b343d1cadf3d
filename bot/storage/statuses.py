"""The states a claimed post moves through, as enums (stored as their text values)."""

from __future__ import annotations

from enum import StrEnum


class QuizState(StrEnum):
    CLAIMED = "claimed"  # the slot is ours; the post may or may not have reached Slack
    POSTED = "posted"  # open for answers
    CLOSING = "closing"  # the reveal is being written
    CLOSED = "closed"
    FAILED = "failed"  # could never be posted (see `failure`), or not on its own day


class PostState(StrEnum):
    CLAIMED = "claimed"
    POSTED = "posted"
    SKIPPED = "skipped"  # nobody answered that week: nothing to announce
    FAILED = "failed"
