"""Unit tests are pure: this guard makes any socket or database they open fail loudly.

(Checks that read the repository's own files live in `tests/repo`; tests that need a database, a
socket or the stand-in live in `tests/integration`, `tests/storage` and `tests/e2e`.)
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest


class TouchedIO(AssertionError):
    pass


def _refuse(what: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise TouchedIO(f"a unit test opened {what}: move it to tests/integration or tests/e2e")

    return refuse


@pytest.fixture(autouse=True)
def no_io(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket, "socket", _refuse("a socket"))
    monkeypatch.setattr(sqlite3, "connect", _refuse("a database"))
    yield
