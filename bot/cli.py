"""The command line: `python -m bot [run|playground|define|check|leaderboard|stats|export|forget-workspace]`.

`run` (the default) starts the bot: Socket Mode when SLACK_APP_TOKEN is set,
otherwise the HTTP server on $PORT (with OAuth installs when SLACK_CLIENT_ID
and SLACK_CLIENT_SECRET are set instead of a bot token).  `playground` runs
the real bot against a stand-in for Slack, with a Slack-like page on
127.0.0.1, to try it with no workspace and no tokens.  The other commands
work offline, with no Slack at all: `define TERM` prints an answer, `check
[PATH]` validates a glossary, `leaderboard CHANNEL` prints a week's board,
`stats` prints what the glossary's owners should know, `export` prints the
glossary, `forget-workspace TEAM` deletes a workspace's data now.  Commands
that read a workspace's data take `--team` (needed when the database holds
more than one workspace).
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

from dotenv import load_dotenv

from bot import blocks
from bot.config import ConfigError, Settings, load_offline_settings, load_settings
from bot.glossary import Glossary, GlossaryError, load_glossary
from bot.glossary_edits import apply_changes, to_yaml
from bot.installations import delete_installations
from bot.leaderboard import parse_week, rank_scores, week_containing
from bot.logs import setup_logging
from bot.lookup import Lookup
from bot.storage import Storage
from bot.workspace import Workspace

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
    p_board.add_argument("--team", help="the workspace (team id), when the database holds several")
    p_stats = sub.add_parser(
        "stats", help="most looked-up terms, searches that found nothing, most missed terms"
    )
    p_stats.add_argument("--days", type=int, default=30)
    p_stats.add_argument("--team", help="the workspace (team id), when the database holds several")
    p_forget = sub.add_parser("forget-workspace", help="delete everything kept for a workspace, now")
    p_forget.add_argument("team", help="the workspace's team id (or enterprise id for an org-wide install)")
    p_export = sub.add_parser("export", help="print the glossary")
    p_export.add_argument(
        "--format", choices=("csv", "md", "yaml"), default="md", help="yaml: a glossary file `check` accepts"
    )
    p_export.add_argument(
        "--team", help="include this workspace's approved suggestions (yaml: included by default)"
    )
    p_play = sub.add_parser(
        "playground", help="try the bot with no Slack workspace: a local Slack-like page running the real bot"
    )
    p_play.add_argument("--port", type=int, help="the page's port on 127.0.0.1 (default: $PORT, else 3000)")
    p_play.add_argument("--glossary", help="a glossary file (default: GLOSSARY_PATH, else data/glossary.yml)")
    args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        if command == "run":
            return run(load_settings(os.environ))
        if command == "playground":
            return playground(args.port, args.glossary)
        settings = load_offline_settings(os.environ)
        if command == "check":
            return check(args.path or str(settings.glossary_path))
        if command == "define":
            return define(_glossary(settings), " ".join(args.term))
        if command == "export":
            print(export(with_overlay(settings, args.team, args.format == "yaml"), args.format), end="")
            return 0
        if command == "leaderboard":
            return leaderboard(settings, args.channel, args.week, args.json, args.team)
        if command == "forget-workspace":
            return forget_workspace(settings, args.team)
        return stats(settings, args.days, args.team)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        if command == "run" and str(exc).startswith("SLACK_BOT_TOKEN is not set"):
            print("To try it without Slack: python -m bot playground", file=sys.stderr)
        return 2
    except GlossaryError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2


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


def with_overlay(settings: Settings, team: str | None, by_default: bool) -> Glossary:
    """The glossary file, with a workspace's approved suggestions applied (as the bot serves it)."""
    glossary = _glossary(settings)
    if not team and not by_default:
        return glossary
    storage = Storage.open(settings.database_url)
    try:
        if not team and not storage.workspaces.all():
            return glossary
        ws = pick_workspace(storage, team)
        changes = [c.change for c in storage.overlay.active(ws)]
    finally:
        storage.close()
    return apply_changes(glossary, changes).glossary


def export(glossary: Glossary, fmt: str) -> str:
    if fmt == "yaml":
        return to_yaml(glossary)
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


class UsageError(Exception):
    """A command line that cannot be run as given; the message says why."""


