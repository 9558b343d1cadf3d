"""bot/domain/mentions.py: which terms a message mentions (Aho-Corasick over every name and alias)."""

from __future__ import annotations

from pathlib import Path

from bot.domain.glossary import load_glossary, parse_glossary
from bot.domain.mentions import MentionScanner, plain_words

ROOT = Path(__file__).resolve().parents[3]
SEED = load_glossary(ROOT / "data" / "glossary.yml")
SHARED = parse_glossary(
    (ROOT / "data/glossary.yml").read_text() + "\n" + (ROOT / "tests/data/meanings.yml").read_text()
)


def names(text: str, glossary=SEED) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.term for m in MentionScanner(glossary).scan(text) for t in m.terms]


def test_terms_in_order_of_appearance_each_once() -> None:
    text = "Drain the old allocation before the cold deploy and bump the route epoch; drain again"
    assert names(text) == ["Drain", "Allocation", "Cold deploy", "Route epoch"]


def test_whole_words_only() -> None:
    assert names("the drainage cellar had a recellular epochal alloca") == []


def test_longest_name_wins_at_a_place() -> None:
    assert names("a cold deploy, then a warm deployment") == ["Cold deploy", "Warm deploy"]
    assert names("route epoch") == ["Route epoch"]  # not Epoch (an alias of the same) nor a stray route
    assert names("NATS JetStream durable subscription") == ["JetStream", "Durable consumer"]


def test_case_punctuation_aliases_and_plurals() -> None:
    assert names("CAS? compare-and-swap! Allocations, ALLOC.") == ["Compare-and-swap", "Allocation"]


def test_slack_markup_is_not_text() -> None:
    assert plain_words("<@U1> <!channel> <#C1|cell> <https://x.test/a|the drain> a &amp; b") == (
        "       the drain  a & b"
    )
    assert names("<@UDRAIN> <#C1|cell> <https://cell.test/|the drain>") == ["Drain"]


def test_a_shared_name_brings_every_meaning() -> None:
    assert names("the IC said drain", SHARED) == ["IC", "IC", "Drain", "Drain"]
    assert names("ask the individual contributor", SHARED) == ["IC"]


def test_an_empty_message_and_an_empty_glossary_name() -> None:
    assert names("") == [] and names("   ...   ") == []


def test_a_longer_name_beats_the_shorter_names_inside_it() -> None:
    entries = "".join(
        f"  - term: {name}\n    category: C\n    definition: What {name} is.\n    trap: Misreading {name}.\n"
        for name in ("Deploy", "Cold deploy", "Route", "Route epoch", "Epoch")
    )
    glossary = parse_glossary("title: T\nterms:\n" + entries)
    assert names("a cold deploy bumps the route epoch, then a deploy of the route", glossary) == [
        "Cold deploy",
        "Route epoch",
        "Deploy",
        "Route",
    ]
