"""The command line: `python -m bot [run|migrate|playground|define|check|leaderboard|stats|export|forget-workspace]`.

`run` (the default) starts the bot: Socket Mode when SLACK_APP_TOKEN is set,
otherwise the HTTP server on $PORT (with OAuth installs when SLACK_CLIENT_ID
and SLACK_CLIENT_SECRET are set instead of a bot token).  `playground` runs
the real bot against a stand-in for Slack, with a Slack-like page on
127.0.0.1, to try it with no workspace and no tokens.  The other commands
work offline, with no Slack at all: `define TERM` prints an answer, `check
[PATH]` validates a glossary, `leaderboard CHANNEL` prints a week's board,
`stats` prints what the glossary's owners should know, `report --out FILE`
writes the learning report as one HTML page, `export` prints the
glossary, `forget-workspace TEAM` deletes a workspace's data now, `migrate`
brings the database to the newest schema (a deployment's one-shot step).  Commands
that read a workspace's data take `--team` (needed when the database holds
more than one workspace).
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import json
import logging
import os
import signal
import sys
import threading
import traceback
from datetime import UTC, datetime, timedelta

from dotenv import load_dotenv
from sqlalchemy.exc import SQLAlchemyError

from bot import views
from bot.config import ConfigError, Settings, load_offline_settings, load_settings
from bot.domain.comparisons import compared_terms
from bot.domain.descriptions import DescriptionIndex
from bot.domain.descriptions import find as find_described
from bot.domain.edits import apply_changes, to_yaml
from bot.domain.glossary import Glossary, GlossaryError, load_glossary
from bot.domain.leaderboard import parse_week, rank_scores, week_containing
from bot.domain.lookup import Lookup
from bot.domain.text import quantity
from bot.domain.workspace import Workspace
from bot.logs import setup_logging
from bot.slack.installations import delete_installations
from bot.startup import StartupError
from bot.storage import Storage

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    load_dotenv(".env", override=False)
    args = build_parser(program_name(sys.argv[0])).parse_args(argv)
    command = args.command or "run"
    try:
        if command == "run":
            return run(load_settings(os.environ))
        if command == "playground":
            return playground(args.port, args.glossary, args.database)
        settings = load_offline_settings(os.environ)
        if command == "migrate":
            return migrate(settings)
        if command == "check":
            return check(args.path or str(settings.glossary_path))
        if command == "define":
            return define(_glossary(settings), " ".join(args.term))
        if command == "export":
            print(export(with_overlay(settings, args.team, args.format == "yaml"), args.format), end="")
            return 0
        if command == "leaderboard":
            return leaderboard(settings, args.channel, args.week, args.json, args.team)
        if command == "report":
            return report(settings, args.out, args.weeks, args.team)
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
    except SQLAlchemyError as exc:  # an offline command's database (`run` and `migrate` explain their own)
        from bot.startup import database_message

        print(database_message(exc, load_offline_settings(os.environ).database_url), file=sys.stderr)
        return 1
    except StartupError as exc:
        if logging.getLogger().isEnabledFor(logging.DEBUG) and exc.__cause__ is not None:
            traceback.print_exception(exc.__cause__)
        print(str(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`… | head`): stop quietly, as other command-line tools do.  Python's
        # documented way: point stdout at devnull, so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def program_name(argv0: str) -> str:
    """How the user called us, for help and examples: the installed script, or `python -m bot`."""
    return "study-lab" if os.path.basename(argv0).startswith("study-lab") else "python -m bot"


def version() -> str:
    try:
        return importlib.metadata.version("study-lab-bot")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Study Lab: a Slack glossary and quiz bot. With no command, `run` starts the bot.",
        epilog=f"examples:\n  {prog} playground\n  {prog} define drain\n  {prog} run --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, example: str, details: str = "") -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + (f". {details}" if details else "."),
            epilog=f"example:\n  {prog} {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    command(
        "run",
        "start the bot (the default)",
        "run",
        "Socket Mode when SLACK_APP_TOKEN is set, else HTTP on $PORT; the settings come from the "
        "environment or .env (see .env.example).",
    )
    command(
        "migrate",
        "bring the database in DATABASE_URL to the newest schema, then stop",
        "migrate",
        "The bot migrates at start too; run this once before starting several replicas.",
    )
    p_define = command("define", "print a term's definition and trap", "define drain")
    p_define.add_argument("term", nargs="+", help="the term, an alias, or a misspelling of one")
    p_check = command("check", "validate a glossary file", "check data/glossary.yml")
    p_check.add_argument("path", nargs="?", help="the file (default: GLOSSARY_PATH, else the bundled one)")
    p_board = command(
        "leaderboard", "print a channel's weekly board", "leaderboard C0123456789 --week 2026-W48"
    )
    p_board.add_argument("channel", help="the quiz channel's id")
    p_board.add_argument("--week", help="ISO week such as 2026-W48 (default: this week)")
    p_board.add_argument("--json", action="store_true", help="print JSON")
    p_board.add_argument("--team", help="the workspace (team id), when the database holds several")
    p_stats = command(
        "stats", "most looked-up terms, searches that found nothing, most missed terms", "stats --days 7"
    )
    p_stats.add_argument("--days", type=int, default=30, help="how far back to count (default: 30)")
    p_stats.add_argument("--team", help="the workspace (team id), when the database holds several")
    p_report = command(
        "report",
        "write the learning report: one self-contained HTML page",
        "report --out report.html --weeks 4",
    )
    p_report.add_argument("--out", required=True, help="the HTML file to write, such as report.html")
    p_report.add_argument(
        "--weeks", type=int, default=8, help="how many ISO weeks, up to this one (default 8)"
    )
    p_report.add_argument(
        "--workspace", "--team", dest="team", help="the workspace (team id), when the database holds several"
    )
    p_forget = command(
        "forget-workspace", "delete everything kept for a workspace, now", "forget-workspace T0123456789"
    )
    p_forget.add_argument("team", help="the workspace's team id (or enterprise id for an org-wide install)")
    p_export = command("export", "print the glossary", "export --format csv > glossary.csv")
    p_export.add_argument(
        "--format", choices=("csv", "md", "yaml"), default="md", help="yaml: a glossary file `check` accepts"
    )
    p_export.add_argument(
        "--team", help="include this workspace's approved suggestions (yaml: included by default)"
    )
    p_play = command(
        "playground",
        "try the bot with no Slack workspace: a local Slack-like page running the real bot",
        "playground --port 3001",
    )
    p_play.add_argument("--port", type=int, help="the page's port on 127.0.0.1 (default: $PORT, else 3000)")
    p_play.add_argument(
        "--glossary",
        help="a glossary file (default: GLOSSARY_PATH, else data/glossary.yml or the bundled one)",
    )
    p_play.add_argument(
        "--database",
        metavar="PATH",
        help="keep the playground's data in this SQLite file, made by the playground "
        "(default: a fresh file, deleted on exit; DATABASE_URL is never used)",
    )
    return parser


def migrate(settings: Settings) -> int:
    from bot.startup import database_message, shown_url
    from bot.storage.database import Database

    setup_logging(settings.log_level, [])
    try:
        db = Database.open(settings.database_url)
        try:
            revision = db.migrate()
        finally:
            db.close()
    except SQLAlchemyError as exc:
        raise StartupError(database_message(exc, settings.database_url)) from exc
    print(f"{shown_url(settings.database_url)}: schema at revision {revision}, the newest")
    return 0


def _glossary(settings: Settings) -> Glossary:
    return load_glossary(settings.glossary_path)


def check(path: str) -> int:
    try:
        glossary = load_glossary(path)
    except GlossaryError as exc:
        print(exc.report())
        return 1
    print(
        f"{path}: OK, {quantity(len(glossary.terms), 'term')} in {quantity(len(glossary.categories()), 'category')}"
    )
    return 0


def define(glossary: Glossary, text: str) -> int:
    """Like `/define`: two terms compared, a name, alias or typo, or a description of a term."""
    lookup = Lookup(glossary)
    compared = compared_terms(lookup, text)
    if compared is not None:
        print(views.terms.compare_text(*compared))
        return 0
    result = find_described(lookup, DescriptionIndex(glossary), text)
    if result.match is not None:
        if result.how != "exact":
            print(f"Showing {result.match.term} for '{text}'\n")
        if result.meanings:
            print(f"{result.match.term} has {len(result.meanings)} meanings:\n")
        print("\n\n".join(views.terms.term_text(t) for t in result.meanings or (result.match,)))
        return 0
    if result.suggestions:
        print(
            f"No exact match for '{text}'. Did you mean: "
            + ", ".join(glossary.label(t) for t in result.suggestions)
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
    print(f"Leaderboard {channel}, week of {week.dates} {week.start.astimezone(zone).year} ({week.label})")
    if not standings:
        print("  no answers that week")
    for s in standings:
        print(
            f"  {s.rank:>3}. {s.user:<14} {quantity(s.points, 'point'):>11}  {s.answered:>4} answered  streak {s.streak}"
        )
    return 0


def stats(settings: Settings, days: int, team: str | None) -> int:
    if days < 1:
        print("--days must be 1 or more", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    since = now - timedelta(days=days)
    glossary = _glossary(settings)  # stored keys ("IC|People") are shown as labels ("IC (People)")
    storage = Storage.open(settings.database_url)
    try:
        ws = pick_workspace(storage, team)
        sections = [
            ("Most looked-up terms", storage.stats.top_terms(ws, since)),
            ("Searches that found nothing (gaps in the glossary)", storage.stats.top_misses(ws, since)),
            (
                "Terms most often missed in quizzes",
                [
                    (glossary.label_of(key), n)
                    for key, n in storage.answers.most_missed(ws, None, since, now, 10)
                ],
            ),
            (
                "Searched in the last 7 days, found nothing",
                storage.stats.top_misses(ws, now - timedelta(days=7), 5),
            ),
        ]
        pending = storage.suggestions.count_pending(ws)
    finally:
        storage.close()
    print(f"Study Lab, the last {quantity(days, 'day')}")
    for title, rows in sections:
        print(f"\n{title}:")
        print("\n".join(f"  {count:>5}  {name}" for name, count in rows) or "  none")
    print(f"\nSuggestions waiting for review: {pending}")
    return 0


def report(settings: Settings, out: str, weeks: int, team: str | None) -> int:
    from bot.services.learning import MAX_WEEKS, learning_report, stored_zone
    from bot.views.report_page import report_page

    if not 1 <= weeks <= MAX_WEEKS:
        raise UsageError(f"--weeks must be between 1 and {MAX_WEEKS}")
    storage = Storage.open(settings.database_url)
    try:
        ws = pick_workspace(storage, team)
        glossary = apply_changes(_glossary(settings), [c.change for c in storage.overlay.active(ws)]).glossary
        zone = stored_zone(storage, ws, settings.default_zone)
        page = report_page(
            learning_report(storage, ws, glossary, datetime.now(UTC), zone, weeks), ws.team_id or ws.key
        )
    finally:
        storage.close()
    try:
        with open(out, "w", encoding="utf-8") as f:
            f.write(page)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}") from None
    print(f"Wrote the learning report for {ws.team_id or ws.key} ({weeks} weeks) to {out}")
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
    from bot.slack.server import serve
    from bot.startup import check_before_start, start_failed, start_line

    setup_logging(
        settings.log_level,
        [settings.bot_token, settings.signing_secret, settings.app_token, settings.client_secret],
    )
    # Bolt and slack_sdk fall back on these variables when given nothing, and Bolt warns that the
    # token it read there "will be unused": every value is passed explicitly, so they go.
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_SECRET"):
        os.environ.pop(name, None)
    check_before_start(settings)
    try:
        runtime = build_runtime(settings)
    except GlossaryError:
        raise  # its report lists every problem
    except Exception as exc:
        raise start_failed(exc, settings) from exc
    try:
        runtime.start()
        serving = serve(runtime, "0.0.0.0", settings.port)
    except Exception as exc:
        runtime.close()
        raise start_failed(exc, settings) from exc
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    installed = [runtime.workspace] if runtime.workspace else runtime.storage.workspaces.all()
    terms = len(runtime.glossaries.base.glossary.terms)
    log.info("%s", start_line(settings, terms, [ws.team_id or ws.key for ws in installed]))
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        serving.close()
        runtime.close()
    return 0


def playground(port: int | None, glossary: str | None, database: str | None = None) -> int:
    """The real bot and a stand-in for Slack, with a Slack-like page at http://127.0.0.1:PORT/."""
    from bot.playground import run_playground  # the Slack stack is only needed here
    from bot.playground.session import DEFAULT_PORT, NotAPlaygroundDatabase

    if port is None:
        port = load_offline_settings(os.environ).port if os.environ.get("PORT", "").strip() else DEFAULT_PORT
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    level = (os.environ.get("LOG_LEVEL", "").strip() or "WARNING").upper()
    level = level if level in logging.getLevelNamesMapping() else "WARNING"
    setup_logging(level, [])  # anything shaped like a token is masked from the start
    try:
        running = run_playground(port, glossary, database)
    except NotAPlaygroundDatabase as exc:
        raise UsageError(f"--database: {exc}") from None
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
    print("  Ada owns the glossary: suggestions wait in her Home tab, authors hear back by DM.", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.close()
    return 0
