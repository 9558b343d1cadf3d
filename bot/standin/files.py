"""Slack's external file uploads, as strictly as Slack takes them (what `files_upload_v2` does).

1. `files.getUploadURLExternal` (`filename`, `length` in bytes): a file id and a one-time upload URL;
2. the bytes POSTed to that URL (exactly `length` of them, once);
3. `files.completeUploadExternal` (`files`: JSON `[{"id", "title"}]`, optionally `channel_id`):
   each file must be this workspace's, uploaded and not completed before.

A file completed without `channel_id` is visible to the app alone, so, as on
Slack, an image block naming it (`slack_file: {"id": …}`) is `invalid_blocks`
("invalid slack file"), and so is one naming a file that was never completed.
A file completed into a channel or a direct message (`D…`, from
`conversations.open`) is shared there, with `initial_comment` as its message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from bot.standin.state import Identity, SlackState

UPLOAD_PATH = "/upload/"


@dataclass
class Upload:
    id: str
    team_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str = ""
    completed: bool = False
    shared_in: str = ""  # the channel or direct message it was shared in; "" for the app alone


def get_upload_url(state: SlackState, who: Identity, args: dict[str, Any]) -> dict[str, Any]:
    filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
    if not filename or not length.isdigit() or int(length) < 1:
        return {"ok": False, "error": "invalid_arguments"}
    with state.lock:
        file_id = state.new_id("F")
        state.files[file_id] = Upload(file_id, who.team_id, filename, int(length))
    return {"ok": True, "file_id": file_id, "upload_url": f"{state.upload_base}{UPLOAD_PATH}{file_id}"}


def receive_upload(state: SlackState, file_id: str, data: bytes) -> tuple[int, str]:
    """The bytes POSTed to an upload URL: (HTTP status, body)."""
    with state.lock:
        upload = state.files.get(file_id)
        if upload is None or upload.data is not None:
            return 404, "Not Found"
        if len(data) != upload.length:
            return 400, f"length mismatch: {len(data)} bytes, {upload.length} announced"
        upload.data = data
    return 200, f"OK - {len(data)}"


def complete_upload(state: SlackState, who: Identity, args: dict[str, Any]) -> dict[str, Any]:
    raw = args.get("files")
    try:
        wanted: list[dict[str, Any]] = json.loads(raw) if isinstance(raw, str) else list(raw or [])
        ids = [str(f["id"]) for f in wanted]
        titles = [str(f.get("title") or "") for f in wanted]
    except (ValueError, TypeError, KeyError):
        return {"ok": False, "error": "invalid_arguments"}
    if not ids:
        return {"ok": False, "error": "invalid_arguments"}
    channel = str(args.get("channel_id") or "")
    direct = channel.startswith("D") and channel in state.direct_messages
    if (
        channel
        and not direct
        and (channel not in state.channels or who.team_id not in state.channels[channel].members)
    ):
        return {"ok": False, "error": "channel_not_found"}
    with state.lock:
        uploads = [state.files.get(i) for i in ids]
        for upload in uploads:
            if upload is None or upload.team_id != who.team_id or upload.completed:
                return {"ok": False, "error": "file_not_found"}
            if upload.data is None:
                return {"ok": False, "error": "file_upload_incomplete"}
        done = []
        for upload, title in zip(uploads, titles, strict=True):
            assert upload is not None
            upload.completed, upload.title = True, title or upload.filename
            upload.shared_in = channel
            done.append(
                {"id": upload.id, "name": upload.filename, "title": upload.title, "size": upload.length}
            )
        if channel:
            message = {"ts": state.new_ts(), "text": str(args.get("initial_comment") or ""), "files": done}
            state.messages.setdefault(channel, []).append(message)
    return {"ok": True, "files": done}


def unknown_slack_file(state: SlackState, blocks: Any) -> str | None:
    """The first image block naming a file that is not a completed upload, as Slack's problem text."""
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return None
    for index, block in enumerate(blocks if isinstance(blocks, list) else []):
        named = block.get("slack_file") if isinstance(block, dict) and block.get("type") == "image" else None
        if isinstance(named, dict) and "id" in named:
            with state.lock:
                upload = state.files.get(str(named["id"]))
            if upload is None or not upload.completed or not upload.shared_in:
                return f"invalid slack file [json-pointer:/blocks/{index}/slack_file]"
    return None


def upload_route(state: SlackState) -> Any:
    """The standin's page for upload URLs."""

    def route(handler: BaseHTTPRequestHandler, command: str) -> None:
        if command != "POST":
            status, text = 405, "Method Not Allowed"
        else:
            data = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
            status, text = receive_upload(state, handler.path.removeprefix(UPLOAD_PATH).split("?")[0], data)
        body = text.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/plain; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route
