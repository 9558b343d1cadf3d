"""`BatchWriter`: callers on many threads, their items run together, each caller gets its own result."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.storage.batches import BatchWriter


class Recorder:
    """A batch function that squares numbers, refuses negative ones, and can be held at its first call."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.hold = threading.Event()
        self.entered = threading.Event()

    def __call__(self, items: Sequence[int]) -> list[int]:
        self.entered.set()
        self.hold.wait(10)
        self.batches.append(list(items))
        if any(i < 0 for i in items):
            raise ValueError(f"negative in {list(items)}")
        return [i * i for i in items]


def test_items_waiting_while_a_batch_runs_go_together_and_each_caller_gets_its_own_result() -> None:
    run = Recorder()
    writer = BatchWriter("test", run)
    with ThreadPoolExecutor(20) as pool:
        first = pool.submit(writer.submit, 100)
        assert run.entered.wait(5)  # the writer is inside the first batch, held
        rest = {i: pool.submit(writer.submit, i) for i in range(19)}
        while writer._queue.qsize() < 19:  # all nineteen wait behind it
            threading.Event().wait(0.01)
        run.hold.set()
        assert first.result(5) == 10_000
        assert {i: f.result(5) for i, f in rest.items()} == {i: i * i for i in range(19)}
    assert run.batches[0] == [100]
    assert sorted(run.batches[1]) == list(range(19))  # one batch, not nineteen
    writer.close()


def test_a_failed_batch_is_retried_one_by_one_so_only_the_bad_item_fails() -> None:
    run = Recorder()
    writer = BatchWriter("test", run)
    with ThreadPoolExecutor(4) as pool:
        blocker = pool.submit(writer.submit, 1)
        assert run.entered.wait(5)
        futures = {i: pool.submit(writer.submit, i) for i in (2, -3, 4)}
        while writer._queue.qsize() < 3:
            threading.Event().wait(0.01)
        run.hold.set()
        assert blocker.result(5) == 1
        assert futures[2].result(5) == 4 and futures[4].result(5) == 16
        with pytest.raises(ValueError, match=r"negative in \[-3\]"):
            futures[-3].result(5)
    writer.close()


def test_when_retrying_cannot_help_every_item_gets_the_error() -> None:
    run = Recorder()
    writer = BatchWriter("test", run, retry_singly=lambda exc: False)
    with ThreadPoolExecutor(4) as pool:
        blocker = pool.submit(writer.submit, 1)
        assert run.entered.wait(5)
        futures = [pool.submit(writer.submit, i) for i in (2, -3)]
        while writer._queue.qsize() < 2:
            threading.Event().wait(0.01)
        run.hold.set()
        blocker.result(5)
        for future in futures:
            with pytest.raises(ValueError):
                future.result(5)
    assert len(run.batches) == 2  # no item tried alone
    writer.close()


def test_many_callers_then_a_restart_after_close() -> None:
    run = Recorder()
    run.hold.set()
    writer = BatchWriter("test", run)
    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(writer.submit, range(200))) == [i * i for i in range(200)]
    writer.close()
    assert writer.submit(7) == 49  # starts again
    writer.close()
    assert sum(len(b) for b in run.batches) == 201
