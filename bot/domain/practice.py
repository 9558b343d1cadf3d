"""Pure spaced repetition for private practice: Leitner boxes.

Each (user, term) has a card in box 1 to 5.  A right answer moves the card up
one box and further out in time; a miss sends it back to box 1, due at once.
A channel quiz answer moves a card the same way (`with_quiz_answers`): a miss
puts the term in box 1, and once it has a card a right answer moves it up.
The next term to practise is, in order: a missed term that is due, a term never
practised, then the due card in the lowest box; when nothing is due, the card
due soonest.  The clock (`now`) and the random source (`rng`) are arguments.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

TOP_BOX = 5
INTERVALS = {
    1: timedelta(0),
    2: timedelta(days=1),
    3: timedelta(days=3),
    4: timedelta(days=7),
    5: timedelta(days=16),
}


@dataclass(frozen=True)
class Card:
    term: str
    box: int
    due_at: datetime
    misses: int = 0
    # The last answer that moved it (None: not known); bookkeeping, not part of the card's state.
    updated_at: datetime | None = field(default=None, compare=False)


def after_answer(card: Card | None, term: str, correct: bool, now: datetime) -> Card:
    """The card's new box and due time after one practice answer."""
    box = card.box if card is not None else 1
    misses = card.misses if card is not None else 0
    if correct:
        box = min(box + 1, TOP_BOX)
        return Card(term, box, now + INTERVALS[box], misses, now)
    return Card(term, 1, now, misses + 1, now)


def with_quiz_answers(
    cards: Mapping[str, Card], quiz_answers: Iterable[tuple[str, bool, datetime]]
) -> dict[str, Card]:
    """The cards as they stand once channel quiz answers (term, right, when) are counted, in time order.

    A quiz answer moves a card exactly as a practice answer would, unless the
    card was last moved at or after it (the stored card already counts it).  A
    miss gives a term it has no card for a card in box 1; a right answer to a
    term with no card gives it none (Practice still offers it as new).
    """
    out = dict(cards)
    for term, correct, at in sorted(quiz_answers, key=lambda a: a[2]):
        card = out.get(term)
        if card is None and correct:
            continue
        if card is not None and card.updated_at is not None and at <= card.updated_at:
            continue
        out[term] = after_answer(card, term, correct, at)
    return out


def next_term(
    terms: Sequence[str],
    cards: Mapping[str, Card],
    now: datetime,
    rng: random.Random,
    last: str | None = None,
) -> str:
    """The term to practise next; avoids repeating `last` when anything else will do."""
    if not terms:
        raise ValueError("the glossary has no terms")
    pool = [t for t in terms if t != last] or list(terms)
    known = [cards[t] for t in pool if t in cards]
    missed = sorted((c for c in known if c.box == 1 and c.misses and c.due_at <= now), key=lambda c: c.due_at)
    if missed:
        return missed[0].term
    new = [t for t in pool if t not in cards]
    if new:
        return rng.choice(new)
    due = sorted((c for c in known if c.due_at <= now), key=lambda c: (c.box, c.due_at, c.term))
    if due:
        return due[0].term
    return min(known, key=lambda c: (c.due_at, c.term)).term
