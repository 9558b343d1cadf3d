"""The command line: `python -m bot [run|define|check|leaderboard|stats|export]`.

`run` (the default) starts the bot: Socket Mode when SLACK_APP_TOKEN is set,
otherwise the HTTP server on $PORT.  The other commands work offline, with no
Slack at all: `define TERM` prints an answer, `check [PATH]` validates a
glossary, `leaderboard CHANNEL` prints a week's board, `stats` prints what the
glossary's owners should know, `export` prints the glossary as CSV or Markdown.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dotenv import load_dotenv

from bot import blocks
from bot.config import ConfigError, Settings, load_offline_settings, load_settings
from bot.glossary import Glossary, GlossaryError, load_glossary
from bot.leaderboard import parse_week, rank_scores, week_containing
from bot.logs import setup_logging
from bot.lookup import Lookup
from bot.store import Store

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    load_dotenv(".env", override=False)
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Study Lab: a Slack glossary and quiz bot."
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot (the default)")
    p_define = sub.add_parser("define", help="print a term's definition and trap")
    p_define.add_argument("term", nargs="+")
    p_check = sub.add_parser("check", help="validate a glossary file")
    p_check.add_argument("path", nargs="?")
    p_board = sub.add_parser("leaderboard", help="print a channel's weekly board")
    p_board.add_argument("channel")
    p_board.add_argument("--week", help="ISO week such as 2026-W48 (default: this week)")
    p_board.add_argument("--json", action="store_true", help="print JSON")
    p_stats = sub.add_parser(
        "stats", help="most looked-up terms, searches that found nothing, most missed terms"
    )
    p_stats.add_argument("--days", type=int, default=30)
    p_export = sub.add_parser("export", help="print the glossary")
    p_export.add_argument("--format", choices=("csv", "md"), default="md")
    args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        if command == "run":
            return run(load_settings(os.environ))
        settings = load_offline_settings(os.environ)
        if command == "check":
            return check(args.path or settings.glossary_path)
        if command == "define":
            return define(_glossary(settings), " ".join(args.term))
        if command == "export":
            print(export(_glossary(settings), args.format), end="")
            return 0
        if command == "leaderboard":
            return leaderboard(settings, args.channel, args.week, args.json)
        return stats(settings, args.days)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except GlossaryError as exc:
        print(exc.report(), file=sys.stderr)
        return 1


def _glossary(settings: Settings) -> Glossary:
    return load_glossary(settings.glossary_path)


def check(path: str) -> int:
    try:
        glossary = load_glossary(path)
    except GlossaryError as exc:
        print(exc.report())
        return 1
    print(f"{path}: OK, {len(glossary.terms)} terms in {len(glossary.categories())} categories")
    return 0


def define(glossary: Glossary, text: str) -> int:
    result = Lookup(glossary).find(text)
    if result.match is not None:
        if result.how != "exact":
            print(f"Showing {result.match.term} for '{text}'\n")
        print(blocks.term_text(result.match))
        return 0
    if result.suggestions:
        print(
            f"No exact match for '{text}'. Did you mean: "
            + ", ".join(t.term for t in result.suggestions)
            + "?"
        )
    else:
        print(f"No term matches '{text}'. `python -m bot export` lists them all.")
    return 1


def export(glossary: Glossary, fmt: str) -> str:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["term", "category", "definition", "trap", "aliases", "see_also"])
        for t in glossary.terms:
            writer.writerow(
                [t.term, t.category, t.definition, t.trap, "; ".join(t.aliases), "; ".join(t.see_also)]
            )
        return out.getvalue()
    lines = [f"# {glossary.title}", ""]
    for category, terms in glossary.categories().items():
        lines += [f"## {category}", ""]
        for t in terms:
            lines += [f"### {t.term}", "", t.definition, "", f"**Common trap:** {t.trap}", ""]
            if t.aliases:
                lines += [f"Also called: {', '.join(t.aliases)}", ""]
    return "\n".join(lines)


def leaderboard(settings: Settings, channel: str, week_label: str | None, as_json: bool) -> int:
    store = Store.open(settings.database_url)
    try:
        schedule = store.get_schedule(channel)
        zone = schedule.zone if schedule else ZoneInfo(settings.quiz_timezone)
        try:
            week = parse_week(week_label, zone) if week_label else week_containing(datetime.now(UTC), zone)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        standings = rank_scores(store.week_scores(channel, week))
    finally:
        store.close()
    if as_json:
        print(json.dumps([s.as_dict() for s in standings], indent=2))
        return 0
    print(f"Leaderboard {channel} {week.label}")
    if not standings:
        print("  no answers that week")
    for s in standings:
        print(
            f"  {s.rank:>3}. {s.user:<14} {s.points:>4} points  {s.answered:>4} answered  streak {s.streak}"
        )
    return 0


def stats(settings: Settings, days: int) -> int:
    if days < 1:
        print("--days must be 1 or more", file=sys.stderr)
        return 2
    since = datetime.now(UTC) - timedelta(days=days)
    store = Store.open(settings.database_url)
    try:
        sections = [
            ("Most looked-up terms", store.top_lookups(since)),
            ("Searches that found nothing (gaps in the glossary)", store.top_misses(since)),
            (
                "Terms most often missed in quizzes",
                store.most_missed(None, since, datetime.now(UTC), limit=10),
            ),
        ]
    finally:
        store.close()
    print(f"Study Lab, the last {days} days")
    for title, rows in sections:
        print(f"\n{title}:")
        print("\n".join(f"  {count:>5}  {name}" for name, count in rows) or "  none")
    return 0


def run(settings: Settings) -> int:
    from bot.runtime import build_runtime  # the Slack stack is only needed here
    from bot.serving import serve

    setup_logging(settings.log_level, [settings.bot_token, settings.signing_secret, settings.app_token])
    runtime = build_runtime(settings)
    runtime.service.catch_up(runtime.store.list_schedules())
    runtime.scheduler.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    serving = serve(runtime, "0.0.0.0", settings.port)
    mode = "Socket Mode; health on" if settings.socket_mode else "HTTP mode at /slack/events on"
    log.info("Study Lab running in %s port %s", mode, settings.port)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        serving.close()
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
