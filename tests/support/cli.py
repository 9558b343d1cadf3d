"""`python -m bot` as a process, from the repository root, with the caller's settings only.

Settings the test machine may carry (SLACK_*, QUIZ_*, DATABASE_URL, GLOSSARY_*) are removed
first, so a test sees exactly the environment it gives.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_OURS = ("SLACK_", "QUIZ_", "DATABASE_URL", "GLOSSARY_", "RESULTS_", "PORT")


def environment(env: dict[str, str] | None = None) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    return {**clean, **(env or {})}


def run_bot(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a command to its end; its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_bot(*args: str, env: dict[str, str] | None = None, **popen: Any) -> subprocess.Popen[str]:
    """Start a long-running command (the bot itself); the caller stops it."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=environment(env), text=True, **popen
    )


def free_port() -> int:
    """A loopback port nobody listens on now (for a bot process to take)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
