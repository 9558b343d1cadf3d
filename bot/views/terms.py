"""Glossary terms as people see them: `/define` cards, "Did you mean", comparisons, the browsing
menus and help, a term's modal, every meaning of a shared name, and "Explain terms".
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    ExternalDataSelectElement,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.glossary import Glossary, Term
from bot.domain.lookup import LookupResult
from bot.domain.text import clip, escape_mrkdwn, normalise, quantity
from bot.views.ids import CATEGORY_BLOCK, DEFINE_PICK, DEFINE_SHARE, DEFINE_SHOW, SUGGEST_EDIT, SUGGEST_NEW
from bot.views.kit import (
    MESSAGE_BLOCKS,
    OPTIONS_PER_SELECT,
    STATIC_OPTIONS_BUDGET,
    Blocks,
    button,
    context,
    dicts,
    md,
    quote,
    section,
)

EXPLAINED_AT_MOST = 5
BRIEF_DEFINITION = 280
BRIEF_TRAP = 200


def explain_blocks(glossary: Glossary, terms: Sequence[Term]) -> Blocks:
    """The private answer to "Explain terms": each term in brief with a share button, at most
    five, and how many more the message holds."""
    if not terms:
        return [section("No glossary terms in this message.").to_dict()]
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
                text=md(text),
                accessory=button("Share", f"{DEFINE_SHARE}_{index}", glossary.key(term)),
            ).to_dict()
        )
    if count > len(shown):
        more = count - len(shown)
        note = f"…and {more} more term{'s' if more != 1 else ''}: look one up with `/define TERM`."
        blocks.append(context(note).to_dict())
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
        ContextBlock(elements=[md(f"{len(meanings)} meanings: pick one for its trap and more.")]).to_dict(),
    ]
    if note:
        blocks.append(context(note).to_dict())
    for index, term in enumerate(meanings[:40]):
        text = f"*{escape_mrkdwn(term.category)}*: {escape_mrkdwn(clip(term.definition, 2500))}"
        blocks.append(
            SectionBlock(
                block_id=f"meaning_{index}",
                text=md(text),
                accessory=button(f"Open {term.category}", f"{DEFINE_SHOW}_{index}", glossary.key(term)),
            ).to_dict()
        )
    return blocks


def _term_options(glossary: Glossary, terms: Sequence[Term]) -> list[Option]:
    return [Option(text=PlainTextObject(text=clip(t.term, 75)), value=glossary.key(t)[:150]) for t in terms]


def term_blocks(
    glossary: Glossary, term: Term, note: str = "", shared_by: str | None = None, suggest: bool = False
) -> Blocks:
    """A term's card: name, category, definition, trap, related terms, share button, and (when the
    workspace takes suggestions) "Suggest an edit".

    `shared_by` is the sharer's name (not a mention, which would notify them).
    """
    if shared_by is not None:
        return [
            *_card(term)[:3],
            context(f"Shared by {quote(shared_by)} · `/define {escape_mrkdwn(term.term)}`").to_dict(),
        ]
    head = list(_card(term))
    if note:
        head.append(context(note).to_dict())
    related = tuple((glossary.label(t), glossary.key(t)) for t in glossary.related(term, 4))
    return [*head, _term_actions(glossary.key(term), related, suggest)]


# A term's card is the same every time; rendering it through the models costs far more than
# the lookup, so the rendered dicts are kept (callers never mutate them).  Keyed by the frozen
# Term, so an edited term is a new key and a reloaded glossary never shows a stale card.
@functools.lru_cache(maxsize=4096)
def _card(term: Term) -> tuple[dict[str, object], ...]:
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(term.term, 150))),
        section(f"*{escape_mrkdwn(term.category)}*\n{escape_mrkdwn(term.definition)}"),
        section(f":warning: *Common trap:* {escape_mrkdwn(term.trap)}"),
    ]
    if term.aliases:
        blocks.append(context("Also called: " + escape_mrkdwn(", ".join(term.aliases))))
    return tuple(dicts(blocks))


@functools.lru_cache(maxsize=4096)
def _term_actions(key: str, related: tuple[tuple[str, str], ...], suggest: bool = False) -> dict[str, object]:
    """The card's buttons; `key` and `related` (label, key) are what `Glossary.key` makes."""
    buttons = [
        button(f"Related: {label}", f"{DEFINE_SHOW}_{i}", value) for i, (label, value) in enumerate(related)
    ]
    buttons.append(button("Share in channel", DEFINE_SHARE, key, style="primary"))
    if suggest:
        buttons.append(button("Suggest an edit", SUGGEST_EDIT, key))
    return ActionsBlock(block_id="define_actions", elements=buttons).to_dict()


def term_text(term: Term) -> str:
    """The same answer as plain text, for the terminal."""
    lines = [f"{term.term}  ({term.category})", "", term.definition, "", f"Common trap: {term.trap}"]
    if term.aliases:
        lines += ["", "Also called: " + ", ".join(term.aliases)]
    if term.see_also:
        lines += ["See also: " + ", ".join(term.see_also)]
    return "\n".join(lines)


def compare_text(first: Term, second: Term) -> str:
    """`define A vs B` in the terminal: both terms, one after the other, as `/define` compares them."""
    rule = "-" * 40
    return "\n".join([f"{first.term} vs {second.term}", rule, term_text(first), rule, term_text(second)])


