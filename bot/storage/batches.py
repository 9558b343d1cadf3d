"""Writes from many request threads, committed together: `BatchWriter`.

A burst of quiz clicks is many small write transactions at once.  Each click
used to run its own: sixteen request threads queued on SQLite's single writer,
each holding a pooled connection while it waited, and the one writing had to
win the GIL back after every statement from threads with nothing to write (on
SQLite, 16% of the bot's interpreter time in a burst went to the answer's
transaction, `bench/clicks.py` under py-spy).  Here a request thread hands its
item to the process's writer thread and waits; the writer takes everything
waiting (up to `max_batch`) and runs it in one call, in one transaction, so a
burst of N clicks costs a few transactions, not N.  The caller still returns
only after its item is committed: an answer Slack saw acknowledged is stored.

If a batch fails, its items are tried again one at a time (when `retry_singly`
says the error may be an item's own, such as a value the database refuses), so
one bad item cannot fail its neighbours; when the database is down, every item
gets the error at once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


@dataclass(eq=False)
class _Waiting(Generic[T, R]):
    item: T
    done: threading.Lock = field(default_factory=threading.Lock)  # held until the result is in
    result: R | None = None
    error: BaseException | None = None


class BatchWriter(Generic[T, R]):
    """One writer thread, started by the first `submit`, running what waits in batches."""

    def __init__(
        self,
        name: str,
        run_batch: Callable[[Sequence[T]], Sequence[R]],
        max_batch: int = 64,
        retry_singly: Callable[[BaseException], bool] = lambda _exc: True,
    ) -> None:
        self.name = name
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._retry_singly = retry_singly
        self._queue: queue.SimpleQueue[_Waiting[T, R] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def submit(self, item: T) -> R:
        """Run `item` in the next batch; return its result once committed (or raise its error)."""
        if self._thread is None:
            self._start()
        waiting: _Waiting[T, R] = _Waiting(item)
        waiting.done.acquire()
        self._queue.put(waiting)
        waiting.done.acquire()  # released by the writer
        if waiting.error is not None:
            raise waiting.error
        return waiting.result  # type: ignore[return-value]

    def close(self) -> None:
        """Stop the writer after what was submitted before (a later submit starts it again)."""
        with self._starting:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join(timeout=10)

    def _start(self) -> None:
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name=self.name, daemon=True)
                self._thread.start()

    def _write(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # the stop, taken after this batch
                    break
                batch.append(more)
            self._run(batch)

    def _run(self, batch: list[_Waiting[T, R]]) -> None:
        try:
            results = self._run_batch([w.item for w in batch])
        except BaseException as exc:  # noqa: BLE001 - handed to each waiting caller
            if len(batch) > 1 and self._retry_singly(exc):
                log.warning(
                    "%s: a batch of %d failed (%s); trying one by one",
                    self.name,
                    len(batch),
                    type(exc).__name__,
                )
                for waiting in batch:
                    self._run([waiting])
                return
            for waiting in batch:
                waiting.error = exc
                waiting.done.release()
            return
        for waiting, result in zip(batch, results, strict=True):
            waiting.result = result
            waiting.done.release()
