"""Pure rendering: domain values → Block Kit, built with slack_sdk's models.

Nothing here talks to Slack.  Every builder returns plain dicts made by
`slack_sdk.models.blocks` classes, whose `to_dict()` refuses texts and lists
over Block Kit's limits, and every text from a user or the glossary passes
through `escape_mrkdwn` (or goes in `plain_text`), so it can never ping
`@channel`.  Action ids are the named constants below; listeners match on them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
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
from bot.domain.leaderboard import Standing, Week
from bot.domain.lookup import LookupResult
from bot.domain.quiz import KIND_TERM, LETTERS, Question
from bot.domain.text import clip, escape_mrkdwn, normalise, quantity
from bot.views.ids import (
    CATEGORY_BLOCK,
    DEFINE_PICK,
    DEFINE_SHARE,
    DEFINE_SHOW,
    HOME_PICK,
    HOME_PRACTICE,
    LEADERBOARD_SHARE,
    PRACTICE_ANSWER,
    PRACTICE_CALLBACK,
    PRACTICE_NEXT,
    QUIZ_ANSWER,
    SUGGEST_EDIT,
    SUGGEST_NEW,
)
from bot.views.terms import meanings_blocks

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
OPTIONS_PER_SELECT = 100
STATIC_OPTIONS_BUDGET = 8000  # characters of menu options one message may carry before menus load on demand

Blocks = list[dict[str, object]]


def _md(text: str) -> MarkdownTextObject:
    # verbatim: Slack shows the text as written, never turning a bare URL, #channel or @name in
    # glossary text into a link or a mention (explicit <@U…> and <url|label> still render).
    return MarkdownTextObject(text=clip(text, SECTION_TEXT), verbatim=True)


def _section(text: str, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(text=_md(text), block_id=block_id)


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[_md(text)])


def _button(label: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=clip(label, 75)), action_id=action_id, value=value[:2000], style=style
    )


def _dicts(blocks: Sequence[Block]) -> Blocks:
    return [b.to_dict() for b in blocks]


def _term_options(glossary: Glossary, terms: Sequence[Term]) -> list[Option]:
    return [Option(text=PlainTextObject(text=clip(t.term, 75)), value=glossary.key(t)[:150]) for t in terms]


def plain(text: str) -> str:
    """A message's fallback `text` (notifications, screen readers): escaped like any mrkdwn."""
    return escape_mrkdwn(clip(text, SECTION_TEXT))


def quote(user_text: str, limit: int = 80) -> str:
    """User text made safe to show inside a sentence."""
    return escape_mrkdwn(clip(" ".join(user_text.split()), limit))


# -- /define -------------------------------------------------------------


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
            _context(f"Shared by {quote(shared_by)} · `/define {escape_mrkdwn(term.term)}`").to_dict(),
        ]
    head = list(_card(term))
    if note:
        head.append(_context(note).to_dict())
    related = tuple((glossary.label(t), glossary.key(t)) for t in glossary.related(term, 4))
    return [*head, _term_actions(glossary.key(term), related, suggest)]


# A term's card is the same every time; rendering it through the models costs far more than
# the lookup, so the rendered dicts are kept (callers never mutate them).  Keyed by the frozen
# Term, so an edited term is a new key and a reloaded glossary never shows a stale card.
@functools.lru_cache(maxsize=4096)
def _card(term: Term) -> tuple[dict[str, object], ...]:
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(term.term, 150))),
        _section(f"*{escape_mrkdwn(term.category)}*\n{escape_mrkdwn(term.definition)}"),
        _section(f":warning: *Common trap:* {escape_mrkdwn(term.trap)}"),
    ]
    if term.aliases:
        blocks.append(_context("Also called: " + escape_mrkdwn(", ".join(term.aliases))))
    return tuple(_dicts(blocks))