def lookup_blocks(glossary: Glossary, result: LookupResult, typed: str, suggest: bool = False) -> Blocks:
    """The private answer to `/define TEXT`: the match, suggestions, or a way to browse; with
    `suggest`, a miss also offers "Suggest this term"."""
    if result.match is not None:
        note = ""
        if result.how != "exact":
            note = f"Showing *{escape_mrkdwn(result.match.term)}* for ‘{quote(typed)}’"
        if result.meanings:
            return meanings_blocks(glossary, result.match.term, result.meanings, note)
        return term_blocks(glossary, result.match, note, suggest=suggest)
    offer = [button("Suggest this term", SUGGEST_NEW, " ".join(typed.split())[:200])] if suggest else []
    if result.suggestions:
        buttons = [
            button(glossary.label(t), f"{DEFINE_SHOW}_{i}", glossary.key(t))
            for i, t in enumerate(result.suggestions)
        ]
        return dicts(
            [
                section(f"I couldn't find ‘{quote(typed)}’ exactly. Did you mean:"),
                ActionsBlock(block_id="define_suggestions", elements=buttons + offer),
            ]
        )
    miss: list[Block] = [
        section(
            f"No term matches ‘{quote(typed)}’. Try `/define help` to browse all "
            f"{quantity(len(glossary.terms), 'term')}, or check the spelling."
        )
    ]
    if offer:
        miss.append(ActionsBlock(block_id="define_offer", elements=offer))
    return dicts(miss)


def compare_blocks(glossary: Glossary, first: Term, second: Term) -> Blocks:
    """`/define A vs B`: both terms side by side, definitions then traps."""

    def field(text: str) -> MarkdownTextObject:
        return MarkdownTextObject(text=clip(text, 2000), verbatim=True)

    return dicts(
        [
            HeaderBlock(text=PlainTextObject(text=clip(f"{first.term} vs {second.term}", 150))),
            SectionBlock(
                fields=[
                    field(
                        f"*{escape_mrkdwn(t.term)}* ({escape_mrkdwn(t.category)})\n{escape_mrkdwn(t.definition)}"
                    )
                    for t in (first, second)
                ]
            ),
            SectionBlock(
                fields=[field(f":warning: *Common trap:* {escape_mrkdwn(t.trap)}") for t in (first, second)]
            ),
            ActionsBlock(
                block_id="compare_actions",
                elements=[
                    button(f"Share {glossary.label(t)}", f"{DEFINE_SHARE}_{i}", glossary.key(t))
                    for i, t in enumerate((first, second))
                ],
            ),
        ]
    )


def browse_selects(glossary: Glossary, action_id: str, room: int) -> list[Block]:
    """One line per category with a menu of its terms, within `room` blocks.

    A small glossary gets static menus (no round trip when opened).  When their
    options would make the message heavy (Slack refuses a message whose blocks
    are too long in total), each category gets an external menu instead, whose
    options `category_options` supplies as the person types.
    """
    groups = list(glossary.categories().items())
    static = sum(len(t.term) * 2 + 60 for t in glossary.terms) <= STATIC_OPTIONS_BUDGET
    blocks: list[Block] = []
    for index, (category, terms) in enumerate(groups):
        if len(blocks) == room - 1 and index < len(groups):
            left = len(groups) - index
            blocks.append(
                context(
                    f"…and {quantity(left, 'more category', 'more categories')}: type `/define TERM` to look one up."
                )
            )
            break
        names = ", ".join(escape_mrkdwn(t.term) for t in terms[:6])
        more = f" and {len(terms) - 6} more" if len(terms) > 6 else ""
        select: StaticSelectElement | ExternalDataSelectElement
        if static and len(terms) <= OPTIONS_PER_SELECT:
            select = StaticSelectElement(
                placeholder=PlainTextObject(text="Pick a term"),
                action_id=action_id,
                options=_term_options(glossary, terms),
            )
        else:
            select = ExternalDataSelectElement(
                placeholder=PlainTextObject(text=f"Search {quantity(len(terms), 'term')}"),
                action_id=action_id,
                min_query_length=0,
            )
        text = md(f"*{escape_mrkdwn(category)}* ({len(terms)})\n{names}{more}")
        blocks.append(SectionBlock(block_id=f"{CATEGORY_BLOCK}{index}", text=text, accessory=select))
    return blocks


def category_options(glossary: Glossary, block_id: str, typed: str) -> list[dict[str, object]]:
    """Options for an external category menu: its terms containing what was typed, at most 100."""
    index = block_id.removeprefix(CATEGORY_BLOCK)
    groups = list(glossary.categories().values())
    if not index.isdigit() or int(index) >= len(groups):
        return []
    wanted = normalise(typed)
    terms = [t for t in groups[int(index)] if not wanted or any(wanted in normalise(n) for n in t.names)]
    return [o.to_dict() for o in _term_options(glossary, terms[:OPTIONS_PER_SELECT])]


def help_blocks(glossary: Glossary) -> Blocks:
    """`/define` alone or `/define help`: how to use it and every term by category."""
    count = len(glossary.terms)
    head: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(glossary.title, 150))),
        section(
            f"{quantity(count, 'term')} in {quantity(len(glossary.categories()), 'category')}. Type `/define TERM` (spelling need "
            "not be exact, aliases work), or pick a term below."
        ),
    ]
    return dicts(head + browse_selects(glossary, DEFINE_PICK, MESSAGE_BLOCKS - len(head)))


def term_modal(glossary: Glossary, term: Term) -> dict[str, object]:
    blocks = [b for b in term_blocks(glossary, term) if b.get("type") != "actions"]
    return View(type="modal", title=PlainTextObject(text="Glossary"), close="Close", blocks=blocks).to_dict()  # type: ignore[no-any-return]
