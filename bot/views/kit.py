"""The small pieces every view is built from: verbatim mrkdwn, sections, buttons, Block Kit limits.

Every builder in `bot.views` makes its blocks with `slack_sdk.models.blocks` classes, whose
`to_dict()` refuses texts and lists over Block Kit's limits; every mrkdwn text goes through `md`
(shown verbatim: a bare URL, #channel or @name in glossary text never becomes a link or a mention),
and every text from a person or the glossary is escaped first, so it can never ping `@channel`.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.domain.text import clip, escape_mrkdwn

MESSAGE_BLOCKS = 50


VIEW_BLOCKS = 100


SECTION_TEXT = 3000


OPTIONS_PER_SELECT = 100


STATIC_OPTIONS_BUDGET = 8000  # characters of menu options one message may carry before menus load on demand


Blocks = list[dict[str, object]]


def md(text: str) -> MarkdownTextObject:
    # verbatim: Slack shows the text as written, never turning a bare URL, #channel or @name in
    # glossary text into a link or a mention (explicit <@U…> and <url|label> still render).
    return MarkdownTextObject(text=clip(text, SECTION_TEXT), verbatim=True)


def section(text: str, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(text=md(text), block_id=block_id)


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[md(text)])


def button(label: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=clip(label, 75)), action_id=action_id, value=value[:2000], style=style
    )


def dicts(blocks: Sequence[Block]) -> Blocks:
    return [b.to_dict() for b in blocks]


def plain(text: str) -> str:
    """A message's fallback `text` (notifications, screen readers): escaped like any mrkdwn."""
    return escape_mrkdwn(clip(text, SECTION_TEXT))


def quote(user_text: str, limit: int = 80) -> str:
    """User text made safe to show inside a sentence."""
    return escape_mrkdwn(clip(" ".join(user_text.split()), limit))
