"""`python -m bot run` refusing to start: one or two lines naming the setting, a non-zero exit, no traceback.

Each test starts the real bot process with one bad setting; the stand-in plays
Slack, a closed loopback port plays an unreachable Slack or database.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.standin import SlackStandIn
from tests.support.bot import SECRET, TOKEN, bot_env
from tests.support.cli import ROOT, run_bot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake() -> Iterator[SlackStandIn]:
    slack = SlackStandIn()
    yield slack
    slack.close()


def refusal(out: object, code: int, starts: str) -> str:
    """The one line the bot printed; checks the exit code and that nothing else (no traceback) came."""
    stderr = getattr(out, "stderr", "")
    assert getattr(out, "returncode", None) == code, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and TOKEN not in stderr and SECRET not in stderr
    assert lines[0].startswith(starts), lines[0]
    return lines[0]


def env_example_token() -> str:
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("SLACK_BOT_TOKEN="):
            return line.split("=", 1)[1]
    raise AssertionError("no SLACK_BOT_TOKEN in .env.example")


def test_the_placeholder_token_of_env_example_is_refused(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": env_example_token(), "SLACK_SIGNING_SECRET": SECRET}
    line = refusal(run_bot("run", env=env), 2, "Configuration error: SLACK_BOT_TOKEN is still a placeholder")
    assert "paste the bot token" in line
    app = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-your-app-token"}
    refusal(run_bot("run", env=app), 2, "Configuration error: SLACK_APP_TOKEN is still a placeholder")


@pytest.mark.parametrize(
    ("given", "missing"),
    [("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"), ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")],
)
def test_half_an_oauth_pair_names_the_missing_half(given: str, missing: str) -> None:
    env = {
        given: "1111.2222" if given == "SLACK_CLIENT_ID" else "a-client-secret",
        "SLACK_SIGNING_SECRET": SECRET,
    }
    line = refusal(run_bot("run", env=env), 2, f"Configuration error: {missing} is not set but {given} is")
    assert "a-client-secret" not in line


def test_a_token_slack_refuses(fake: SlackStandIn, tmp_path: Path) -> None:
    fake.state.default_identity = dataclasses.replace(fake.state.default_identity, revoked=True)
    env = bot_env(fake, f"sqlite:///{tmp_path}/b.db", PORT=str(free_port()))
    line = refusal(run_bot("run", env=env), 1, "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)")
    assert "OAuth & Permissions" in line


def test_an_app_level_token_slack_refuses(fake: SlackStandIn, tmp_path: Path) -> None:
    env = bot_env(fake, f"sqlite:///{tmp_path}/b.db", PORT=str(free_port()), SLACK_APP_TOKEN="xapp-1-A1-123")
    line = refusal(run_bot("run", env=env), 1, "SLACK_APP_TOKEN was refused by Slack (invalid_auth)")
    assert "connections:write" in line


def test_slack_unreachable(fake: SlackStandIn, tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/"
    env = bot_env(fake, f"sqlite:///{tmp_path}/b.db", PORT=str(free_port()), SLACK_API_URL=closed)
    out = run_bot("run", env=env)
    line = refusal(out, 1, f"Slack cannot be reached at SLACK_API_URL {closed} (")
    assert "Connection refused" in line and "will be unused" not in out.stderr


@pytest.mark.parametrize("socket_mode", [False, True])
def test_a_busy_port(fake: SlackStandIn, tmp_path: Path, socket_mode: bool) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        extra = {"SLACK_APP_TOKEN": "xapp-1-A1-123"} if socket_mode else {}
        env = bot_env(fake, f"sqlite:///{tmp_path}/b.db", PORT=str(port), **extra)
        line = refusal(run_bot("run", env=env), 1, f"PORT {port} is already in use")
    assert "set PORT to a free port" in line
    assert ("Socket Mode serves /healthz on it too" in line) == socket_mode


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_an_unreadable_glossary(fake: SlackStandIn, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nowhere.yml" if kind == "missing" else tmp_path
    env = bot_env(fake, f"sqlite:///{tmp_path}/b.db", PORT=str(free_port()), GLOSSARY_PATH=str(path))
    line = refusal(run_bot("run", env=env), 1, f"GLOSSARY_PATH {path} cannot be read (")
    assert "unset it to serve the glossary that ships with the bot" in line


def test_an_unreachable_database(fake: SlackStandIn, tmp_path: Path) -> None:
    url = f"postgresql+psycopg://studylab:pw-s3cret@127.0.0.1:{free_port()}/studylab"
    env = bot_env(fake, url, PORT=str(free_port()))
    line = refusal(run_bot("run", env=env), 1, "DATABASE_URL postgresql+psycopg://studylab:***@127.0.0.1:")
    assert "pw-s3cret" not in line and "Connection refused" in line
    sqlite = f"sqlite:///{tmp_path}/no/such/dir/b.db"
    env = bot_env(fake, sqlite, PORT=str(free_port()))
    line = refusal(run_bot("run", env=env), 1, f"DATABASE_URL {sqlite} cannot be opened")
    assert "its directory exists" in line


def test_debug_level_shows_the_traceback_too(fake: SlackStandIn, tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/"
    env = bot_env(fake, f"sqlite:///{tmp_path}/b.db", SLACK_API_URL=closed, LOG_LEVEL="DEBUG")
    env["PORT"] = str(free_port())
    out = run_bot("run", env=env)
    assert out.returncode == 1
    assert "Traceback" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("Slack cannot be reached at SLACK_API_URL")
    assert TOKEN not in out.stderr and SECRET not in out.stderr
