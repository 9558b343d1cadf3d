"""Pure text helpers shared by lookup, rendering and storage.

`normalise` folds what people type (case, white space, hyphens, punctuation, a
plural s) into one comparable form.  `escape_mrkdwn` makes any text safe to show
in Slack's mrkdwn: `&`, `<` and `>` become entities, so text a user typed can
never become a mention, a broadcast (`<!channel>`) or a link.  `clip` shortens
text to a Block Kit limit without cutting an entity in half.  `quantity` writes
a number with its noun in the right form ("1 category", "2 categories").
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, without punctuation or plural s."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    words = _NON_WORD.sub(" ", folded).split()
    return " ".join(_singular(w) for w in words)


def strip_control(text: str) -> str:
    """Remove control characters (keeping newline and tab) from user input."""
    return _CONTROL.sub("", text)


def escape_mrkdwn(text: str) -> str:
    """Escape text for Slack mrkdwn: ampersand first, then angle brackets."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut, never mid-entity."""
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""  # not even the ellipsis fits
    cut = text[: max(limit - 1, 0)]
    cut = _ENTITY_TAIL.sub("", cut)
    return cut + "…"


def plural_of(noun: str) -> str:
    """The English plural of a regular noun: category → categories, match → matches, term → terms."""
    if noun.endswith("y") and noun[-2:-1] not in ("", "a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def quantity(count: int, noun: str, many: str | None = None) -> str:
    """`count` and its noun, singular only for exactly one: "1 wrong answer", "0 wrong answers".

    `many` gives an irregular plural ("person", "people")."""
    return f"{count} {noun if count == 1 else many or plural_of(noun)}"
