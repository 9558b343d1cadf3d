"""Open quizzes as they change: the live "N answered" count, and the reveal that closes them.

Count edits are coalesced across processes (one per quiz per interval) and
drawn from the workspace's shared `chat.update` budget.  The reveal is final:
after a count edit the quiz's state is read again, and if it closed meanwhile
(another process revealed it while the count edit was in flight) the reveal
is written again, so the last edit a message gets is always the reveal.  A
close is posted → closing → closed; an error after which Slack can never take
the reveal (the message or channel is gone) still finishes the close, once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot import views
from bot.services.core import Core
from bot.slack.client import PERMANENT_ERRORS, SLACK_FAILURES, slack_error
from bot.slack.installations import NotInstalled
from bot.storage.quiz_records import QuizRecord
from bot.storage.statuses import QuizState

log = logging.getLogger(__name__)
COUNT_EDITS_PER_MINUTE = 20  # of chat.update's ~50 a minute per workspace; the rest is for reveals


def closes_text(core: Core, quiz: QuizRecord) -> str:
    zone = core.zone_for(quiz.workspace, quiz.channel_id)
    return views.quiz.format_closing(quiz.closes_at.astimezone(zone), str(zone))


class Closing:
    def __init__(self, core: Core) -> None:
        self.core = core

    def flush_counts(self) -> None:
        """Edit "N answered" on open quizzes whose count changed."""
        storage, interval = self.core.storage, self.core.settings.count_update_interval
        for quiz, count in storage.counts.to_show():
            now = self.core.clock()
            if not storage.counts.claim_update(quiz.id, count, now, interval):
                continue
            if not storage.budgets.take(quiz.workspace, "chat.update", COUNT_EDITS_PER_MINUTE, now):
                storage.counts.forget(quiz.id)  # over budget this minute: next run
                continue
            self._edit_count(quiz, count)

    def _edit_count(self, quiz: QuizRecord, count: int) -> None:
        ws = quiz.workspace
        if quiz.message_ts is None:
            return
        try:
            self.core.client(ws).chat_update(
                channel=quiz.channel_id,
                ts=quiz.message_ts,
                text=views.quiz.quiz_fallback_text(quiz.question, quiz.counted),
                blocks=views.quiz.quiz_blocks(
                    quiz.id, quiz.question, count, closes_text(self.core, quiz), quiz.counted
                ),
            )
        except NotInstalled:
            return
        except SLACK_FAILURES as exc:  # it may still have reached the message (a timeout): check below
            error = slack_error(exc)
            if not self.core.check_token(ws, exc) and error not in PERMANENT_ERRORS:
                log.warning("answer count for quiz %s not updated (%s)", quiz.id, error or type(exc).__name__)
                self.core.storage.counts.forget(quiz.id)  # try again later
        if self.core.storage.closes.state_of(quiz.id) != QuizState.POSTED and not self.reveal(quiz):
            # Closed while this edit was in flight, and the reveal could not be written again now:
            # hand the close back to the recovery, which writes it until it lands.
            self.core.storage.closes.reopen(quiz.id)

    def close_due(self) -> None:
        now = self.core.clock()
        for quiz in self.core.storage.closes.due(now, now - self.core.claim_lease):
            self.close(quiz, now)

    def close(self, quiz: QuizRecord, now: datetime) -> None:
        if not self.core.storage.closes.begin(quiz, now, now - self.core.claim_lease):
            return
        if self.reveal(quiz):
            self.core.storage.closes.finish(quiz.id, self.core.clock())

    def reveal(self, quiz: QuizRecord) -> bool:
        """Write the reveal into the quiz message; False when it should be tried again later."""
        if quiz.message_ts is None:
            return True
        ws = quiz.workspace
        answered, right = self.core.storage.answers.tally(quiz.id)
        term = self.core.glossary(ws).glossary.get(quiz.question.term)
        try:
            self.core.client(ws).chat_update(
                channel=quiz.channel_id,
                ts=quiz.message_ts,
                text=views.kit.plain(
                    f"Term of the day (closed): the answer was {quiz.question.right_letter}"
                ),
                blocks=views.quiz.reveal_blocks(quiz.question, term, answered, right, quiz.counted),
            )
        except NotInstalled:
            return True  # uninstalled: nothing can be written there any more
        except SLACK_FAILURES as exc:
            error = slack_error(exc)
            if self.core.check_token(ws, exc) or error in PERMANENT_ERRORS:
                log.warning("quiz %s closed without its reveal: Slack said %s", quiz.id, error)
                return True
            log.warning(
                "reveal of quiz %s not written yet (%s); will retry", quiz.id, error or type(exc).__name__
            )
            return False
        return True
