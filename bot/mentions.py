"""Which glossary terms a message mentions: the "Explain terms" message shortcut's scan.

`MentionScanner(glossary)` compiles every name and alias of one glossary
snapshot into one Aho-Corasick automaton (`ahocorasick_rs`), once per snapshot;
`scan(text)` then reads a message in one pass, however many terms there are.
Names and message are folded alike (`bot.text.normalise`: case, punctuation, a
plural s), so a match is case-insensitive; a match counts only on whole words
("drainage" is not Drain), the longest at a place wins ("cold deploy" is Cold
deploy, not a stray "deploy"), and terms come back in order of first
appearance, each once.  Slack's markup in the message (`<@U…>`, `<!channel>`,
a link's address) is removed first: it names people and places, not terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick_rs

from bot.glossary import Glossary, Term
from bot.text import normalise

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


class MentionScanner:
    """An Aho-Corasick automaton over one glossary's names; build once per snapshot."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self._names = [name for name in glossary.names if name]
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self._names, matchkind=ahocorasick_rs.MATCHKIND_STANDARD)
            if self._names
            else None
        )

    def scan(self, text: str) -> list[Mention]:
        """Every name the text mentions as whole words, longest first, in order of appearance."""
        if self._automaton is None:
            return []
        haystack = normalise(plain_words(text))
        if not haystack:
            return []
        end = len(haystack)
        # Overlapping matches, kept only on word boundaries (a space or either end, since
        # `normalise` leaves single spaces between words); then, at each place, the longest,
        # and nothing that starts inside a match already taken.
        found = [
            (start, stop, index)
            for index, start, stop in self._automaton.find_matches_as_indexes(haystack, overlapping=True)
            if (start == 0 or haystack[start - 1] == " ") and (stop == end or haystack[stop] == " ")
        ]
        found.sort(key=lambda m: (m[0], -m[1]))
        mentions: list[Mention] = []
        seen: set[str] = set()
        taken = 0
        for start, stop, index in found:
            if start < taken:
                continue
            taken = stop
            name = self._names[index]
            terms = self.glossary.meanings(name)
            key = "|".join(str(id(t)) for t in terms)
            if key not in seen:
                seen.add(key)
                mentions.append(Mention(name, terms))
        return mentions
