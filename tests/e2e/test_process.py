"""`python -m bot` as a process: start-up refusals, the HTTP server, health, and
no secret in its logs at DEBUG level."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bot.standin import SlackStandIn
from tests.support.bot import SECRET, TOKEN, bot_env, sign
from tests.support.cli import free_port, run_bot, start_bot

ROOT = Path(__file__).resolve().parents[2]


def test_missing_token_stops_with_one_clear_line_and_points_to_the_playground(tmp_path: Path) -> None:
    out = run_bot("run", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert out.returncode == 2
    error, *rest = out.stderr.strip().splitlines()
    assert "SLACK_BOT_TOKEN is not set" in error and "Traceback" not in out.stderr
    assert rest == ["To try it without Slack: python -m bot playground"]


def test_malformed_settings_are_named_without_their_secret_values(tmp_path: Path) -> None:
    for bad, name in (
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN"),
        ({"PORT": "eighty"}, "PORT"),
        ({"QUIZ_TIMEZONE": "Mars/Base"}, "QUIZ_TIMEZONE"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
    ):
        env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, **bad}
        out = run_bot("run", env=env)
        assert out.returncode == 2, out.stderr
        assert name in out.stderr and "Traceback" not in out.stderr
        assert TOKEN not in out.stderr and SECRET not in out.stderr


def test_invalid_glossary_refuses_to_start_with_the_report(tmp_path: Path) -> None:
    broken = tmp_path / "g.yml"
    broken.write_text("title: x\nterms:\n  - term: A\n    category: C\n    defintion: d\n    trap: t\n")
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "GLOSSARY_PATH": str(broken),
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    out = run_bot("run", env=env)
    assert out.returncode == 1
    assert "unknown key 'defintion' (did you mean 'definition'?)" in out.stderr
    assert "missing 'definition'" in out.stderr


def test_offline_define_and_export() -> None:
    out = run_bot("define", "draen", env={})
    assert out.returncode == 0 and "Showing Drain for 'draen'" in out.stdout
    assert "Common trap: Claiming sessions moved" in out.stdout
    csv_out = run_bot("export", "--format", "csv", env={})
    assert csv_out.stdout.count("\n") == 17 and csv_out.stdout.startswith("term,category,definition,trap")
    md = run_bot("export", "--format", "md", env={})
    assert "### Route epoch" in md.stdout and "**Common trap:**" in md.stdout


def test_http_server_serves_slack_and_health_and_logs_no_secret(tmp_path: Path) -> None:
    fake = SlackStandIn()
    port = free_port()
    env = bot_env(fake, f"sqlite:///{tmp_path}/bot.db", PORT=str(port), LOG_LEVEL="DEBUG")
    proc = start_bot(env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    health = json.loads(r.read())
                    break
            except OSError:
                assert time.monotonic() < deadline, "the bot did not start"
                time.sleep(0.2)
        assert health == {"ok": True, "database": "ok"}
        body = urlencode(
            {
                "command": "/define",
                "text": "drain",
                "user_id": "U1",
                "channel_id": "C1",
                "team_id": "T1",
                "response_url": fake.response_url(),
                "trigger_id": "t",
            }
        ).encode()
        request = urllib.request.Request(
            base + "/slack/events",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body, int(time.time()))},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 200 and "no-new-work posture" in r.read().decode()
    finally:
        proc.terminate()
        logs, _ = proc.communicate(timeout=20)
        fake.close()
    assert "DEBUG" in logs  # the logs were really at debug level
    assert "DEBUG slack_bolt: Applying" in logs  # Bolt's own debug lines too (its logger's level is set)
    assert TOKEN not in logs and SECRET not in logs
