"""The Web API methods the stand-in answers, as Slack does: one function per method.

Each takes the state, the identity of the calling token (None when the call
carries no valid token) and the call's arguments, and returns Slack's JSON
answer: `{"ok": true, …}` or `{"ok": false, "error": …}`.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from typing import Any

from bot.standin.checks import MESSAGE_BLOCKS, TEXT_LIMIT, VIEW_BLOCKS, blocks_error
from bot.standin.files import complete_upload, get_upload_url
from bot.standin.state import Identity, SlackState

Args = dict[str, Any]
Answer = dict[str, Any]
NO_AUTH = {"oauth.v2.access", "apps.connections.open"}


def _error(code: str) -> Answer:
    return {"ok": False, "error": code}


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _postable(state: SlackState, who: Identity, channel_id: str) -> str | None:
    """Why the bot cannot post in the channel, or None when it can."""
    if not channel_id:
        return "channel_not_found"
    if channel_id.startswith(("D", "U", "W")):
        return None  # a direct message: a user id opens the app's conversation with that person
    channel = state.channel(channel_id)
    if channel is None or (channel.private and who.team_id not in channel.members):
        return "channel_not_found"
    if channel.archived:
        return "is_archived"
    if who.team_id not in channel.members:
        return "not_in_channel"
    return None


def open_conversation(state: SlackState, who: Identity, args: Args) -> Answer:
    """`conversations.open` with one user: the app's direct message with that person (`im:write`)."""
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if len(users) != 1 or not users[0].startswith(("U", "W")):
        return {"ok": False, "error": "users_not_found" if not users else "not_allowed_token_type"}
    dm = "D" + users[0][1:]
    with state.lock:
        state.direct_messages[dm] = (who.team_id, users[0])
    return {"ok": True, "channel": {"id": dm}}


def auth_test(state: SlackState, who: Identity, args: Args) -> Answer:
    return {
        "ok": True,
        "url": f"https://{who.team_name.lower()}.slack.com/",
        "team": who.team_name,
        "user": "studylab",
        "team_id": who.team_id or who.enterprise_id,
        "enterprise_id": who.enterprise_id or None,
        "user_id": who.bot_user_id,
        "bot_id": who.bot_id,
        "is_enterprise_install": who.is_enterprise_install,
    }


def post_message(state: SlackState, who: Identity, args: Args) -> Answer:
    error = blocks_error(args.get("blocks"), MESSAGE_BLOCKS) or _postable(
        state, who, str(args.get("channel", ""))
    )
    if error:
        return _error(error)
    if len(str(args.get("text") or "")) > TEXT_LIMIT:
        return _error("msg_too_long")
    channel = str(args["channel"])
    message = {
        "type": "message",
        "ts": state.new_ts(),
        "text": args.get("text"),
        "blocks": _json(args.get("blocks")),
        "bot_id": who.bot_id,
        "user": who.bot_user_id,
        "team": who.team_id,
        "metadata": _json(args.get("metadata")),
    }
    with state.lock:
        state.messages.setdefault(channel, []).append(message)
    return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}


def update(state: SlackState, who: Identity, args: Args) -> Answer:
    channel = str(args.get("channel", ""))
    error = blocks_error(args.get("blocks"), MESSAGE_BLOCKS) or _postable(state, who, channel)
    if error:
        return _error(error)
    with state.lock:
        message = state.find_message(channel, str(args.get("ts")))
        if message is None:
            return _error("message_not_found")
        if message.get("bot_id") != who.bot_id:
            return _error("cant_update_message")
        message.update(text=args.get("text"), blocks=_json(args.get("blocks")), edited=state.new_ts())
    return {"ok": True, "channel": channel, "ts": args.get("ts")}


def delete(state: SlackState, who: Identity, args: Args) -> Answer:
    channel = str(args.get("channel", ""))
    with state.lock:
        messages = state.messages.get(channel, [])
        kept = [m for m in messages if m["ts"] != args.get("ts")]
        if len(kept) == len(messages):
            return _error("message_not_found")
        state.messages[channel] = kept
    return {"ok": True, "channel": channel, "ts": args.get("ts")}


