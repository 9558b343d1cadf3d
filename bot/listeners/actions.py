"""Button clicks and menu picks: term cards, quiz answers, sharing, practice.

The user id always comes from the signed payload (`body["user"]["id"]`), never
from a button's value; a value only names a quiz and a choice, and the answer
is judged against the stored quiz.

Each listener does its work (reading, storing), then acknowledges, then sends.
Nothing may raise after `ack()`: Bolt then drops the acknowledgement it already
has (the request ends as a 404 after 3 seconds), so sending goes through
`_reply` and `_view`, which treat an unreachable Slack as an expected failure.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import blocks
from bot.leaderboard import parse_week
from bot.listeners.context import BotContext
from bot.slack_client import SLACK_FAILURES

log = logging.getLogger(__name__)
_DEFINE_SHOW = re.compile(rf"^{blocks.DEFINE_SHOW}_\d+$")
_QUIZ_ANSWER = re.compile(rf"^{blocks.QUIZ_ANSWER}_\d+$")
_PRACTICE_ANSWER = re.compile(rf"^{blocks.PRACTICE_ANSWER}_\d+$")
_QUIZ_VALUE = re.compile(r"^(\d{1,12}):(\d{1,2})$")


def _field(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _action(body: dict[str, Any]) -> dict[str, Any]:
    acts = body.get("actions")
    first = acts[0] if isinstance(acts, list) and acts else None
    return first if isinstance(first, dict) else {}


def _value(body: dict[str, Any]) -> str:
    action = _action(body)
    selected = action.get("selected_option")
    if isinstance(selected, dict):
        return str(selected.get("value", ""))[:2000]
    return str(action.get("value", ""))[:2000]


def _user(body: dict[str, Any]) -> str:
    return str(_field(body, "user").get("id", ""))


def _reply(body: dict[str, Any], respond: Respond, **message: Any) -> None:
    """Answer through the click's response_url (private unless said otherwise)."""
    if not body.get("response_url"):
        return  # a Home tab or modal click: there is no message to answer
    message.setdefault("response_type", "ephemeral")
    message.setdefault("replace_original", False)
    try:
        respond(**message)
    except SLACK_FAILURES as exc:
        log.warning("reply not delivered (%s)", type(exc).__name__)


def _view(call: Callable[..., Any], **args: Any) -> None:
    try:
        call(**args)
    except SLACK_FAILURES as exc:
        log.warning("view not shown (%s)", type(exc).__name__)


def register(app: App, ctx: BotContext) -> None:
    def show_term(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        glossary = ctx.source.glossary
        term = glossary.get(_value(body))
        ack()
        if term is None:
            _reply(body, respond, text="That term is no longer in the glossary.")
        else:
            _reply(
                body,
                respond,
                text=term.term,
                blocks=blocks.term_blocks(glossary, term),
                replace_original=True,
            )

    app.action(_DEFINE_SHOW)(show_term)
    app.action(blocks.DEFINE_PICK)(show_term)

    def term_options(ack: Ack, body: dict[str, Any]) -> None:
        """Options for a category menu of a large glossary, as the person types."""
        typed = str(body.get("value") or "")[:100]
        ack(options=blocks.category_options(ctx.source.glossary, str(body.get("block_id") or ""), typed))

    app.options(blocks.DEFINE_PICK)(term_options)
    app.options(blocks.HOME_PICK)(term_options)

    @app.action(blocks.DEFINE_SHARE)
    def share_term(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        glossary = ctx.source.glossary
        term = glossary.get(_value(body))
        ack()
        if term is None:
            _reply(body, respond, text="That term is no longer in the glossary.")
            return
        shared = blocks.term_blocks(glossary, term, shared_by=_user(body))
        _reply(
            body, respond, text=f"{term.term}: {term.definition}", blocks=shared, response_type="in_channel"
        )

    @app.action(_QUIZ_ANSWER)
    def answer_quiz(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        # Stored before the acknowledgement: a click Slack saw succeed is never lost,
        # even if this process dies right after answering 200.
        match = _QUIZ_VALUE.match(_value(body))
        user = _user(body)
        if match is None or not user:
            ack()
            _reply(body, respond, text="That button is not valid; nothing was recorded.")
            return
        reply = ctx.service.answer(int(match.group(1)), user, int(match.group(2)))
        ack()
        ctx.home.mark_stale(user)
        ctx.replies.submit(_reply, body, respond, text="Your answer", blocks=reply)

    @app.action(blocks.LEADERBOARD_SHARE)
    def share_board(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        channel, _, label = _value(body).partition("|")
        here = str(_field(body, "channel").get("id") or _field(body, "container").get("channel_id") or "")
        try:
            week = parse_week(label, ctx.service.zone_for(here))
        except ValueError:
            week = None
        if channel != here or week is None:
            ack()
            _reply(body, respond, text="That leaderboard can only be shared where it was asked for.")
            return
        board = ctx.service.board_for_week(here, week, None)
        ack()
        shown = blocks.leaderboard_blocks(here, week, board.standings[:10], None, None, share=False)
        shown += blocks.notice_blocks(f"Shared by <@{_user(body)}>")
        _reply(body, respond, text=f"Leaderboard {week.label}", blocks=shown, response_type="in_channel")

    @app.action(blocks.HOME_PICK)
    def home_pick(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        glossary = ctx.source.glossary
        term = glossary.get(_value(body))
        ack()
        if term is not None and body.get("trigger_id"):
            _view(client.views_open, trigger_id=body["trigger_id"], view=blocks.term_modal(glossary, term))

    @app.action(blocks.HOME_PRACTICE)
    def practice_start(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        question = ctx.home.next_question(_user(body))
        ack()
        if body.get("trigger_id"):
            _view(client.views_open, trigger_id=body["trigger_id"], view=question)

    @app.action(_PRACTICE_ANSWER)
    def practice_answer(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = _field(body, "view")
        try:
            choice = int(_value(body))
        except ValueError:
            choice = -1
        shown = ctx.home.answer(_user(body), str(view.get("private_metadata") or ""), choice)
        if shown is None:  # not a question this bot asked: ask a fresh one instead
            shown = ctx.home.next_question(_user(body))
        ack()
        if view.get("id"):
            _view(client.views_update, view_id=view["id"], hash=view.get("hash"), view=shown)

    @app.action(blocks.PRACTICE_NEXT)
    def practice_next(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = _field(body, "view")
        question = ctx.home.next_question(_user(body), last=_value(body))
        ack()
        if view.get("id"):
            _view(client.views_update, view_id=view["id"], view=question)
