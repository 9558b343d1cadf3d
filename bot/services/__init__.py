"""The service layer: what listeners, scheduled jobs and the terminal call.

Each module holds one concept and joins the pure modules (quiz, slots,
leaderboard, practice) and the views to storage and to Slack through `Core`:

| module       | holds                                                                    |
| ------------ | ------------------------------------------------------------------------ |
| `core`       | the shared parts (storage, clients, glossaries, settings, clock, pool)   |
| `posting`    | posting quizzes exactly once, `/quiz now`, and recovery                  |
| `schedules`  | a channel's schedule, managed from Slack                                 |
| `closing`    | the live answer count and the reveal                                     |
| `answering`  | a quiz click, stored before it is acknowledged                           |
| `definitions`| `/define`: lookups, term cards, statistics                               |
| `weekly`     | the weekly results post                                                  |
| `boards`     | leaderboards                                                             |
| `admins`     | who manages the quiz and the glossary                                    |
| `people`     | names and admin status from `users.info`                                 |
| `channels`   | membership, permalinks, finding the bot's own earlier post               |
| `home`       | the App Home tab                                                         |
| `learning`   | the learning report (`/quiz report`, the page) and Home's initial vs current |
| `practice`   | private practice in a modal                                              |
| `lifecycle`  | install, uninstall, deleting a workspace's data                          |
| `modals`     | opening and updating modals (the listeners' only way to show one)        |

`Services.build(core, ...)` makes them all, wired to each other.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.services.admins import Admins
from bot.services.answering import Answering
from bot.services.boards import Boards
from bot.services.channels import Channels
from bot.services.closing import Closing
from bot.services.core import Core
from bot.services.definitions import Definitions
from bot.services.home import HomeTabs
from bot.services.learning import LearningReports
from bot.services.lifecycle import Lifecycle
from bot.services.modals import Modals
from bot.services.overlays import Overlays
from bot.services.people import People
from bot.services.posting import Posting
from bot.services.practice import PracticeSessions
from bot.services.schedules import ScheduleManager
from bot.services.suggestions import SuggestionBox
from bot.services.weekly import WeeklyResults


@dataclass
class Services:
    core: Core
    people: People
    admins: Admins
    channels: Channels
    boards: Boards
    closing: Closing
    weekly: WeeklyResults
    posting: Posting
    schedules: ScheduleManager
    answering: Answering
    definitions: Definitions
    home: HomeTabs
    practice: PracticeSessions
    workspaces: Lifecycle
    overlays: Overlays
    suggestions: SuggestionBox
    modals: Modals
    learning: LearningReports

    @classmethod
    def build(
        cls,
        core: Core,
        installations: SQLAlchemyInstallationStore | None = None,
        rng: random.Random | None = None,
        on_change: Callable[[], None] = lambda: None,
    ) -> Services:
        people = People(core)
        admins = Admins(core, people, installations)
        channels = Channels(core)
        boards = Boards(core, people)
        closing = Closing(core)
        weekly = WeeklyResults(core, boards, channels, people)
        posting = Posting(core, closing, weekly, admins, channels)
        lifecycle = Lifecycle(core, installations, on_change)
        core.on_token_failed = lifecycle.token_failed
        overlays = Overlays(core)
        suggestions = SuggestionBox(core, admins, people, overlays)
        learning = LearningReports(core, admins)
        return cls(
            core,
            people,
            admins,
            channels,
            boards,
            closing,
            weekly,
            posting,
            ScheduleManager(core, channels),
            Answering(core),
            Definitions(core),
            HomeTabs(core, boards, suggestions, learning),
            PracticeSessions(core, rng),
            lifecycle,
            overlays,
            suggestions,
            Modals(core),
            learning,
        )
