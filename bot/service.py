"""The service layer: what listeners, scheduled jobs and the terminal call.

`Service` joins the pure modules (quiz, leaderboard, schedule, blocks) to the
database (`Store`) and Slack (`WebClient`).  Its rules for doing things once:

* A quiz slot or weekly result is claimed in the database before it is posted.
  The post carries message metadata naming the claim; a claim left unrecorded
  by a dead process is retaken after a lease, and the channel's history is read
  back before posting again, so a crash between posting and recording never
  makes a second copy.
* A slot missed while the bot was down is posted late the same local day only.
* An answer is stored before the user is told anything; the first one is final.
* Closing is posted → closing → closed; a close left half done is redone
  (editing a message twice shows the same result).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.config import Settings
from bot.glossary_source import GlossarySource
from bot.leaderboard import Standing, Week, previous_week, rank_scores, week_containing
from bot.quiz import is_valid_choice, question_for_slot
from bot.schedule import (
    DAY_NAMES,
    Schedule,
    end_of_local_day,
    local_slot_today,
    parse_time,
    slot_key,
)
from bot.slack_client import SLACK_FAILURES
from bot.store import QuizRecord, Store, WeeklyClaim

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
QUIZ_EVENT = "study_lab_quiz"
WEEKLY_EVENT = "study_lab_weekly"
# Errors after which posting again can never work; the claim is marked failed.
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_blocks",
    "msg_too_long",
    "no_permission",
}


@dataclass(frozen=True)
class Board:
    week: Week
    standings: list[Standing]
    caller: Standing | None


class Service:
    def __init__(
        self,
        store: Store,
        client: WebClient,
        source: GlossarySource,
        settings: Settings,
        clock: Clock,
        owner: str,
        claim_lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self.store = store
        self.client = client
        self.source = source
        self.settings = settings
        self.clock = clock
        self.owner = owner
        self.claim_lease = claim_lease
        self._edit_lock = threading.Lock()  # one Slack edit of a quiz message at a time per process

    # -- zones ---------------------------------------------------------------

    def zone_for(self, channel_id: str) -> ZoneInfo:
        schedule = self.store.get_schedule(channel_id)
        return schedule.zone if schedule is not None else ZoneInfo(self.settings.quiz_timezone)

    def closes_at(self, posted: datetime, zone: ZoneInfo) -> datetime:
        end = end_of_local_day(posted, zone)
        minutes = self.settings.quiz_close_after_minutes
        return min(end, posted + timedelta(minutes=minutes)) if minutes else end

    # -- posting the quiz ----------------------------------------------------

    def run_slot(self, channel_id: str) -> QuizRecord | None:
        """The scheduled job: weekly results if due, then today's quiz if due and not yet posted."""
        schedule = self.store.get_schedule(channel_id)
        if schedule is None:
            return None
        now = self.clock()
        self.post_weekly_if_due(channel_id, schedule.zone, now)
        local = local_slot_today(schedule, now)
        if local is None or self.store.slot_taken(channel_id, slot_key(local)):
            return None
        return self.post_quiz(channel_id, slot_key(local), schedule.zone, now)

    def post_now(self, channel_id: str, user_id: str) -> QuizRecord | None:
        """`/quiz now`: an extra question, keyed by the minute so a double submit posts once."""
        now = self.clock()
        zone = self.zone_for(channel_id)
        return self.post_quiz(channel_id, "now:" + slot_key(now.astimezone(zone)), zone, now)

    def post_quiz(self, channel_id: str, slot: str, zone: ZoneInfo, now: datetime) -> QuizRecord | None:
        for earlier in self.store.open_quizzes(channel_id):
            self.close_quiz(earlier, now)
        glossary = self.source.glossary
        question = question_for_slot(glossary, channel_id, slot, self.store.channel_history(channel_id))
        quiz = self.store.claim_quiz(channel_id, slot, question, self.owner, now, self.closes_at(now, zone))
        if quiz is None:
            return None  # another process, or an earlier run, has this slot
        self._send_quiz(quiz, zone, now)
        return self.store.get_quiz(quiz.id)

    def _send_quiz(self, quiz: QuizRecord, zone: ZoneInfo, now: datetime) -> None:
        closes = blocks.format_closing(quiz.closes_at.astimezone(zone), str(zone))
        try:
            response = self.client.chat_postMessage(
                channel=quiz.channel_id,
                text=blocks.quiz_fallback_text(quiz.question),
                blocks=blocks.quiz_blocks(quiz.id, quiz.question, 0, closes),
                metadata={"event_type": QUIZ_EVENT, "event_payload": {"quiz_id": quiz.id, "slot": quiz.slot}},
                unfurl_links=False,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in PERMANENT:
                log.error("quiz for %s not posted: Slack said %s", quiz.channel_id, error)
                self.store.mark_quiz_failed(quiz.id)
            else:
                log.warning("quiz for %s not posted yet (%s); recovery will retry", quiz.channel_id, error)
            return
        except SLACK_FAILURES as exc:
            log.warning(
                "quiz for %s not posted yet (%s); recovery will retry", quiz.channel_id, type(exc).__name__
            )
            return
        self.store.mark_quiz_posted(quiz.id, str(response["ts"]), self.clock())

    def _find_own_post(
        self, channel_id: str, event_type: str, key: str, value: object, since: datetime
    ) -> str | None:
        """The ts of this app's earlier post carrying the given metadata, if Slack has it."""
        oldest = f"{since.timestamp() - 600:.6f}"  # ten minutes' margin for clock skew
        cursor = None
        for _ in range(10):
            response = self.client.conversations_history(
                channel=channel_id, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
            messages: list[dict[str, Any]] = response.get("messages") or []
            for message in messages:
                meta = message.get("metadata") or {}
                if (
                    meta.get("event_type") == event_type
                    and (meta.get("event_payload") or {}).get(key) == value
                ):
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None

    def recover(self) -> None:
        """Finish what a dead process left: unrecorded posts and half-done closes."""
        now = self.clock()
        for quiz in self.store.stale_quiz_claims(now - self.claim_lease):
            if self.store.retake_claim("quiz", quiz.id, quiz.claimed_at, self.owner, now):
                self._recover_quiz(quiz, now)
        for claim in self.store.stale_weekly_claims(now - self.claim_lease):
            if self.store.retake_claim("weekly", claim.id, claim.claimed_at, self.owner, now):
                self._recover_weekly(claim, now)
        self.close_due()

    def _recover_quiz(self, quiz: QuizRecord, now: datetime) -> None:
        zone = self.zone_for(quiz.channel_id)
        try:
            ts = self._find_own_post(quiz.channel_id, QUIZ_EVENT, "quiz_id", quiz.id, quiz.claimed_at)
        except SLACK_FAILURES as exc:
            log.warning("cannot read %s history to recover a quiz (%s)", quiz.channel_id, type(exc).__name__)
            return
        if ts is not None:
            self.store.mark_quiz_posted(quiz.id, ts, now)
        elif quiz.slot.split("T")[0].removeprefix("now:") != now.astimezone(zone).strftime("%Y-%m-%d"):
            self.store.mark_quiz_failed(quiz.id)  # never post an earlier day's quiz
        else:
            self._send_quiz(quiz, zone, now)

    # -- answering -----------------------------------------------------------

    def answer(self, quiz_id: int, user_id: str, choice: int) -> list[dict[str, object]]:
        """Store the click, then say privately whether it was right and why."""
        quiz, outcome = self.store.answer_quiz(quiz_id, user_id, choice, self.clock())
        if quiz is None:
            return blocks.notice_blocks("I can't find that quiz any more.")
        if not is_valid_choice(len(quiz.question.choices), choice):
            return blocks.notice_blocks("That is not one of this quiz's choices; nothing was recorded.")
        term = self.source.glossary.get(quiz.question.term)
        if outcome is None:
            return blocks.closed_blocks(quiz.question)
        if not outcome.stored:
            return blocks.already_answered_blocks(outcome.choice)
        return blocks.feedback_blocks(quiz.question, choice, term)

    def flush_counts(self) -> None:
        """Edit "N answered" on open quizzes, at most once per interval per quiz across processes."""
        interval = timedelta(seconds=self.settings.count_update_seconds)
        for quiz, count in self.store.counts_to_show():
            now = self.clock()
            if not self.store.claim_count_update(quiz.id, count, now, interval):
                continue
            zone = self.zone_for(quiz.channel_id)
            closes = blocks.format_closing(quiz.closes_at.astimezone(zone), str(zone))
            with self._edit_lock:
                current = self.store.get_quiz(quiz.id)
                if current is None or current.state != "posted" or current.message_ts is None:
                    continue
                try:
                    self.client.chat_update(
                        channel=quiz.channel_id,
                        ts=current.message_ts,
                        text=blocks.quiz_fallback_text(quiz.question),
                        blocks=blocks.quiz_blocks(quiz.id, quiz.question, count, closes),
                    )
                except SLACK_FAILURES as exc:
                    log.warning("answer count for quiz %s not updated (%s)", quiz.id, type(exc).__name__)
                    self.store.claim_count_update(quiz.id, -1, now, timedelta(0))  # try again later

    # -- closing -----------------------------------------------------------------

    def close_due(self) -> None:
        now = self.clock()
        for quiz in self.store.quizzes_to_close(now, now - self.claim_lease):
            self.close_quiz(quiz, now)

    def close_quiz(self, quiz: QuizRecord, now: datetime) -> None:
        if not self.store.begin_close(quiz, now, now - self.claim_lease):
            return
        answered, right = self.store.tally(quiz.id)
        term = self.source.glossary.get(quiz.question.term)
        if quiz.message_ts is not None:
            with self._edit_lock:
                try:
                    self.client.chat_update(
                        channel=quiz.channel_id,
                        ts=quiz.message_ts,
                        text=f"Term of the day (closed): the answer was {quiz.question.right_letter}",
                        blocks=blocks.reveal_blocks(quiz.question, term, answered, right),
                    )
                except SLACK_FAILURES as exc:
                    log.warning(
                        "reveal of quiz %s not posted yet (%s); will retry", quiz.id, type(exc).__name__
                    )
                    return  # stays "closing"; retaken after the lease
        self.store.finish_close(quiz.id, self.clock())

    # -- leaderboard and weekly results ------------------------------------------

    def board(self, channel_id: str, user_id: str | None, last: bool) -> Board:
        now = self.clock()
        zone = self.zone_for(channel_id)
        week = previous_week(now, zone) if last else week_containing(now, zone)
        return self.board_for_week(channel_id, week, user_id)

    def board_for_week(self, channel_id: str, week: Week, user_id: str | None) -> Board:
        standings = rank_scores(self.store.week_scores(channel_id, week))
        mine = next((s for s in standings if s.user == user_id), None)
        return Board(week, standings, mine)

    def results_due_at(self, week_start: datetime, zone: ZoneInfo) -> datetime:
        """When the past week's results post: RESULTS_DAY at RESULTS_TIME of the new week."""
        at = parse_time(self.settings.results_time) or time(9, 0)
        monday = week_start.astimezone(zone).date()
        day = monday + timedelta(days=DAY_NAMES.index(self.settings.results_day[:3]))
        return datetime.combine(day, at, zone)

    def run_weekly(self, channel_id: str) -> None:
        """The scheduled results job for one channel."""
        self.post_weekly_if_due(channel_id, self.zone_for(channel_id), self.clock())

    def post_weekly_if_due(self, channel_id: str, zone: ZoneInfo, now: datetime) -> None:
        this_week = week_containing(now, zone)
        if now < self.results_due_at(this_week.start, zone):
            return
        past = previous_week(now, zone)
        if not self.store.week_scores(channel_id, past):
            return  # nobody played: nothing to announce
        claim = self.store.claim_weekly(channel_id, past.label, self.owner, now)
        if claim is not None:
            self._send_weekly(claim, past, now)

    def _weekly_blocks(self, channel_id: str, week: Week) -> list[dict[str, object]]:
        board = self.board_for_week(channel_id, week, None)
        missed = self.store.most_missed(channel_id, week.start, week.end)
        return blocks.leaderboard_blocks(
            channel_id,
            week,
            board.standings[:10],
            None,
            None,
            share=False,
            title="Weekly results",
            most_missed=missed[0] if missed else None,
        )

    def _send_weekly(self, claim: WeeklyClaim, week: Week, now: datetime) -> None:
        try:
            response = self.client.chat_postMessage(
                channel=claim.channel_id,
                text=f"Weekly results for {week.label}",
                blocks=self._weekly_blocks(claim.channel_id, week),
                metadata={
                    "event_type": WEEKLY_EVENT,
                    "event_payload": {"week": week.label, "claim": claim.id},
                },
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in PERMANENT:
                self.store.mark_weekly(claim.id, "failed", None, now)
            log.warning("weekly results for %s not posted (%s)", claim.channel_id, error)
            return
        except SLACK_FAILURES as exc:
            log.warning("weekly results for %s not posted yet (%s)", claim.channel_id, type(exc).__name__)
            return
        self.store.mark_weekly(claim.id, "posted", str(response["ts"]), self.clock())

    def _recover_weekly(self, claim: WeeklyClaim, now: datetime) -> None:
        zone = self.zone_for(claim.channel_id)
        try:
            ts = self._find_own_post(claim.channel_id, WEEKLY_EVENT, "claim", claim.id, claim.claimed_at)
        except SLACK_FAILURES:
            return
        if ts is not None:
            self.store.mark_weekly(claim.id, "posted", ts, now)
        elif previous_week(now, zone).label == claim.week:
            self._send_weekly(claim, previous_week(now, zone), now)
        else:
            self.store.mark_weekly(claim.id, "failed", None, now)

    # -- start-up -----------------------------------------------------------------

    def catch_up(self, schedules: list[Schedule]) -> None:
        """At start: finish what was left, then post today's missed slots and due results."""
        self.recover()
        for schedule in schedules:
            try:
                self.run_slot(schedule.channel_id)
            except SLACK_FAILURES as exc:
                log.warning("catch-up for %s failed (%s)", schedule.channel_id, type(exc).__name__)
