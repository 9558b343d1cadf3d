"""Pure: Block Kit for growing the glossary from Slack: the suggestion modal, the message owners
review, the owners' part of the Home tab, and the reason modal for a rejection.

Every text a person suggested passes through `escape_mrkdwn` (or sits in `plain_text`), so a
suggestion never pings anyone or injects a link, wherever it appears.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.edits import LIMITS, NAME_LIMIT, TermText, changed_fields
from bot.domain.glossary import Glossary
from bot.domain.text import clip, escape_mrkdwn
from bot.views.ids import REJECT_CALLBACK, REVIEW_APPROVE, REVIEW_REJECT, SUGGEST_CALLBACK, SUGGEST_NEW, VALUE
from bot.views.kit import Blocks, button, md

# The modal's input blocks, by the field of TermText each one fills.
BLOCK_OF = {
    "term": "sg_term",
    "category": "sg_category",
    "definition": "sg_definition",
    "trap": "sg_trap",
    "aliases": "sg_aliases",
    "see_also": "sg_see_also",
}
NEW_CATEGORY = "sg_new_category"
REASON = "rj_reason"
LABELS = {
    "term": "Term",
    "category": "Category",
    "definition": "Definition",
    "trap": "Common trap",
    "aliases": "Also called",
    "see_also": "See also",
}


def _text_input(
    field: str,
    label: str,
    initial: str,
    limit: int,
    multiline: bool = False,
    optional: bool = False,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=BLOCK_OF.get(field, field),
        label=PlainTextObject(text=label),
        optional=optional,
        hint=PlainTextObject(text=hint) if hint else None,
        element=PlainTextInputElement(
            action_id=VALUE, initial_value=initial[:limit] or None, multiline=multiline, max_length=limit
        ),
    )


def suggestion_modal(
    glossary: Glossary, current: TermText | None, typed: str = "", base_term: str | None = None
) -> dict[str, object]:
    """The form for a new term (prefilled with what was typed) or an edit (filled with the term)."""
    text = current or TermText(typed.strip()[: LIMITS["term"]], "", "", "")
    categories = list(glossary.categories())
    options = [Option(text=PlainTextObject(text=clip(c, 75)), value=c[:150]) for c in categories[:100]]
    initial = next((o for o in options if o.value == text.category), None)
    names_limit = 10 * (NAME_LIMIT + 2)
    blocks: list[Block] = [
        _text_input("term", "Term", text.term, LIMITS["term"]),
        InputBlock(
            block_id=BLOCK_OF["category"],
            label=PlainTextObject(text="Category"),
            optional=True,
            hint=PlainTextObject(text="Pick one, or write a new one below."),
            element=StaticSelectElement(action_id=VALUE, options=options, initial_option=initial),
        ),
        _text_input(NEW_CATEGORY, "Or a new category", "", LIMITS["category"], optional=True),
        _text_input("definition", "Definition", text.definition, LIMITS["definition"], multiline=True),
        _text_input(
            "trap",
            "Common trap",
            text.trap,
            LIMITS["trap"],
            multiline=True,
            hint="How people get it subtly wrong.",
        ),
        _text_input(
            "aliases",
            "Also called",
            ", ".join(text.aliases),
            names_limit,
            optional=True,
            hint="Comma-separated.",
        ),
        _text_input(
            "see_also",
            "See also",
            ", ".join(text.see_also),
            names_limit,
            optional=True,
            hint="Terms of the glossary, comma-separated.",
        ),
    ]
    meta = json.dumps({"base": base_term})
    title = "Suggest an edit" if base_term else "Suggest a term"
    return View(
        type="modal",
        callback_id=SUGGEST_CALLBACK,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text="Send for review"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=meta,
        blocks=blocks,
    ).to_dict()  # type: ignore[no-any-return]


def term_from_form(values: Mapping[str, str]) -> tuple[TermText, str | None]:
    """The suggested term from the modal's values (block id → text), and a problem with the category."""
    picked, written = values.get(BLOCK_OF["category"], "").strip(), values.get(NEW_CATEGORY, "").strip()
    problem = None
    if picked and written and picked != written:
        problem = "Pick a category or write a new one, not both."
    term = TermText(
        values.get(BLOCK_OF["term"], ""),
        written or picked,
        values.get(BLOCK_OF["definition"], ""),
        values.get(BLOCK_OF["trap"], ""),
        _names(values.get(BLOCK_OF["aliases"], "")),
        _names(values.get(BLOCK_OF["see_also"], "")),
    )
    return term.cleaned(), problem


