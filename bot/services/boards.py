"""Leaderboards: a channel's week ranked, and the caller's own place."""

from __future__ import annotations

from dataclasses import dataclass

from bot import views
from bot.domain.leaderboard import Standing, Week, parse_week, previous_week, week_containing
from bot.domain.workspace import Workspace
from bot.services.core import Core
from bot.services.people import People

TOP = 10  # standings a board shows


@dataclass(frozen=True)
class Board:
    week: Week
    standings: list[Standing]  # the first TOP
    caller: Standing | None


class Boards:
    def __init__(self, core: Core, people: People) -> None:
        self.core = core
        self.people = people

    def board(self, ws: Workspace, channel_id: str, user_id: str | None, last: bool) -> Board:
        now = self.core.clock()
        zone = self.core.zone_for(ws, channel_id)
        week = previous_week(now, zone) if last else week_containing(now, zone)
        return self.for_week(ws, channel_id, week, user_id)

    def for_week(self, ws: Workspace, channel_id: str, week: Week, user_id: str | None) -> Board:
        """The week's first `TOP` standings, and the caller's own."""
        standings, mine = self.core.storage.answers.week_board(ws, channel_id, week, TOP, user_id)
        return Board(week, standings, mine)

    def shared(
        self, ws: Workspace, value: str, here: str, sharer: str
    ) -> tuple[str, views.kit.Blocks] | None:
        """The board a share button names (`channel|week`), as the channel sees it: names, not
        mentions; None when the button names another channel or no week."""
        channel, _, label = value.partition("|")
        try:
            week = parse_week(label, self.core.zone_for(ws, here))
        except ValueError:
            return None
        if channel != here:
            return None
        top = self.for_week(ws, here, week, None).standings
        names = self.people.names(ws, [s.user for s in top] + [sharer])
        shown = views.boards.leaderboard_blocks(here, week, top, None, None, share=False, names=names)
        shown += views.quiz.notice_blocks(f"Shared by {views.kit.quote(names[sharer])}")
        return views.kit.plain(f"Leaderboard {week.dates}"), shown
