"""Slash commands: /define, /quiz and /leaderboard.

Each listener acknowledges within Slack's 3 seconds, usually with the private
answer itself, and leaves slow work (posting a quiz) until after the ack.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.exc import SQLAlchemyError

from bot import blocks
from bot.listeners.context import BotContext
from bot.schedule import ScheduleError, next_post, parse_schedule
from bot.slack_client import SLACK_FAILURES
from bot.text import escape_mrkdwn, normalise, strip_control

log = logging.getLogger(__name__)
MAX_TEXT = 2000

QUIZ_HELP = (
    "*Term of the day*\n"
    "`/quiz schedule HH:MM [TIMEZONE] [DAYS]`: post a question here, e.g. `/quiz schedule 09:30 Europe/Berlin mon-fri`"
    " (DAYS: mon-fri, daily, mon-sun or a list such as mon,wed,fri)\n"
    "`/quiz status`: this channel's schedule and the next post\n"
    "`/quiz now`: post a question right away\n"
    "`/quiz off`: stop posting here\n"
    "`/leaderboard` (or `/leaderboard last`): the week's standings"
)


def _private(ack: Ack, text: str) -> None:
    ack(response_type="ephemeral", text=text, blocks=blocks.notice_blocks(text))


def register(app: App, ctx: BotContext) -> None:
    @app.command("/define")
    def define(ack: Ack, command: dict[str, Any]) -> None:
        typed = strip_control(str(command.get("text") or ""))[:MAX_TEXT]
        loaded = ctx.source.current
        if normalise(typed) in ("", "help"):
            ack(
                response_type="ephemeral",
                text=loaded.glossary.title,
                blocks=blocks.help_blocks(loaded.glossary),
            )
            return
        result = loaded.lookup.find(typed)
        fallback = result.match.term if result.match else "No exact match"
        ack(
            response_type="ephemeral",
            text=fallback,
            blocks=blocks.lookup_blocks(loaded.glossary, result, typed),
        )
        try:
            term = result.match.term if result.match else None
            ctx.service.store.record_lookup(term, None if term else result.query, ctx.clock())
        except SQLAlchemyError as exc:
            log.warning("lookup not recorded: %s", type(exc).__name__)

    @app.command("/quiz")
    def quiz(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        words = strip_control(str(command.get("text") or "")).split()
        sub = words[0].lower() if words else "help"
        channel, user = str(command.get("channel_id", "")), str(command.get("user_id", ""))
        if sub in ("help", "?"):
            _private(ack, QUIZ_HELP)
        elif sub == "status":
            _private(ack, _status(ctx, channel))
        elif sub not in ("schedule", "off", "now"):
            _private(ack, f"I don't know `/quiz {escape_mrkdwn(words[0][:40])}`.\n\n{QUIZ_HELP}")
        elif not ctx.may_manage(user):
            _private(
                ack,
                "Sorry, only the quiz admins of this workspace can change the quiz. `/quiz status` shows it.",
            )
        elif channel.startswith("D"):
            _private(
                ack, "The term of the day is for channels. Run `/quiz` in the channel that should get it."
            )
        elif sub == "schedule":
            try:
                schedule = parse_schedule(channel, words[1:], ctx.settings.quiz_timezone)
            except ScheduleError as exc:
                _private(ack, escape_mrkdwn(str(exc)))
                return
            ctx.service.store.save_schedule(schedule, user, ctx.clock())
            ctx.on_schedule_change(channel)
            _private(ack, f"Scheduled: {schedule.describe()}.\n{_status(ctx, channel)}")
        elif sub == "off":
            removed = ctx.service.store.delete_schedule(channel)
            ctx.on_schedule_change(channel)
            _private(ack, "The term of the day is off here." if removed else "There was no schedule here.")
        else:
            _private(ack, "Posting a question now…")
            # After the ack nothing may raise (Bolt would drop the ack): failures become a reply.
            try:
                posted = ctx.service.post_now(channel, user) is not None
                note = "" if posted else "A question was already posted here this minute."
            except SQLAlchemyError as exc:
                log.warning("/quiz now failed: %s", type(exc).__name__)
                note = (
                    "The bot's database is not reachable right now, so nothing was posted. Please try again."
                )
            if note:
                try:
                    respond(text=note, response_type="ephemeral")
                except SLACK_FAILURES as exc:
                    log.warning("reply not delivered (%s)", type(exc).__name__)

    @app.command("/leaderboard")
    def leaderboard(ack: Ack, command: dict[str, Any]) -> None:
        words = str(command.get("text") or "").lower().split()
        channel, user = str(command.get("channel_id", "")), str(command.get("user_id", ""))
        if words and words[0] not in ("last", "this"):
            _private(ack, "Use `/leaderboard` for this week or `/leaderboard last` for last week.")
            return
        board = ctx.service.board(channel, user, last=bool(words) and words[0] == "last")
        ack(
            response_type="ephemeral",
            text=f"Leaderboard {board.week.label}",
            blocks=blocks.leaderboard_blocks(channel, board.week, board.standings[:10], board.caller, user),
        )


def _status(ctx: BotContext, channel: str) -> str:
    schedule = ctx.service.store.get_schedule(channel)
    if schedule is None:
        return "No term of the day here yet. Start one with `/quiz schedule 09:30 Europe/Berlin mon-fri`."
    upcoming = next_post(schedule, ctx.clock())
    when = upcoming.strftime("%a %d %b %H:%M %Z") if upcoming else "none"
    return f"Term of the day here: {schedule.describe()}. Next post: {when}."
