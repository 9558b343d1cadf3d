"""Everything the bot keeps, one module per concept, sharing one engine.

| module          | holds                                                            |
| --------------- | ---------------------------------------------------------------- |
| `tables`        | the tables at the newest migration                               |
| `migrations/`   | Alembic revisions; `migrate` applies them (release 0.1 onwards)  |
| `engine`        | opening SQLite or PostgreSQL for concurrent use                  |
| `database`      | the shared `Database` and the workspace filter every query uses  |
| `statuses`      | quiz and post states, as enums                                   |
| `claims`        | fenced claims shared by quizzes and weekly posts                 |
| `schedules`     | each channel's schedule                                          |
| `quiz_records`  | posted quizzes: claim, fence, post                               |
| `closes`        | closing quizzes: due, closing, closed                            |
| `counts`        | the live "N answered" count, edited at most once per interval    |
| `answers`       | answers and what is read from them: tallies, boards, progress    |
| `answer_writes` | storing answers, clicks arriving together in one transaction     |
| `batches`       | `BatchWriter`: many threads' writes, committed together          |
| `weekly`        | weekly results posts                                             |
| `practice`      | private practice cards and answers                               |
| `searches`      | `/define` lookups, for the glossary's owners                     |
| `learning`      | every answer, as the learning report reads them                  |
| `budgets`       | Slack rate budgets shared across processes                       |
| `workspace_records` | installs, per-workspace settings, deleting a workspace       |
| `suggestions`   | glossary suggestions waiting for the owners                      |
| `glossary_changes` | approved glossary changes, with their history                 |

`Storage.open(url)` opens and migrates the database and returns them all.
Nothing outside `bot.storage` and the service layer imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import MetaData

from bot.storage.answers import Answers
from bot.storage.budgets import RateBudgets
from bot.storage.closes import Closes
from bot.storage.counts import LiveCounts
from bot.storage.database import Database
from bot.storage.glossary_changes import Overlay
from bot.storage.learning import LearningRecords
from bot.storage.practice import PracticeRecords
from bot.storage.quiz_records import Quizzes
from bot.storage.schedules import Schedules
from bot.storage.searches import LookupStats
from bot.storage.suggestions import Suggestions
from bot.storage.weekly import WeeklyPosts
from bot.storage.workspace_records import Workspaces


@dataclass
class Storage:
    db: Database
    schedules: Schedules
    quizzes: Quizzes
    closes: Closes
    counts: LiveCounts
    answers: Answers
    weekly: WeeklyPosts
    practice: PracticeRecords
    stats: LookupStats
    budgets: RateBudgets
    workspaces: Workspaces
    suggestions: Suggestions
    overlay: Overlay
    learning: LearningRecords

    @classmethod
    def on(cls, db: Database) -> Storage:
        return cls(
            db,
            Schedules(db),
            Quizzes(db),
            Closes(db),
            LiveCounts(db),
            Answers(db),
            WeeklyPosts(db),
            PracticeRecords(db),
            LookupStats(db),
            RateBudgets(db),
            Workspaces(db),
            Suggestions(db),
            Overlay(db),
            LearningRecords(db),
        )

    @classmethod
    def open(cls, url: str, also: Sequence[MetaData] = ()) -> Storage:
        """Open the database and migrate it (with `also`: a library's tables to create if missing)."""
        db = Database.open(url)
        db.migrate(also)
        return cls.on(db)

    def close(self) -> None:
        self.answers.close()
        self.stats.flush()
        self.db.close()