def pick_workspace(storage: Storage, team: str | None) -> Workspace:
    """The workspace a command is about: `--team` (T… or E…:T…), or the only one in the database."""
    known = storage.workspaces.all()
    if team:
        wanted = Workspace.from_key(team) if ":" in team else None
        for ws in known:
            if ws == wanted or team in (ws.team_id, ws.enterprise_id) and (ws.team_id == team or ws.is_org):
                return ws
        raise UsageError(f"no workspace {team!r} in this database; known: {_keys(known)}")
    if len(known) == 1:
        return known[0]
    if not known:
        raise UsageError("this database holds no workspace yet: start the bot once, or install it")
    raise UsageError(f"this database holds {len(known)} workspaces: choose one with --team ({_keys(known)})")


def _keys(known: list[Workspace]) -> str:
    return ", ".join(ws.team_id or ws.key for ws in known[:10]) or "none"


def leaderboard(
    settings: Settings, channel: str, week_label: str | None, as_json: bool, team: str | None
) -> int:
    storage = Storage.open(settings.database_url)
    try:
        ws = pick_workspace(storage, team)
        stored = storage.schedules.get(ws, channel)
        zone = stored.schedule.zone if stored else settings.default_zone
        try:
            week = parse_week(week_label, zone) if week_label else week_containing(datetime.now(UTC), zone)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        standings = rank_scores(storage.answers.week_scores(ws, channel, week))
    finally:
        storage.close()
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


def stats(settings: Settings, days: int, team: str | None) -> int:
    if days < 1:
        print("--days must be 1 or more", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    since = now - timedelta(days=days)
    storage = Storage.open(settings.database_url)
    try:
        ws = pick_workspace(storage, team)
        sections = [
            ("Most looked-up terms", storage.stats.top_terms(ws, since)),
            ("Searches that found nothing (gaps in the glossary)", storage.stats.top_misses(ws, since)),
            (
                "Terms most often missed in quizzes",
                storage.answers.most_missed(ws, None, since, now, limit=10),
            ),
            (
                "Searched in the last 7 days, found nothing",
                storage.stats.top_misses(ws, now - timedelta(days=7), 5),
            ),
        ]
        pending = storage.suggestions.count_pending(ws)
    finally:
        storage.close()
    print(f"Study Lab, the last {days} days")
    for title, rows in sections:
        print(f"\n{title}:")
        print("\n".join(f"  {count:>5}  {name}" for name, count in rows) or "  none")
    print(f"\nSuggestions waiting for review: {pending}")
    return 0


def forget_workspace(settings: Settings, team: str) -> int:
    storage = Storage.open(settings.database_url)
    try:
        ws = pick_workspace(storage, team)
        storage.workspaces.delete_data(ws)
        delete_installations(storage.db.engine, ws)
    finally:
        storage.close()
    print(f"Deleted everything kept for workspace {ws.team_id or ws.key}.")
    return 0


def run(settings: Settings) -> int:
    from bot.runtime import build_runtime  # the Slack stack is only needed here
    from bot.server import serve

    setup_logging(
        settings.log_level,
        [settings.bot_token, settings.signing_secret, settings.app_token, settings.client_secret],
    )
    runtime = build_runtime(settings)
    runtime.start()
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


def playground(port: int | None, glossary: str | None) -> int:
    """The real bot and a stand-in for Slack, with a Slack-like page at http://127.0.0.1:PORT/."""
    from bot.playground import run_playground  # the Slack stack is only needed here
    from bot.playground.session import DEFAULT_PORT

    if port is None:
        port = load_offline_settings(os.environ).port if os.environ.get("PORT", "").strip() else DEFAULT_PORT
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    level = (os.environ.get("LOG_LEVEL", "").strip() or "WARNING").upper()
    level = level if level in logging.getLevelNamesMapping() else "WARNING"
    setup_logging(level, [])  # anything shaped like a token is masked from the start
    try:
        running = run_playground(port, glossary)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror}): choose another port with --port N"
        ) from None
    setup_logging(level, [running.settings.bot_token, running.settings.signing_secret])
    stop = threading.Event()
    for stopping in (signal.SIGTERM, signal.SIGINT):  # Ctrl+C at any moment stops it cleanly
        signal.signal(stopping, lambda *_: stop.set())
    print(f"Study Lab playground: {running.url}", flush=True)
    print(
        f"  the real bot and a stand-in for Slack, data in {running.database}; Ctrl+C stops it.", flush=True
    )
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.close()
    return 0
