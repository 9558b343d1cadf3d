"""Posting the term of the day: every due slot once on its local day, whatever failed.

* A slot is claimed in the database before anything is sent; only then are
  the channel's older open quizzes closed (never the reverse, so a post that
  loses the race closes nothing).
* Just before `chat.postMessage` the claim is checked again (its fence), so a
  process whose claim was retaken never posts.  The post carries message
  metadata naming the quiz; a claim left unrecorded is retaken after the lease
  and the channel's history is read back before posting again.
* The periodic recovery also runs every due slot that has no quiz yet, with
  the same rule as the scheduled job: late, but on the same local day only.
* `/quiz now` never touches an open counted quiz: it links to it.  A quiz
  admin's post counts on the leaderboard; anyone else's is a practice round
  (one per channel per hour) that does not, and is free: it never blocks an
  admin's counted quiz (which reveals it) and never advances the channel's
  rotation of terms (`QuizStore.history` reads counted quizzes only).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import views
from bot.domain.quiz import NowOutcome, NowStatus, question_for_slot
from bot.domain.slots import StoredSchedule, local_slot_today, slot_key
from bot.domain.workspace import Workspace
from bot.services.admins import Admins
from bot.services.channels import UNKNOWN, UNREADABLE, Channels
from bot.services.closing import Closing
from bot.services.core import EXPECTED_FAILURES, Core
from bot.services.weekly import WeeklyResults
from bot.slack.client import PERMANENT_ERRORS, SLACK_FAILURES, slack_error
from bot.slack.installations import NotInstalled
from bot.storage.claims import Claim
from bot.storage.quiz_records import QuizRecord

log = logging.getLogger(__name__)
QUIZ_EVENT = "study_lab_quiz"
ADMIN_SLOT = "now:"  # + the local minute: a double submit posts once
PRACTICE_SLOT = "practice:"  # + the local hour: at most one practice round per channel per hour
NOT_INSTALLED = "not_installed"
CLAIM_LOST = "claim_lost"


def slot_day(slot: str) -> str:
    """The local date of a slot key, whatever its kind: 2026-11-26."""
    return slot.split(":", 1)[-1][:10] if slot.startswith((ADMIN_SLOT, PRACTICE_SLOT)) else slot[:10]


class Posting:
    def __init__(
        self, core: Core, closing: Closing, weekly: WeeklyResults, admins: Admins, channels: Channels
    ) -> None:
        self.core = core
        self.closing = closing
        self.weekly = weekly
        self.admins = admins
        self.channels = channels

    def run_slot(self, ws: Workspace, channel_id: str) -> QuizRecord | None:
        """The scheduled job: weekly results if due, then today's quiz if due and not yet posted."""
        stored = self.core.storage.schedules.get(ws, channel_id)
        if stored is None:
            return None
        now, zone = self.core.clock(), stored.schedule.zone
        self.weekly.post_if_due(ws, channel_id, zone, now)
        local = local_slot_today(stored.schedule, now)
        if local is None or self.core.storage.quizzes.slot_taken(ws, channel_id, slot_key(local)):
            return None
        quiz, error = self._post(ws, channel_id, slot_key(local), zone, now, counted=True)
        # A failure someone can fix is kept for /quiz status; a post clears it; a passing one is neither.
        fixable = bool(error) and error != CLAIM_LOST
        if quiz is not None and (fixable or (error is None and stored.last_error)):
            self.core.storage.schedules.record_error(ws, channel_id, error if fixable else None, now)
        return quiz

    def post_now(self, ws: Workspace, channel_id: str, user_id: str) -> NowOutcome:
        """`/quiz now`: link to the open quiz, or post a counted quiz (admins) or a practice round."""
        storage = self.core.storage
        counted = self.admins.may_manage(ws, user_id)
        # A practice round never blocks a counted quiz: posting one reveals it (see `_post`).
        blocking = [q for q in storage.quizzes.open_in(ws, channel_id) if q.counted or not counted]
        if blocking:
            latest = blocking[-1]
            link = self.channels.permalink(ws, channel_id, latest.message_ts)
            return NowOutcome(NowStatus.ALREADY_OPEN, latest.counted, link)
        can_post, reason = self.channels.can_post(ws, channel_id)
        if not can_post:
            return NowOutcome(NowStatus.CANNOT_POST, counted, error=reason)
        now = self.core.clock()
        zone = self.core.zone_for(ws, channel_id)
        local = now.astimezone(zone)
        slot = ADMIN_SLOT + slot_key(local) if counted else PRACTICE_SLOT + local.strftime("%Y-%m-%dT%H")
        quiz, error = self._post(ws, channel_id, slot, zone, now, counted)
        if quiz is None:
            return NowOutcome(NowStatus.TAKEN, counted)
        if error:
            storage.quizzes.release(quiz.claim)  # nothing was posted: once fixed, it can be tried again
            return NowOutcome(NowStatus.CANNOT_POST, counted, error=error)
        if error is not None:
            return NowOutcome(NowStatus.FAILED, counted)  # Slack did not answer: recovery retries
        return NowOutcome(NowStatus.POSTED, counted)

    def _post(
        self, ws: Workspace, channel_id: str, slot: str, zone: ZoneInfo, now: datetime, counted: bool
    ) -> tuple[QuizRecord | None, str | None]:
        """Claim the slot, close the older open quizzes, post; (the quiz, Slack's error or None)."""
        storage = self.core.storage
        glossary = self.core.glossary(ws).glossary
        question = question_for_slot(glossary, channel_id, slot, storage.quizzes.history(ws, channel_id))
        quiz = storage.quizzes.claim(
            ws, channel_id, slot, question, self.core.owner, now, self.core.closes_at(now, zone), counted
        )
        if quiz is None:
            return None, None  # another process, or an earlier run, has this slot
        for earlier in storage.quizzes.open_in(ws, channel_id):
            if earlier.id != quiz.id and earlier.message_ts is not None:
                self.closing.close(earlier, now)
        return quiz, self.send(quiz, quiz.claim, zone)

    def send(self, quiz: QuizRecord, claim: Claim, zone: ZoneInfo) -> str | None:
        """Post the quiz if the claim is still ours; None when posted, else Slack's error ('' if transient)."""
        ws, storage = quiz.workspace, self.core.storage
        if not storage.quizzes.holds(claim, self.core.fresh_claims_after()):
            log.warning("quiz %s not posted now: its claim was retaken, or is too old to post under", quiz.id)
            return CLAIM_LOST
        closes = views.quiz.format_closing(quiz.closes_at.astimezone(zone), str(zone))
        try:
            response = self.core.client(ws).chat_postMessage(
                channel=quiz.channel_id,
                text=views.quiz.quiz_fallback_text(quiz.question, quiz.counted),
                blocks=views.quiz.quiz_blocks(quiz.id, quiz.question, 0, closes, quiz.counted),
                metadata={"event_type": QUIZ_EVENT, "event_payload": {"quiz_id": quiz.id, "slot": quiz.slot}},
                unfurl_links=False,
            )
        except NotInstalled:
            storage.quizzes.mark_failed(claim, NOT_INSTALLED)
            return NOT_INSTALLED
        except SLACK_FAILURES as exc:
            error = slack_error(exc)
            if self.core.check_token(ws, exc) or error in PERMANENT_ERRORS:
                log.error("quiz for %s not posted: Slack said %s", quiz.channel_id, error)
                storage.quizzes.mark_failed(claim, error)
                return error
            log.warning(
                "quiz for %s not posted yet (%s); recovery will retry",
                quiz.channel_id,
                error or type(exc).__name__,
            )
            return ""
        storage.quizzes.mark_posted(claim, str(response["ts"]), self.core.clock())
        return None

    # -- recovery ------------------------------------------------------------------

    def recover(self) -> None:
        """Finish what was left: unrecorded posts, due slots never posted, due results, half-done closes."""
        now = self.core.clock()
        storage = self.core.storage
        stale_before = now - self.core.claim_lease
        for quiz in storage.quizzes.stale_claims(stale_before):
            if not storage.budgets.take(quiz.workspace, "conversations.history", 1, now):
                continue  # Slack allows one history read a minute: the next run tries
            claim = storage.quizzes.retake(quiz, self.core.owner, now, stale_before)
            if claim is not None:
                self._recover(quiz, claim, now)
        self.weekly.recover(now)
        schedules = storage.schedules.active()
        self.run_due_slots(schedules, now)
        self.weekly.run_due(schedules, now)
        self.closing.close_due()

    def _recover(self, quiz: QuizRecord, claim: Claim, now: datetime) -> None:
        ws = quiz.workspace
        zone = self.core.zone_for(ws, quiz.channel_id)
        match = {"quiz_id": quiz.id}
        ts = self.channels.find_own_post(
            ws, quiz.channel_id, QUIZ_EVENT, match, quiz.first_claimed_at, quiz.claimed_at
        )
        if ts == UNREADABLE:
            return  # retaken again after the lease
        quizzes = self.core.storage.quizzes
        if ts == UNKNOWN:
            log.warning("quiz %s: too many messages to be sure it was not posted; not posting again", quiz.id)
            quizzes.mark_failed(claim, "unverifiable")
        elif ts is not None:
            quizzes.mark_posted(claim, ts, now)
        elif slot_day(quiz.slot) != now.astimezone(zone).strftime("%Y-%m-%d"):
            quizzes.mark_failed(claim, "missed_day")  # never post an earlier day's quiz
        else:
            self.send(quiz, claim, zone)

    def run_due_slots(self, schedules: list[StoredSchedule], now: datetime) -> None:
        """Post every slot that is due today and has no quiz yet (one query for all channels)."""
        taken = self.core.storage.quizzes.slots_since(now - timedelta(days=2))
        for stored in schedules:
            ws, channel = stored.workspace, stored.schedule.channel_id
            local = local_slot_today(stored.schedule, now)
            if local is None or (ws, channel, slot_key(local)) in taken:
                continue
            try:
                self.run_slot(ws, channel)
            except EXPECTED_FAILURES as exc:
                log.warning("due slot of %s not posted (%s)", channel, type(exc).__name__)
