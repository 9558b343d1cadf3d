"""Pure: recognising a comparison in what people type to `/define`.

`A vs B`, `A vs. B`, `A versus B`, `A or B`, `difference between A and B` (with
or without "what is the"), `A and B difference`.  The caller looks both sides
up and shows them side by side only when they are two different terms;
otherwise the text is looked up as usual (a term may contain "or").
`compared_terms` does both steps, for `/define` in Slack and in the terminal.
"""

from __future__ import annotations

import re

from bot.domain.glossary import Term
from bot.domain.lookup import Lookup
from bot.domain.text import normalise

_BETWEEN = re.compile(
    r"^(?:what(?:'s| is| are)?\s+)?(?:the\s+)?differences?\s+between\s+(.+?)\s+and\s+(.+?)\??$", re.I
)
_JOINED = re.compile(r"^(.+?)\s+(?:vs\.?|versus|or|v\.?)\s+(.+?)\??$", re.I)
_TRAILING = re.compile(r"^(.+?)\s+and\s+(.+?)\s+differences?\??$", re.I)


def split_comparison(text: str) -> tuple[str, str] | None:
    """The two sides of a comparison, or None when the text is not one."""
    text = " ".join(text.split())
    for pattern in (_BETWEEN, _TRAILING, _JOINED):
        found = pattern.match(text)
        if found and found.group(1).strip() and found.group(2).strip():
            return found.group(1).strip(), found.group(2).strip()
    return None


def compared_terms(lookup: Lookup, typed: str) -> tuple[Term, Term] | None:
    """Two different terms when the text compares two; None otherwise (a term's own name wins)."""
    sides = split_comparison(typed)
    if sides is None or lookup.exact.get(normalise(typed)) is not None:
        return None
    found = [lookup.find(side).match for side in sides]
    if found[0] is None or found[1] is None or found[0] is found[1]:
        return None
    return found[0], found[1]
