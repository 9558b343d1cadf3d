"""Button clicks and menu picks: term cards, quiz answers, sharing, practice.

The user id always comes from the signed payload (`body["user"]["id"]`), never
from a button's value; a value only names a quiz and a choice, and the answer
is judged against the stored quiz.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import blocks
from bot.leaderboard import parse_week
from bot.listeners.context import BotContext

_DEFINE_SHOW = re.compile(rf"^{blocks.DEFINE_SHOW}_\d+$")
_QUIZ_ANSWER = re.compile(rf"^{blocks.QUIZ_ANSWER}_\d+$")
_PRACTICE_ANSWER = re.compile(rf"^{blocks.PRACTICE_ANSWER}_\d+$")
_QUIZ_VALUE = re.compile(r"^(\d{1,12}):(\d{1,2})$")


def _action(body: dict[str, Any]) -> dict[str, Any]:
    acts = body.get("actions") or [{}]
    return acts[0] if isinstance(acts[0], dict) else {}


def _value(body: dict[str, Any]) -> str:
    action = _action(body)
    selected = action.get("selected_option")
    if isinstance(selected, dict):
        return str(selected.get("value", ""))
    return str(action.get("value", ""))


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id", ""))


def register(app: App, ctx: BotContext) -> None:
    def show_term(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        glossary = ctx.source.glossary
        term = glossary.get(_value(body))
        if term is None:
            respond(
                text="That term is no longer in the glossary.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        respond(
            text=term.term,
            blocks=blocks.term_blocks(glossary, term),
            response_type="ephemeral",
            replace_original=True,
        )

    app.action(_DEFINE_SHOW)(show_term)
    app.action(blocks.DEFINE_PICK)(show_term)

    @app.action(blocks.DEFINE_SHARE)
    def share_term(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        glossary = ctx.source.glossary
        term = glossary.get(_value(body))
        if term is None:
            respond(
                text="That term is no longer in the glossary.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        respond(
            text=f"{term.term}: {term.definition}",
            blocks=blocks.term_blocks(glossary, term, shared_by=_user(body)),
            response_type="in_channel",
            replace_original=False,
        )

    @app.action(_QUIZ_ANSWER)
    def answer_quiz(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        # Stored before the acknowledgement: a click Slack saw succeed is never lost,
        # even if this process dies right after answering 200.
        match = _QUIZ_VALUE.match(_value(body))
        user = _user(body)
        if match is None or not user:
            ack()
            respond(
                text="That button is not valid; nothing was recorded.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        reply = ctx.service.answer(int(match.group(1)), user, int(match.group(2)))
        ack()
        ctx.home.mark_stale(user)
        respond(text="Your answer", blocks=reply, response_type="ephemeral", replace_original=False)

    @app.action(blocks.LEADERBOARD_SHARE)
    def share_board(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        channel, _, label = _value(body).partition("|")
        here = str(
            (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        )
        try:
            week = parse_week(label, ctx.service.zone_for(here))
        except ValueError:
            week = None
        if channel != here or week is None:
            respond(
                text="That leaderboard can only be shared where it was asked for.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        board = ctx.service.board_for_week(here, week, None)
        shown = blocks.leaderboard_blocks(here, week, board.standings[:10], None, None, share=False)
        shown.append(blocks.notice_blocks(f"Shared by <@{_user(body)}>")[0])
        respond(
            text=f"Leaderboard {week.label}", blocks=shown, response_type="in_channel", replace_original=False
        )

    @app.action(blocks.HOME_PICK)
    def home_pick(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        glossary = ctx.source.glossary
        term = glossary.get(_value(body))
        if term is not None and body.get("trigger_id"):
            client.views_open(trigger_id=body["trigger_id"], view=blocks.term_modal(glossary, term))

    @app.action(blocks.HOME_PRACTICE)
    def practice_start(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        if body.get("trigger_id"):
            client.views_open(trigger_id=body["trigger_id"], view=ctx.home.next_question(_user(body)))

    @app.action(_PRACTICE_ANSWER)
    def practice_answer(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body.get("view") or {}
        try:
            choice = int(_value(body))
        except ValueError:
            choice = -1
        feedback = ctx.home.answer(_user(body), str(view.get("private_metadata") or ""), choice)
        if feedback is None:
            feedback = ctx.home.next_question(_user(body))
        if view.get("id"):
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=feedback)

    @app.action(blocks.PRACTICE_NEXT)
    def practice_next(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body.get("view") or {}
        if view.get("id"):
            client.views_update(
                view_id=view["id"], view=ctx.home.next_question(_user(body), last=_value(body))
            )
