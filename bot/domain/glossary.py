"""The glossary: the YAML file parsed into frozen values, validated as a whole.

`load_glossary(path)` returns a `Glossary` or raises `GlossaryError`, whose
`problems` list every fault found in the file at once (file, line, term and what
is wrong), so an author fixes a broken edit in one pass.  The YAML is read as a
node tree rather than a plain dict because loaders silently keep the last of two
equal keys, and because nodes carry the line numbers the report needs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.domain.text import normalise, quantity

REQUIRED_FIELDS = ("term", "category", "definition", "trap")
OPTIONAL_FIELDS = ("aliases", "see_also")
TOP_LEVEL_KEYS = ("title", "terms")


@dataclass(frozen=True)
class Term:
    term: str
    category: str
    definition: str
    trap: str
    aliases: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    line: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """The term's own name first, then its aliases."""
        return (self.term, *self.aliases)


KEY_SEPARATOR = "|"  # between name and category in the key of a term that shares its name


@dataclass(frozen=True)
class Glossary:
    """The terms, in file order.  Two entries may share a name or an alias when their categories
    differ (several meanings, "IC"); `get` and `names` then give the first in the file, and
    `meanings` gives them all.  `key(term)` identifies one entry in button values and storage."""

    title: str
    terms: tuple[Term, ...]
    _by_name: dict[str, Term] = field(default_factory=dict, compare=False, repr=False)
    _meanings: dict[str, tuple[Term, ...]] = field(default_factory=dict, compare=False, repr=False)
    _by_key: dict[tuple[str, str], Term] = field(default_factory=dict, compare=False, repr=False)
    # Terms whose name another entry shares, and each term's related terms once asked for: every
    # /define card asks both, and normalising names again on each request cost more than the rest
    # of the card.  Related lists are filled as terms are shown (a dict write is atomic), at most
    # one per term.
    _shared: frozenset[Term] = field(default=frozenset(), compare=False, repr=False)
    _related: dict[tuple[Term, int], tuple[Term, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        index: dict[str, Term] = {}
        meanings: dict[str, list[Term]] = {}
        by_key: dict[tuple[str, str], Term] = {}
        for term in self.terms:
            by_key.setdefault((normalise(term.term), normalise(term.category)), term)
            for name in term.names:
                key = normalise(name)
                index.setdefault(key, term)
                found = meanings.setdefault(key, [])
                if term not in found:
                    found.append(term)
        object.__setattr__(self, "_by_name", index)
        object.__setattr__(self, "_meanings", {k: tuple(v) for k, v in meanings.items()})
        object.__setattr__(self, "_by_key", by_key)
        shared = {t for t in self.terms if len(self._meanings.get(normalise(t.term), ())) > 1}
        object.__setattr__(self, "_shared", frozenset(shared))

    def get(self, name: str) -> Term | None:
        """The term a key (`key`) names, else the first term whose name or alias normalises to the
        same text, if any."""
        if KEY_SEPARATOR in name:
            head, _, category = name.rpartition(KEY_SEPARATOR)
            term = self._by_key.get((normalise(head), normalise(category)))
            if term is not None:
                return term
        return self._by_name.get(normalise(name))

    def meanings(self, name: str) -> tuple[Term, ...]:
        """Every term whose name or alias normalises to the same text, in file order."""
        return self._meanings.get(normalise(name), ())

    def shared(self, term: Term) -> bool:
        """Whether another entry has the same name as `term` (a term with several meanings)."""
        return term in self._shared

    def key(self, term: Term) -> str:
        """What identifies `term` in a button value or a stored question: its name, or, when
        another entry shares that name, the name and category ("IC|People")."""
        return f"{term.term}{KEY_SEPARATOR}{term.category}" if self.shared(term) else term.term

    def label(self, term: Term) -> str:
        """The term's name, with its category when the name has several meanings."""
        return f"{term.term} ({term.category})" if self.shared(term) else term.term

    def label_of(self, key: str) -> str:
        """What people read for a stored key (`key`): the term's label; for a term no longer in
        the glossary, its name, with its category when the key had one ("IC (People)")."""
        term = self.get(key)
        if term is not None:
            return self.label(term)
        name, separator, category = key.rpartition(KEY_SEPARATOR)
        return f"{name} ({category})" if separator else key

    @property
    def names(self) -> dict[str, Term]:
        """Every normalised name and alias, mapped to its (first) term."""
        return self._by_name

    def categories(self) -> dict[str, list[Term]]:
        """Terms grouped by category, both in file order."""
        grouped: dict[str, list[Term]] = {}
        for term in self.terms:
            grouped.setdefault(term.category, []).append(term)
        return grouped

    def related(self, term: Term, limit: int = 5) -> list[Term]:
        """The see_also terms first, then others of the same category.  A see_also name with
        several meanings stands for those of the term's own category, or else for all of them."""
        known = self._related.get((term, limit))
        if known is None:
            known = self._related[(term, limit)] = tuple(self._find_related(term, limit))
        return list(known)

    def _find_related(self, term: Term, limit: int) -> list[Term]:
        seen = {id(term)}
        out: list[Term] = []
        candidates: list[Term] = []
        for ref in term.see_also:
            meanings = [t for t in self.meanings(ref) if t is not term]
            candidates += [t for t in meanings if t.category == term.category] or list(meanings)
        candidates += [t for t in self.terms if t.category == term.category]
        for other in candidates:
            if id(other) not in seen:
                seen.add(id(other))
                out.append(other)
        return out[:limit]


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    term: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        about = f" term '{self.term}':" if self.term else ""
        return f"{where}:{about} {self.message}"


class GlossaryError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        head = f"{quantity(count, 'problem')} in the glossary:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def load_glossary(path: str | Path) -> Glossary:
    """Read and validate a glossary file; raise GlossaryError listing every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GlossaryError([Problem(str(path), 0, None, "file not found")]) from None
    except OSError as exc:
        raise GlossaryError([Problem(str(path), 0, None, f"cannot read the file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GlossaryError([Problem(str(path), line, None, "the file is not valid UTF-8")]) from None
    return parse_glossary(text, str(path))


def parse_glossary(text: str, path: str = "<glossary>") -> Glossary:
    """Validate glossary YAML text; raise GlossaryError listing every problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        raise GlossaryError([Problem(path, line, None, f"YAML syntax error: {reason}")]) from None
    checker = _Checker(path)
    glossary = checker.check_root(root)
    if checker.problems or glossary is None:
        raise GlossaryError(checker.problems)
    return glossary


def name_problems(terms: Sequence[Term], path: str = "<glossary>") -> list[Problem]:
    """The checks `check` makes across terms, on terms already parsed: names and aliases unique
    ignoring case and punctuation, no name without letters, see_also naming real terms."""
    checker = _Checker(path)
    checker.check_names(list(terms))
    return checker.problems


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return "a text value"


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        # Every entry that has a name, faulty or not: its names still clash with
        # other names and still satisfy see_also, so those problems are reported
        # in the same pass instead of after the author fixes the entry.
        self.named: list[Term] = []

    def fail(self, node: Node | None, term: str | None, message: str) -> None:
        self.problems.append(Problem(self.path, _line(node) if node is not None else 0, term, message))

    def pairs(
        self, node: MappingNode, term: str | None, known: tuple[str, ...]
    ) -> Iterator[tuple[str, Node]]:
        """Key/value pairs of a mapping, reporting duplicate and unknown keys."""
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            if key in seen:
                self.fail(key_node, term, f"duplicate key '{key}' (YAML would silently keep only the last)")
                continue
            seen.add(key)
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else f" (expected one of: {', '.join(known)})"
                self.fail(key_node, term, f"unknown key '{key}'{extra}")
                continue
            yield key, value_node

    def check_root(self, root: Node | None) -> Glossary | None:
        if root is None:
            self.fail(None, None, "the file is empty; it needs 'title' and a list of 'terms'")
            return None
        if not isinstance(root, MappingNode):
            self.fail(
                root, None, f"the top level must be a mapping with 'title' and 'terms', not {_describe(root)}"
            )
            return None
        title = "Glossary"
        terms_node: Node | None = None
        for key, value in self.pairs(root, None, TOP_LEVEL_KEYS):
            if key == "title":
                title = self.text(value, None, "title") or title
            else:
                terms_node = value
        if terms_node is None:
            self.fail(root, None, "missing 'terms': the list of terms")
            return None
        if not isinstance(terms_node, SequenceNode):
            self.fail(terms_node, None, f"'terms' must be a list, not {_describe(terms_node)}")
            return None
        terms = [t for t in (self.check_term(node) for node in terms_node.value) if t is not None]
        if not terms_node.value:
            self.fail(terms_node, None, "'terms' is empty; add at least one term")
        self.check_names(self.named)
        return Glossary(title=title, terms=tuple(terms))

    def text(self, node: Node, term: str | None, key: str) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag.endswith((":null",)):
            got = "nothing" if isinstance(node, ScalarNode) else _describe(node)
            self.fail(node, term, f"'{key}' must be text, not {got}")
            return None
        value = " ".join(str(node.value).split())
        if not value:
            self.fail(node, term, f"'{key}' is empty")
            return None
        return value

    def text_list(self, node: Node, term: str | None, key: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return ()
        if not isinstance(node, SequenceNode):
            example = str(node.value) if isinstance(node, ScalarNode) else "..."
            self.fail(node, term, f"'{key}' must be a list, for example {key}: [{example}]")
            return ()
        values = (self.text(item, term, f"{key} entry") for item in node.value)
        return tuple(v for v in values if v is not None)

    def check_term(self, node: Node) -> Term | None:
        if not isinstance(node, MappingNode):
            self.fail(node, None, f"each entry of 'terms' must be a mapping, not {_describe(node)}")
            return None
        name_node = next((v for k, v in node.value if getattr(k, "value", None) == "term"), None)
        label = str(name_node.value) if isinstance(name_node, ScalarNode) and name_node.value else None
        fields: dict[str, str | None] = {}
        lists: dict[str, tuple[str, ...]] = {}
        for key, value in self.pairs(node, label, REQUIRED_FIELDS + OPTIONAL_FIELDS):
            if key in REQUIRED_FIELDS:
                fields[key] = self.text(value, label, key)
            else:
                lists[key] = self.text_list(value, label, key)
        missing = [k for k in REQUIRED_FIELDS if k not in fields]
        for key in missing:
            self.fail(node, label, f"missing '{key}'")
        entry = Term(
            term=fields.get("term") or "",
            category=fields.get("category") or "",
            definition=fields.get("definition") or "",
            trap=fields.get("trap") or "",
            aliases=lists.get("aliases", ()),
            see_also=lists.get("see_also", ()),
            line=_line(node),
        )
        if entry.term:
            self.named.append(entry)
        if missing or any(fields[k] is None for k in REQUIRED_FIELDS):
            return None
        return entry

    def check_names(self, terms: list[Term]) -> None:
        """Terms and aliases must be unique ignoring case and punctuation within a category (two
        categories may share a name: several meanings); see_also must resolve."""
        owner: dict[tuple[str, str], Term] = {}
        holders: dict[str, list[Term]] = {}
        for term in terms:
            category = normalise(term.category)
            for name in term.names:
                key = normalise(name)
                if not key:
                    self.problems.append(
                        Problem(self.path, term.line, term.term, f"name '{name}' has no letters")
                    )
                    continue
                holders.setdefault(key, []).append(term)
                first = owner.setdefault((key, category), term)
                if first is term and name != term.term and normalise(term.term) == key:
                    self.problems.append(
                        Problem(self.path, term.line, term.term, f"alias '{name}' repeats the term itself")
                    )
                elif first is not term:
                    self.problems.append(
                        Problem(
                            self.path,
                            term.line,
                            term.term,
                            f"'{name}' duplicates '{first.term}' (line {first.line}) ignoring case and "
                            f"punctuation, in the same category '{term.category}'",
                        )
                    )
        for term in terms:
            names = {normalise(n) for n in term.names}
            for ref in term.see_also:
                key = normalise(ref)
                if key not in holders:
                    self.problems.append(
                        Problem(
                            self.path, term.line, term.term, f"see_also '{ref}' names no term in the glossary"
                        )
                    )
                elif key in names and all(t is term for t in holders[key]):
                    self.problems.append(
                        Problem(self.path, term.line, term.term, "see_also names the term itself")
                    )
