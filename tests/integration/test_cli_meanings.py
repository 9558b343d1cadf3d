"""`python -m bot define`: names, several meanings, descriptions, as /define answers them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import define
from bot.domain.glossary import load_glossary, parse_glossary

ROOT = Path(__file__).resolve().parents[2]


def test_a_shared_name_prints_every_meaning(capsys: pytest.CaptureFixture[str]) -> None:
    glossary = parse_glossary(
        (ROOT / "data/glossary.yml").read_text() + "\n" + (ROOT / "tests/data/meanings.yml").read_text()
    )
    assert define(glossary, "IC") == 0
    out = capsys.readouterr().out
    assert "IC has 2 meanings" in out and "incident commander" in out and "individual contributor" in out
    assert "Reading it as a junior title." in out


def test_a_description_prints_the_term(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        define(load_glossary(ROOT / "data/glossary.yml"), "stop taking new work but let running jobs finish")
        == 0
    )
    assert "Showing Drain for" in capsys.readouterr().out
