"""Browser tests: the playground in-process on a free port, driven by Playwright in headless Chromium.

Playwright's own browser download cannot work on machines that reach only the
package registries, so these tests drive the system's Chromium through
`executable_path` (Debian's `chromium` at /usr/bin/chromium, or CHROMIUM_PATH).
Without it, or without the playwright package, they are skipped with a reason
that says how to get it.  The bot's clock starts on a Wednesday at 08:00 UTC,
before the channel's 09:30 quiz, so nothing is posted until a test asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.playground import Playground
from tests.browser.support import (
    LAUNCH_ARGS,
    NO_PLAYWRIGHT,
    chromium_path,
    no_chromium,
    open_page,
    start_playground,
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(NO_PLAYWRIGHT)
    path = chromium_path()
    if not Path(path).exists():
        pytest.skip(no_chromium(path))
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS, headless=True)
    except Exception:
        playwright.stop()
        raise
    yield launched
    launched.close()
    playwright.stop()


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[Playground]:
    running = start_playground(tmp_path)
    yield running
    running.close()


@pytest.fixture
def page(browser: Any, playground: Playground) -> Iterator[Any]:
    context, opened, errors = open_page(browser, playground.url)
    yield opened
    context.close()
    assert not errors, errors
