"""No real Slack token or signing secret is committed: tracked files hold only
placeholders (`xoxb-your-bot-token`) and obviously fake test values."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Real tokens carry numeric workspace and bot ids: xoxb-1234567890-1234567890-AbC…
REAL_TOKEN = re.compile(
    r"xox[abposr]-\d{6,}-\d{6,}-[A-Za-z0-9]{10,}|xapp-\d-[A-Z0-9]{8,}-\d{6,}-[a-f0-9]{20,}"
)
SIGNING_SECRET = re.compile(r"SLACK_SIGNING_SECRET\s*=\s*['\"]?[a-f0-9]{32}\b")


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: nothing tracked to scan")
    return [ROOT / line for line in out.splitlines() if line]


def test_no_token_or_signing_secret_is_tracked() -> None:
    leaks = []
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        leaks += [f"{path.relative_to(ROOT)}: {m.group(0)[:12]}…" for m in REAL_TOKEN.finditer(text)]
        leaks += [f"{path.relative_to(ROOT)}: signing secret" for _ in SIGNING_SECRET.finditer(text)]
    assert leaks == []


def test_the_scan_recognises_a_real_looking_token() -> None:
    assert REAL_TOKEN.search("xoxb-" + "1234567890-9876543210-AbCdEfGhIjKlMnOp")  # split: not a tracked token
    assert not REAL_TOKEN.search("xoxb-your-bot-token")
    assert not REAL_TOKEN.search("xoxb-test-0000-secret-token")
