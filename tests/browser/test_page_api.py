"""The page's HTTP side (no browser): security headers, refused requests, the event stream, the
controls, and `python -m bot playground` as a process."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.playground import Playground
from bot.standin.ui import CSP

ROOT = Path(__file__).resolve().parents[2]


def request(
    playground: Playground, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", playground.slack.port, timeout=10)
    data = json.dumps(body).encode() if body is not None else None
    sent = {"Content-Type": "application/json"} if data is not None else {}
    connection.request(method, path, body=data, headers={**sent, **(headers or {})})
    response = connection.getresponse()
    answer = response.status, dict(response.headers), response.read()
    connection.close()
    return answer


def test_every_page_response_carries_the_security_headers(playground: Playground) -> None:
    for path in ("/", "/static/app.js", "/static/app.css", "/ui/state?user=U0ADA", "/nowhere"):
        status, headers, _ = request(playground, "GET", path)
        assert headers["Content-Security-Policy"] == CSP, path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    status, headers, body = request(playground, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'<script src="/static/app.js" defer></script>' in body
    assert request(playground, "GET", "/static/app.js")[1]["Content-Type"].startswith("text/javascript")


def test_the_learning_report_is_served_at_report_to_the_pages_own_host(playground: Playground) -> None:
    status, headers, body = request(playground, "GET", "/report")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == CSP and b"Study Lab learning report" in body
    assert b"<svg" in body and b"<script" not in body
    assert request(playground, "GET", "/report", headers={"Host": "evil.example"})[0] == 403


def test_only_the_shipped_files_are_served(playground: Playground) -> None:
    for path in ("/static/../session.py", "/static/index.html", "/static/", "/ui/state?user=UNOBODY"):
        assert request(playground, "GET", path)[0] == 404, path


def test_requests_naming_another_host_are_refused(playground: Playground) -> None:
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
    status, _, _ = request(playground, "GET", "/ui/state?user=U0ADA", headers={"Host": "evil.example"})
    assert status == 403
    status, _, _ = request(playground, "GET", "/", headers={"Host": f"localhost:{playground.slack.port}"})
    assert status == 200


def test_cross_site_posts_and_forms_are_refused(playground: Playground) -> None:
    say = {"user": "U0ADA", "text": "/quiz now"}
    assert request(playground, "POST", "/ui/say", say, {"Origin": "http://evil.example"})[0] == 403
    connection = http.client.HTTPConnection("127.0.0.1", playground.slack.port, timeout=10)
    connection.request(
        "POST", "/ui/say", body=b"user=U0ADA&text=/quiz+now", headers={"Content-Type": "text/plain"}
    )
    assert connection.getresponse().status == 415
    connection.close()
    assert playground.slack.state.messages.get("C0PLAYGRND", []) == []
    status, _, body = request(playground, "POST", "/ui/say", {"user": "UNOBODY", "text": "hi"})
    assert status == 200 and json.loads(body)["ok"] is False


def test_the_page_never_sees_the_bots_secrets(playground: Playground) -> None:
    assert request(playground, "POST", "/ui/say", {"user": "U0ADA", "text": "/define drain"})[0] == 200
    _, _, state = request(playground, "GET", "/ui/state?user=U0ADA")
    _, _, page = request(playground, "GET", "/")
    for secret in (playground.settings.bot_token, playground.settings.signing_secret):
        assert secret.encode() not in state and secret.encode() not in page
    assert b"A no-new-work posture" in state


def test_the_event_stream_sends_the_persons_view(playground: Playground) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", playground.slack.port, timeout=10)
    connection.request("GET", "/ui/events?user=U0BEN")
    response = connection.getresponse()
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    assert response.readline() == b"event: state\n"
    data = response.readline()
    assert data.startswith(b"data: ") and json.loads(data[6:])["user"] == "U0BEN"
    connection.close()


def test_controls_answer_in_words(playground: Playground) -> None:
    _, _, body = request(playground, "POST", "/ui/control", {"name": "close-now"})
    assert json.loads(body) == {
        "ok": True,
        "note": "There is no open quiz in #study-lab. Post one with /quiz now.",
    }
    _, _, body = request(playground, "POST", "/ui/control", {"name": "next-week"})
    assert "It is now Monday 30 November, 09:00 (UTC)" in json.loads(body)["note"]
    assert request(playground, "POST", "/ui/control", {"name": "delete-everything"})[0] == 404


def run_cli(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QUIZ_", "DATABASE_URL", "PORT"))
    }
    env["TMPDIR"] = str(tmp_path)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "playground", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_python_m_bot_playground_serves_the_page_and_stops_cleanly(tmp_path: Path) -> None:
    process = run_cli(tmp_path, "--port", "0")
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Study Lab playground: http://127.0.0.1:"), first
        url = first.split(": ", 1)[1].strip()
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and b"Study Lab playground" in page.read()
        assert list(tmp_path.glob("study-lab-playground-*/playground.db"))  # a fresh SQLite file
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0 and "Traceback" not in stderr, stderr
    assert not list(tmp_path.glob("study-lab-playground-*"))  # deleted on exit


def test_a_busy_port_is_named_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = run_cli(tmp_path, "--port", str(port))
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in stderr and "--port" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_a_port_out_of_range_is_refused(tmp_path: Path, port: str) -> None:
    process = run_cli(tmp_path, "--port", port)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2 and "--port must be between 0 and 65535" in stderr


def test_a_bad_glossary_is_reported_and_nothing_is_left_behind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("title: x\nterms:\n  - term: A\n", encoding="utf-8")
    process = run_cli(tmp_path, "--port", "0", "--glossary", str(bad))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1 and "missing 'definition'" in stderr and "Traceback" not in stderr
    assert not list(tmp_path.glob("study-lab-playground-*"))
