"""The learning report: read every answer, compute the figures (`bot.domain.learning`), show them.

`learning_report` is shared by the command line (`study-lab report`), the
playground's page and `/quiz report`; `LearningReports` adds what Slack needs:
the chart as a PNG uploaded with `files_upload_v2` (shared in no channel, shown
by an image block in the private answer) and each person's own "initial vs
current" on their Home tab.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block

from bot.domain.glossary import Glossary
from bot.domain.learning import Answer, Report, build_report, initial_vs_current
from bot.domain.slots import find_zone
from bot.domain.workspace import Workspace
from bot.services.admins import Admins
from bot.services.core import UNREACHABLE, Core
from bot.storage import Storage
from bot.views import learning as learning_views
from bot.views.kit import Blocks

log = logging.getLogger(__name__)
DEFAULT_WEEKS = 8
MAX_WEEKS = 104
SEARCHES_READ = 100  # searches that found nothing, before those the glossary now holds are left out


def learning_report(
    storage: Storage, ws: Workspace, glossary: Glossary, now: datetime, zone: ZoneInfo, weeks: int
) -> Report:
    """The report for the `weeks` ISO weeks up to `now`, from everything stored for the workspace."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"choose between 1 and {MAX_WEEKS} weeks")
    since = now - timedelta(weeks=weeks + 1)
    searches = storage.stats.top_misses(ws, since, SEARCHES_READ)
    return build_report(
        labelled(storage.learning.answers(ws), glossary),
        searches,
        lambda text: glossary.get(text) is not None,
        now,
        zone,
        weeks,
    )


def labelled(answers: Iterable[Answer], glossary: Glossary) -> list[Answer]:
    """Answers under the names people read: a stored key such as "IC|People" becomes "IC (People)"."""
    return [replace(a, term=glossary.label_of(a.term)) for a in answers]


def stored_zone(storage: Storage, ws: Workspace, default: ZoneInfo) -> ZoneInfo:
    """The workspace's own default zone (`/quiz zone`), else `default`."""
    record = storage.workspaces.get(ws)
    name = record.settings.get("default_timezone") if record is not None else None
    return (find_zone(name) if name else None) or default


class LearningReports:
    def __init__(self, core: Core, admins: Admins) -> None:
        self.core = core
        self.admins = admins

    def report(self, ws: Workspace, weeks: int = DEFAULT_WEEKS) -> Report:
        core = self.core
        return learning_report(
            core.storage, ws, core.glossary(ws).glossary, core.clock(), core.default_zone(ws), weeks
        )

    def may_see(self, ws: Workspace, user_id: str) -> bool:
        """Quiz admins (or the workspace's admins and owners) and glossary owners."""
        return user_id in self.admins.glossary_owners(ws) or self.admins.may_manage(ws, user_id)

    def for_slack(self, ws: Workspace, user_id: str, weeks: int = DEFAULT_WEEKS) -> Blocks:
        """`/quiz report`: the figures in Block Kit; the chart goes to the asker's direct message with
        the bot (a file shared in no conversation is the app's alone: Slack refuses to show it)."""
        if not self.may_see(ws, user_id):
            return learning_views.not_allowed_blocks()
        report = self.report(ws, weeks)
        chart_sent = False
        if report.terms:
            # matplotlib only when a chart is drawn: imported at start, it was a third of the bot's
            # objects, each one scanned by every full garbage collection, and the pause stalls
            # every request (70-80 ms, gc.callbacks during bench/clicks.py).
            from bot.views.charts import accuracy_figure, to_png

            try:
                client = self.core.client(ws)
                direct = client.conversations_open(users=user_id)["channel"]["id"]
                client.files_upload_v2(
                    channel=direct,
                    content=to_png(accuracy_figure(report)),
                    filename="learning-report.png",
                    title=learning_views.CHART_TITLE,
                    alt_txt=learning_views.CHART_TITLE,
                    initial_comment="The learning report's chart, for you only.",
                )
                chart_sent = True
            except UNREACHABLE as exc:
                log.warning("report chart not sent (%s)", type(exc).__name__)
        return learning_views.report_blocks(report, chart_sent)

    def home_blocks(self, ws: Workspace, user_id: str) -> list[Block]:
        """The person's own "initial vs current", for their Home tab only."""
        return learning_views.progress_blocks(
            initial_vs_current(
                labelled(self.core.storage.learning.answers(ws, user_id), self.core.glossary(ws).glossary),
                user_id,
            )
        )
