"""Finding the term a person meant: exact names first, then typos, then suggestions.

`Lookup(glossary).find(text)` returns a `LookupResult`: a confident `match`
(with how it was found), up to five `suggestions` when several terms are close,
or neither.  The order is deliberate: an exact term or alias always wins (`rto`
is RTO, never RPO), then a term or alias standing whole inside free text
(`what is a route epoch?`), and only then rapidfuzz, so a fuzzy score can never
override an exact name.  One refinement keeps large glossaries, where names
contain other names, honest: a name found inside the text gives way to a longer
name that the text misspells (`warm cache shrd` is Warm cache shard, not the
Warm cache inside it), as the longest exact name inside the text already wins.

Fuzzy matching counts typos rather than scoring likeness: the OSA edit distance
(a swapped pair of letters is one edit), searched among names of a near length
only, within a budget that grows with the name (`typo_budget`), so a short name
never takes the typos of a long one and a lookup among 10,000 terms stays under
a millisecond (`bench/lookup.py`).  The typo of one term alone is a match, and
so is a name whose misspelt words, corrected one by one, stand in the text;
otherwise close names become suggestions, the closest first.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from bot.domain.glossary import Glossary, Term
from bot.domain.text import normalise

# Words people put around a term; dropped before fuzzy matching.  Normalised like
# the text they are matched against (`does` becomes `doe`).
FILLER = frozenset(
    normalise(word)
    for word in [
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
        "s",  # what's -> what s
    ]
)
CLOSE = 65.0  # the least WRatio for a name sharing a word with the text to be suggested
NEAR_EDITS = 2  # the widest edit-distance search; each name's budget decides what is its typo
MAX_SUGGESTIONS = 5
MAX_QUERY_CHARS = 200
MAX_SCORED = 100  # names sharing a word with the text that are scored, the most words shared first

Near = tuple[int, str]  # (edits, normalised name)


@dataclass(frozen=True)
class LookupResult:
    query: str
    match: Term | None = None
    how: str = ""  # "exact", "contained", "fuzzy" or "described"
    suggestions: tuple[Term, ...] = ()
    meanings: tuple[Term, ...] = ()  # every meaning of the name matched, when it has several
    misspelt: bool = False  # no match, but the text reads as a misspelt name (a typo within a name's budget)
    corrected: bool = False  # no match, but some word of the text is a typo of a glossary word

    @property
    def found(self) -> bool:
        return self.match is not None


@dataclass(frozen=True)
class _Name:
    """A glossary name found for the text: `size` words, from word `start` when inside it."""

    name: str
    term: Term
    size: int
    start: int = 0

    def loses_to(self, other: _Name) -> bool:
        """Whether `other`, found another way, wins: a different term under a longer name."""
        return other.term is not self.term and (other.size, len(other.name)) > (self.size, len(self.name))


class _ByLength:
    """Strings sorted by length, so an edit-distance search reads only those of a near length."""

    def __init__(self, strings: Iterable[str]) -> None:
        self.strings = sorted(set(strings), key=len)
        self.lengths = [len(s) for s in self.strings]

    def within(self, text: str, edits: int) -> list[Near]:
        """(edits, string) for each string within `edits` OSA edits of `text`."""
        low = bisect_left(self.lengths, len(text) - edits)
        high = bisect_right(self.lengths, len(text) + edits)
        if low >= high:
            return []
        # Indel distance (insertions and deletions only) is a cheaper bound that lets
        # through every string within the edits: a substitution or a swap is two of them.
        rough = process.extract(
            text,
            self.strings[low:high],
            scorer=Indel.distance,
            processor=None,
            score_cutoff=2 * edits,
            limit=None,
        )
        near = ((OSA.distance(text, choice, score_cutoff=edits), choice) for choice, _, _ in rough)
        return [(distance, choice) for distance, choice in near if distance <= edits]


class Lookup:
    """An index over one glossary's names; build once per glossary version."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self.exact = glossary.names
        self.longest = max((len(k.split()) for k in self.exact), default=1)
        self._order = {id(term): index for index, term in enumerate(glossary.terms)}
        self._names = _ByLength(self.exact)
        self._with_word: dict[str, list[str]] = {}
        for key in self.exact:
            for word in dict.fromkeys(key.split()):
                self._with_word.setdefault(word, []).append(key)
        self._words = _ByLength(self._with_word)
        self._filler_in_names = FILLER & self._with_word.keys()  # `of` in `mean time of recovery`

    def find(self, text: str) -> LookupResult:
        query = normalise(text)
        if not query:
            return LookupResult(query="")
        term = self.exact.get(query)
        if term is not None:
            return self._matched(query, query, "exact")
        inside = next(self._inside(query.split()[:400]), None)
        head = query[:MAX_QUERY_CHARS]
        typed = head.split()
        core = " ".join(w for w in typed if w not in FILLER) or head
        if inside is not None and inside.name == core:
            return self._matched(query, inside.name, "contained")
        # A name inside the text gives way only to a longer name that the text misspells:
        # first the whole text as a typo, then a name whose misspelt words are corrected.
        near = self._near(head, core)
        typo = self._typo(near)
        if typo is not None and (inside is None or inside.loses_to(typo)):
            return self._matched(query, typo.name, "fuzzy")
        fixed = [self._correct(word) for word in typed]
        corrected = self._corrected(typed, fixed) if fixed != typed else None
        if corrected is not None and (inside is None or inside.loses_to(corrected)):
            return self._matched(query, corrected.name, "fuzzy")
        if inside is not None:
            return self._matched(query, inside.name, "contained")
        # Misspelt: the whole text is near a name, or at least half of its words were corrected
        # (one word of a long sentence corrected to a glossary word is a coincidence, not a typo).
        changed = sum(f != t for f, t in zip(fixed, typed, strict=True))
        words = sum(w not in FILLER for w in typed)
        near_name = any(edits <= typo_budget(key) for edits, key in near)
        misspelt = near_name or (changed > 0 and 2 * changed >= words)
        suggestions = self._suggestions(core, fixed, near)
        return LookupResult(query, suggestions=suggestions, misspelt=misspelt, corrected=changed > 0)

    def _matched(self, query: str, name: str, how: str) -> LookupResult:
        """The result for a name found: its (first) term, and all its meanings when it has several."""
        meanings = self.glossary.meanings(name)
        return LookupResult(query, self.exact[name], how, meanings=meanings if len(meanings) > 1 else ())

    def _inside(self, words: list[str]) -> Iterator[_Name]:
        """Names standing as whole words inside the text, the longest first."""
        seen: set[int] = set()
        for size in range(min(self.longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                gram = " ".join(words[start : start + size])
                if size == 1 and gram in FILLER:
                    continue
                term = self.exact.get(gram)
                if term is not None and id(term) not in seen:
                    seen.add(id(term))
                    yield _Name(gram, term, size, start)

    def _corrected(self, typed: list[str], fixed: list[str]) -> _Name | None:
        """The name the text holds once each misspelt word is corrected alone: the whole
        text (`idempotencyy kee`), or else the longest name inside it that keeps at least
        one word as typed, so one misspelt word alone (`call` for cell) is never enough."""
        for words in (fixed, [w for w in fixed if w not in FILLER]):
            term = self.exact.get(" ".join(words))
            if term is not None:
                return _Name(" ".join(words), term, len(words))
        for name in self._inside(fixed):
            span = range(name.start, name.start + name.size)
            if any(fixed[i] == typed[i] for i in span) and any(fixed[i] != typed[i] for i in span):
                return name
        return None

    def _near(self, head: str, core: str) -> list[Near]:
        """Names within NEAR_EDITS of the text without its filler words, and with them when
        some name holds one of them."""
        near = self._names.within(core, NEAR_EDITS)
        if head != core and not self._filler_in_names.isdisjoint(head.split()):
            near += self._names.within(head, NEAR_EDITS)
        return near

    def _typo(self, near: list[Near]) -> _Name | None:
        """The name of the one term the text is a typo of, within that name's budget."""
        best: dict[int, Near] = {}
        for edits, key in near:
            if edits <= typo_budget(key):
                name = id(self.exact[key])
                if name not in best or edits < best[name][0]:
                    best[name] = (edits, key)
        if not best:
            return None
        fewest = min(edits for edits, _ in best.values())
        winners = [key for edits, key in best.values() if edits == fewest]
        if len(winners) > 1:
            return None
        return _Name(winners[0], self.exact[winners[0]], len(winners[0].split()))

    def _correct(self, word: str) -> str:
        """The one glossary word a misspelt word is a typo of, or the word itself."""
        if word in FILLER or word in self._with_word or typo_budget(word) == 0:
            return word
        # Within the budget of the word it becomes, too: `cass` never turns into `cas`.
        near = [(e, w) for e, w in self._words.within(word, typo_budget(word)) if e <= typo_budget(w)]
        if not near:
            return word
        fewest = min(edits for edits, _ in near)
        winners = [w for edits, w in near if edits == fewest]
        return winners[0] if len(winners) == 1 else word

    def _suggestions(self, core: str, fixed: list[str], near: list[Near]) -> tuple[Term, ...]:
        """Close terms, best first: near typos, names inside the corrected text, names sharing
        a word (by WRatio), and last two-edit neighbours of names too short for that budget."""
        ranked: dict[int, Term] = {}  # by identity: meanings that share a name are other terms

        def rank_near(entries: list[Near]) -> None:
            order = sorted(
                entries,
                key=lambda e: (e[0], -fuzz.ratio(core, e[1]), self._order[id(self.exact[e[1]])]),
            )
            for _, key in order:
                for term in self.glossary.meanings(key):
                    ranked.setdefault(id(term), term)

        usable = [(e, k) for e, k in near if e < min(len(core), len(k))]
        rank_near([(e, k) for e, k in usable if e <= max(1, typo_budget(k))])
        for name in self._inside(fixed):
            for term in self.glossary.meanings(name.name):
                ranked.setdefault(id(term), term)
        fixed_core = " ".join(w for w in fixed if w not in FILLER)
        shared = Counter(
            key for word in dict.fromkeys(fixed_core.split()) for key in self._with_word.get(word, ())
        )
        if shared:
            keys = [key for key, _ in shared.most_common(MAX_SCORED)]
            scored = process.extract(
                fixed_core, keys, scorer=fuzz.WRatio, processor=None, score_cutoff=CLOSE, limit=None
            )
            scored.sort(key=lambda s: (-s[1], self._order[id(self.exact[s[0]])]))
            for key, _, _ in scored:
                for term in self.glossary.meanings(key):
                    ranked.setdefault(id(term), term)
        rank_near(usable)
        return tuple(ranked.values())[:MAX_SUGGESTIONS]


def typo_budget(name: str) -> int:
    """How many edits still read as a typo of `name`: none for very short names."""
    if len(name) < 4:
        return 0
    return 1 if len(name) < 8 else 2
