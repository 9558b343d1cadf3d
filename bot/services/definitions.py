"""`/define`: what a person typed, looked up in their workspace's glossary and answered.

The lookup itself is pure (`bot.domain.lookup`); this adds the workspace's glossary,
the answer's blocks, and the statistics the glossary's owners read (buffered,
so a `/define` never waits for the database).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot import views
from bot.domain.comparisons import compared_terms
from bot.domain.descriptions import find as find_described
from bot.domain.text import normalise
from bot.domain.workspace import Workspace
from bot.services.core import Core
from bot.services.snapshots import Loaded
from bot.views.terms import explain_blocks, explain_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    text: str  # the fallback text, escaped
    blocks: views.kit.Blocks


@dataclass(frozen=True)
class Found:
    """What a text finds in one glossary snapshot: the answer, and the lookups it counts as."""

    answer: Answer
    lookups: tuple[tuple[str | None, str], ...]  # (term found or None, the text as looked up)


class Definitions:
    def __init__(self, core: Core) -> None:
        self.core = core

    def define(self, ws: Workspace, typed: str, suggest: bool = False) -> Answer:
        """The answer to `/define TEXT`; `suggest`: the workspace takes suggestions (offer them)."""
        found = self._find(self.core.glossary(ws), typed, suggest)
        for term, query in found.lookups:
            self._record(ws, term, query)
        return found.answer

    def _find(self, loaded: Loaded, typed: str, suggest: bool) -> Found:
        if normalise(typed) in ("", "help"):
            return Found(
                Answer(views.kit.plain(loaded.glossary.title), views.terms.help_blocks(loaded.glossary)), ()
            )
        compared = compared_terms(loaded.lookup, typed)
        if compared is not None:
            first, second = compared
            answer = Answer(
                views.kit.plain(f"{first.term} vs {second.term}"),
                views.terms.compare_blocks(loaded.glossary, first, second),
            )
            return Found(answer, ((first.term, ""), (second.term, "")))
        result = find_described(loaded.lookup, loaded.descriptions, typed)
        term = result.match.term if result.match else None
        answer = Answer(
            views.kit.plain(term or "No exact match"),
            views.terms.lookup_blocks(loaded.glossary, result, typed, suggest),
        )
        return Found(answer, ((term, result.query),))

    def _record(self, ws: Workspace, term: str | None, query: str) -> None:
        try:
            self.core.storage.stats.record(ws, term, None if term else query, self.core.clock())
        except SQLAlchemyError as exc:
            log.warning("lookup not recorded: %s", type(exc).__name__)

    def card(
        self, ws: Workspace, name: str, shared_by: str | None = None, suggest: bool = False
    ) -> Answer | None:
        """A term's card (for a button or a menu pick), or None when the term is gone."""
        glossary = self.core.glossary(ws).glossary
        term = glossary.get(name)
        if term is None:
            return None
        text = f"{term.term}: {term.definition}" if shared_by is not None else term.term
        return Answer(
            views.kit.plain(text),
            views.terms.term_blocks(glossary, term, shared_by=shared_by, suggest=suggest),
        )

    def explain(self, ws: Workspace, message: str) -> Answer:
        """The answer to "Explain terms" on a message: the terms it mentions (every meaning of a
        shared name), in order of appearance."""
        loaded = self.core.glossary(ws)
        terms = [term for mention in loaded.mentions.scan(message) for term in mention.terms]
        terms = list({id(t): t for t in terms}.values())
        return Answer(explain_text(terms), explain_blocks(loaded.glossary, terms))

    def options(self, ws: Workspace, block_id: str, typed: str) -> list[dict[str, object]]:
        return views.terms.category_options(self.core.glossary(ws).glossary, block_id, typed)

    def modal(self, ws: Workspace, name: str) -> dict[str, object] | None:
        glossary = self.core.glossary(ws).glossary
        term = glossary.get(name)
        return views.terms.term_modal(glossary, term) if term is not None else None
