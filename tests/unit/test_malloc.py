"""Native memory (`bot.malloc`): the arena cap, the trim, and a serving process restarted with
glibc's per-thread caches off.

A process that calls `limit_arenas()` first keeps to two glibc arenas however many threads
allocate at once; one that does not gets more.  Memory freed in a process started with the bot's
GLIBC_TUNABLES goes back to its arena, where without them it stays parked in the thread's cache.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.malloc import TUNABLES, TUNED, is_glibc, tuned_environment
from tests.support.cli import start_bot

ROOT = Path(__file__).resolve().parents[2]
# Sixteen threads allocate and free native memory at once, then glibc prints its arenas.
PROGRAM = """
import ctypes, ctypes.util, sys, threading
import os
from bot.malloc import limit_arenas
if sys.argv[1] == "dotenv":  # as the bot's .env file sets it: after glibc read the environment
    os.environ["MALLOC_ARENA_MAX"] = "4"
print(limit_arenas() if sys.argv[1] != "none" else "uncapped", flush=True)
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

glibc_only = pytest.mark.skipif(
    platform.system() != "Linux" or not is_glibc(), reason="the arenas, the trim and the tunables are glibc's"
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


@glibc_only
def test_capped_process_uses_at_most_two_arenas() -> None:
    said, count = arenas("cap")
    assert said == "True"
    assert 1 <= count <= 2


@glibc_only
def test_uncapped_process_uses_more() -> None:
    """The baseline: without the cap the same threads spread over more arenas (else the test above proves nothing)."""
    said, count = arenas("none")
    assert said == "uncapped"
    assert count > 2


@glibc_only
@pytest.mark.parametrize("how", ["cap", "dotenv"])
def test_an_operators_setting_wins(how: str) -> None:
    """From the environment glibc reads at start, or from `.env`, read later (then only the bot applies it)."""
    said, count = arenas(how, {"MALLOC_ARENA_MAX": "4"} if how == "cap" else None)
    assert said == "True"
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


@glibc_only
def test_trim_gives_freed_memory_back() -> None:
    done = subprocess.run(
        [sys.executable, "-c", TRIM_PROGRAM], cwd=ROOT, capture_output=True, text=True, check=True
    )
    released, kib = done.stdout.split()
    assert released == "True"
    assert int(kib) > 50_000  # most of the ~100 MB freed but held by malloc


# Five small blocks are freed; the program prints how many bytes malloc stopped counting as in use.
TCACHE_PROGRAM = """
import ctypes, ctypes.util
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = (ctypes.c_void_p,)
libc.mallinfo2.restype = Info  # glibc 2.33 and later
blocks = [libc.malloc(200) for _ in range(5)]
before = libc.mallinfo2().uordblks
for b in blocks:
    libc.free(b)
print(before - libc.mallinfo2().uordblks)
"""


def _has_mallinfo2() -> bool:
    name = ctypes.util.find_library("c")
    return name is not None and hasattr(ctypes.CDLL(name), "mallinfo2")


def given_back(tunables: str | None) -> int:
    environ = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    if tunables is not None:
        environ["GLIBC_TUNABLES"] = tunables
    done = subprocess.run(
        [sys.executable, "-c", TCACHE_PROGRAM], env=environ, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@glibc_only
def test_the_tunables_send_freed_blocks_back_to_the_arena() -> None:
    """A misspelt tunable is ignored by glibc without a word; this is what catches it."""
    if not _has_mallinfo2():
        pytest.skip("mallinfo2 is glibc 2.33's")
    assert given_back(TUNABLES) >= 5 * 200
    assert given_back(None) < 5 * 200  # glibc's default: parked in the thread's cache, still counted in use


@pytest.mark.parametrize(
    ("args", "restarts"),
    [
        ([], True),  # `run` is the default
        (["run"], True),
        (["playground", "--port", "0"], True),
        (["--help"], True),  # harmless: it prints and exits
        (["define", "drain"], False),  # offline commands exit at once: not worth a restart
        (["check", "data/glossary.yml"], False),
        (["stats", "--days", "7"], False),
    ],
)
def test_only_serving_commands_restart(args: list[str], restarts: bool) -> None:
    env = tuned_environment(args, {"PATH": "/usr/bin"}, glibc=True)
    assert (env == {"PATH": "/usr/bin", "GLIBC_TUNABLES": TUNABLES, TUNED: "1"}) if restarts else env is None


def test_an_operators_tunables_and_other_libcs_are_left_alone() -> None:
    assert tuned_environment(["run"], {"GLIBC_TUNABLES": "glibc.malloc.arena_max=4"}, glibc=True) is None
    assert tuned_environment(["run"], {}, glibc=False) is None  # musl, macOS


def test_a_restarted_process_never_restarts_again() -> None:
    """Even when its GLIBC_TUNABLES was dropped on the way (glibc does that for a program with file
    capabilities, such as a python allowed to bind port 80)."""
    once = tuned_environment(["run"], {"PATH": "/usr/bin"}, glibc=True)
    assert once is not None
    dropped = {k: v for k, v in once.items() if k != "GLIBC_TUNABLES"}
    assert tuned_environment(["run"], dropped, glibc=True) is None


def first_line(process: subprocess.Popen[str], timeout: float = 60) -> str:
    """The process's first line of output, or "" if none came within `timeout` seconds."""
    got: list[str] = []
    stdout = process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: got.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return got[0] if got else ""


@glibc_only
@pytest.mark.parametrize("operator", [None, "glibc.malloc.arena_max=4"])
def test_the_running_bot_is_the_same_process_restarted_tuned(
    tmp_path: Path, operator: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GLIBC_TUNABLES", TUNED, "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    env = {"TMPDIR": str(tmp_path)} | ({"GLIBC_TUNABLES": operator} if operator else {})
    process = start_bot("playground", "--port", "0", env=env, stdout=subprocess.PIPE)
    try:
        assert first_line(process).startswith("Study Lab playground: http://127.0.0.1:")
        # The pid Popen started is the one serving: the restart replaced the program, not the process.
        running = dict(
            line.split("=", 1)
            for line in Path(f"/proc/{process.pid}/environ").read_text().split("\0")
            if "=" in line
        )
        assert running.get("GLIBC_TUNABLES") == (operator or TUNABLES)
        assert (TUNED in running) == (operator is None)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0
