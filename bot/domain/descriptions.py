"""Finding a term from a description: "stop taking new work but let running jobs finish" is Drain.

`DescriptionIndex(glossary)` is an in-memory SQLite FTS5 table of one glossary
snapshot (one row per entry: name, aliases, definition, trap), tokenised with
the Porter stemmer, so "finish", "finished" and "finishing" meet.  `search`
drops stop words, ORs the remaining words (a question never holds every word
of a definition) and ranks by `bm25` weighted name > aliases > definition >
trap.  Each hit also says how many of the question's words it holds, which is
what tells a description apart from one word in common.

`find(lookup, index, text)` merges this with the name lookup (`bot.domain.lookup`) by
reciprocal rank fusion.  An exact name or alias, a typo of one (matched, or
only close enough to be suggested), and a name that is the whole question are
answered exactly as before, untouched; a name only standing somewhere inside a
longer question, or no name at all, is where the description search has its say.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass

from bot.domain.glossary import Glossary, Term
from bot.domain.lookup import FILLER, Lookup, LookupResult
from bot.domain.text import normalise

# Words that carry no meaning in a description; dropped before searching.
_STOP_TEXT = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers how i if in into is it its itself just let lets like me more most my
no nor not now of off on once only or other our out over own same she should so some such than that
the their them then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your thing things stuff something
someone somebody word term called call name named mean means meaning way kind sort one ones get gets
whats
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
WEIGHTS = (10.0, 6.0, 2.0, 1.0)  # bm25 column weights: name, aliases, definition, trap
MAX_WORDS = 24  # words of a question searched; the rest are ignored
SEARCHED = 20  # hits read from the index per question
RRF_K = 10  # reciprocal rank fusion constant: small, because only the first few ranks matter here
CONFIDENT_RATIO = 1.4  # the first hit's score over the second's for a description to be shown alone
SHOWN = 3  # "Did you mean" choices for a description

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    term: Term
    score: float  # -bm25: higher is better
    words: int  # how many of the question's words the entry holds (counted for the first hit only)


def _quoted(word: str) -> str:
    """A word as an FTS5 string, so that no word of a question is read as query syntax."""
    return '"' + word.replace('"', "") + '"'


def content_words(text: str) -> list[str]:
    """The words of a question that can find a term: lower-case, no stop words, each once."""
    words = (w for w in _WORD.findall(text.casefold()) if w not in STOP_WORDS and w not in FILLER)
    return list(dict.fromkeys(w for w in words if len(w) > 1 or w.isdigit()))[:MAX_WORDS]


class DescriptionIndex:
    """An FTS5 index over one glossary snapshot; build once per snapshot, share between threads."""

    def __init__(self, glossary: Glossary) -> None:
        self.terms = glossary.terms
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()  # one connection; SQLite serialises, this keeps cursors apart
        self._db.execute(
            "CREATE VIRTUAL TABLE entries USING fts5("
            "name, aliases, definition, trap, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        self._db.executemany(
            "INSERT INTO entries (rowid, name, aliases, definition, trap) VALUES (?, ?, ?, ?, ?)",
            [
                (index, t.term, " ; ".join(t.aliases), t.definition, t.trap)
                for index, t in enumerate(self.terms)
            ],
        )
        self._db.commit()

    def search(self, text: str, limit: int = SEARCHED) -> list[Hit]:
        """Entries holding any of the question's words, the best first by weighted bm25; the first
        also says how many of the words it holds (the others, which no decision reads, 0)."""
        words = content_words(text)
        if not words:
            return []
        weights = ", ".join(str(w) for w in WEIGHTS)
        with self._lock:
            rows = self._db.execute(
                f"SELECT rowid, -bm25(entries, {weights}) FROM entries WHERE entries MATCH ? "
                f"ORDER BY bm25(entries, {weights}) LIMIT ?",
                (" OR ".join(_quoted(w) for w in words), limit),
            ).fetchall()
            held = self._held(words, rows[0][0]) if rows else 0
        return [
            Hit(self.terms[rowid], float(score), held if index == 0 else 0)
            for index, (rowid, score) in enumerate(rows)
        ]

    def _held(self, words: list[str], rowid: int) -> int:
        """How many of `words` the row holds, stemmed as the index stems them."""
        found = 0
        for word in words:
            query = "SELECT 1 FROM entries WHERE entries MATCH ? AND rowid = ?"
            found += self._db.execute(query, (_quoted(word), rowid)).fetchone() is not None
        return found

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _names_whole_question(result: LookupResult) -> bool:
    """Whether the question is the matched name itself (fillers aside): `what is a route epoch?`."""
    if result.match is None:
        return False
    core = " ".join(w for w in result.query.split() if w not in FILLER) or result.query
    return any(normalise(name) == core for name in result.match.names)


def _confident(hits: list[Hit], asked: int) -> bool:
    """Whether the first hit alone answers: it holds two of the question's words (or all of a
    one-word question) and scores clearly above the second."""
    first, second = hits[0], hits[1] if len(hits) > 1 else None
    clear = second is None or first.score >= CONFIDENT_RATIO * second.score
    return clear and first.words >= min(2, asked)


def find(lookup: Lookup, index: DescriptionIndex, text: str) -> LookupResult:
    """The name lookup, merged with the description search where names alone do not decide."""
    result = lookup.find(text)
    if result.how in ("exact", "fuzzy") or _names_whole_question(result) or result.misspelt:
        return result  # a name, or a name misspelt: answered by names alone, as it always was
    asked = len(content_words(text))
    hits = index.search(text)
    if not hits:
        return result
    by_name = ([result.match] if result.match is not None else []) + list(result.suggestions)
    fused: dict[int, float] = {}
    terms: dict[int, Term] = {}
    for ranking in (by_name, [h.term for h in hits]):
        for rank, term in enumerate(ranking, start=1):
            fused[id(term)] = fused.get(id(term), 0.0) + 1.0 / (RRF_K + rank)
            terms.setdefault(id(term), term)
    order = sorted(fused, key=lambda key: -fused[key])
    if result.corrected and result.suggestions:
        # A word corrected to a glossary word ("explain jestream for the deploy review"): the
        # name it was corrected towards stays first, as before; descriptions fill the rest.
        pinned = id(result.suggestions[0])
        order = [pinned, *(key for key in order if key != pinned)]
    best = terms[order[0]]
    if best is hits[0].term and _confident(hits, asked) and result.match in (None, best):
        return LookupResult(result.query, best, "described" if result.match is None else result.how)
    if result.match is not None and best is result.match and hits[0].term is best:
        return result
    return LookupResult(result.query, suggestions=tuple(terms[key] for key in order[:SHOWN]))


class Finder:
    """What `/define` looks up with, the name lookup and the description index of one glossary, as
    one object: the benchmarks' handle on `find` (`bench/lookup.py`)."""

    def __init__(self, lookup: Lookup, index: DescriptionIndex) -> None:
        self.lookup = lookup
        self.index = index
        self.glossary = lookup.glossary

    @classmethod
    def of(cls, glossary: Glossary) -> Finder:
        return cls(Lookup(glossary), DescriptionIndex(glossary))

    def find(self, text: str) -> LookupResult:
        return find(self.lookup, self.index, text)
