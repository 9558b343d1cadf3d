"""The arena cap: a process that calls `limit_arenas()` first keeps to two glibc arenas however
many threads allocate at once; one that does not gets more (the cap is what keeps the soak flat)."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Sixteen threads allocate and free native memory at once, then glibc prints its arenas.
PROGRAM = """
import ctypes, ctypes.util, sys, threading
from bot.malloc import limit_arenas
print(limit_arenas() if sys.argv[1] == "cap" else "uncapped", flush=True)
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = (ctypes.c_void_p,)
start = threading.Barrier(16)
def churn():
    start.wait()
    for _ in range(20_000):
        libc.free(libc.malloc(4096))
threads = [threading.Thread(target=churn) for _ in range(16)]
for t in threads: t.start()
for t in threads: t.join()
libc.malloc_stats()
"""

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="the arena cap is glibc's"
)


def arenas(mode: str, env: dict[str, str] | None = None) -> tuple[str, int]:
    environ = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | (env or {})
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip(), len(re.findall(r"^Arena \d+:", done.stderr, re.MULTILINE))


def test_capped_process_uses_at_most_two_arenas() -> None:
    said, count = arenas("cap")
    assert said == "True"
    assert 1 <= count <= 2


def test_uncapped_process_uses_more() -> None:
    """The baseline: without the cap the same threads spread over more arenas (else the test above proves nothing)."""
    said, count = arenas("none")
    assert said == "uncapped"
    assert count > 2


def test_an_operators_setting_wins() -> None:
    said, count = arenas("cap", {"MALLOC_ARENA_MAX": "4"})
    assert said == "False"
    assert 2 < count <= 4


TRIM_PROGRAM = """
import ctypes, ctypes.util
from bot.malloc import trim
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = (ctypes.c_void_p,)
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
blocks = [libc.malloc(1000) for _ in range(100_000)]  # ~100 MB in small blocks, below mmap's threshold
for i in range(100_000):
    ctypes.memset(blocks[i], 1, 1000)
keep = libc.malloc(1000)  # holds the top of the heap, so free() alone cannot shrink it
for b in blocks:
    libc.free(b)
before = rss()
print(trim(), before - rss())
"""


def test_trim_gives_freed_memory_back() -> None:
    done = subprocess.run(
        [sys.executable, "-c", TRIM_PROGRAM], cwd=ROOT, capture_output=True, text=True, check=True
    )
    released, kib = done.stdout.split()
    assert released == "True"
    assert int(kib) > 50_000  # most of the ~100 MB freed but held by malloc
