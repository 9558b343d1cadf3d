"""`/define`'s remembered answers: bounded, by glossary snapshot, and every asking still counted."""

from __future__ import annotations

import gc
import weakref

from bot.domain.workspace import Workspace
from bot.runtime import Runtime
from bot.services.definitions import ANSWERS_KEPT, Memo

WS = Workspace("T1")


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


def test_a_new_snapshot_answers_afresh(runtime: Runtime) -> None:
    definitions = runtime.services.definitions
    before = definitions.define(WS, "drain")
    assert definitions.define(WS, "drain") is before  # remembered
    base = runtime.core.glossaries.base.glossary
    runtime.core.glossaries.set_overlay(WS, base)  # the same terms, but a new snapshot
    assert definitions.define(WS, "drain") is not before
    assert definitions.define(Workspace("T2"), "drain") is before  # T2 still sees the base


def test_remembered_answers_do_not_keep_a_replaced_snapshot_alive(runtime: Runtime) -> None:
    glossaries, definitions = runtime.core.glossaries, runtime.services.definitions
    glossaries.set_overlay(WS, glossaries.base.glossary)
    replaced = weakref.ref(glossaries.for_workspace(WS))
    definitions.define(WS, "drain")
    glossaries.set_overlay(WS, glossaries.base.glossary)  # an approved change: a new snapshot
    gc.collect()
    assert replaced() is None  # its lookup index freed, though its answer is still remembered
    assert len(definitions._answers) == 1


def test_remembered_answers_are_bounded_across_workspaces(runtime: Runtime) -> None:
    definitions = runtime.services.definitions
    for i in range(ANSWERS_KEPT + 50):
        definitions.define(Workspace(f"T{i % 7}"), f"term {i}")
    assert len(definitions._answers) == ANSWERS_KEPT


def test_long_texts_are_answered_but_not_remembered(runtime: Runtime) -> None:
    definitions = runtime.services.definitions
    text = "drain " * 50
    first = definitions.define(WS, text)
    assert "no-new-work posture" in first.private_reply
    assert definitions.define(WS, text) is not first
