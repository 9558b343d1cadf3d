"""Starting the playground and Chromium for the browser tests (see conftest.py)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.playground import Playground, run_playground
from tests.support.bot import GLOSSARY

START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # a Wednesday, before the channel's 09:30 quiz
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1200, "height": 800}
NO_PLAYWRIGHT = "playwright is not installed: pip install -e '.[dev]' installs it"


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def no_chromium(path: str) -> str:
    return (
        f"Chromium not found at {path}: install it (apt-get install chromium) "
        "or set CHROMIUM_PATH to a Chromium binary"
    )


def start_playground(tmp_path: Path, glossary: Path = GLOSSARY) -> Playground:
    # No environment from the machine running the tests: no DATABASE_URL, QUIZ_* or SLACK_*.
    return run_playground(0, glossary, database=tmp_path / "playground.db", env={}, start=START)


class PageErrors(list[str]):
    """Script errors and console errors (a Content-Security-Policy violation is one)."""


def open_page(browser: Any, url: str) -> tuple[Any, Any, PageErrors]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = PageErrors()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(url)
    return context, page, errors


# The test's own check that this Chromium can draw an emoji: its pixels differ from those of a
# code point no font has (a box).  The page must show the emoji then, and its :name: otherwise.
CAN_DRAW = """(glyph) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 40;
  const pen = canvas.getContext("2d");
  pen.font = '30px "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", "Noto Emoji", sans-serif';
  pen.textBaseline = "top";
  const draw = (text) => { pen.clearRect(0, 0, 40, 40); pen.fillText(text, 0, 0); return pen.getImageData(0, 0, 40, 40).data.join(); };
  return draw(glyph) !== draw("\\u{10FFFD}");
}"""


def can_draw(page: Any, glyph: str) -> bool:
    """Whether this Chromium has a font for `glyph` (the test's own check, not the page's)."""
    return bool(page.evaluate(CAN_DRAW, glyph))
