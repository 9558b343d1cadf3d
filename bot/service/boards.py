"""Leaderboards: a channel's week ranked, and the caller's own place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.leaderboard import Standing, Week, previous_week, rank_scores, week_containing
from bot.service.core import Core
from bot.workspace import Workspace


@dataclass(frozen=True)
class Board:
    week: Week
    standings: list[Standing]
    caller: Standing | None


class Boards:
    def __init__(self, core: Core) -> None:
        self.core = core

    def board(self, ws: Workspace, channel_id: str, user_id: str | None, last: bool) -> Board:
        now = self.core.clock()
        zone = self.core.zone_for(ws, channel_id)
        week = previous_week(now, zone) if last else week_containing(now, zone)
        return self.for_week(ws, channel_id, week, user_id)

    def for_week(self, ws: Workspace, channel_id: str, week: Week, user_id: str | None) -> Board:
        standings = rank_scores(self.core.storage.answers.week_scores(ws, channel_id, week))
        mine = next((s for s in standings if s.user == user_id), None)
        return Board(week, standings, mine)
