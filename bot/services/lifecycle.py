"""A workspace's life: installed, uninstalled (or its token revoked), and its data deleted.

Uninstalling, or Slack saying the token is gone (`invalid_auth`,
`account_inactive`, `token_revoked`), stops the workspace at once: it is
marked uninstalled, its schedules leave every process's scheduler at the next
sync (this process's at once), and its cached client is dropped.  Its data is
deleted `DATA_RETENTION_DAYS` later by `purge_due`, once across replicas;
`forget` deletes it now.  Installing again within that time keeps everything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.domain.workspace import Workspace
from bot.services.core import Core
from bot.slack.client import SLACK_FAILURES, TOKEN_GONE_ERRORS, slack_error
from bot.slack.installations import NotInstalled, delete_installations

log = logging.getLogger(__name__)


class Lifecycle:
    def __init__(
        self,
        core: Core,
        installations: SQLAlchemyInstallationStore | None,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.core = core
        self.installations = installations
        self.on_change = on_change  # the scheduler's sync

    def installed(self, ws: Workspace, is_enterprise_install: bool) -> None:
        self.core.storage.workspaces.installed(ws, is_enterprise_install, self.core.clock())
        self.core.slack.forget(ws)  # a new token
        self.on_change()

    def gone(self, ws: Workspace, happened_at: datetime | None = None) -> None:
        """Uninstalled or revoked: stop its schedules and jobs now, and drop its installation; its
        data waits for the retention.  An event older than the latest install changes nothing."""
        if self.core.storage.workspaces.uninstalled(ws, self.core.clock(), happened_at):
            log.info("workspace %s stopped: uninstalled or its token revoked", ws.key)
            self._delete_installation(ws)  # requests from it are no longer authorised
        self.core.slack.forget(ws)
        self.on_change()

    def token_failed(self, ws: Workspace) -> bool:
        """Slack refused a call's token: stop the workspace (True) only if its current token is
        refused too.  The refused token may be one this process kept from before a reinstall (or
        a rotation); then the current one works, and nothing is stopped."""
        self.core.slack.forget(ws)
        try:
            self.core.client(ws).auth_test()
        except NotInstalled:
            self.gone(ws)
            return True
        except SlackApiError as exc:
            if slack_error(exc) in TOKEN_GONE_ERRORS:
                log.warning("workspace %s: its token is refused (%s); stopping it", ws.key, slack_error(exc))
                self.gone(ws)
                return True
        except SLACK_FAILURES as exc:
            log.warning("workspace %s: could not check its token (%s)", ws.key, type(exc).__name__)
        return False

    def _delete_installation(self, ws: Workspace) -> None:
        if self.installations is not None:
            delete_installations(self.core.storage.db.engine, ws)

    def purge_due(self) -> int:
        """Delete the data of workspaces uninstalled longer ago than the retention; how many."""
        cutoff = self.core.clock() - self.core.settings.data_retention
        deleted = 0
        for ws in self.core.storage.workspaces.due_for_deletion(cutoff):
            if self.core.storage.workspaces.delete_data(ws, uninstalled_before=cutoff):
                self._delete_installation(ws)
                log.info("workspace %s: data deleted after the retention period", ws.key)
                deleted += 1
        return deleted

    def forget(self, ws: Workspace) -> None:
        """Delete everything kept for the workspace, now."""
        self.core.storage.workspaces.delete_data(ws)
        self._delete_installation(ws)
        self.core.slack.forget(ws)
        self.on_change()
