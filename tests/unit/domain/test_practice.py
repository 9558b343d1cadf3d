"""bot/domain/practice.py: Leitner boxes after an answer, and which term to practise
next; the clock and the random source are passed in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.practice import INTERVALS, TOP_BOX, Card, after_answer, next_term, with_quiz_answers

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def card(term: str, box: int, due_in: timedelta = timedelta(0), misses: int = 0) -> Card:
    return Card(term=term, box=box, due_at=NOW + due_in, misses=misses)


# --- after_answer ---------------------------------------------------------------------


def test_a_first_right_answer_puts_a_new_card_in_box_2_due_tomorrow() -> None:
    assert after_answer(None, "Drain", True, NOW) == Card("Drain", 2, NOW + DAY, 0)


def test_a_first_miss_puts_a_new_card_in_box_1_due_now_with_one_miss() -> None:
    assert after_answer(None, "Drain", False, NOW) == Card("Drain", 1, NOW, 1)


def test_right_answers_move_the_card_up_and_further_out() -> None:
    current: Card | None = None
    now = NOW
    boxes, waits = [], []
    for _ in range(6):
        current = after_answer(current, "Drain", True, now)
        boxes.append(current.box)
        waits.append(current.due_at - now)
        now = current.due_at
    assert boxes == [2, 3, 4, 5, 5, 5]
    assert waits == [DAY, 3 * DAY, 7 * DAY, 16 * DAY, 16 * DAY, 16 * DAY]
    assert all(a < b for a, b in zip(waits[:4], waits[1:4], strict=False))


def test_the_box_caps_at_5() -> None:
    top = card("Drain", TOP_BOX, misses=2)
    assert TOP_BOX == 5
    assert after_answer(top, "Drain", True, NOW) == Card("Drain", 5, NOW + INTERVALS[5], 2)


@pytest.mark.parametrize("box", [1, 2, 3, 4, 5])
def test_a_miss_resets_to_box_1_due_now_and_counts(box: int) -> None:
    before = card("Drain", box, due_in=10 * DAY, misses=3)
    assert after_answer(before, "Drain", False, NOW) == Card("Drain", 1, NOW, 4)


def test_a_right_answer_after_a_miss_keeps_the_miss_count() -> None:
    missed = after_answer(None, "Drain", False, NOW)
    assert after_answer(missed, "Drain", True, NOW) == Card("Drain", 2, NOW + DAY, 1)


def test_the_clock_is_the_one_passed_in() -> None:
    later = NOW + timedelta(days=100)
    assert after_answer(None, "Drain", True, later).due_at == later + DAY
    assert after_answer(None, "Drain", False, later).due_at == later


# --- next_term ----------------------------------------------------------------------


TERMS = ["Allocation", "Cell", "Drain", "RPO", "RTO"]


def pick(cards: list[Card], last: str | None = None, terms: list[str] = TERMS, seed: int = 0) -> str:
    return next_term(terms, {c.term: c for c in cards}, NOW, random.Random(seed), last=last)


def test_a_missed_due_term_comes_first() -> None:
    cards = [card("Cell", 2, -DAY), card("Drain", 1, -DAY, misses=1)]
    for seed in range(10):
        assert pick(cards, seed=seed) == "Drain"  # before the new terms and the due Cell


def test_the_longest_waiting_missed_term_comes_first() -> None:
    cards = [card("Drain", 1, -timedelta(minutes=1), misses=1), card("Cell", 1, -DAY, misses=2)]
    assert pick(cards) == "Cell"


def test_a_box_1_card_never_missed_is_not_a_missed_term() -> None:
    cards = [card("Cell", 1, -DAY, misses=0)]
    assert pick(cards, terms=["Cell", "Drain"]) == "Drain"  # the new term first


def test_new_terms_come_before_due_cards() -> None:
    cards = [card(t, 2, -DAY) for t in ("Allocation", "Cell", "Drain")]
    picks = {pick(cards, seed=seed) for seed in range(40)}
    assert picks == {"RPO", "RTO"}


def test_new_terms_are_chosen_with_the_given_random_source() -> None:
    assert pick([], seed=5) == pick([], seed=5)
    assert {pick([], seed=seed) for seed in range(60)} == set(TERMS)


def test_then_the_due_card_in_the_lowest_box() -> None:
    cards = [
        card("Allocation", 4, -DAY),
        card("Cell", 3, -timedelta(minutes=5)),
        card("Drain", 3, -timedelta(hours=2)),
        card("RPO", 2, DAY),  # lowest box, but not due
        card("RTO", 5, -10 * DAY),
    ]
    assert pick(cards) == "Drain"  # box 3, and due longer than Cell


def test_a_card_due_exactly_now_is_due() -> None:
    cards = [card(t, 3, DAY) for t in TERMS[1:]] + [card("Allocation", 5, timedelta(0))]
    assert pick(cards) == "Allocation"


def test_when_nothing_is_due_the_soonest_due_card() -> None:
    cards = [
        card("Allocation", 2, 2 * DAY),
        card("Cell", 4, timedelta(hours=3)),
        card("Drain", 2, DAY),
        card("RPO", 5, 16 * DAY),
        card("RTO", 3, timedelta(hours=5)),
    ]
    assert pick(cards) == "Cell"


def test_never_last_when_another_term_will_do() -> None:
    missed = [card("Drain", 1, -DAY, misses=1)] + [card(t, 5, 16 * DAY) for t in TERMS if t != "Drain"]
    assert pick(missed) == "Drain"
    assert pick(missed, last="Drain") != "Drain"
    new_only_last = [card(t, 2, DAY) for t in TERMS if t != "Cell"]
    assert pick(new_only_last) == "Cell"
    assert pick(new_only_last, last="Cell") != "Cell"
    soonest = [card(t, 3, (i + 1) * DAY) for i, t in enumerate(TERMS)]
    assert pick(soonest) == "Allocation"
    assert pick(soonest, last="Allocation") == "Cell"


def test_the_only_term_may_repeat() -> None:
    assert pick([card("Drain", 1, -DAY, misses=1)], last="Drain", terms=["Drain"]) == "Drain"
    assert pick([], last="Drain", terms=["Drain"]) == "Drain"


def test_cards_for_terms_no_longer_in_the_glossary_are_ignored() -> None:
    cards = [card("Gone", 1, -DAY, misses=5), card("Drain", 3, DAY), card("Cell", 3, 2 * DAY)]
    assert pick(cards, terms=["Cell", "Drain"]) == "Drain"


def test_no_terms_is_an_error() -> None:
    with pytest.raises(ValueError, match="no terms"):
        next_term([], {}, NOW, random.Random(0))


def test_a_practice_session_covers_every_term_and_returns_to_a_miss_at_once() -> None:
    cards: dict[str, Card] = {}
    rng = random.Random(11)
    last: str | None = None
    seen: list[str] = []
    for _ in range(12):
        term = next_term(TERMS, cards, NOW, rng, last=last)
        seen.append(term)
        cards[term] = after_answer(cards.get(term), term, term != "RPO", NOW)  # RPO is always missed
        last = term
    assert set(seen) == set(TERMS)
    assert all(a != b for a, b in zip(seen, seen[1:], strict=False))
    first_rpo = seen.index("RPO")
    # After a miss, one other term, then the missed one again, for as long as it is missed.
    assert seen[first_rpo::2] == ["RPO"] * len(seen[first_rpo::2])


# --- with_quiz_answers: practice learns from the channel quiz --------------------------


def test_a_quiz_miss_puts_the_term_in_box_1_due_at_once() -> None:
    cards = with_quiz_answers({}, [("Drain", False, NOW)])
    assert cards == {"Drain": Card("Drain", 1, NOW, 1)}
    assert next_term(["Cell", "Drain"], cards, NOW, random.Random(1)) == "Drain"


def test_a_right_quiz_answer_after_a_miss_moves_the_card_up_as_practice_would() -> None:
    later = NOW + timedelta(hours=2)
    cards = with_quiz_answers({}, [("Drain", True, later), ("Drain", False, NOW)])  # any order
    assert cards["Drain"] == after_answer(after_answer(None, "Drain", False, NOW), "Drain", True, later)
    assert cards["Drain"].box == 2 and cards["Drain"].due_at == later + DAY


def test_a_right_quiz_answer_to_a_term_never_missed_makes_no_card() -> None:
    assert with_quiz_answers({}, [("Drain", True, NOW)]) == {}


def test_a_right_quiz_answer_moves_a_practised_card_up() -> None:
    practised = Card("Drain", 3, NOW + 3 * DAY, 0, NOW - DAY)
    assert with_quiz_answers({"Drain": practised}, [("Drain", True, NOW)])["Drain"].box == 4


def test_quiz_answers_the_stored_card_already_counts_are_not_counted_again() -> None:
    stored = Card("Drain", 2, NOW + DAY, 1, NOW)
    cards = with_quiz_answers({"Drain": stored}, [("Drain", False, NOW - DAY), ("Drain", False, NOW)])
    assert cards["Drain"] == stored
