"""Which glossary terms a message mentions: the "Explain terms" message shortcut's scan.

`MentionScanner(glossary)` compiles every name and alias of one glossary
snapshot into one Aho-Corasick automaton (`ahocorasick_rs`, over words rather
than letters), once per snapshot; `scan(text)` then reads a message in one pass,
however many terms there are.
Names and message are folded alike (`bot.domain.text.normalise`: case, punctuation, a
plural s), so a match is case-insensitive; a match counts only on whole words
("drainage" is not Drain), the longest at a place wins ("cold deploy" is Cold
deploy, not a stray "deploy"), and terms come back in order of first
appearance, each once.  Slack's markup in the message (`<@U…>`, `<!channel>`,
a link's address) is removed first: it names people and places, not terms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import ahocorasick_rs

from bot.domain.glossary import Glossary, Term
from bot.domain.text import normalise

_WORDS = re.compile(r"\w+")  # the words `normalise` keeps, once `_` is a space as there
# <@U123>, <#C123|name>, <!here>, <!subteam^S1|@team>: gone; <https://x|label>: its label stays.
_SLACK_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


@dataclass(frozen=True)
class Mention:
    name: str  # the normalised name or alias found
    terms: tuple[Term, ...]  # its meanings (one, or several when entries share the name)


def plain_words(text: str) -> str:
    """A Slack message's text without its markup: mentions and broadcasts dropped, links' labels kept."""

    def keep(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#", "!")):
            return " "
        return f" {label or ''} "

    text = _SLACK_MARKUP.sub(keep, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _symbol(index: int) -> str:
    """The one character standing for the vocabulary's `index`-th word (never a surrogate, never a space)."""
    point = 0x100 + index
    return chr(point + 0x800 if point >= 0xD800 else point)


class MentionScanner:
    """An Aho-Corasick automaton over one glossary's names; build once per snapshot.

    The automaton reads words, not letters: each word of the glossary's names is one character
    (`_symbol`), any other word a space.  A match is then whole words by construction
    ("drainage" is another word than "drain"), and the automaton's leftmost-longest search is
    exactly "the longest name at the first place", with no per-match work in Python.
    """

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self._names = [name for name in glossary.names if name]
        self._meanings = [glossary.meanings(name) for name in self._names]
        words = dict.fromkeys(word for name in self._names for word in name.split())
        self._symbols = {word: _symbol(index) for index, word in enumerate(words)}
        patterns = ["".join(self._symbols[w] for w in name.split()) for name in self._names]
        # A message's words are looked up as typed (folded), without `normalise`'s per-word
        # plural rule, which costs more than the whole automaton: the plural that folds to a
        # name's word is in the table too.
        for word, symbol in list(self._symbols.items()):
            if normalise(word + "s") == word:
                self._symbols.setdefault(word + "s", symbol)
        self._automaton = (
            ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST)
            if patterns
            else None
        )

    def scan(self, text: str) -> list[Mention]:
        """Every name the text mentions as whole words, longest first, in order of appearance."""
        if self._automaton is None:
            return []
        symbols = self._symbols
        folded = unicodedata.normalize("NFKC", plain_words(text)).casefold().replace("_", " ")
        haystack = "".join([symbols.get(word, " ") for word in _WORDS.findall(folded)])
        mentions: list[Mention] = []
        seen: set[int] = set()
        listed: set[int] = set()  # ids of the terms already listed
        for index, _, _ in self._automaton.find_matches_as_indexes(haystack):
            if index in seen:
                continue
            seen.add(index)
            name, terms = self._names[index], self._meanings[index]
            if all(id(t) in listed for t in terms):
                continue  # another name of terms already listed (an alias after the name)
            listed.update(id(t) for t in terms)
            mentions.append(Mention(name, terms))
        return mentions
