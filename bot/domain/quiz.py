"""Pure quiz logic: which term comes next, the question built for it, judging.

Everything here is deterministic given its inputs.  `question_for_slot` seeds
its random source with the channel and slot, so every bot process sharing a
database builds the very same question for the same slot; the rotation reads
the channel's history so that every term appears once before any repeats.
A button's value only names a choice; correctness is always judged against the
stored question, never taken from the click.

No question gives its answer away: a trap question is never asked of a term
whose own trap names it (`kind_for`), distractor traps that name their own
term are avoided, and a definition shown as the prompt has the term's own
names masked.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.glossary import Glossary, Term
from bot.domain.text import normalise

KIND_TERM = "term"  # the definition is shown; choose the term
KIND_TRAP = "trap"  # a term is shown; choose its common trap
KINDS = (KIND_TERM, KIND_TRAP)
LETTERS = "ABCDEFGH"
CHOICES = 4
MASK = "…"


@dataclass(frozen=True)
class Question:
    term: str
    kind: str
    prompt: str
    choices: tuple[str, ...]
    correct: int

    @property
    def right_answer(self) -> str:
        return self.choices[self.correct]

    @property
    def right_letter(self) -> str:
        return LETTERS[self.correct]


def choose_term(names: Sequence[str], history: Sequence[str], rng: random.Random) -> str:
    """A term not yet used in the current pass through the glossary.

    `history` is the channel's earlier quiz terms, oldest first.  A pass ends
    when every current term has appeared; then the next pass starts afresh.
    """
    if not names:
        raise ValueError("the glossary has no terms")
    wanted = set(names)
    used: set[str] = set()
    for name in history:
        if name in wanted:
            used.add(name)
            if used == wanted:
                used = set()
    remaining = [n for n in names if n not in used]
    return rng.choice(remaining)


def _name_pattern(term: Term) -> re.Pattern[str]:
    names = sorted(term.names, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)


def names_itself(text: str, term: Term) -> bool:
    """Whether `text` contains the term's name or one of its aliases as whole words."""
    return _name_pattern(term).search(text) is not None


def mask_names(text: str, term: Term) -> str:
    return _name_pattern(term).sub(MASK, text)


def kind_for(term: Term, wanted: str, shared: bool = False) -> str:
    """`wanted`, unless it is a trap question whose right answer would name the term, or whose
    prompt, the name, would be ambiguous (`shared`: another entry has the same name)."""
    if wanted == KIND_TRAP and (shared or names_itself(term.trap, term)):
        return KIND_TERM
    return wanted


def build_question(glossary: Glossary, term: Term, kind: str, rng: random.Random) -> Question:
    """A multiple-choice question on `term`; distractors come from its category first."""
    if kind not in KINDS:
        raise ValueError(f"unknown question kind {kind!r}")

    def answer_of(t: Term) -> str:
        return t.term if kind == KIND_TERM else t.trap

    def gives_itself_away(t: Term) -> bool:
        return kind == KIND_TRAP and names_itself(t.trap, t)

    same = [t for t in glossary.terms if t.category == term.category and t.term != term.term]
    other = [t for t in glossary.terms if t.category != term.category]
    rng.shuffle(same)
    rng.shuffle(other)
    right = answer_of(term)
    seen = {normalise(right)}
    distractors: list[str] = []
    # A distractor trap naming its own term is plainly not this term's trap: those come last.
    for candidate in sorted(same + other, key=gives_itself_away):
        text = answer_of(candidate)
        if normalise(text) not in seen:
            seen.add(normalise(text))
            distractors.append(text)
        if len(distractors) == CHOICES - 1:
            break
    choices = [right, *distractors]
    rng.shuffle(choices)
    prompt = mask_names(term.definition, term) if kind == KIND_TERM else term.term
    return Question(
        term=glossary.key(term),
        kind=kind,
        prompt=prompt,
        choices=tuple(choices),
        correct=choices.index(right),
    )


def question_for_slot(glossary: Glossary, channel_id: str, slot: str, history: Sequence[str]) -> Question:
    """The question for one channel's slot: the same in every process."""
    rng = random.Random(f"{channel_id}|{slot}")
    key = choose_term([glossary.key(t) for t in glossary.terms], history, rng)
    term = glossary.get(key)
    assert term is not None
    return build_question(glossary, term, kind_for(term, rng.choice(KINDS), glossary.shared(term)), rng)


def is_valid_choice(question_choices: int, choice: int) -> bool:
    return 0 <= choice < question_choices


class NowStatus(StrEnum):
    POSTED = "posted"
    ALREADY_OPEN = "already_open"
    TAKEN = "taken"  # this minute's (admin) or this hour's (practice) slot is used
    CANNOT_POST = "cannot_post"
    FAILED = "failed"


@dataclass(frozen=True)
class NowOutcome:
    status: NowStatus
    counted: bool = True
    permalink: str | None = None
    error: str = ""
