"""Answers that show several terms at once: a message's terms ("Explain terms") and a name's meanings.

Pure Block Kit builders (slack_sdk models, validated on `to_dict()`); every text
from the glossary is escaped, and nothing from the message explained is echoed,
so an answer can never ping anyone.  Buttons carry `Glossary.key(term)`, which
tells apart entries that share a name.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.domain.glossary import Glossary, Term
from bot.domain.text import clip, escape_mrkdwn
from bot.views.ids import DEFINE_SHARE, DEFINE_SHOW

EXPLAINED_AT_MOST = 5
BRIEF_DEFINITION = 280
BRIEF_TRAP = 200

Blocks = list[dict[str, object]]


def _button(label: str, action_id: str, value: str) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=clip(label, 75)), action_id=action_id, value=value[:2000])


def explain_blocks(glossary: Glossary, terms: Sequence[Term]) -> Blocks:
    """The private answer to "Explain terms": each term in brief with a share button, at most
    five, and how many more the message holds."""
    if not terms:
        return [SectionBlock(text=MarkdownTextObject(text="No glossary terms in this message.")).to_dict()]
    shown = terms[:EXPLAINED_AT_MOST]
    count = len(terms)
    head = f"{count} glossary term{'s' if count != 1 else ''} in this message"
    blocks: Blocks = [HeaderBlock(text=PlainTextObject(text=head)).to_dict()]
    for index, term in enumerate(shown):
        text = (
            f"*{escape_mrkdwn(term.term)}* ({escape_mrkdwn(term.category)})\n"
            f"{escape_mrkdwn(clip(term.definition, BRIEF_DEFINITION))}\n"
            f":warning: {escape_mrkdwn(clip(term.trap, BRIEF_TRAP))}"
        )
        blocks.append(
            SectionBlock(
                block_id=f"explain_{index}",
                text=MarkdownTextObject(text=text, verbatim=True),
                accessory=_button("Share", f"{DEFINE_SHARE}_{index}", glossary.key(term)),
            ).to_dict()
        )
    if count > len(shown):
        more = count - len(shown)
        note = f"…and {more} more term{'s' if more != 1 else ''}: look one up with `/define TERM`."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]).to_dict())
    return blocks


def explain_text(terms: Sequence[Term]) -> str:
    """The answer's fallback text."""
    if not terms:
        return "No glossary terms in this message."
    names = ", ".join(t.term for t in terms[:EXPLAINED_AT_MOST])
    return escape_mrkdwn(clip(f"Glossary terms in this message: {names}", 3000))


def meanings_blocks(glossary: Glossary, name: str, meanings: Sequence[Term], note: str = "") -> Blocks:
    """A name with several meanings: each with its category and definition, and a button that
    opens that meaning in full (with its trap)."""
    blocks: Blocks = [
        HeaderBlock(text=PlainTextObject(text=clip(name, 150))).to_dict(),
        ContextBlock(
            elements=[MarkdownTextObject(text=f"{len(meanings)} meanings: pick one for its trap and more.")]
        ).to_dict(),
    ]
    if note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]).to_dict())
    for index, term in enumerate(meanings[:40]):
        text = f"*{escape_mrkdwn(term.category)}*: {escape_mrkdwn(clip(term.definition, 2500))}"
        blocks.append(
            SectionBlock(
                block_id=f"meaning_{index}",
                text=MarkdownTextObject(text=text, verbatim=True),
                accessory=_button(f"Open {term.category}", f"{DEFINE_SHOW}_{index}", glossary.key(term)),
            ).to_dict()
        )
    return blocks
