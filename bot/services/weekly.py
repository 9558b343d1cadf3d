"""The weekly results post: once per channel and week, on RESULTS_DAY at RESULTS_TIME, before that day's quiz.

Claimed in the database before it is posted, fenced, and recovered from its
message metadata like a quiz.  A week nobody played is recorded as skipped.
The periodic recovery posts any that are due and missing (`run_due`), so a
failure at the due time is made good the same day or later that week.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import views
from bot.domain.leaderboard import Week, previous_week, week_containing
from bot.domain.slots import StoredSchedule
from bot.domain.workspace import Workspace
from bot.services.boards import Boards
from bot.services.channels import UNKNOWN, UNREADABLE, Channels
from bot.services.core import EXPECTED_FAILURES, Core
from bot.services.people import People
from bot.slack.client import PERMANENT_ERRORS, SLACK_FAILURES, slack_error
from bot.storage.claims import Claim
from bot.storage.statuses import PostState
from bot.storage.weekly import WeeklyPost

log = logging.getLogger(__name__)
WEEKLY_EVENT = "study_lab_weekly"


class WeeklyResults:
    def __init__(self, core: Core, boards: Boards, channels: Channels, people: People) -> None:
        self.core = core
        self.boards = boards
        self.channels = channels
        self.people = people

    def due_at(self, week_start: datetime, zone: ZoneInfo) -> datetime:
        """When a week's predecessor is announced: RESULTS_DAY at RESULTS_TIME of that week."""
        monday = week_start.astimezone(zone).date()
        day = monday + timedelta(days=self.core.settings.results_day)
        return datetime.combine(day, self.core.settings.results_time, zone)

    def run(self, ws: Workspace, channel_id: str) -> None:
        """The scheduled results job of one channel."""
        self.post_if_due(ws, channel_id, self.core.zone_for(ws, channel_id), self.core.clock())

    def _past_week_if_due(self, zone: ZoneInfo, now: datetime) -> Week | None:
        if now < self.due_at(week_containing(now, zone).start, zone):
            return None
        return previous_week(now, zone)

    def post_if_due(self, ws: Workspace, channel_id: str, zone: ZoneInfo, now: datetime) -> None:
        past = self._past_week_if_due(zone, now)
        storage = self.core.storage
        if past is None or storage.weekly.count(ws, channel_id, past.label):
            return
        post = storage.weekly.claim(ws, channel_id, past.label, self.core.owner, now)
        if post is None:
            return
        if not storage.answers.week_has_scores(ws, channel_id, past):
            storage.weekly.finish(post.claim, PostState.SKIPPED, None, now)
            return
        self._send(post, post.claim, past)

    def run_due(self, schedules: list[StoredSchedule], now: datetime) -> None:
        """Post every weekly result that is due and has no row yet (one query for all)."""
        due = [(s, week) for s in schedules if (week := self._past_week_if_due(s.schedule.zone, now))]
        done = self.core.storage.weekly.done({week.label for _, week in due})
        for stored, week in due:
            if (stored.workspace, stored.schedule.channel_id, week.label) in done:
                continue
            try:
                self.post_if_due(stored.workspace, stored.schedule.channel_id, stored.schedule.zone, now)
            except EXPECTED_FAILURES as exc:
                log.warning(
                    "weekly results for %s not posted (%s)", stored.schedule.channel_id, type(exc).__name__
                )

    def _blocks(self, ws: Workspace, channel_id: str, week: Week) -> views.kit.Blocks:
        top = self.boards.for_week(ws, channel_id, week, None).standings
        missed = self.core.storage.answers.most_missed(ws, channel_id, week.start, week.end)
        return views.boards.leaderboard_blocks(
            channel_id,
            week,
            top,
            None,
            None,
            share=False,
            title="Weekly results",
            most_missed=(self.core.glossary(ws).glossary.label_of(missed[0][0]), missed[0][1])
            if missed
            else None,
            names=self.people.names(ws, [s.user for s in top]),
        )

    def _send(self, post: WeeklyPost, claim: Claim, week: Week) -> None:
        ws, storage = post.workspace, self.core.storage
        shown = self._blocks(ws, post.channel_id, week)  # users.info calls: before the claim is checked
        if not storage.weekly.holds(claim, self.core.fresh_claims_after()):
            return
        try:
            response = self.core.client(ws).chat_postMessage(
                channel=post.channel_id,
                text=views.kit.plain(f"Weekly results for {week.dates}"),
                blocks=shown,
                metadata={
                    "event_type": WEEKLY_EVENT,
                    "event_payload": {"week": week.label, "claim": post.id},
                },
            )
        except SLACK_FAILURES as exc:
            error = slack_error(exc)
            if self.core.check_token(ws, exc) or error in PERMANENT_ERRORS:
                storage.weekly.finish(claim, PostState.FAILED, None, self.core.clock())
            log.warning("weekly results for %s not posted (%s)", post.channel_id, error or type(exc).__name__)
            return
        storage.weekly.finish(claim, PostState.POSTED, str(response["ts"]), self.core.clock())

    def recover(self, now: datetime) -> None:
        """Retake weekly posts whose owner died between claiming and recording."""
        storage = self.core.storage
        stale_before = now - self.core.claim_lease
        for post in storage.weekly.stale_claims(stale_before):
            if not storage.budgets.take(post.workspace, "conversations.history", 1, now):
                continue
            claim = storage.weekly.retake(post, self.core.owner, now, stale_before)
            if claim is not None:
                self._recover(post, claim, now)

    def _recover(self, post: WeeklyPost, claim: Claim, now: datetime) -> None:
        ws = post.workspace
        zone = self.core.zone_for(ws, post.channel_id)
        match = {"claim": post.id}
        ts = self.channels.find_own_post(
            ws, post.channel_id, WEEKLY_EVENT, match, post.first_claimed_at, post.claimed_at
        )
        if ts == UNREADABLE:
            return  # retaken again after the lease
        if ts is None and previous_week(now, zone).label == post.week:
            self._send(post, claim, previous_week(now, zone))
            return
        found = ts is not None and ts != UNKNOWN
        # Not found on a later week, or the window held too much to be sure: never risk a second post.
        state = PostState.POSTED if found else PostState.FAILED
        self.core.storage.weekly.finish(claim, state, ts if found else None, now)
