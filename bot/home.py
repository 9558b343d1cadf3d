"""The App Home tab and private practice: what one person sees of their own learning.

`HomeService.publish(user)` renders the Home tab (progress, this week's rank in
each channel played, the glossary, a Practice button) and sends it with
`views.publish`.  After each quiz answer the user's Home is marked stale and a
scheduled job republishes stale Homes in small batches, so a burst of clicks
does not become a burst of `views.publish` calls.  Practice questions live in a
modal; the modal's private metadata names the term, kind and seed, so the
answer is judged against the rebuilt question, never against the click alone.
Practice answers go to their own tables and never reach a leaderboard.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from dataclasses import dataclass

from slack_sdk import WebClient

from bot import blocks
from bot.glossary_source import GlossarySource
from bot.practice import after_answer, next_term
from bot.quiz import KINDS, Question, build_question, is_valid_choice
from bot.service import Clock, Service
from bot.slack_client import SLACK_FAILURES
from bot.store import Store

log = logging.getLogger(__name__)
PUBLISH_BATCH = 8  # per 5-second run: about 96 views.publish a minute, under Tier 4 (about 100)


@dataclass(frozen=True)
class PracticeMeta:
    term: str
    kind: str
    seed: int

    @classmethod
    def parse(cls, raw: str) -> PracticeMeta | None:
        try:
            data = json.loads(raw)
            meta = cls(str(data["term"]), str(data["kind"]), int(data["seed"]))
        except (ValueError, TypeError, KeyError):
            return None
        return meta if meta.kind in KINDS else None


class HomeService:
    def __init__(
        self,
        store: Store,
        client: WebClient,
        source: GlossarySource,
        service: Service,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.source = source
        self.service = service
        self.clock = clock
        self.rng = rng or random.Random()
        self._stale: set[str] = set()
        self._lock = threading.Lock()

    # -- Home tab ----------------------------------------------------------------

    def view_for(self, user_id: str) -> dict[str, object]:
        progress = self.store.user_progress(user_id)
        ranks: list[tuple[str, int | None]] = []
        for channel in self.store.user_channels(user_id)[:10]:
            board = self.service.board(channel, user_id, last=False)
            ranks.append((channel, board.caller.rank if board.caller else None))
        return blocks.home_view(
            self.source.glossary,
            progress.answered,
            progress.right,
            progress.streak,
            ranks,
            self.store.practice_count(user_id),
        )

    def publish(self, user_id: str) -> None:
        self.client.views_publish(user_id=user_id, view=self.view_for(user_id))

    def mark_stale(self, user_id: str) -> None:
        with self._lock:
            self._stale.add(user_id)

    def publish_stale(self) -> int:
        """Republish Homes of users who answered since; at most a batch per run."""
        with self._lock:
            batch = sorted(self._stale)[:PUBLISH_BATCH]
            self._stale.difference_update(batch)
        for user_id in batch:
            try:
                self.publish(user_id)
            except SLACK_FAILURES as exc:
                log.warning("Home tab not refreshed (%s)", type(exc).__name__)
        return len(batch)

    # -- practice ------------------------------------------------------------------

    def _question(self, meta: PracticeMeta) -> Question | None:
        glossary = self.source.glossary
        term = glossary.get(meta.term)
        if term is None:
            return None
        return build_question(glossary, term, meta.kind, random.Random(meta.seed))

    def next_question(self, user_id: str, last: str | None = None) -> dict[str, object]:
        glossary = self.source.glossary
        cards = {c.term: c for c in self.store.practice_cards(user_id)}
        names = [t.term for t in glossary.terms]
        term = next_term(names, cards, self.clock(), self.rng, last)
        meta = PracticeMeta(term, self.rng.choice(KINDS), self.rng.randrange(1 << 30))
        question = self._question(meta)
        assert question is not None
        return blocks.practice_question_view(question, meta.term, meta.kind, meta.seed)

    def answer(self, user_id: str, raw_meta: str, choice: int) -> dict[str, object] | None:
        """Judge a practice answer, move the card, and return the feedback view."""
        meta = PracticeMeta.parse(raw_meta)
        question = self._question(meta) if meta is not None else None
        if meta is None or question is None or not is_valid_choice(len(question.choices), choice):
            return None
        correct = choice == question.correct
        now = self.clock()
        cards = {c.term: c for c in self.store.practice_cards(user_id)}
        card = after_answer(cards.get(meta.term), meta.term, correct, now)
        self.store.save_practice(user_id, card, meta.kind, correct, now)
        term = self.source.glossary.get(meta.term)
        return blocks.practice_feedback_view(question, choice, term, card.box, meta.term)