@functools.lru_cache(maxsize=4096)
def _term_actions(key: str, related: tuple[tuple[str, str], ...], suggest: bool = False) -> dict[str, object]:
    """The card's buttons; `key` and `related` (label, key) are what `Glossary.key` makes."""
    buttons = [
        _button(f"Related: {label}", f"{DEFINE_SHOW}_{i}", value) for i, (label, value) in enumerate(related)
    ]
    buttons.append(_button("Share in channel", DEFINE_SHARE, key, style="primary"))
    if suggest:
        buttons.append(_button("Suggest an edit", SUGGEST_EDIT, key))
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
    offer = [_button("Suggest this term", SUGGEST_NEW, " ".join(typed.split())[:200])] if suggest else []
    if result.suggestions:
        buttons = [
            _button(glossary.label(t), f"{DEFINE_SHOW}_{i}", glossary.key(t))
            for i, t in enumerate(result.suggestions)
        ]
        return _dicts(
            [
                _section(f"I couldn't find ‘{quote(typed)}’ exactly. Did you mean:"),
                ActionsBlock(block_id="define_suggestions", elements=buttons + offer),
            ]
        )
    miss: list[Block] = [
        _section(
            f"No term matches ‘{quote(typed)}’. Try `/define help` to browse all "
            f"{quantity(len(glossary.terms), 'term')}, or check the spelling."
        )
    ]
    if offer:
        miss.append(ActionsBlock(block_id="define_offer", elements=offer))
    return _dicts(miss)


def compare_blocks(first: Term, second: Term) -> Blocks:
    """`/define A vs B`: both terms side by side, definitions then traps."""

    def field(text: str) -> MarkdownTextObject:
        return MarkdownTextObject(text=clip(text, 2000), verbatim=True)

    return _dicts(
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
                    _button(f"Share {t.term}", f"{DEFINE_SHARE}_{i}", t.term)
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
                _context(
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
        text = _md(f"*{escape_mrkdwn(category)}* ({len(terms)})\n{names}{more}")
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
        _section(
            f"{quantity(count, 'term')} in {quantity(len(glossary.categories()), 'category')}. Type `/define TERM` (spelling need "
            "not be exact, aliases work), or pick a term below."
        ),
    ]
    return _dicts(head + browse_selects(glossary, DEFINE_PICK, MESSAGE_BLOCKS - len(head)))


# -- the channel quiz ---------------------------------------------------------


def _choices_text(question: Question) -> str:
    per_choice = (SECTION_TEXT - 100) // max(len(question.choices), 1)
    return "\n".join(
        f"*{LETTERS[i]}*  {escape_mrkdwn(clip(choice, per_choice))}"
        for i, choice in enumerate(question.choices)
    )


def _prompt_text(question: Question) -> str:
    if question.kind == KIND_TERM:
        return "*Which term is this?*\n>" + escape_mrkdwn(question.prompt)
    return f"*What is the common trap of {escape_mrkdwn(question.prompt)}?*"


def _quiz_title(counted: bool, closed: bool = False) -> str:
    title = ":books: Term of the day" if counted else ":books: Practice round (not counted)"
    return title + (" (closed)" if closed else "")


def quiz_blocks(quiz_id: int, question: Question, answered: int, closes: str, counted: bool = True) -> Blocks:
    """The open quiz in the channel: question, lettered choices, buttons, live count."""
    buttons = [
        _button(LETTERS[i], f"{QUIZ_ANSWER}_{i}", f"{quiz_id}:{i}") for i in range(len(question.choices))
    ]
    note = "" if counted else " · a practice round: it does not count on the leaderboard"
    return _dicts(
        [
            HeaderBlock(text=PlainTextObject(text=_quiz_title(counted))),
            _section(_prompt_text(question)),
            _section(_choices_text(question)),
            ActionsBlock(block_id=f"quiz_{quiz_id}", elements=buttons),
            _context(
                f"{answered} answered · answers stay private until the reveal · closes {escape_mrkdwn(closes)}{note}"
            ),
        ]
    )


def quiz_fallback_text(question: Question, counted: bool = True) -> str:
    what = "which term is this?" if question.kind == KIND_TERM else "what is the common trap?"
    return plain(("Term of the day: " if counted else "Practice round (not counted): ") + what)


def reveal_blocks(
    question: Question, term: Term | None, answered: int, right: int, counted: bool = True
) -> Blocks:
    """The closed quiz: the right answer, how many got it, and the trap."""
    share = (
        f"{right} of {answered} got it right ({round(100 * right / answered)}%)"
        if answered
        else "Nobody answered"
    )
    explain = ""
    if term is not None:
        explain = (
            f"*{escape_mrkdwn(term.term)}*: {escape_mrkdwn(term.definition)}\n"
            f":warning: *Common trap:* {escape_mrkdwn(term.trap)}"
        )
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_quiz_title(counted, closed=True))),
        _section(_prompt_text(question)),
        _section(_choices_text(question)),
        _section(
            f":white_check_mark: Answer: *{question.right_letter}*  {escape_mrkdwn(clip(question.right_answer, 1500))}"
        ),
    ]
    if explain:
        blocks.append(_section(explain))
    blocks.append(_context(share))
    return _dicts(blocks)


