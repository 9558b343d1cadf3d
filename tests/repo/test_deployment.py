"""The deployment files agree with the code: the Dockerfile and compose.yaml run the Procfile's
command with settings the bot knows, and manifest-http.yml is manifest.yml in HTTP mode.

Docker cannot run where the tests run: these check what can be checked without it (the files
parse; images, users, commands, health checks, ports and settings match)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from bot.cli import build_parser
from bot.config import Settings, load_settings
from bot.slack.server import EVENTS_PATH, SLACK_PATHS

ROOT = Path(__file__).resolve().parents[2]
WEB = shlex.split(
    next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))[4:]
)
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DEFAULTS = re.compile(r"\$\{(\w+):-([^}]*)\}")


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_procfile_runs_the_bot() -> None:
    assert WEB == ["python", "-m", "bot", "run"]


def test_dockerfile_slim_python_non_root_healthcheck_and_the_procfile_command() -> None:
    steps = dockerfile()
    bases = [args.split()[0] for op, args in steps if op == "FROM"]
    assert bases and all(re.fullmatch(r"python:3\.(1[1-9])-slim", b) for b in bases), bases
    final = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    users = [args for op, args in steps[final:] if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    health = [args for op, args in steps if op == "HEALTHCHECK"]
    assert len(health) == 1 and "/healthz" in health[0] and "PORT" in health[0]
    cmd = [args for op, args in steps if op == "CMD"]
    assert json.loads(cmd[-1]) == WEB
    assert [args for op, args in steps if op == "EXPOSE"] == [str(Settings().port)]
    for op, args in steps:
        if op == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), source


def test_dockerignore_keeps_what_the_image_copies() -> None:
    kept = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    copied = {
        s.rstrip("/").removeprefix("./")
        for op, a in dockerfile()
        if op == "COPY" and "--from" not in a
        for s in a.split()[:-1]
    }
    assert copied <= kept


def test_compose_postgres_one_shot_migration_and_two_http_replicas() -> None:
    services = COMPOSE["services"]
    assert services["db"]["image"] == "postgres:16"
    migrate, bot = services["migrate"], services["bot"]
    assert migrate["command"] == ["python", "-m", "bot", "migrate"]
    assert build_parser("python -m bot").parse_args(migrate["command"][3:]).command == "migrate"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["command"] == WEB
    assert bot["deploy"]["replicas"] == 2
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert migrate["environment"]["DATABASE_URL"] == bot["environment"]["DATABASE_URL"]


def test_compose_settings_are_settings_the_bot_reads_and_make_http_mode_on_postgres() -> None:
    bot = COMPOSE["services"]["bot"]
    environment = {k: DEFAULTS.sub(r"\2", str(v)) for k, v in bot["environment"].items()}
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert set(environment) <= documented, set(environment) - documented
    settings = load_settings(
        {**environment, "SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "a-signing-secret"}
    )
    assert not settings.socket_mode
    assert settings.database_url.startswith("postgresql+psycopg://studylab:")
    db = COMPOSE["services"]["db"]["environment"]
    assert settings.database_url.endswith(f"@db:5432/{db['POSTGRES_DB']}")
    mounted = [v.split(":") for v in bot["volumes"]]
    assert [
        ROOT / src.removeprefix("./") for src, dst, *_ in mounted if dst == environment["GLOSSARY_PATH"]
    ] == [ROOT / "data" / "glossary.yml"]
    assert all(p.endswith(f":{settings.port}") for p in bot["ports"])


def test_manifest_http_is_the_socket_mode_manifest_with_request_urls() -> None:
    socket_mode = yaml.safe_load((ROOT / "manifest.yml").read_text())
    http = yaml.safe_load((ROOT / "manifest-http.yml").read_text())
    assert http["settings"]["socket_mode_enabled"] is False
    assert socket_mode["settings"]["socket_mode_enabled"] is True
    for key in ("display_information", "oauth_config"):
        if key == "oauth_config":
            assert http[key]["scopes"] == socket_mode[key]["scopes"]
        else:
            assert http[key] == socket_mode[key]
    events = f"https://YOUR-HOST{EVENTS_PATH}"
    commands = http["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [
        c["command"] for c in socket_mode["features"]["slash_commands"]
    ]
    assert {c["url"] for c in commands} == {events}
    assert http["settings"]["event_subscriptions"]["request_url"] == events
    assert (
        http["settings"]["event_subscriptions"]["bot_events"]
        == socket_mode["settings"]["event_subscriptions"]["bot_events"]
    )
    assert http["settings"]["interactivity"]["request_url"] == events
    (redirect,) = http["oauth_config"]["redirect_urls"]
    assert (
        redirect.startswith("https://YOUR-HOST/")
        and redirect.removeprefix("https://YOUR-HOST") in SLACK_PATHS
    )
    assert redirect.endswith("/slack/oauth_redirect")
