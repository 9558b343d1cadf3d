"""The term of the day: the question, its live count, the reveal, each person's private feedback."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, HeaderBlock, PlainTextObject

from bot.domain.glossary import Term
from bot.domain.quiz import KIND_TERM, LETTERS, Question
from bot.domain.text import clip, escape_mrkdwn
from bot.views.ids import QUIZ_ANSWER
from bot.views.kit import SECTION_TEXT, Blocks, button, context, dicts, plain, section


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
        button(LETTERS[i], f"{QUIZ_ANSWER}_{i}", f"{quiz_id}:{i}") for i in range(len(question.choices))
    ]
    note = "" if counted else " · a practice round: it does not count on the leaderboard"
    return dicts(
        [
            HeaderBlock(text=PlainTextObject(text=_quiz_title(counted))),
            section(_prompt_text(question)),
            section(_choices_text(question)),
            ActionsBlock(block_id=f"quiz_{quiz_id}", elements=buttons),
            context(
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
        section(_prompt_text(question)),
        section(_choices_text(question)),
        section(
            f":white_check_mark: Answer: *{question.right_letter}*  {escape_mrkdwn(clip(question.right_answer, 1500))}"
        ),
    ]
    if explain:
        blocks.append(section(explain))
    blocks.append(context(share))
    return dicts(blocks)


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
    shown: list[Block] = [section("\n".join(lines))]
    if not counted:
        shown.append(context("A practice round: it does not count on the leaderboard."))
    return dicts(shown)


def already_answered_blocks(choice: int) -> Blocks:
    letter = LETTERS[choice] if 0 <= choice < len(LETTERS) else "?"
    return dicts(
        [section(f"You already answered *{letter}*. Your first answer is final; the reveal comes later.")]
    )


def closed_blocks(question: Question) -> Blocks:
    return dicts(
        [
            section(
                f"This quiz has closed; the answer was *{question.right_letter}*: "
                f"{escape_mrkdwn(clip(question.right_answer, 1500))}"
            )
        ]
    )


def notice_blocks(text: str) -> Blocks:
    """A one-line message; `text` must already be safe mrkdwn."""
    return dicts([section(text)])


def format_closing(moment: datetime, zone_name: str) -> str:
    return moment.strftime("%a %H:%M ") + zone_name