def feedback_blocks(
    question: Question, choice: int, term: Term | None, already: bool = False, counted: bool = True
) -> Blocks:
    """The private reply to a click: right or wrong, the answer, definition and trap."""
    right = choice == question.correct
    picked = f"*{LETTERS[choice]}*" if 0 <= choice < len(question.choices) else "that"
    if already:
        head = f"You already answered {picked}; your first answer counts."
    elif right:
        head = f":white_check_mark: Right! {picked} is correct."
    else:
        head = f":x: Not quite: you picked {picked}."
    lines = [
        head,
        f"The answer is *{question.right_letter}*: {escape_mrkdwn(clip(question.right_answer, 1200))}",
    ]
    if term is not None:
        lines.append(f"*{escape_mrkdwn(term.term)}*: {escape_mrkdwn(term.definition)}")
        lines.append(f":warning: *Common trap:* {escape_mrkdwn(term.trap)}")
    shown: list[Block] = [_section("\n".join(lines))]
    if not counted:
        shown.append(_context("A practice round: it does not count on the leaderboard."))
    return _dicts(shown)


def already_answered_blocks(choice: int) -> Blocks:
    letter = LETTERS[choice] if 0 <= choice < len(LETTERS) else "?"
    return _dicts(
        [_section(f"You already answered *{letter}*. Your first answer is final; the reveal comes later.")]
    )


def closed_blocks(question: Question) -> Blocks:
    return _dicts(
        [
            _section(
                f"This quiz has closed; the answer was *{question.right_letter}*: "
                f"{escape_mrkdwn(clip(question.right_answer, 1500))}"
            )
        ]
    )


def notice_blocks(text: str) -> Blocks:
    """A one-line message; `text` must already be safe mrkdwn."""
    return _dicts([_section(text)])


# -- leaderboard ---------------------------------------------------------------


def _board_lines(standings: Sequence[Standing], names: Mapping[str, str] | None) -> str:
    """One line per person: by name where given (nobody is notified), else a mention (private boards)."""
    lines = []
    for s in standings:
        streak = f" · :fire: {s.streak}" if s.streak > 1 else ""
        who = quote(names.get(s.user, s.user), 60) if names is not None else f"<@{escape_mrkdwn(s.user)}>"
        lines.append(f"{s.rank}. {who}: {quantity(s.points, 'point')} ({s.answered} answered){streak}")
    return "\n".join(lines)


