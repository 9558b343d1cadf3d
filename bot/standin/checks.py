"""What Slack refuses: Block Kit checked with slack_sdk's own models, and its size limits."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import Block, BlockElement

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_BLOCKS_CHARACTERS = 13_000  # Slack's cumulative limit on a message's blocks, as reported
TEXT_LIMIT = 40_000


def _element_error(element: Any) -> str | None:
    if not isinstance(element, dict):
        return "an element that is not an object"
    parsed = BlockElement.parse(element)  # type: ignore[no-untyped-call]
    if parsed is None:
        return f"unsupported element type: {str(element.get('type'))[:40]}"
    parsed.validate_json()
    return None


def blocks_error(blocks: Any, limit: int = MESSAGE_BLOCKS, message: bool = True) -> str | None:
    """What Slack would say about these blocks, or None if it would take them."""
    problem = blocks_problem(blocks, limit, message)
    return problem[0] if problem else None


def blocks_problem(blocks: Any, limit: int = MESSAGE_BLOCKS, message: bool = True) -> tuple[str, str] | None:
    """(Slack's error, where and why, as in its `response_metadata.messages`), or None if it would take them."""
    if blocks is None:
        return None
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return "invalid_blocks", "blocks are not JSON"
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        return "invalid_blocks", "blocks must be a list of objects"
    if len(blocks) > limit:
        return "invalid_blocks", f"more than {limit} blocks"
    ids = [b.get("block_id") for b in blocks if b.get("block_id")]
    if len(ids) != len(set(ids)):
        return "invalid_blocks", "two blocks share a block_id"
    for index, raw in enumerate(blocks):
        where = f"[json-pointer:/blocks/{index}]"
        try:
            block = Block.parse(raw)  # type: ignore[no-untyped-call]
            if block is None:
                return "invalid_blocks", f"unsupported block type: {str(raw.get('type'))[:40]} {where}"
            block.validate_json()
            inner = raw.get("elements", []) if raw.get("type") == "actions" else []
            action_ids = [e.get("action_id") for e in inner if isinstance(e, dict)]
            if len(action_ids) != len(set(action_ids)):
                return "invalid_blocks", f"two elements share an action_id {where}"
            for element in [*inner, *([raw["accessory"]] if isinstance(raw.get("accessory"), dict) else [])]:
                error = _element_error(element)
                if error:
                    return "invalid_blocks", f"{error} {where}"
        except Exception as exc:  # noqa: BLE001 - any model failure is Slack's invalid_blocks
            return "invalid_blocks", f"{str(exc)[:200]} {where}"
    if message and text_length(blocks) > MESSAGE_BLOCKS_CHARACTERS:
        return "msg_blocks_too_long", f"more than {MESSAGE_BLOCKS_CHARACTERS} characters of text in blocks"
    return None


def text_length(value: Any) -> int:
    """Characters of every `text` string inside blocks: what Slack's cumulative limit counts."""
    if isinstance(value, list):
        return sum(text_length(v) for v in value)
    if isinstance(value, dict):
        own = len(value["text"]) if isinstance(value.get("text"), str) else 0
        return own + sum(text_length(v) for k, v in value.items() if not (k == "text" and isinstance(v, str)))
    return 0
