"""Property tests over glossary files: whatever an author saves, loading either
succeeds or raises GlossaryError with located problems; it never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.glossary import GlossaryError, load_glossary, parse_glossary

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from(
    ["term", "category", "definition", "trap", "aliases", "see_also", "defintion", "x"]
)
entries = st.dictionaries(field_names, values | st.text(min_size=1, max_size=20), max_size=7)
documents = st.fixed_dictionaries({"title": scalars, "terms": st.lists(entries | values, max_size=5)})


@settings(max_examples=200, deadline=None)
@given(document=documents)
def test_any_structure_loads_or_reports_located_problems(document: dict) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    try:
        glossary = parse_glossary(text, "g.yml")
    except GlossaryError as exc:
        assert exc.problems
        assert all(str(p).startswith("g.yml") for p in exc.problems)
        return
    assert glossary.terms
    assert all(t.term and t.definition and t.trap and t.category for t in glossary.terms)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400))
def test_any_text_loads_or_reports(text: str) -> None:
    try:
        parse_glossary(text, "g.yml")
    except GlossaryError as exc:
        assert exc.problems and exc.report().startswith(f"{len(exc.problems)} problem")


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_load_or_report(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    path = Path(tmp_path_factory.mktemp("g")) / "g.yml"
    path.write_bytes(raw)
    try:
        load_glossary(path)
    except GlossaryError as exc:
        assert exc.problems
