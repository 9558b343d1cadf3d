"""Who manages a workspace's quiz and glossary.

Quiz admins are, in order: the workspace's own list (set from Slack with
`/quiz admins`), else `QUIZ_ADMINS` (single-workspace mode only), else the
workspace's admins and owners as `users.info` reports them and, for a workspace
installed through OAuth, the person who installed the app; never "everyone".
Glossary owners are the workspace's list (`/quiz owners`), else
`GLOSSARY_OWNERS` (single-workspace mode only); with neither, suggestions are
off.  The review channel likewise: `/quiz review`, else
`GLOSSARY_REVIEW_CHANNEL` in single-workspace mode.  In OAuth mode
`bot.config` clears those environment settings, so nothing leaks from one
workspace's configuration into another's.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.config import USER_ID
from bot.domain.workspace import Workspace
from bot.services.core import Core
from bot.services.people import People


def parse_ids(text: str | None) -> frozenset[str]:
    return frozenset(part for part in (text or "").replace(",", " ").split() if part)


class Admins:
    def __init__(
        self, core: Core, people: People, installations: SQLAlchemyInstallationStore | None = None
    ) -> None:
        self.core = core
        self.people = people
        self.installations = installations

    def installer(self, ws: Workspace) -> str | None:
        """Who installed the app into the workspace (OAuth mode), from its latest installation."""
        if self.installations is None:
            return None
        found = self.installations.find_installation(
            enterprise_id=ws.enterprise_id or None,
            team_id=ws.team_id or None,
            is_enterprise_install=ws.is_org,
        )
        return found.user_id if found is not None else None

    def _setting(self, ws: Workspace, name: str) -> str | None:
        return self.core.setting(ws, name)

    def quiz_admins(self, ws: Workspace) -> frozenset[str]:
        """The configured quiz admins (empty: the workspace's admins and owners decide)."""
        own = self._setting(ws, "quiz_admins")
        return parse_ids(own) if own is not None else self.core.settings.quiz_admins

    def may_manage(self, ws: Workspace, user_id: str) -> bool:
        admins = self.quiz_admins(ws)
        if admins:
            return user_id in admins
        return user_id == self.installer(ws) or self.people.is_admin(ws, user_id)

    def set_quiz_admins(self, ws: Workspace, user_ids: frozenset[str]) -> None:
        bad = [u for u in user_ids if not USER_ID.match(u)]
        if bad:
            raise ValueError(f"not a user id: {bad[0]}")
        self.core.set_setting(ws, "quiz_admins", ",".join(sorted(user_ids)) or None)

    def set_glossary_owners(self, ws: Workspace, user_ids: frozenset[str]) -> None:
        # Empty means "nobody" (suggestions off here), not "the environment's default".
        self.core.set_setting(ws, "glossary_owners", ",".join(sorted(user_ids)))

    def set_review_channel(self, ws: Workspace, channel_id: str | None) -> None:
        self.core.set_setting(ws, "review_channel", channel_id)

    def set_default_zone(self, ws: Workspace, zone_name: str) -> None:
        self.core.set_setting(ws, "default_timezone", zone_name)

    def glossary_owners(self, ws: Workspace) -> frozenset[str]:
        own = self._setting(ws, "glossary_owners")
        return parse_ids(own) if own is not None else self.core.settings.glossary_owners

    def review_channel(self, ws: Workspace) -> str:
        return self._setting(ws, "review_channel") or self.core.settings.review_channel
