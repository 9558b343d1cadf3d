"""People as Slack knows them (`users.info`): display names and admin status, cached per workspace.

Names let shared boards and weekly results say who is who without mentioning
(and so notifying) anyone.  Admin status decides who manages the quiz when no
quiz admins are set.  Answers are kept for `TTL` so a board of ten names costs
ten calls at most once an hour, in a cache bounded in size; only the name and the admin
flags are kept; a failed call is not cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache

from bot.domain.workspace import Workspace
from bot.services.core import UNREACHABLE, Core

TTL_SECONDS = 3600.0
CACHED_PEOPLE = 20_000  # the least recently used go first beyond this


@dataclass(frozen=True)
class Person:
    """What the bot keeps of a `users.info` answer: a name to show, and whether they administer."""

    name: str
    is_admin: bool


def _person(user: dict[str, Any], user_id: str) -> Person:
    profile = user.get("profile") or {}
    names = (profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name"))
    name = next((n.strip() for n in names if isinstance(n, str) and n.strip()), user_id)
    admin = any(bool(user.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))
    return Person(name, admin)


class People:
    def __init__(self, core: Core, clock: Any = time.monotonic) -> None:
        self.core = core
        self._lock = threading.Lock()
        self._cache: TTLCache[tuple[Workspace, str], Person] = TTLCache(
            CACHED_PEOPLE, TTL_SECONDS, timer=clock
        )

    def info(self, ws: Workspace, user_id: str) -> Person | None:
        key = (ws, user_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            user = self.core.client(ws).users_info(user=user_id).get("user")
        except UNREACHABLE:
            return None  # not cached: asked again next time
        if not isinstance(user, dict):
            return None
        person = _person(user, user_id)
        with self._lock:
            self._cache[key] = person
        return person

    def name(self, ws: Workspace, user_id: str) -> str:
        """The name Slack shows for the user, or their id when Slack cannot say."""
        person = self.info(ws, user_id)
        return person.name if person is not None else user_id

    def names(self, ws: Workspace, user_ids: Iterable[str]) -> dict[str, str]:
        return {user: self.name(ws, user) for user in dict.fromkeys(user_ids)}

    def is_admin(self, ws: Workspace, user_id: str) -> bool:
        """A workspace admin or owner, by `users.info`; False when Slack cannot say."""
        person = self.info(ws, user_id)
        return person is not None and person.is_admin
