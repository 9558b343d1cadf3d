"""Editing the glossary while the bot runs: a valid edit is served, an invalid
one is logged and the last good glossary keeps serving."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from bot.standin import SlackStandIn
from tests.support.bot import GLOSSARY, RunningBot

NEW_TERM = """
  - term: Blue-green deploy
    category: Deploy
    definition: Two identical environments, one live, one idle, swapped at release.
    trap: Forgetting that both share one database.
"""


def test_edits_are_picked_up_and_bad_edits_are_refused(
    fake: SlackStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "glossary.yml"
    shutil.copy(GLOSSARY, path)
    bot = RunningBot.start(fake, f"sqlite:///{tmp_path}/b.db", GLOSSARY_PATH=str(path))
    try:
        assert "Two identical environments" not in json.dumps(
            bot.command("/define", "blue green deploy").json()
        )
        path.write_text(path.read_text() + NEW_TERM)
        assert bot.runtime.glossaries.reload_if_changed()  # the scheduler's job, run now
        assert "Two identical environments" in json.dumps(bot.command("/define", "blue green deploy").json())
        with caplog.at_level(logging.ERROR):
            path.write_text(path.read_text().replace("definition: Two identical", "defintion: Two identical"))
            assert not bot.runtime.glossaries.reload_if_changed()
        assert "unknown key 'defintion'" in caplog.text
        assert "Two identical environments" in json.dumps(bot.command("/define", "blue green deploy").json())
        assert not bot.runtime.glossaries.reload_if_changed()  # unchanged since: nothing to do
    finally:
        bot.close()
