"""bot/domain/quiz.py: the rotation through the glossary, the questions built for a
term, and the per-slot question that every process builds alike."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.domain.glossary import Glossary, load_glossary, parse_glossary
from bot.domain.quiz import (
    CHOICES,
    KIND_TERM,
    KIND_TRAP,
    KINDS,
    Question,
    build_question,
    choose_term,
    is_valid_choice,
    kind_for,
    names_itself,
    question_for_slot,
)
from bot.domain.text import normalise

REPO_ROOT = Path(__file__).resolve().parents[3]
GLOSSARY_FILE = REPO_ROOT / "data" / "glossary.yml"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(GLOSSARY_FILE)


def small_glossary(*terms: tuple[str, str]) -> Glossary:
    text = "title: Small\nterms:\n" + "".join(
        f"  - term: {name}\n    category: {category}\n"
        f"    definition: What {name} is.\n    trap: Misreading {name}.\n"
        for name, category in terms
    )
    return parse_glossary(text)


def answer_of(glossary: Glossary, name: str, kind: str) -> str:
    term = glossary.get(name)
    assert term is not None
    return term.term if kind == KIND_TERM else term.trap


# --- choose_term -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 7, 42, 2026])
def test_every_term_comes_once_before_any_repeats_over_three_passes(glossary: Glossary, seed: int) -> None:
    names = [t.term for t in glossary.terms]
    rng = random.Random(seed)
    history: list[str] = []
    for _ in range(3 * len(names)):
        history.append(choose_term(names, history, rng))
    for start in range(0, len(history), len(names)):
        one_pass = history[start : start + len(names)]
        assert sorted(one_pass) == sorted(names), f"pass starting at {start}: {one_pass}"
    # Each pass is shuffled afresh, not the file order over and over.
    passes = [tuple(history[i : i + len(names)]) for i in range(0, len(history), len(names))]
    assert len(set(passes)) == 3
    assert tuple(names) not in passes


def test_a_pass_part_way_through_continues_with_unused_terms() -> None:
    names = ["A", "B", "C", "D"]
    for seed in range(20):
        assert choose_term(names, ["A", "B", "C"], random.Random(seed)) == "D"
        assert choose_term(names, ["A", "B", "C", "D", "B"], random.Random(seed)) in {"A", "C", "D"}


def test_a_complete_pass_starts_afresh() -> None:
    names = ["A", "B", "C"]
    picks = {choose_term(names, ["C", "A", "B"], random.Random(seed)) for seed in range(30)}
    assert picks == {"A", "B", "C"}


def test_terms_no_longer_in_the_glossary_are_ignored_in_the_history() -> None:
    names = ["A", "B"]
    for seed in range(10):
        assert choose_term(names, ["Gone", "A", "Old"], random.Random(seed)) == "B"


def test_a_term_added_mid_pass_is_due_in_the_current_pass() -> None:
    picks = {choose_term(["A", "B", "C"], ["A", "B"], random.Random(seed)) for seed in range(10)}
    assert picks == {"C"}


def test_an_empty_glossary_is_an_error() -> None:
    with pytest.raises(ValueError, match="no terms"):
        choose_term([], [], random.Random(0))


# --- build_question ---------------------------------------------------------------------


def check_question(glossary: Glossary, question: Question, name: str, kind: str) -> None:
    assert question.term == name and question.kind == kind
    assert len(question.choices) == CHOICES == 4
    assert len({normalise(c) for c in question.choices}) == 4, question.choices
    right = answer_of(glossary, name, kind)
    assert question.right_answer == right
    assert [c == right for c in question.choices].count(True) == 1
    assert question.right_letter == "ABCD"[question.correct]
    term = glossary.get(name)
    assert term is not None
    assert question.prompt == (term.definition if kind == KIND_TERM else term.term)
    answers = {answer_of(glossary, t.term, kind): t for t in glossary.terms}
    for choice in question.choices:
        assert choice in answers, f"{choice!r} is not an answer from the glossary"


@pytest.mark.parametrize("kind", KINDS)
def test_every_term_gets_four_distinct_choices_with_one_right(glossary: Glossary, kind: str) -> None:
    for index, term in enumerate(glossary.terms):
        question = build_question(glossary, term, kind, random.Random(index))
        check_question(glossary, question, term.term, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_distractors_come_from_the_same_category_first(glossary: Glossary, kind: str) -> None:
    by_answer = {answer_of(glossary, t.term, kind): t for t in glossary.terms}
    for seed in range(5):
        for term in glossary.terms:
            question = build_question(glossary, term, kind, random.Random(seed))
            # A trap that names its own term would give itself away as a distractor: those come last.
            same_category = [
                t
                for t in glossary.terms
                if t.category == term.category
                and t is not term
                and not (kind == KIND_TRAP and names_itself(t.trap, t))
            ]
            distractors = [by_answer[c] for i, c in enumerate(question.choices) if i != question.correct]
            from_same = [t for t in distractors if t.category == term.category]
            assert len(from_same) >= min(len(same_category), CHOICES - 1), (term.term, question.choices)


def test_deploy_questions_offer_both_other_deploy_terms(glossary: Glossary) -> None:
    cold = glossary.get("Cold deploy")
    assert cold is not None
    for seed in range(10):
        question = build_question(glossary, cold, KIND_TERM, random.Random(seed))
        assert {"Artifact", "Warm deploy", "Cold deploy"} <= set(question.choices)


def test_the_right_answer_is_not_always_in_the_same_place(glossary: Glossary) -> None:
    term = glossary.terms[0]
    places = Counter(build_question(glossary, term, KIND_TRAP, random.Random(s)).correct for s in range(40))
    assert len(places) == 4


def test_the_same_random_source_builds_the_same_question(glossary: Glossary) -> None:
    term = glossary.terms[3]
    first = build_question(glossary, term, KIND_TERM, random.Random(99))
    assert build_question(glossary, term, KIND_TERM, random.Random(99)) == first


def test_equal_answers_are_not_offered_twice() -> None:
    text = "title: T\nterms:\n" + "".join(
        f"  - term: {name}\n    category: C\n    definition: What {name} is.\n    trap: {trap}\n"
        for name, trap in [("Aa", "Same trap."), ("Bb", "same  trap"), ("Cc", "Other."), ("Dd", "Third.")]
    )
    glossary = parse_glossary(text)
    term = glossary.get("Cc")
    assert term is not None
    for seed in range(10):
        question = build_question(glossary, term, KIND_TRAP, random.Random(seed))
        assert len({normalise(c) for c in question.choices}) == len(question.choices) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_a_glossary_of_two_terms_gives_two_choices(kind: str) -> None:
    glossary = small_glossary(("Drain", "Runtime"), ("Cell", "Topology"))
    for term in glossary.terms:
        question = build_question(glossary, term, kind, random.Random(3))
        assert len(question.choices) == 2
        assert question.right_answer == answer_of(glossary, term.term, kind)
        other = next(t for t in glossary.terms if t is not term)
        assert answer_of(glossary, other.term, kind) in question.choices


def test_a_glossary_of_one_term_gives_one_choice() -> None:
    glossary = small_glossary(("Drain", "Runtime"))
    question = build_question(glossary, glossary.terms[0], KIND_TERM, random.Random(0))
    assert question.choices == ("Drain",) and question.correct == 0


def test_an_unknown_kind_is_an_error(glossary: Glossary) -> None:
    with pytest.raises(ValueError, match="unknown question kind"):
        build_question(glossary, glossary.terms[0], "essay", random.Random(0))


def test_valid_choices() -> None:
    assert [is_valid_choice(4, c) for c in (-1, 0, 3, 4)] == [False, True, True, False]


# --- question_for_slot -----------------------------------------------------------------


def test_the_same_slot_gives_the_same_question(glossary: Glossary) -> None:
    history = ["Drain", "RTO", "Cell"]
    first = question_for_slot(glossary, "C1", "2026-11-26T09:30", history)
    for _ in range(3):
        assert question_for_slot(glossary, "C1", "2026-11-26T09:30", list(history)) == first
    check_question(glossary, first, first.term, first.kind)
    assert first.term not in history


def test_different_slots_and_channels_give_different_questions(glossary: Glossary) -> None:
    slots = [f"2026-11-{day:02d}T09:30" for day in range(1, 29)]
    questions = [question_for_slot(glossary, "C1", slot, []) for slot in slots]
    assert len({(q.term, q.kind, q.choices) for q in questions}) > 10
    assert {q.kind for q in questions} == set(KINDS)
    other_channel = [question_for_slot(glossary, "C2", slot, []) for slot in slots]
    assert other_channel != questions


def test_the_slot_question_follows_the_rotation(glossary: Glossary) -> None:
    names = [t.term for t in glossary.terms]
    history: list[str] = []
    for day in range(len(names)):
        history.append(question_for_slot(glossary, "C1", f"2026-12-{day + 1:02d}T09:30", history).term)
    assert sorted(history) == sorted(names)


def test_another_process_builds_the_same_question(glossary: Glossary) -> None:
    # str hashing is salted per process (PYTHONHASHSEED); the question must not depend on it.
    script = (
        "from bot.domain.glossary import load_glossary; from bot.domain.quiz import question_for_slot; "
        f"q = question_for_slot(load_glossary({str(GLOSSARY_FILE)!r}), 'C1', '2026-11-26T09:30', ['Drain']); "
        "print(repr((q.term, q.kind, q.choices, q.correct)))"
    )
    here = question_for_slot(glossary, "C1", "2026-11-26T09:30", ["Drain"])
    for hash_seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert result.stdout.strip() == repr((here.term, here.kind, here.choices, here.correct))


# -- no question gives its answer away ------------------------------------------------------


@pytest.mark.parametrize("wanted", KINDS)
def test_no_question_on_the_shipped_glossary_names_its_answer(glossary: Glossary, wanted: str) -> None:
    """Every term, asked both ways: the right trap never names the term asked about, the
    definition shown never names the term to find, and no distractor trap names its own term
    while another distractor would do."""
    for term in glossary.terms:
        kind = kind_for(term, wanted)
        for seed in range(8):
            question = build_question(glossary, term, kind, random.Random(seed))
            if question.kind == KIND_TRAP:
                assert not names_itself(question.right_answer, term), (term.term, question.right_answer)
                wrong = [c for i, c in enumerate(question.choices) if i != question.correct]
                owners = [t for t in glossary.terms if t.trap in wrong]
                assert not any(names_itself(t.trap, t) for t in owners), (term.term, wrong)
            else:
                assert not names_itself(question.prompt, term), (term.term, question.prompt)


def test_trap_questions_are_not_asked_of_terms_whose_trap_names_them(glossary: Glossary) -> None:
    """Cell's trap says "launch cell" and Warm deploy's says "warm deploy": those are asked as
    "which term is this?" instead, whatever the slot's random source chose."""
    for name in ("Cell", "Warm deploy"):
        term = glossary.get(name)
        assert term is not None and names_itself(term.trap, term)
        assert kind_for(term, KIND_TRAP) == KIND_TERM
    drain = glossary.get("Drain")
    assert drain is not None and kind_for(drain, KIND_TRAP) == KIND_TRAP
    for slot in range(200):
        question = question_for_slot(glossary, "C1", f"2026-11-{slot:03d}", [])
        if question.term in ("Cell", "Warm deploy"):
            assert question.kind == KIND_TERM


def test_a_name_with_several_meanings_is_never_the_prompt() -> None:
    from pathlib import Path

    from bot.domain.glossary import parse_glossary
    from bot.domain.quiz import KIND_TERM, KIND_TRAP, kind_for, question_for_slot

    root = Path(__file__).resolve().parents[3]
    glossary = parse_glossary(
        (root / "data/glossary.yml").read_text() + "\n" + (root / "tests/data/meanings.yml").read_text()
    )
    [ic_people] = [t for t in glossary.terms if t.term == "IC" and t.category == "People"]
    assert kind_for(ic_people, KIND_TRAP, shared=True) == KIND_TERM
    asked = [question_for_slot(glossary, "C1", f"2026-01-{day:02d}", []) for day in range(1, 29)]
    shared = [q for q in asked if q.term.startswith(("IC|", "Drain|"))]
    assert shared, "some slot asks about a shared name"
    assert all(q.kind == KIND_TERM for q in shared)
    assert all(glossary.get(q.term) is not None for q in asked)
