"""Files that ship inside the package: the default glossary.

`bot/data/glossary.yml` is the glossary an installed bot serves when
`GLOSSARY_PATH` is not set.  `data/glossary.yml` at the repository root is the
editable copy the README points at; a test keeps the two identical.  In a
checkout (or any directory holding `data/glossary.yml`) that copy is served, so
an edit there shows at once.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

EDITABLE_GLOSSARY = Path("data/glossary.yml")


def packaged_glossary() -> Path:
    """The glossary inside the package, as a path (the package is installed as files, never zipped)."""
    return Path(str(files(__name__).joinpath("glossary.yml")))


def default_glossary() -> Path:
    """`data/glossary.yml` in the working directory when there is one, else the packaged glossary."""
    return EDITABLE_GLOSSARY if EDITABLE_GLOSSARY.is_file() else packaged_glossary()
