"""The page is safe by construction: static files only, text inserted as text, no inline code."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

from bot.standin.ui import CSP, STATIC

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = files("bot.playground") / "static"


def read(name: str) -> str:
    return STATIC_DIR.joinpath(name).read_text(encoding="utf-8")


def test_every_served_file_ships_in_the_package() -> None:
    for name in ["index.html", *STATIC]:
        assert STATIC_DIR.joinpath(name).is_file(), name
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "static/*" in package_data["bot.playground"]


def test_the_html_has_no_inline_script_style_or_handler() -> None:
    html = read("index.html")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son\w+\s*=", html, re.I)
    assert "style=" not in html and "<style" not in html and "javascript:" not in html


def test_the_script_never_parses_text_as_html() -> None:
    script = read("app.js")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    assert not re.search(r"setAttribute\(\s*[\"']on", script)
    assert not re.search(r"setAttribute\(\s*[\"']style", script)


def test_the_policy_allows_only_this_origins_files() -> None:
    rules = dict(rule.strip().split(" ", 1) for rule in CSP.split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["script-src"] == "'self'" and rules["style-src"] == "'self'"
    assert rules["frame-ancestors"] == "'none'" and "unsafe" not in CSP
