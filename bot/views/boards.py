"""Leaderboards: this or last week's standings, privately or shared."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, HeaderBlock, PlainTextObject

from bot.domain.leaderboard import Standing, Week
from bot.domain.text import escape_mrkdwn, quantity
from bot.views.ids import LEADERBOARD_SHARE
from bot.views.kit import Blocks, button, context, dicts, quote, section


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
        blocks.append(section(_board_lines(top, names)))
    else:
        blocks.append(section("No answers yet this week. Answer the term of the day to get on the board."))
    if caller is not None:
        if mine is None:
            blocks.append(context("You have not answered a quiz in this channel that week."))
        elif all(s.user != caller for s in top):
            blocks.append(
                context(
                    f"Your rank: {mine.rank} with {quantity(mine.points, 'point')} ({mine.answered} answered)"
                )
            )
    if most_missed is not None:
        term, misses = most_missed
        blocks.append(
            context(f"Most missed this week: *{escape_mrkdwn(term)}* ({quantity(misses, 'wrong answer')})")
        )
    if share:
        blocks.append(
            ActionsBlock(
                block_id="leaderboard_actions",
                elements=[
                    button("Share in channel", LEADERBOARD_SHARE, f"{channel_id}|{week.label}", "primary")
                ],
            )
        )
    return dicts(blocks)
