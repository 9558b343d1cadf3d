"""Suggesting glossary terms and edits, and the owners' Approve and Reject.

The modal opens from the bot's pool right after the click is acknowledged
(its trigger_id works for 3 seconds).  A submission is checked before it is
acknowledged, so problems show inline in the modal (`response_action:
errors`).  A decision is recorded before the click is acknowledged; editing the
review message and telling the author happen afterwards.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.domain.edits import Suggestion
from bot.domain.workspace import Workspace
from bot.listeners import payload
from bot.listeners.context import BotContext, bot_of
from bot.services.suggestions import Decision
from bot.views import ids
from bot.views import suggestions as suggestion_views

OFF = "Suggestions are off in this workspace: it has no glossary owners yet (`/quiz owners @someone`)."
DECIDED = {
    Decision.NOT_OWNER: "Only the glossary's owners can decide on suggestions; nothing was changed.",
    Decision.NOT_FOUND: "I can't find that suggestion; nothing was changed.",
    Decision.ALREADY: "That suggestion was already decided; nothing was changed.",
    Decision.STALE: "That term changed since this was suggested, so it was not approved; ask for a new suggestion.",
    Decision.INVALID: "Approving it would break the glossary's rules (a name now taken, a see-also gone), "
    "so it was not approved.",
}


def suggest(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """ "Suggest this term" (the value is what was typed) or "Suggest an edit" (the value is a term)."""
    ack()
    bot, ws, value = bot_of(context), payload.workspace(context), payload.action_value(body)
    edit = payload.action(body).get("action_id") == ids.SUGGEST_EDIT
    bot.later("offer a suggestion form", _offer, bot, ws, body, value, edit)


def _offer(bot: BotContext, ws: Workspace, body: dict[str, Any], value: str, edit: bool) -> None:
    """After the acknowledgement (the form reads the glossary and the workspace's owners)."""
    suggestions = bot.services.suggestions
    modal = suggestions.modal(ws, edit=value) if edit else suggestions.modal(ws, typed=value)
    if modal is None:
        bot.reply_now(body, text=OFF)
    else:
        bot.open_modal(ws, body, modal)


def submit_suggestion(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """Checked before the acknowledgement: problems appear next to their fields."""
    bot, ws = bot_of(context), payload.workspace(context)
    base = payload.private_metadata(body).get("base")
    done = bot.services.suggestions.submit(ws, payload.user_id(body), payload.form_values(body), base or None)
    if done.errors or done.suggestion is None:
        ack(response_action="errors", errors=done.errors)
        return
    review = bot.services.admins.review_channel(ws)
    ack(response_action="update", view=suggestion_views.thanks_view(done.suggestion.fields.term, review))
    bot.later("announce a suggestion", bot.services.suggestions.announce, done.suggestion)


def approve(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    _decide(ack, body, context, approve=True)


def _decide(
    ack: Ack,
    body: dict[str, Any],
    context: BoltContext,
    approve: bool,
    reason: str | None = None,
) -> None:
    bot, ws, user = bot_of(context), payload.workspace(context), payload.user_id(body)
    suggestion_id = _id(payload.action_value(body) or str(payload.private_metadata(body).get("id", "")))
    outcome, decided = bot.services.suggestions.decide(ws, suggestion_id, approve, user, reason)
    ack()
    if outcome is not Decision.DONE or decided is None:
        bot.reply(body, text=DECIDED[outcome])
        return
    bot.later("announce a decision", _announce, bot, decided, user)


def _announce(bot: BotContext, decided: Suggestion, owner: str) -> None:
    """After the acknowledgement: apply it, tell everyone concerned, then refresh the owner's Home."""
    bot.services.suggestions.after_decision(decided)
    bot.services.home.publish(decided.workspace, owner)


def reject(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """Ask an owner why, in a modal; anyone else is told privately and nothing changes."""
    bot, ws, user = bot_of(context), payload.workspace(context), payload.user_id(body)
    ack()
    if not bot.services.suggestions.is_owner(ws, user):
        bot.reply(body, text=DECIDED[Decision.NOT_OWNER])
        return
    bot.open_modal(ws, body, suggestion_views.reject_modal(_id(payload.action_value(body)), {}))


def submit_rejection(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    reason = payload.form_values(body).get(suggestion_views.REASON, "").strip()
    _decide(ack, body, context, approve=False, reason=reason or None)


def _id(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 12 else -1


def register(app: App) -> None:
    app.action(ids.SUGGEST_NEW)(suggest)
    app.action(ids.SUGGEST_EDIT)(suggest)
    app.view(ids.SUGGEST_CALLBACK)(submit_suggestion)
    app.action(ids.REVIEW_APPROVE)(approve)
    app.action(ids.REVIEW_REJECT)(reject)
    app.view(ids.REJECT_CALLBACK)(submit_rejection)
