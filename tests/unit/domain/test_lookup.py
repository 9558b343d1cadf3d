"""bot/domain/lookup.py: exact names and aliases win, then names inside free text, then
typos; ambiguous text gives a few suggestions; nothing gives nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.glossary import Glossary, load_glossary, parse_glossary
from bot.domain.lookup import MAX_SUGGESTIONS, Lookup, LookupResult, typo_budget

GLOSSARY_FILE = Path(__file__).resolve().parents[3] / "data" / "glossary.yml"


@pytest.fixture(scope="module")
def lookup() -> Lookup:
    return Lookup(load_glossary(GLOSSARY_FILE))


def entry(name: str, category: str = "General", aliases: tuple[str, ...] = ()) -> str:
    text = (
        f"  - term: {name}\n    category: {category}\n"
        f"    definition: What {name} is.\n    trap: Misreading {name}.\n"
    )
    if aliases:
        text += f"    aliases: [{', '.join(aliases)}]\n"
    return text


def small_glossary(*entries: str) -> Glossary:
    return parse_glossary("title: Small\nterms:\n" + "".join(entries))


def matched(result: LookupResult) -> str | None:
    return result.match.term if result.match is not None else None


# --- exact names and aliases -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("rto", "RTO"),
        ("RTO", "RTO"),
        ("RTOs", "RTO"),
        ("rto?", "RTO"),
        ("rpo", "RPO"),
        ("CAS", "Compare-and-swap"),
        ("cas", "Compare-and-swap"),
        ("compare and set", "Compare-and-swap"),
        ("compare and swap", "Compare-and-swap"),
        ("Drain", "Drain"),
        ("draining", "Drain"),
        ("DRAIN!!!", "Drain"),
        ("alloc", "Allocation"),
        ("allocations", "Allocation"),
        ("epoch", "Route epoch"),
        ("recovery time objective", "RTO"),
        ("NATS JetStream", "JetStream"),
        ("jet-stream", "JetStream"),
    ],
)
def test_an_exact_term_or_alias_always_wins(lookup: Lookup, typed: str, term: str) -> None:
    result = lookup.find(typed)
    assert matched(result) == term
    assert result.how == "exact"
    assert result.suggestions == ()
    assert result.found


def test_rto_is_never_rpo_however_it_is_typed(lookup: Lookup) -> None:
    for typed in ("rto", "RTO", "Rto", "RTOs", " rto ", "RTO!", "what is rto", "what is an RTO?"):
        assert matched(lookup.find(typed)) == "RTO", typed
    for typed in ("rpo", "RPO", "RPOs", "what is the rpo?"):
        assert matched(lookup.find(typed)) == "RPO", typed


def test_an_exact_name_beats_a_closer_scoring_neighbour() -> None:
    glossary = small_glossary(entry("Rain"), entry("Drain"), entry("Route"), entry("Route epoch"))
    lookup = Lookup(glossary)
    assert matched(lookup.find("rain")) == "Rain"
    assert matched(lookup.find("drain")) == "Drain"
    assert matched(lookup.find("route")) == "Route"
    assert lookup.find("route").how == "exact"


# --- free text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("what is a route epoch?", "Route epoch"),
        ("What's a Route-Epoch", "Route epoch"),
        ("tell me about draining", "Drain"),
        ("define session store please", "Session store"),
        ("what does idempotency key mean", "Idempotency key"),
    ],
)
def test_a_name_inside_free_text_is_found(lookup: Lookup, typed: str, term: str) -> None:
    result = lookup.find(typed)
    assert matched(result) == term
    assert result.how == "contained"


def test_the_longest_name_inside_free_text_wins() -> None:
    lookup = Lookup(small_glossary(entry("Route"), entry("Route epoch"), entry("Epoch")))
    assert matched(lookup.find("what is a route epoch")) == "Route epoch"
    assert matched(lookup.find("route epoch owner")) == "Route epoch"
    assert matched(lookup.find("what is an epoch")) == "Epoch"


def test_a_long_name_with_filler_words_inside_is_found_whole() -> None:
    lookup = Lookup(small_glossary(entry("Mean time to recovery", aliases=("MTTR",)), entry("Drain")))
    result = lookup.find("what does mean time to recovery mean")
    assert (matched(result), result.how) == ("Mean time to recovery", "contained")
    assert matched(lookup.find("mttr?")) == "Mean time to recovery"


# --- typos ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("draen", "Drain"),
        ("drian", "Drain"),
        ("draen?", "Drain"),
        ("what is draen", "Drain"),
        ("allocatoin", "Allocation"),
        ("jetstreem", "JetStream"),
        ("idempotncy key", "Idempotency key"),
        ("route epoc", "Route epoch"),
        ("cmpare and swap", "Compare-and-swap"),
    ],
)
def test_a_typo_finds_the_term_confidently(lookup: Lookup, typed: str, term: str) -> None:
    result = lookup.find(typed)
    assert matched(result) == term
    assert result.how == "fuzzy"
    assert result.suggestions == ()


def test_a_typo_in_a_three_letter_name_is_not_confident(lookup: Lookup) -> None:
    # rtp is one edit from both RTO and RPO: guessing either would be wrong half the time.
    result = lookup.find("rtp")
    assert result.match is None
    assert {t.term for t in result.suggestions} >= {"RTO", "RPO"}


def test_the_typo_budget_grows_with_the_name() -> None:
    assert typo_budget("rto") == 0
    assert typo_budget("drain") == 1
    assert typo_budget("route epoch") == 2


# --- ambiguous, nothing, empty --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["route", "routes", "rout"])
def test_an_ambiguous_word_gives_suggestions(lookup: Lookup, typed: str) -> None:
    result = lookup.find(typed)
    assert result.match is None
    assert not result.found
    names = [t.term for t in result.suggestions]
    assert {"Route epoch", "Route owner"} <= set(names)
    assert names[:2] == ["Route epoch", "Route owner"]
    assert 2 <= len(names) <= MAX_SUGGESTIONS
    assert len(set(names)) == len(names)


def test_at_most_five_suggestions() -> None:
    words = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")
    lookup = Lookup(small_glossary(*(entry(f"Route {w}") for w in words)))
    result = lookup.find("route")
    assert result.match is None
    assert len(result.suggestions) == MAX_SUGGESTIONS == 5
    assert all(t.term.startswith("Route ") for t in result.suggestions)


def test_a_typo_among_many_similar_names_still_finds_one() -> None:
    words = ("alpha", "beta", "gamma", "delta")
    lookup = Lookup(small_glossary(*(entry(f"Route {w}") for w in words)))
    assert matched(lookup.find("route alpah")) == "Route alpha"


@pytest.mark.parametrize("typed", ["xyzzy", "kubernetes operator", "x" * 5000, "state"])
def test_nothing_close_gives_nothing(lookup: Lookup, typed: str) -> None:
    result = lookup.find(typed)
    assert result.match is None
    assert result.suggestions == ()
    assert result.how == ""


@pytest.mark.parametrize("typed", ["", "   ", "???", "\n\t"])
def test_empty_text_gives_an_empty_result(lookup: Lookup, typed: str) -> None:
    result = lookup.find(typed)
    assert result == LookupResult(query="")


def test_the_query_is_the_normalised_text(lookup: Lookup) -> None:
    assert lookup.find("  What's a Route-Epoch?").query == "what s a route epoch"
