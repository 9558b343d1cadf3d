"""Managing a channel's schedule from Slack: status, save (only where the bot can post), stop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.slots import Schedule, StoredSchedule, next_post
from bot.domain.workspace import Workspace
from bot.services.channels import Channels
from bot.services.core import Core


@dataclass(frozen=True)
class Status:
    stored: StoredSchedule | None
    next_post: datetime | None


class ScheduleManager:
    def __init__(self, core: Core, channels: Channels) -> None:
        self.core = core
        self.channels = channels

    def status(self, ws: Workspace, channel_id: str) -> Status:
        stored = self.core.storage.schedules.get(ws, channel_id)
        upcoming = next_post(stored.schedule, self.core.clock()) if stored is not None else None
        return Status(stored, upcoming)

    def save(self, ws: Workspace, schedule: Schedule, user_id: str) -> str:
        """Save the schedule if the bot can post in the channel; '' when saved, else Slack's reason."""
        can_post, reason = self.channels.can_post(ws, schedule.channel_id)
        if not can_post:
            return reason or "not_in_channel"
        self.core.storage.schedules.save(ws, schedule, user_id, self.core.clock())
        return ""

    def stop(self, ws: Workspace, channel_id: str) -> bool:
        return self.core.storage.schedules.delete(ws, channel_id)

    def default_zone_name(self, ws: Workspace) -> str:
        return self.core.default_zone(ws).key