def _names(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def modal_errors(problems: Mapping[str, str]) -> dict[str, str]:
    """Problems by field → Slack's `response_action: errors` (by block id, at most 150 characters)."""
    return {BLOCK_OF.get(field, field): clip(message, 150) for field, message in problems.items()}


def notice(text: str) -> Blocks:
    """`text` (already safe mrkdwn) as a message's one section."""
    return [SectionBlock(text=md(text)).to_dict()]


def thanks_view(term: str, review_channel: str) -> dict[str, object]:
    where = f"in <#{escape_mrkdwn(review_channel)}>" if review_channel else "in their Home tab"
    text = f"Thanks! Your suggestion for *{escape_mrkdwn(term)}* went to the glossary's owners {where}. You'll hear what they decide."
    return View(
        type="modal",
        title=PlainTextObject(text="Sent for review"),
        close="Done",
        blocks=[SectionBlock(text=md(text))],
    ).to_dict()  # type: ignore[no-any-return]


def _changes_text(old: TermText | None, new: TermText) -> str:
    lines = []
    for field, before, after in changed_fields(old, new):
        label = LABELS[field]
        if old is None:
            lines.append(f"*{label}:* {escape_mrkdwn(clip(after, 900)) or '–'}")
        else:
            lines.append(
                f"*{label}:*\n~{escape_mrkdwn(clip(before, 700)) or '–'}~\n{escape_mrkdwn(clip(after, 700)) or '–'}"
            )
    return "\n".join(lines) or "No field changes."


def review_blocks(
    suggestion_id: int,
    author: str,
    old: TermText | None,
    new: TermText,
    decided: str | None = None,
) -> Blocks:
    """The suggestion as owners review it: who, what changes (old and new text), Approve and Reject;
    once decided, who decided and when, and no buttons."""
    return [b.to_dict() for b in _review(suggestion_id, author, old, new, decided)]


def _review(
    suggestion_id: int, author: str, old: TermText | None, new: TermText, decided: str | None = None
) -> list[Block]:
    what = f"an edit of *{escape_mrkdwn(old.term)}*" if old else f"a new term, *{escape_mrkdwn(new.term)}*"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=f"Glossary suggestion #{suggestion_id}")),
        SectionBlock(text=md(f"{escape_mrkdwn(author)} suggests {what}.")),
        SectionBlock(text=md(_changes_text(old, new))),
    ]
    if decided is not None:
        blocks.append(ContextBlock(elements=[md(decided)]))
    else:
        blocks.append(
            ActionsBlock(
                block_id=f"review_{suggestion_id}",
                elements=[
                    button("Approve", REVIEW_APPROVE, str(suggestion_id), "primary"),
                    button("Reject", REVIEW_REJECT, str(suggestion_id), "danger"),
                ],
            )
        )
    return blocks


def decided_text(approved: bool, by: str, at: datetime, reason: str | None) -> str:
    verdict = ":white_check_mark: Approved" if approved else ":x: Rejected"
    why = f": {escape_mrkdwn(clip(reason, 500))}" if reason else ""
    return f"{verdict} by {escape_mrkdwn(by)}, {at:%a %d %b %Y %H:%M} UTC{why}"


def author_notice(term: str, approved: bool, reason: str | None) -> str:
    if approved:
        return f"Your suggestion for *{escape_mrkdwn(term)}* was approved and is live in `/define` now. Thank you!"
    why = f" The reason: {escape_mrkdwn(clip(reason, 1500))}" if reason else ""
    return f"Your suggestion for *{escape_mrkdwn(term)}* was not accepted.{why}"


def reject_modal(suggestion_id: int, where: Mapping[str, str]) -> dict[str, object]:
    return View(
        type="modal",
        callback_id=REJECT_CALLBACK,
        title=PlainTextObject(text="Reject suggestion"),
        submit=PlainTextObject(text="Reject"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps({"id": suggestion_id, **where}),
        blocks=[_text_input(REASON, "Why? (the author will see this)", "", 1500, multiline=True)],
    ).to_dict()  # type: ignore[no-any-return]


def owners_section(
    misses: Sequence[tuple[str, int]], pending: int, review_channel: str, listed: int = 0
) -> list[Block]:
    """For glossary owners in the Home tab: this week's searches that found nothing, each with a
    prefilled Suggest button, and how many suggestions wait (`listed` of them in the Home tab below,
    the rest in the review channel)."""
    waiting = f"*{pending}* suggestion{'s' if pending != 1 else ''} waiting for review"
    channel = f"<#{escape_mrkdwn(review_channel)}>" if review_channel else ""
    if not pending:
        where = ""
    elif not channel or listed >= pending:
        where = " below"
    elif listed:
        where = f": {listed} below, the rest in {channel}"
    else:
        where = f" in {channel}"
    blocks: list[Block] = [
        DividerBlock(),
        HeaderBlock(text=PlainTextObject(text="Glossary owners")),
        SectionBlock(text=md(f"{waiting}{where}.")),
    ]
    if misses:
        blocks.append(SectionBlock(text=md("*Searched this week, not found:*")))
        for index, (miss, count) in enumerate(misses[:5]):
            blocks.append(
                SectionBlock(
                    block_id=f"miss_{index}",
                    text=md(f"‘{escape_mrkdwn(clip(miss, 80))}’ ({count}×)"),
                    accessory=button("Suggest", SUGGEST_NEW, miss),
                )
            )
    return blocks


def pending_blocks(items: Sequence[tuple[int, str, TermText | None, TermText]]) -> list[Block]:
    """Pending suggestions in an owner's Home tab: those no message in the review channel shows."""
    return [block for item in items for block in _review(*item)]
