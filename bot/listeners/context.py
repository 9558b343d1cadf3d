"""What every listener needs, gathered once: the service, the glossary, settings, the clock."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.config import Settings
from bot.glossary_source import GlossarySource
from bot.home import HomeService
from bot.service import Clock, Service


@dataclass
class BotContext:
    settings: Settings
    service: Service
    source: GlossarySource
    home: HomeService
    clock: Clock
    on_schedule_change: Callable[[str], None] = field(default=lambda channel: None)
    # Replies to response_urls cross the internet to Slack: they run here, not on Bolt's
    # five listener threads, which the next clicks need to store and acknowledge.
    replies: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=32, thread_name_prefix="slack-reply")
    )

    def may_manage(self, user_id: str) -> bool:
        admins = self.settings.quiz_admins
        return not admins or user_id in admins