def post_ephemeral(state: SlackState, who: Identity, args: Args) -> Answer:
    channel = str(args.get("channel", ""))
    error = blocks_error(args.get("blocks"), MESSAGE_BLOCKS) or _postable(state, who, channel)
    if error:
        return _error(error)
    ts = state.new_ts()
    with state.lock:
        state.ephemerals.append(
            {
                "ts": ts,
                "channel": channel,
                "user": args.get("user"),
                "text": args.get("text"),
                "blocks": _json(args.get("blocks")),
            }
        )
    return {"ok": True, "message_ts": ts}


def get_permalink(state: SlackState, who: Identity, args: Args) -> Answer:
    channel, ts = str(args.get("channel", "")), str(args.get("message_ts", ""))
    if state.find_message(channel, ts) is None:
        return _error("message_not_found")
    return {
        "ok": True,
        "channel": channel,
        "permalink": f"{state.permalink_base}{channel}/p{ts.replace('.', '')}",
    }


def history(state: SlackState, who: Identity, args: Args) -> Answer:
    """Newest first, between `oldest` and `latest` (exclusive unless `inclusive`), a page of `limit`."""
    channel_id = str(args.get("channel", ""))
    channel = state.channel(channel_id, create=False)
    if channel is None or who.team_id not in channel.members:
        return _error("not_in_channel" if channel is not None else "channel_not_found")
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or 9e12)
    inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
    limit = min(int(args.get("limit") or 100), 999, state.history_limit or 999)
    start = int(args.get("cursor") or 0)
    with state.lock:
        found = [
            dict(m)
            for m in reversed(state.messages.get(channel_id, []))
            if ((oldest <= float(m["ts"]) <= latest) if inclusive else (oldest < float(m["ts"]) < latest))
        ]
    if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
        for m in found:
            m.pop("metadata", None)
    page = found[start : start + limit]
    more = start + limit < len(found)
    return {
        "ok": True,
        "messages": page,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def conversation_info(state: SlackState, who: Identity, args: Args) -> Answer:
    channel_id = str(args.get("channel", ""))
    if channel_id.startswith("D"):
        return {"ok": True, "channel": {"id": channel_id, "is_im": True, "is_member": True}}
    channel = state.channel(channel_id)
    if channel is None or (channel.private and who.team_id not in channel.members):
        return _error("channel_not_found")
    return {
        "ok": True,
        "channel": {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.private,
            "is_private": channel.private,
            "is_archived": channel.archived,
            "is_member": who.team_id in channel.members,
        },
    }


def user_info(state: SlackState, who: Identity, args: Args) -> Answer:
    user_id = str(args.get("user", ""))
    if not user_id.startswith(("U", "W")):
        return _error("user_not_found")
    return {"ok": True, "user": state.person(user_id, who.team_id).as_slack()}


def _view(state: SlackState, args: Args, view_id: str | None = None) -> Answer:
    view = _json(args.get("view"))
    if not isinstance(view, dict):
        return _error("invalid_arguments")
    error = blocks_error(view.get("blocks"), VIEW_BLOCKS, message=False)
    if error:
        return _error(error)
    if len(str(view.get("private_metadata") or "")) > 3000:
        return _error("invalid_arguments")
    view_id = view_id or state.new_id("V")
    stored = {**view, "id": view_id, "hash": secrets.token_hex(4)}
    with state.lock:
        state.views[view_id] = stored
    return {"ok": True, "view": stored}


def views_publish(state: SlackState, who: Identity, args: Args) -> Answer:
    key = (who.team_id, str(args.get("user_id", "")))
    answer = _view(state, args, state.homes.get(key))
    if answer["ok"]:
        with state.lock:
            state.homes[key] = answer["view"]["id"]
    return answer


def _modal(state: SlackState, who: Identity, args: Args) -> Answer:
    """`views.open` and `views.push`: a modal for the person whose trigger_id this is."""
    trigger = str(args.get("trigger_id") or "")
    if not trigger:
        return _error("invalid_trigger_id")
    owner = state.use_trigger(trigger)
    if isinstance(owner, str) and state.strict_triggers:
        return _error(owner)
    view = _json(args.get("view"))
    if not isinstance(view, dict) or view.get("type") != "modal":
        return _error("invalid_arguments")
    answer = _view(state, args)
    if answer["ok"] and not isinstance(owner, str):
        with state.lock:
            state.modals.setdefault((owner.team_id, owner.user_id), []).append(answer["view"]["id"])
    return answer


def views_open(state: SlackState, who: Identity, args: Args) -> Answer:
    return _modal(state, who, args)


def views_push(state: SlackState, who: Identity, args: Args) -> Answer:
    return _modal(state, who, args)


def views_update(state: SlackState, who: Identity, args: Args) -> Answer:
    view_id = str(args.get("view_id", ""))
    with state.lock:
        current = state.views.get(view_id)
    if current is None:
        return _error("not_found")
    if args.get("hash") and args.get("hash") != current.get("hash"):
        return _error("hash_conflict")
    return _view(state, args, view_id)


def oauth_access(state: SlackState, args: Args, basic_auth: str) -> Answer:
    """`oauth.v2.access`: a code (or, with token rotation, a refresh token) for the workspace's bot token."""
    client_id, _, secret = (
        base64.b64decode(basic_auth or "").decode(errors="replace").partition(":")
        if basic_auth
        else ("", "", "")
    )
    client_id = client_id or str(args.get("client_id", ""))
    secret = secret or str(args.get("client_secret", ""))
    if state.clients and state.clients.get(client_id) != secret:
        return _error("invalid_client_id")
    if args.get("grant_type") == "refresh_token":
        return _refresh(state, str(args.get("refresh_token", "")))
    with state.lock:
        install = state.installs.pop(str(args.get("code", "")), None)
    if install is None:
        return _error("invalid_code")
    who = install.identity
    state.add_token(install.token, who)
    if who.refresh_token:
        with state.lock:
            state.token_expiry[install.token] = who.expires_at
    answer: Answer = {
        "ok": True,
        "app_id": "A1",
        "token_type": "bot",
        "access_token": install.token,
        "scope": install.scopes,
        "bot_user_id": who.bot_user_id,
        "team": {"id": who.team_id, "name": who.team_name} if who.team_id else None,
        "enterprise": {"id": who.enterprise_id, "name": "Org"} if who.enterprise_id else None,
        "is_enterprise_install": who.is_enterprise_install,
        "authed_user": {"id": "UINSTALLER"},
    }
    if who.refresh_token:
        answer.update(refresh_token=who.refresh_token, expires_in=int(who.expires_at - state.clock()))
    return answer


def _refresh(state: SlackState, refresh_token: str) -> Answer:
    """A new access token and a new refresh token; the refresh token just used is retired, as
    Slack retires it (sending it again gets `invalid_refresh_token`)."""
    with state.lock:
        who = next(
            (who for who in state.tokens.values() if who.refresh_token == refresh_token and not who.revoked),
            None,
        )
        if who is None or not refresh_token:
            return _error("invalid_refresh_token")
        token = f"xoxe.xoxb-{who.team_id}-{secrets.token_hex(6)}"
        who.refresh_token = f"xoxe-1-{secrets.token_hex(8)}"
        lifetime = state.rotated_lifetime
        state.tokens[token] = who
        state.token_expiry[token] = state.clock() + lifetime
    return {
        "ok": True,
        "app_id": "A1",
        "token_type": "bot",
        "access_token": token,
        "refresh_token": who.refresh_token,
        "expires_in": lifetime,
        "scope": "commands,chat:write",
        "bot_user_id": who.bot_user_id,
        "team": {"id": who.team_id, "name": who.team_name} if who.team_id else None,
        "enterprise": {"id": who.enterprise_id, "name": "Org"} if who.enterprise_id else None,
        "is_enterprise_install": who.is_enterprise_install,
    }


def revoke(state: SlackState, who: Identity, args: Args) -> Answer:
    who.revoked = True
    return {"ok": True, "revoked": True}


METHODS: dict[str, Callable[[SlackState, Identity, Args], Answer]] = {
    "auth.test": auth_test,
    "auth.revoke": revoke,
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.delete": delete,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
    "conversations.history": history,
    "conversations.info": conversation_info,
    "conversations.open": open_conversation,
    "users.info": user_info,
    "views.publish": views_publish,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
