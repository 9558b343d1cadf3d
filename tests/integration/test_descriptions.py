"""bot/domain/descriptions.py: a term from its description (SQLite FTS5), merged with the name lookup."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.domain.descriptions import DescriptionIndex, content_words, find
from bot.domain.glossary import load_glossary
from bot.domain.lookup import Lookup

ROOT = Path(__file__).resolve().parents[2]
SEED = load_glossary(ROOT / "data" / "glossary.yml")
LOOKUP = Lookup(SEED)
INDEX = DescriptionIndex(SEED)
PARAPHRASES: dict[str, list[str]] = yaml.safe_load((ROOT / "bench/data/paraphrases.yml").read_text())


def ranked(text: str) -> list[str]:
    result = find(LOOKUP, INDEX, text)
    return [t.term for t in ([result.match] if result.match else []) + list(result.suggestions)]


def test_stop_words_are_dropped_and_words_kept_once() -> None:
    assert content_words("Stop taking NEW work, but let the running jobs finish; new!") == [
        "stop",
        "taking",
        "new",
        "work",
        "running",
        "jobs",
        "finish",
    ]


def test_a_description_finds_drain_alone() -> None:
    result = find(LOOKUP, INDEX, "stop taking new work but let running jobs finish")
    assert result.match is not None and result.match.term == "Drain" and result.how == "described"


def test_stemming_meets_other_forms_of_a_word() -> None:
    hits = INDEX.search("rejecting staleness updated")
    assert hits and hits[0].term.term == "Route epoch"


def test_the_name_column_weighs_most() -> None:
    # "session" is in Session store's name and in Drain's definition and trap.
    assert INDEX.search("session")[0].term.term == "Session store"


@pytest.mark.parametrize("text", ["drain", "CAS", "rto", "draen", "what is a route epoch?", "jet stream"])
def test_names_aliases_and_typos_are_answered_as_before(text: str) -> None:
    assert find(LOOKUP, INDEX, text) == LOOKUP.find(text)


@pytest.mark.parametrize("text", ["lunch menu friday", "how do I reset my password for the vpn", "xyzzy"])
def test_an_unrelated_question_finds_nothing(text: str) -> None:
    result = find(LOOKUP, INDEX, text)
    assert result.match is None and result.suggestions == ()


def test_the_paraphrase_set_finds_nine_in_ten_within_three() -> None:
    asked = [(name, text) for name, texts in PARAPHRASES.items() for text in texts]
    assert len(asked) >= 3 * len(SEED.terms) and set(PARAPHRASES) == {t.term for t in SEED.terms}
    within = sum(name in ranked(text)[:3] for name, text in asked)
    assert within / len(asked) >= 0.9
