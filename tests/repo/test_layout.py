"""The package's shape: layers enforced by import-linter, and module names that cannot be confused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
    "lint-imports"
)


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    if LINT_IMPORTS is None:
        pytest.fail("lint-imports is not installed: pip install -e '.[dev]'")
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_layering_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and " KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("bot/domain/text.py", "import slack_sdk", "The domain is pure"),
        ("bot/domain/quiz.py", "import sqlalchemy", "The domain is pure"),
        ("bot/listeners/home.py", "import bot.storage.practice", "Listeners route"),
        ("bot/storage/answers.py", "import bot.services.core", "Each layer imports only the layers below it"),
    ],
)
def test_a_deliberate_violation_breaks_its_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__", "static"))
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # a deliberate violation\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout.split(broken, 1)[1].splitlines()[0]


def _confusable(a: str, b: str) -> bool:
    """Names one letter apart (an edit, an insertion or a deletion) or a plural of each other."""
    if a == b:
        return False
    for one, other in ((a, b), (b, a)):
        if other in (one + "s", one + "es") or (one.endswith("y") and other == one[:-1] + "ies"):
            return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def test_no_two_modules_have_names_a_letter_or_a_plural_apart() -> None:
    names = {
        p.stem if p.stem != "__init__" else p.parent.name
        for p in (ROOT / "bot").rglob("*.py")
        if "migrations" not in p.parts
    }
    clashes = [(a, b) for a, b in combinations(sorted(names), 2) if _confusable(a, b)]
    assert clashes == []


def test_the_confusable_rule_sees_the_clashes_it_is_for() -> None:
    assert _confusable("glossary", "glossaries")
    assert _confusable("overlay", "overlays")
    assert _confusable("states", "stats")
    assert _confusable("schedule", "schedules")
    assert not _confusable("quiz", "slots")


def test_the_server_loads_no_chart_library() -> None:
    """matplotlib is imported where a chart is drawn: loaded at start it was 40 MiB of the bot's
    memory and a third of the objects every full garbage collection scans, for a report that
    most processes never draw."""
    code = (
        "import sys, bot.__main__, bot.cli, bot.runtime, bot.slack.server, bot.jobs; "
        "print([m for m in sys.modules if m.split('.')[0] == 'matplotlib'])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
