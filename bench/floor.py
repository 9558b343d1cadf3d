"""The floor in a process of its own: a Bolt app that only acknowledges (`bench.harness.floor_app`).

Served either by the bot's own server (`bot.slack.server.serve_wsgi`, with the bot's WSGI function and
its default thread count unless told otherwise)::

    python -m bench.floor --api-url URL --port 3001 [--process-before-response] [--threads 16]
        [--answer FILE]   # /define acknowledges with the message in FILE (JSON)

or by gunicorn, through the factory below (the Web API URL and the Bolt setting from the
environment)::

    FLOOR_API_URL=URL FLOOR_PBR=0 gunicorn -w 2 -k gthread --threads 8 'bench.floor:from_env()'

`bench/load.py` and `bench/servers.py` start these; this is not a benchmark itself.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for bench and tests

from bench.harness import floor_wsgi  # noqa: E402


def from_env() -> Any:
    """A WSGI app for gunicorn: FLOOR_API_URL (the stand-in's Web API), FLOOR_PBR=1 to answer
    from the request thread (Bolt's process_before_response)."""
    return floor_wsgi(os.environ["FLOOR_API_URL"], os.environ.get("FLOOR_PBR", "0") == "1")


def main(argv: list[str] | None = None) -> int:
    from bot.config import Settings
    from bot.slack.server import serve_wsgi

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--process-before-response", action="store_true")
    parser.add_argument("--threads", type=int, default=Settings().web_threads)
    parser.add_argument("--answer", type=Path, help="JSON message that /define acknowledges with")
    args = parser.parse_args(argv)
    answer = json.loads(args.answer.read_text()) if args.answer else None
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    serving = serve_wsgi(
        floor_wsgi(args.api_url, args.process_before_response, answer), "127.0.0.1", args.port, args.threads
    )
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        serving.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
