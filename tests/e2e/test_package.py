"""The bot as a package: the wheel carries the glossary, and the installed `study-lab` works anywhere.

The wheel is built from a copy of the source (so the checkout gets no `build/`),
without build isolation (offline: the running environment's setuptools), and
installed with `--no-deps` into a fresh virtual environment that sees the
running environment's packages through a `.pth` file, but not its editable
`bot`: commands then run from an empty temporary directory.
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from bot.data import packaged_glossary
from tests.support.cli import ROOT, environment


def test_the_packaged_glossary_is_the_editable_one_word_for_word() -> None:
    assert packaged_glossary().read_bytes() == (ROOT / "data" / "glossary.yml").read_bytes()


def test_requires_python_matches_the_tools() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == ">=3.11"
    assert project["tool"]["ruff"]["target-version"] == "py311"
    assert project["tool"]["mypy"]["python_version"] == "3.11"


def run(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=environment(), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the built wheel installed; its bin directory."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        tmp / "dist",
        ".",
        cwd=source,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("study_lab_bot-*.whl"))
    venv = tmp / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp)
    # The dependencies, from the running environment: directories only, so that its `.pth`
    # files (the editable install of `bot` among them) are not run.
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    Path(purelib.stdout.strip(), "running_env.pth").write_text("\n".join(sorted(ours)) + "\n")
    install = run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=tmp
    )
    assert install.returncode == 0, install.stderr
    return venv / "bin"


def test_the_installed_wheel_defines_drain_from_any_directory(installed: Path, tmp_path: Path) -> None:
    where = run(installed / "python", "-c", "import bot; print(bot.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(installed.parent)), where.stdout + where.stderr
    out = run(installed / "study-lab", "define", "drain", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Drain  (Runtime)")
    assert "A no-new-work posture" in out.stdout
    assert not list(tmp_path.iterdir())  # nothing written where it ran


def test_the_installed_command_tells_its_version_and_examples(installed: Path, tmp_path: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    out = run(installed / "study-lab", "--version", cwd=tmp_path)
    assert out.stdout.strip() == f"study-lab {version}"
    out = run(installed / "python", "-m", "bot", "--version", cwd=tmp_path)
    assert out.stdout.strip() == f"python -m bot {version}"
    help_text = run(installed / "study-lab", "check", "--help", cwd=tmp_path).stdout
    assert "example:\n  study-lab check" in help_text
    checked = run(installed / "study-lab", "check", cwd=tmp_path)
    assert checked.returncode == 0 and ": OK, 16 terms" in checked.stdout
