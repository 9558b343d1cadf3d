"""`python -m bot`: the command line (`bot.cli`), in a process whose malloc suits a server.

A serving command (`run`, `playground`) first restarts itself once with
glibc's per-thread malloc caches turned off (`bot.malloc.restart_tuned`),
before the bot's imports: glibc reads that setting only when a process
starts, and the restart costs under 0.1 s there (the imports after it take most
of a second).
"""

from __future__ import annotations

import sys

from bot import malloc


def main() -> int:
    malloc.restart_tuned(sys.argv[1:])
    from bot.cli import main as cli  # after the restart: the imports take most of a second

    return cli()


if __name__ == "__main__":
    sys.exit(main())
