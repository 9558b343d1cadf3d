"""Keeping the bot's native memory in check: two glibc malloc arenas, trimmed every minute.

glibc gives each thread that meets a busy arena a new one, up to eight per
core, and memory freed in an arena mostly stays with it.  The bot runs about
forty threads (waitress, its own pool, the scheduler, the SQLite and HTTP
clients' C code).  Under the soak's steady traffic (`bench/soak.py`) its
resident memory kept growing while Python's own heap stayed flat (tracemalloc
snapshots a minute apart differed by 0.4 MiB): in 4-minute soaks RSS grew 9%
after the first minute with glibc's default arenas and 1-3% with two, and
`malloc_trim(0)` on a running bot gave back 4.8 of its 92.9 MiB.  So the cap
is set before any thread starts and the scheduler trims every minute (a few
milliseconds).  Python's small objects come from its own allocator under the
GIL, so the cap costs no measurable speed (`bench/clicks.py`).  One arena, a
fixed mmap threshold and smaller SQLite page caches were tried too and moved
the 10-minute soak by less than its run-to-run spread.

An operator's own MALLOC_ARENA_MAX wins; elsewhere than glibc both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache
from typing import Any

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2
TRIM_SECONDS = 60


@cache
def _glibc() -> Any | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas; True when the cap was set here."""
    libc = _glibc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def trim() -> bool:
    """Give the memory malloc holds free back to the system; True when some was."""
    libc = _glibc()
    return libc is not None and bool(libc.malloc_trim(0))
