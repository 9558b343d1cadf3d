"""The start-up messages and the start line, from settings and exceptions alone."""

from __future__ import annotations

import errno
from pathlib import Path

from bot.config import Settings, looks_like_placeholder
from bot.startup import explain, shown_url, start_failed, start_line


def test_placeholders_are_told_from_tokens_slack_issues() -> None:
    assert looks_like_placeholder("xoxb-your-bot-token")
    assert looks_like_placeholder("xapp-your-app-level-token")
    assert looks_like_placeholder("xoxb-1234-5678 abcdef")  # pasted with a space
    assert not looks_like_placeholder(
        "-".join(("xoxb", "17653672481", "19874698323", "pdFZKVeTuE8sk7oOcBrzbqgy"))
    )
    assert not looks_like_placeholder("xapp-1-A0123456789-1234567890123-abcdef0123")


def test_the_start_line_says_mode_port_database_glossary_and_workspaces() -> None:
    http = Settings(
        bot_token="xoxb-1-2-a",
        database_url="postgresql+psycopg://bot:hunter22@db:5432/studylab",
        glossary_path=Path("data/glossary.yml"),
    )
    assert start_line(http, 16, ["T1"]) == (
        "Study Lab started: HTTP mode on port 3000 (/slack/events); "
        "database postgresql+psycopg://bot:***@db:5432/studylab; "
        "glossary 16 terms from data/glossary.yml; workspace T1"
    )
    socket = Settings(bot_token="xoxb-1-2-a", app_token="xapp-1-2-a", port=8080)
    assert start_line(socket, 3, ["T1"]).startswith("Study Lab started: Socket Mode (health on port 8080);")
    oauth = Settings(client_id="1.2", client_secret="s")
    assert start_line(oauth, 16, []).endswith("; 0 workspaces installed")
    assert start_line(oauth, 16, ["T1"]).endswith("; 1 workspace installed")


def test_a_busy_port_met_late_is_explained_and_the_unexpected_is_not_shown() -> None:
    settings = Settings(port=3000, app_token="xapp-1-2-a")
    busy = OSError(errno.EADDRINUSE, "Address already in use")
    assert explain(busy, settings) == (
        "PORT 3000 is already in use (Socket Mode serves /healthz on it too): stop the program using it "
        "(the playground, another copy of the bot), or set PORT to a free port"
    )
    surprise = KeyError("xoxb-1-2-secret")
    assert explain(surprise, settings) is None
    error = start_failed(surprise, settings)
    assert str(error) == "Study Lab could not start (KeyError): set LOG_LEVEL=DEBUG to see where it failed"
    assert error.__cause__ is surprise


def test_database_urls_are_shown_without_their_password() -> None:
    assert shown_url("postgresql+psycopg://u:p%40ss@h/db") == "postgresql+psycopg://u:***@h/db"
    assert shown_url("sqlite:///study-lab.db") == "sqlite:///study-lab.db"