def leaderboard_blocks(
    channel_id: str,
    week: Week,
    top: Sequence[Standing],
    mine: Standing | None,
    caller: str | None,
    share: bool = True,
    title: str = "Leaderboard",
    most_missed: tuple[str, int] | None = None,
    names: Mapping[str, str] | None = None,
) -> Blocks:
    """A week's board; `names` (user id → name) for boards others see, which must not notify anyone."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=f"{title} · {week.dates}"))]
    if top:
        blocks.append(_section(_board_lines(top, names)))
    else:
        blocks.append(_section("No answers yet this week. Answer the term of the day to get on the board."))
    if caller is not None:
        if mine is None:
            blocks.append(_context("You have not answered a quiz in this channel that week."))
        elif all(s.user != caller for s in top):
            blocks.append(
                _context(
                    f"Your rank: {mine.rank} with {quantity(mine.points, 'point')} ({mine.answered} answered)"
                )
            )
    if most_missed is not None:
        term, misses = most_missed
        blocks.append(
            _context(f"Most missed this week: *{escape_mrkdwn(term)}* ({quantity(misses, 'wrong answer')})")
        )
    if share:
        blocks.append(
            ActionsBlock(
                block_id="leaderboard_actions",
                elements=[
                    _button("Share in channel", LEADERBOARD_SHARE, f"{channel_id}|{week.label}", "primary")
                ],
            )
        )
    return _dicts(blocks)


# -- Home tab and practice --------------------------------------------------------------


def home_view(
    glossary: Glossary,
    answered: int,
    right: int,
    streak: int,
    ranks: Sequence[tuple[str, int | None]],
    practised: tuple[int, int],
    owners: Sequence[Block] = (),
) -> dict[str, object]:
    """One person's Home: progress, ranks, practice, the owners' part (glossary owners only), the glossary."""
    accuracy = f"{round(100 * right / answered)}%" if answered else "–"
    progress = (
        f"*Questions answered:* {answered}   *Right:* {right}   *Accuracy:* {accuracy}   *Streak:* {streak}"
    )
    rank_lines = [
        f"<#{escape_mrkdwn(channel)}>: " + (f"rank {rank} this week" if rank else "no answers this week")
        for channel, rank in ranks[:10]
    ]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text="Your progress")),
        _section(progress),
    ]
    if rank_lines:
        blocks.append(_section("\n".join(rank_lines)))
    blocks.append(
        _context(
            f"Practice: {practised[0]} answered, {practised[1]} right. Practice never counts on a leaderboard."
        )
    )
    blocks.append(
        ActionsBlock(
            block_id="home_actions",
            elements=[_button("Practice", HOME_PRACTICE, "start", "primary")],
        )
    )
    blocks += owners
    blocks += [DividerBlock(), HeaderBlock(text=PlainTextObject(text=clip(glossary.title, 150)))]
    blocks += browse_selects(glossary, HOME_PICK, VIEW_BLOCKS - len(blocks))
    return View(type="home", blocks=blocks).to_dict()  # type: ignore[no-any-return]


def term_modal(glossary: Glossary, term: Term) -> dict[str, object]:
    blocks = [b for b in term_blocks(glossary, term) if b.get("type") != "actions"]
    return View(type="modal", title=PlainTextObject(text="Glossary"), close="Close", blocks=blocks).to_dict()  # type: ignore[no-any-return]


def practice_question_view(question: Question, metadata: str) -> dict[str, object]:
    """A private practice question in a modal; `metadata` records what was shown, to judge the answer."""
    buttons = [_button(LETTERS[i], f"{PRACTICE_ANSWER}_{i}", str(i)) for i in range(len(question.choices))]
    blocks: list[Block] = [
        _section(_prompt_text(question)),
        _section(_choices_text(question)),
        ActionsBlock(block_id="practice_choices", elements=buttons),
        _context("Private practice: only you see this, and it never counts on a leaderboard."),
    ]
    return _practice_modal(blocks, metadata)


def practice_feedback_view(
    question: Question, choice: int, term: Term | None, box: int, last: str
) -> dict[str, object]:
    blocks = feedback_blocks(question, choice, term)
    blocks.append(_context(f"This term is now in box {box} of 5.").to_dict())
    blocks.append(
        ActionsBlock(
            block_id="practice_next", elements=[_button("Next", PRACTICE_NEXT, last, "primary")]
        ).to_dict()
    )
    return _practice_modal(blocks)


def _practice_modal(
    blocks: Sequence[Block | dict[str, object]], meta: str | None = None
) -> dict[str, object]:
    return View(
        type="modal",
        callback_id=PRACTICE_CALLBACK,
        title=PlainTextObject(text="Practice"),
        close="Done",
        private_metadata=meta,
        blocks=list(blocks),
    ).to_dict()  # type: ignore[no-any-return]


def format_closing(moment: datetime, zone_name: str) -> str:
    return moment.strftime("%a %H:%M ") + zone_name
