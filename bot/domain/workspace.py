"""`Workspace`: the key that keeps one installation's data, jobs and tokens apart.

A workspace install is keyed by its team id (and its Grid organisation's
enterprise id, when it has one); an org-wide install on Enterprise Grid is keyed
by the enterprise id alone, with an empty team id.  Every row of the bot's own
tables carries both columns, every job id carries `key`, and user ids are only
ever compared within one workspace (Grid user ids span the org's workspaces).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Workspace:
    team_id: str
    enterprise_id: str = ""

    @property
    def key(self) -> str:
        """A stable text form for job ids and logs: `E…:T…`, `-` for an absent part."""
        return f"{self.enterprise_id or '-'}:{self.team_id or '-'}"

    @classmethod
    def from_key(cls, key: str) -> Workspace:
        enterprise, _, team = key.partition(":")
        return cls(team_id="" if team == "-" else team, enterprise_id="" if enterprise == "-" else enterprise)

    @property
    def is_org(self) -> bool:
        """An org-wide (Enterprise Grid) install."""
        return not self.team_id and bool(self.enterprise_id)

    @classmethod
    def of_install(
        cls, team_id: str | None, enterprise_id: str | None, is_enterprise_install: bool
    ) -> Workspace:
        if is_enterprise_install and enterprise_id:
            return cls(team_id="", enterprise_id=enterprise_id)
        return cls(team_id=team_id or "", enterprise_id=enterprise_id or "")


# Rows written by release 0.1, before workspaces existed; adopted at start in single-workspace mode.
UNOWNED = Workspace(team_id="", enterprise_id="")
