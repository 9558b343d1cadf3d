"""`/quiz` (a table of subcommands) and the quiz's answer buttons.

`help` and `status` answer in the acknowledgement.  Everything that changes
the quiz first needs to know whether the user may (which can take a
`users.info` call) and whether the bot can post in the channel, so it
acknowledges at once and answers through `response_url` from the bot's own
pool.  An answer click is stored before it is acknowledged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import views
from bot.domain.slots import ScheduleError, find_zone, parse_schedule
from bot.domain.text import escape_mrkdwn
from bot.domain.workspace import Workspace
from bot.listeners import payload
from bot.listeners.context import BotContext, bot_of
from bot.services.core import EXPECTED_FAILURES, failure_text
from bot.services.learning import DEFAULT_WEEKS, MAX_WEEKS
from bot.views import ids, replies


@dataclass(frozen=True)
class QuizCommand:
    bot: BotContext
    ws: Workspace
    channel: str
    user: str
    args: list[str]
    text: str
    command: dict[str, Any]  # what Slack sent: its response_url takes the answer


def _private(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text, "blocks": views.quiz.notice_blocks(text)}


def _status_text(cmd: QuizCommand) -> str:
    status = cmd.bot.services.schedules.status(cmd.ws, cmd.channel)
    return replies.status(status.stored, status.next_post)


def _schedule(cmd: QuizCommand) -> str:
    try:
        schedule = parse_schedule(cmd.channel, cmd.args, cmd.bot.services.schedules.default_zone_name(cmd.ws))
    except ScheduleError as exc:
        return escape_mrkdwn(str(exc))
    problem = cmd.bot.services.schedules.save(cmd.ws, schedule, cmd.user)
    if problem:
        return replies.cannot_post(problem) + " Nothing was scheduled."
    cmd.bot.on_schedule_change()
    return replies.scheduled(schedule, _status_text(cmd))


def _off(cmd: QuizCommand) -> str:
    removed = cmd.bot.services.schedules.stop(cmd.ws, cmd.channel)
    cmd.bot.on_schedule_change()
    return "The term of the day is off here." if removed else "There was no schedule here."


def _now(cmd: QuizCommand) -> str:
    return replies.now_outcome(cmd.bot.services.posting.post_now(cmd.ws, cmd.channel, cmd.user))


def _admins(cmd: QuizCommand) -> str:
    admins = cmd.bot.services.admins
    wanted = payload.mentioned_users(cmd.text)
    if wanted:
        admins.set_quiz_admins(cmd.ws, wanted)
    return replies.admins_list(admins.quiz_admins(cmd.ws))


def _settings_text(cmd: QuizCommand) -> str:
    admins = cmd.bot.services.admins
    return replies.settings(
        admins.quiz_admins(cmd.ws),
        admins.glossary_owners(cmd.ws),
        admins.review_channel(cmd.ws),
        cmd.bot.services.schedules.default_zone_name(cmd.ws),
    )


def _zone(cmd: QuizCommand) -> str:
    zone = find_zone(cmd.args[0]) if cmd.args else None
    if zone is None:
        return "Give an IANA time zone, such as `/quiz zone Europe/Berlin`, `/quiz zone Japan` or `/quiz zone UTC`."
    cmd.bot.services.admins.set_default_zone(cmd.ws, zone.key)
    return _settings_text(cmd)


def _owners(cmd: QuizCommand) -> str:
    owners = payload.mentioned_users(cmd.text)
    if not owners and cmd.args[:1] != ["none"]:
        return "Name the glossary owners, such as `/quiz owners @ana @ben`, or `/quiz owners none`."
    cmd.bot.services.admins.set_glossary_owners(cmd.ws, owners)
    return _settings_text(cmd)


def _review(cmd: QuizCommand) -> str:
    channel = payload.mentioned_channel(cmd.text)
    if channel is None and cmd.args[:1] != ["none"]:
        return "Name the review channel, such as `/quiz review #glossary-review`, or `/quiz review none`."
    can_post, reason = cmd.bot.services.channels.can_post(cmd.ws, channel) if channel else (True, "")
    if not can_post:
        return replies.cannot_post(reason) + " The review channel was not changed."
    cmd.bot.services.admins.set_review_channel(cmd.ws, channel)
    return _settings_text(cmd)


def _later(cmd: QuizCommand, run: Callable[[QuizCommand], str], admins_only: bool) -> None:
    """In the pool: refuse DMs (and non-admins where it matters), else run; answer privately either way."""
    try:
        if cmd.channel.startswith("D"):
            text = replies.DM_ONLY_CHANNELS
        elif admins_only and not cmd.bot.services.admins.may_manage(cmd.ws, cmd.user):
            text = replies.NOT_ADMIN
        else:
            text = run(cmd)
    except EXPECTED_FAILURES as exc:  # the person hears it: the acknowledgement already went
        text = failure_text(exc)
    cmd.bot.reply_now(cmd.command, **_private(text))


def _report(cmd: QuizCommand) -> None:
    """In the pool: the learning report, privately (refused politely to all but admins and owners)."""
    weeks = cmd.args[0] if cmd.args else str(DEFAULT_WEEKS)
    if not weeks.isdigit() or not 1 <= int(weeks) <= MAX_WEEKS:
        cmd.bot.reply_now(
            cmd.command,
            **_private(f"Give a number of weeks from 1 to {MAX_WEEKS}, such as `/quiz report 8`."),
        )
        return
    try:
        shown = cmd.bot.services.learning.for_slack(cmd.ws, cmd.user, int(weeks))
    except EXPECTED_FAILURES as exc:
        cmd.bot.reply_now(cmd.command, **_private(failure_text(exc)))
        return
    cmd.bot.reply_now(cmd.command, text="Learning report", blocks=shown)


# Subcommands answered from the pool, and whether only quiz admins may use them (anyone may use
# `now`: a quiz admin's question counts, anyone else's is a practice round).
LATER: dict[str, tuple[Callable[[QuizCommand], str], bool]] = {
    "schedule": (_schedule, True),
    "off": (_off, True),
    "admins": (_admins, True),
    "zone": (_zone, True),
    "owners": (_owners, True),
    "review": (_review, True),
    "now": (_now, False),
}
INLINE: dict[str, Callable[[QuizCommand], str]] = {
    "help": lambda cmd: replies.QUIZ_HELP,
    "status": _status_text,
    "admins": lambda cmd: replies.admins_list(cmd.bot.services.admins.quiz_admins(cmd.ws)),
    "settings": _settings_text,
}


def _parse(command: dict[str, Any], context: BoltContext) -> tuple[QuizCommand, str]:
    text = payload.command_text(command)
    words = text.split()
    ws, channel, user = payload.workspace(context), payload.channel_id(command), payload.user_id(command)
    return QuizCommand(bot_of(context), ws, channel, user, words[1:], text, command), (
        words[0].lower() if words else "help"
    )


def quiz(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """`/quiz SUBCOMMAND …`, dispatched through the tables above."""
    cmd, sub = _parse(command, context)
    bot = cmd.bot
    if sub == "report":
        ack()
        bot.later("/quiz report", _report, cmd)
    elif sub in LATER and (sub != "admins" or cmd.args):  # anyone may see the admins; only they change them
        ack()
        bot.later(f"/quiz {sub}", _later, cmd, *LATER[sub])
    else:
        inline = INLINE.get(sub)
        ack(**_private(inline(cmd) if inline else replies.unknown_subcommand(sub)))


def answer_quiz(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """A quiz button: stored before the acknowledgement, so a click Slack saw succeed is never lost."""
    bot, ws, user, picked = (
        bot_of(context),
        payload.workspace(context),
        payload.user_id(body),
        payload.quiz_answer(body),
    )
    if picked is None or not user:
        ack()
        bot.reply(body, text="That button is not valid; nothing was recorded.")
        return
    reply = bot.services.answering.answer(ws, picked[0], user, picked[1])
    ack()
    bot.services.home.mark_stale(ws, user)
    bot.reply(body, text="Your answer", blocks=reply)


ANSWER_ACTIONS = re.compile(rf"^{ids.QUIZ_ANSWER}_\d+$")


def register(app: App) -> None:
    """`/quiz` and the quiz's answer buttons."""
    app.command("/quiz")(quiz)
    app.action(ANSWER_ACTIONS)(answer_quiz)
