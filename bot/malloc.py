"""Keeping the bot's native memory in check: glibc's malloc with two arenas, no per-thread caches, trimmed.

The bot runs about forty threads (waitress, its own pool, the scheduler, the
SQLite and HTTP clients' C code).  Under the soak's steady traffic
(`bench/soak.py`) its resident memory kept growing while Python's own heap
stayed flat (tracemalloc snapshots a minute apart differed by under 1 MiB).
The growth was glibc's:

* Arenas.  glibc gives each thread that meets a busy arena a new one, up to
  eight per core, and memory freed in an arena mostly stays with it.
  `limit_arenas()` caps them at two before any thread starts (in 4-minute
  soaks, RSS grew 9% after the first minute with the default arenas, 1-3% with
  two).  One arena measured no better than two.
* Per-thread caches.  Each thread keeps up to seven freed blocks of every small
  size for itself, counted as in use and never given back, and they filled
  as more threads took work.  glibc reads that setting only when a process
  starts, so `restart_tuned()` restarts a serving command once, first thing,
  with GLIBC_TUNABLES set (`bot.__main__`).  In the 10-minute soak, the growth
  after the first minute fell from +7.7-9.4% to +5.7% with the caches off, and
  to +3.7-4.6% with them off, a trim every 10 seconds and SQLite page caches of
  512 KiB (`storage.engine`); the RSS at the end from 90 to 83-84 MiB.
* Free memory inside the heap.  `trim()` (`malloc_trim(0)`) gives it back;
  the scheduler runs it every `TRIM_SECONDS` (12 ms the first time on a
  fragmented 20 MB heap, about 10 us when there is little to give back).

Python's small objects come from its own allocator under the GIL, so this
costs little speed: with the caches back on, `/define` at 32 connections took
4% less CPU an answer in one run of alternating rounds (305 against 317 us,
`bench/load.py`'s servers) and no less in a second.  An operator's own
MALLOC_ARENA_MAX or GLIBC_TUNABLES wins; elsewhere than glibc all of it does
nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2
TRIM_SECONDS = 10
TUNABLES = "glibc.malloc.tcache_count=0"
TUNED = "STUDY_LAB_MALLOC_TUNED"  # set in the restarted process, so that it never restarts again
SERVING = frozenset({"run", "playground"})


@cache
def _glibc() -> Any | None:
    """glibc itself, for mallopt and malloc_trim; None elsewhere (musl, macOS): nothing to tune."""
    if not is_glibc():
        return None
    import ctypes  # here, not at the top: `restart_tuned` runs before any import it can spare

    try:
        libc = ctypes.CDLL("libc.so.6")  # glibc's name on every Linux it runs on
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (at the operator's MALLOC_ARENA_MAX when set); True when capped.

    glibc reads MALLOC_ARENA_MAX itself only from the environment the process
    started in; set here, a value from the bot's `.env` file counts too.
    """
    libc = _glibc()
    if libc is None:
        return False
    own = os.environ.get("MALLOC_ARENA_MAX", "").strip()
    return bool(libc.mallopt(M_ARENA_MAX, int(own) if own.isdigit() and int(own) > 0 else arenas))


def tuned_environment(args: Sequence[str], env: Mapping[str, str], glibc: bool) -> dict[str, str] | None:
    """The environment to restart a serving command in, or None to go on as it is.

    Only `run` (also the default, with no command) and `playground` serve; only
    glibc reads GLIBC_TUNABLES; an operator's own GLIBC_TUNABLES wins; and a
    process restarted once says so in TUNED (glibc drops GLIBC_TUNABLES for a
    program given file capabilities, so that alone would restart it forever).
    """
    command = next((arg for arg in args if not arg.startswith("-")), "run")
    if command not in SERVING or not glibc or TUNED in env or "GLIBC_TUNABLES" in env:
        return None
    return {**env, "GLIBC_TUNABLES": TUNABLES, TUNED: "1"}


def is_glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (AttributeError, ValueError, OSError):  # not glibc, or not a POSIX system
        return False


def restart_tuned(args: Sequence[str]) -> None:
    """Restart this process (same pid, same command line) with glibc's per-thread caches off.

    Call it first thing, before the bot's imports and before any thread starts.
    glibc reads its tunables only when a process starts, so there is no
    other way to set them from inside.  The second interpreter start costs
    under 0.1 s (`python -m bot --help`: 0.83 s against 0.74 s).  When the restart cannot happen the bot runs on as it is,
    with the caches on.
    """
    env = tuned_environment(args, os.environ, is_glibc())
    if env is None or not getattr(sys, "orig_argv", None):
        return
    try:
        os.execve(sys.executable, sys.orig_argv, env)
    except OSError:
        return


def trim() -> bool:
    """Give the memory malloc holds free back to the system; True when some was."""
    libc = _glibc()
    return libc is not None and bool(libc.malloc_trim(0))
