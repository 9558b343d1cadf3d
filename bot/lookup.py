"""Finding the term a person meant: exact names first, then fuzzy matching.

`Lookup(glossary).find(text)` returns a `LookupResult`: a confident `match`
(with how it was found), up to five `suggestions` when several terms are close,
or neither.  The order is deliberate: an exact term or alias always wins (`rto`
is RTO, never RPO), then a term or alias standing whole inside free text
(`what is a route epoch?`), and only then rapidfuzz scoring, so a fuzzy score
can never override an exact name.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.glossary import Glossary, Term
from bot.text import normalise

# Words people put around a term; dropped before fuzzy matching.
FILLER = frozenset(
    [
        "what",
        "whats",
        "is",
        "are",
        "a",
        "an",
        "the",
        "define",
        "definition",
        "meaning",
        "mean",
        "of",
        "does",
        "do",
        "about",
        "explain",
        "tell",
        "me",
        "please",
    ]
)
CONFIDENT = 85.0
CLOSE = 65.0
MIN_GAP = 6.0
MAX_SUGGESTIONS = 5
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class LookupResult:
    query: str
    match: Term | None = None
    how: str = ""  # "exact", "contained" or "fuzzy"
    suggestions: tuple[Term, ...] = ()

    @property
    def found(self) -> bool:
        return self.match is not None


class Lookup:
    """An index over one glossary's names; build once per glossary version."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self.exact = glossary.names
        self.keys = list(self.exact)
        self.longest = max((len(k.split()) for k in self.keys), default=1)

    def find(self, text: str) -> LookupResult:
        query = normalise(text)
        if not query:
            return LookupResult(query="")
        term = self.exact.get(query)
        if term is not None:
            return LookupResult(query, term, "exact")
        term = self._contained(query)
        if term is not None:
            return LookupResult(query, term, "contained")
        core = " ".join(w for w in query.split() if w not in FILLER) or query
        return self._fuzzy(query, core[:MAX_QUERY_CHARS])

    def _contained(self, query: str) -> Term | None:
        """The longest name standing as whole words inside the query."""
        words = query.split()[:400]
        for size in range(min(self.longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                gram = " ".join(words[start : start + size])
                if size == 1 and gram in FILLER:
                    continue
                term = self.exact.get(gram)
                if term is not None:
                    return term
        return None

    def _fuzzy(self, query: str, core: str) -> LookupResult:
        # A cheap pass picks candidates; a second pass scores them with an
        # edit distance that counts a swapped pair of letters as one typo.
        rough = process.extract(core, self.keys, scorer=fuzz.WRatio, limit=12, score_cutoff=CLOSE - 10)
        scored: dict[str, tuple[float, int, Term]] = {}
        for key, rough_score, _ in rough:
            edits = OSA.distance(core, key)
            score = max(OSA.normalized_similarity(core, key) * 100, min(rough_score, 90.0))
            term = self.exact[key]
            previous = scored.get(term.term)
            if previous is None or (score, -edits) > (previous[0], -previous[1]):
                scored[term.term] = (score, edits if edits <= typo_budget(key) else 99, term)
        ranked = sorted(scored.values(), key=lambda entry: (-entry[0], entry[1]))
        if not ranked:
            return LookupResult(query)
        typo = sorted(scored.values(), key=lambda entry: entry[1])
        if typo[0][1] < 99 and (len(typo) == 1 or typo[1][1] > typo[0][1]):
            return LookupResult(query, typo[0][2], "fuzzy")
        best_score, _, best = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        if best_score >= CONFIDENT and best_score - runner_up >= MIN_GAP:
            return LookupResult(query, best, "fuzzy")
        close = tuple(term for score, _, term in ranked if score >= CLOSE)[:MAX_SUGGESTIONS]
        return LookupResult(query, suggestions=close)


def typo_budget(name: str) -> int:
    """How many edits still read as a typo of `name`: none for very short names."""
    if len(name) < 4:
        return 0
    return 1 if len(name) < 8 else 2
