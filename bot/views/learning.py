"""The learning report in Slack: `/quiz report`'s private answer, and "initial vs current" on a person's Home.

Built from `bot.domain.learning` values with slack_sdk's Block Kit models.  A week
with too few answers says so, never a percentage; terms are glossary names,
escaped all the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
)

from bot.domain.learning import MIN_ANSWERS, Report, TermProgress
from bot.domain.text import escape_mrkdwn, quantity
from bot.views.kit import Blocks, context, section

CHART_TITLE = "First-try accuracy by week"
REPORT_BLOCK = "learning_report"
HOME_PROGRESS_BLOCK = "home_initial_vs_current"
TERMS_LISTED = 15  # a term a block: within a message's 50 blocks
WEEKS_LISTED = 4  # the latest weeks; the page (`study-lab report`) shows them all
HOME_TERMS = 20
NOT_ALLOWED = (
    "The learning report is for quiz admins and glossary owners. Ask one of them if you would like to see it."
)


def not_allowed_blocks() -> Blocks:
    return [section(NOT_ALLOWED).to_dict()]


def _counts(title: str, rows: Sequence[tuple[str, int]]) -> str:
    lines = [f"• {escape_mrkdwn(name)}: {n}" for name, n in rows[:10]]
    return f"*{title}*\n" + ("\n".join(lines) or "none")


def report_blocks(report: Report, chart_sent: bool) -> Blocks:
    """A short table per term (its latest weeks), the recall comparison, the most missed and missing terms."""
    weeks = report.weeks[-WEEKS_LISTED:]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text="Learning report"), block_id=REPORT_BLOCK),
        context(
            f"First-try accuracy by week ({escape_mrkdwn(report.zone)}), with a Wilson 95% interval; "
            f"fewer than {MIN_ANSWERS} answers is “too few answers”. Only you see this."
        ),
    ]
    for row in report.terms[:TERMS_LISTED]:
        cells = row.cells[-WEEKS_LISTED:]
        table = "\n".join(
            f"{w.dates}:  {c.text()}  ({quantity(c.answered, 'answer')})"
            for w, c in zip(weeks, cells, strict=True)
        )
        blocks.append(section(f"*{escape_mrkdwn(row.term)}*\n{table}"))
    if not report.terms:
        blocks.append(section("No quiz answers in these weeks yet."))
    if len(report.terms) > TERMS_LISTED:
        blocks.append(context(f"…and {len(report.terms) - TERMS_LISTED} more terms in `study-lab report`."))
    if chart_sent:
        blocks.append(context(f"The chart ({CHART_TITLE.lower()}) is in your direct messages with the bot."))
    recall = report.recall
    blocks += [
        DividerBlock(),
        section(
            "*Delayed recall* (a week or more after last meeting the term)\n"
            f"Practised terms: {recall.practised.text()} of {recall.practised.answered}\n"
            f"Not practised: {recall.unpractised.text()} of {recall.unpractised.answered}\n"
            f"Effect of practice: {recall.effect_text()}"
        ),
        section(_counts("Most missed terms", report.most_missed)),
        section(_counts("Searched for, not in the glossary", report.missing)),
    ]
    return [b.to_dict() for b in blocks]


def _mark(right: bool) -> str:
    return "right" if right else "missed"


def progress_blocks(progress: Sequence[TermProgress]) -> list[Block]:
    """One person's first vs latest answer per term they met (nothing when they met none)."""
    if not progress:
        return []
    lines = [
        f"• *{escape_mrkdwn(p.term)}*: first {_mark(p.first_right)}, now {_mark(p.latest_right)}"
        + (f" ({p.answered} answers)" if p.answered > 1 else "")
        for p in progress[:HOME_TERMS]
    ]
    now_right = sum(p.latest_right for p in progress)
    first_right = sum(p.first_right for p in progress)
    blocks: list[Block] = [
        section(
            f"*Initial vs current* ({len(progress)} terms): right at first {first_right}, right now {now_right}\n"
            + "\n".join(lines),
            block_id=HOME_PROGRESS_BLOCK,
        )
    ]
    if len(progress) > HOME_TERMS:
        blocks.append(context(f"…and {len(progress) - HOME_TERMS} more terms."))
    return blocks
