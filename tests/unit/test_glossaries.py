"""The running bot's glossary snapshots: the memo of answers each one keeps."""

from __future__ import annotations

from bot.glossaries import Glossaries, Memo
from bot.workspace import Workspace
from tests.support.bot import GLOSSARY


def test_memo_keeps_at_most_its_size_dropping_the_oldest() -> None:
    memo = Memo(3)
    for i in range(5):
        memo.put(i, f"answer {i}")
    assert len(memo) == 3
    assert [memo.get(i) for i in range(5)] == [None, None, "answer 2", "answer 3", "answer 4"]


def test_memo_replaces_a_key_put_again() -> None:
    memo = Memo(2)
    memo.put("drain", 1)
    memo.put("drain", 2)
    assert memo.get("drain") == 2 and len(memo) == 1


def test_each_snapshot_has_its_own_memo() -> None:
    glossaries = Glossaries(GLOSSARY)
    base = glossaries.base
    base.answers.put("drain", "remembered")
    ws = Workspace("T9")
    glossaries.set_overlay(ws, base.glossary)
    overlay = glossaries.for_workspace(ws)
    assert overlay is not base
    assert overlay.answers.get("drain") is None
    assert glossaries.base.answers.get("drain") == "remembered"
