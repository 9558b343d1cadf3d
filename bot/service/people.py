"""People as Slack knows them (`users.info`): display names and admin status, cached per workspace.

Names let shared boards and weekly results say who is who without mentioning
(and so notifying) anyone.  Admin status decides who manages the quiz when no
quiz admins are set.  Answers are kept for `TTL` so a board of ten names costs
ten calls at most once an hour; a failed call is not cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from bot.service.core import UNREACHABLE, Core
from bot.workspace import Workspace

TTL_SECONDS = 3600.0


class People:
    def __init__(self, core: Core, clock: Any = time.monotonic) -> None:
        self.core = core
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[Workspace, str], tuple[float, dict[str, Any]]] = {}

    def info(self, ws: Workspace, user_id: str) -> dict[str, Any] | None:
        key = (ws, user_id)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached[0] < TTL_SECONDS:
            return cached[1]
        try:
            user = self.core.client(ws).users_info(user=user_id).get("user")
        except UNREACHABLE:
            return None
        if not isinstance(user, dict):
            return None
        with self._lock:
            self._cache[key] = (now, user)
        return user

    def name(self, ws: Workspace, user_id: str) -> str:
        """The name Slack shows for the user, or their id when Slack cannot say."""
        user = self.info(ws, user_id) or {}
        profile = user.get("profile") or {}
        for candidate in (
            profile.get("display_name"),
            profile.get("real_name"),
            user.get("real_name"),
            user.get("name"),
        ):
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip()
        return user_id

    def names(self, ws: Workspace, user_ids: Iterable[str]) -> dict[str, str]:
        return {user: self.name(ws, user) for user in dict.fromkeys(user_ids)}

    def is_admin(self, ws: Workspace, user_id: str) -> bool:
        """A workspace admin or owner, by `users.info`; False when Slack cannot say."""
        user = self.info(ws, user_id) or {}
        return any(bool(user.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))
