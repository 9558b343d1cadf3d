"""Pure: glossary terms as editable text, checking a suggested term, and the approved overlay.

A suggestion carries a term as text (`TermText`).  It is checked with
`python -m bot check`'s own checks across terms, in memory, on the
workspace's glossary with the suggestion in place; each problem is mapped to
the modal field it is about, plus Slack's limits on each field.

Approved changes form an overlay on the glossary file, applied in order, one
chain of changes per term.  The file stays the source of truth:

* when the file holds a change's text (the overlay was exported and committed),
  that change and the ones before it are *caught up* and retire;
* each pending change applies when it was made against the text the file and
  the changes before it hold;
* otherwise the file changed the same term in another way since: the file
  wins, that change and the ones after it are retired as *conflicts*, and the
  caller logs them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import yaml

from bot.domain.glossary import KEY_SEPARATOR, Glossary, Term, name_problems
from bot.domain.text import normalise
from bot.domain.workspace import Workspace

FIELDS = ("term", "category", "definition", "trap", "aliases", "see_also")
LIMITS = {"term": 80, "category": 75, "definition": 1500, "trap": 1000}
NAME_LIMIT = 75  # an alias or see_also entry: it becomes a button or option text
MAX_NAMES = 10


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class TermText:
    term: str
    category: str
    definition: str
    trap: str
    aliases: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()

    @classmethod
    def of(cls, term: Term) -> TermText:
        return cls(term.term, term.category, term.definition, term.trap, term.aliases, term.see_also)

    def cleaned(self) -> TermText:
        """White space folded as the file's loader folds it; empty list entries dropped."""

        def names(values: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(v for v in (_squash(x) for x in values) if v)

        return TermText(
            _squash(self.term),
            _squash(self.category),
            _squash(self.definition),
            _squash(self.trap),
            names(self.aliases),
            names(self.see_also),
        )

    def to_term(self) -> Term:
        return Term(self.term, self.category, self.definition, self.trap, self.aliases, self.see_also)

    def to_dict(self) -> dict[str, object]:
        entry: dict[str, object] = {
            "term": self.term,
            "category": self.category,
            "definition": self.definition,
            "trap": self.trap,
        }
        if self.aliases:
            entry["aliases"] = list(self.aliases)
        if self.see_also:
            entry["see_also"] = list(self.see_also)
        return entry

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> TermText:
        data = json.loads(raw)
        return cls(
            str(data["term"]),
            str(data["category"]),
            str(data["definition"]),
            str(data["trap"]),
            tuple(str(a) for a in data.get("aliases", ())),
            tuple(str(s) for s in data.get("see_also", ())),
        )

    def text_of(self, name: str) -> str:
        value = getattr(self, name)
        return ", ".join(value) if isinstance(value, tuple) else str(value)


def changed_fields(old: TermText | None, new: TermText) -> list[tuple[str, str, str]]:
    """(field, old text, new text) for each field an edit changes; every field of a new term."""
    return [
        (name, old.text_of(name) if old else "", new.text_of(name))
        for name in FIELDS
        if old is None or old.text_of(name) != new.text_of(name)
    ]


def to_yaml(glossary: Glossary) -> str:
    """The glossary as a file `load_glossary` reads back (title and terms, in order)."""
    data = {"title": glossary.title, "terms": [TermText.of(t).to_dict() for t in glossary.terms]}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def problems_for(glossary: Glossary, suggested: TermText, replacing: str | None) -> dict[str, str]:
    """What is wrong with `suggested`, by field; empty when the glossary would take it.

    `replacing` names the term an edit replaces (None for a new term).  The checks are the
    file's: required fields (with Slack's limits on each), and `check`'s checks across terms
    (`bot.domain.glossary.name_problems`), run in memory on the glossary with the suggestion in place.
    """
    problems: dict[str, str] = {}
    for name, limit in LIMITS.items():
        value = getattr(suggested, name)
        if not value:
            problems[name] = "Required."
        elif len(value) > limit:
            problems[name] = f"At most {limit} characters (this has {len(value)})."
    for name in ("aliases", "see_also"):
        values = getattr(suggested, name)
        if len(values) > MAX_NAMES:
            problems[name] = f"At most {MAX_NAMES} names."
        elif any(len(v) > NAME_LIMIT for v in values):
            problems[name] = f"Each name at most {NAME_LIMIT} characters."
    # `replacing` is a name or a `Glossary.key`: the key keeps a name's other meanings in the check.
    replaced = glossary.get(replacing) if replacing is not None else None
    kept = [
        t
        for t in glossary.terms
        if replacing is None
        or (t is not replaced if KEY_SEPARATOR in replacing else normalise(t.term) != normalise(replacing))
    ]
    mine = suggested.to_term()
    for problem in name_problems([*kept, mine], "suggestion"):
        if problem.term == mine.term:
            message = re.sub(r" \(line \d+\)", "", problem.message)
            problems.setdefault(_field_of(message, suggested), message[:150])
    return problems


def _field_of(message: str, suggested: TermText) -> str:
    if "see_also" in message:
        return "see_also"
    if "duplicates" in message or "alias" in message:
        first = message.split("'")[1] if "'" in message else ""
        return (
            "term" if normalise(first) == normalise(suggested.term) and "alias" not in message else "aliases"
        )
    return next((name for name in FIELDS if f"'{name}'" in message), "term")


@dataclass(frozen=True)
class Change:
    """An approved change in the overlay: the term it changes (the normalised name of the term's
    chain: its name in the file, or its first name when it was added), its text, and the text it
    was made against (None for a new term)."""

    id: int
    term_key: str
    fields: TermText
    base: TermText | None


@dataclass
class Applied:
    glossary: Glossary
    caught_up: list[int] = field(default_factory=list)  # the file holds these now
    conflicts: list[int] = field(
        default_factory=list
    )  # the file (or an earlier change) changed the term another way

    def problems(self) -> list[str]:
        """What `check` would say of the glossary with the overlay applied (names across terms)."""
        return [str(p) for p in name_problems(self.glossary.terms, "overlay")]


def apply_changes(base: Glossary, changes: Iterable[Change]) -> Applied:
    """The file's glossary with the overlay applied (see the module docstring for the rule)."""
    chains: dict[str, list[Change]] = {}
    for change in sorted(changes, key=lambda c: c.id):
        chains.setdefault(change.term_key, []).append(change)
    terms = list(base.terms)
    applied = Applied(base)
    for key, chain in chains.items():
        in_file = _file_texts(base, key, chain)
        caught = max((i for i, c in enumerate(chain) if c.fields in in_file), default=-1)
        applied.caught_up += [c.id for c in chain[: caught + 1]]
        file_term = base.get(key) if caught < 0 else _file_term(base, chain[caught])
        text = TermText.of(file_term) if file_term is not None else None
        for index, change in enumerate(chain[caught + 1 :], start=caught + 1):
            if change.base != text:  # made against other text than the file and the changes before it hold
                applied.conflicts += [c.id for c in chain[index:]]
                break
            text = change.fields
        if text is not None and (file_term is None or TermText.of(file_term) != text):
            terms = _replace(terms, file_term, text.to_term())
    applied.glossary = Glossary(base.title, tuple(terms))
    return applied


def _entry_key(text: TermText) -> str:
    """The entry `text` is, by name and category (a name with several meanings is several entries);
    `Glossary.get` falls back to the name when no entry has that category."""
    return f"{text.term}{KEY_SEPARATOR}{text.category}"


def _file_term(base: Glossary, change: Change) -> Term | None:
    return base.get(_entry_key(change.fields)) or base.get(change.term_key)


def _file_texts(base: Glossary, key: str, chain: Sequence[Change]) -> list[TermText]:
    found = [base.get(key)] + [base.get(_entry_key(c.fields)) for c in chain]
    return [TermText.of(t) for t in found if t is not None]


def _replace(terms: list[Term], old: Term | None, new: Term) -> list[Term]:
    if old is None:
        return [*terms, new]
    return [new if t is old else t for t in terms]


class SuggestionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Suggestion:
    id: int
    workspace: Workspace
    author_id: str
    base_term: str | None
    fields: TermText
    base_fields: TermText | None
    state: SuggestionState
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    review_channel: str | None
    review_ts: str | None
    term_key: str
