"""The Home tab and the practice modal."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, DividerBlock, HeaderBlock, PlainTextObject
from slack_sdk.models.views import View

from bot.domain.glossary import Glossary, Term
from bot.domain.quiz import LETTERS, Question
from bot.domain.text import clip, escape_mrkdwn
from bot.views.ids import HOME_PICK, HOME_PRACTICE, PRACTICE_ANSWER, PRACTICE_CALLBACK, PRACTICE_NEXT
from bot.views.kit import VIEW_BLOCKS, button, context, section
from bot.views.quiz import _choices_text, _prompt_text, feedback_blocks
from bot.views.terms import browse_selects


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
        section(progress),
    ]
    if rank_lines:
        blocks.append(section("\n".join(rank_lines)))
    blocks.append(
        context(
            f"Practice: {practised[0]} answered, {practised[1]} right. Practice never counts on a leaderboard."
        )
    )
    blocks.append(
        ActionsBlock(
            block_id="home_actions",
            elements=[button("Practice", HOME_PRACTICE, "start", "primary")],
        )
    )
    blocks += owners
    blocks += [DividerBlock(), HeaderBlock(text=PlainTextObject(text=clip(glossary.title, 150)))]
    blocks += browse_selects(glossary, HOME_PICK, VIEW_BLOCKS - len(blocks))
    return View(type="home", blocks=blocks).to_dict()  # type: ignore[no-any-return]


def practice_question_view(question: Question, metadata: str) -> dict[str, object]:
    """A private practice question in a modal; `metadata` records what was shown, to judge the answer."""
    buttons = [button(LETTERS[i], f"{PRACTICE_ANSWER}_{i}", str(i)) for i in range(len(question.choices))]
    blocks: list[Block] = [
        section(_prompt_text(question)),
        section(_choices_text(question)),
        ActionsBlock(block_id="practice_choices", elements=buttons),
        context("Private practice: only you see this, and it never counts on a leaderboard."),
    ]
    return _practice_modal(blocks, metadata)


def practice_feedback_view(
    question: Question, choice: int, term: Term | None, box: int, last: str
) -> dict[str, object]:
    blocks = feedback_blocks(question, choice, term)
    blocks.append(context(f"This term is now in box {box} of 5.").to_dict())
    blocks.append(
        ActionsBlock(
            block_id="practice_next", elements=[button("Next", PRACTICE_NEXT, last, "primary")]
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
