"""Growing and correcting the glossary from Slack, with its owners reviewing every change.

Anyone may suggest a new term (from a `/define` miss) or an edit (from a term's
card); suggestions are on only when the workspace has glossary owners.  A
suggestion is checked as `python -m bot check` checks the file, then posted to
the review channel (or listed in the owners' Home tab) with Approve and Reject.
Only owners decide; a decision is recorded once.  Approved changes become the
workspace's overlay (`bot.services.overlays`): live in `/define`, the quiz, the
Home tab and practice on every process within seconds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot import views
from bot.domain.edits import Change, Suggestion, TermText, problems_for
from bot.domain.text import normalise
from bot.domain.workspace import Workspace
from bot.services.admins import Admins
from bot.services.core import UNREACHABLE, Core
from bot.services.overlays import Overlays
from bot.services.people import People
from bot.storage.suggestions import MAX_PENDING_PER_PERSON
from bot.views import suggestions as suggestion_views

log = logging.getLogger(__name__)
HOME_PENDING = 10  # pending suggestions listed in an owner's Home tab (4 blocks each; a Home holds 100)
MAX_LISTED_PENDING = 200  # the oldest pending suggestions looked at for those not in the review channel


class Decision(StrEnum):
    DONE = "done"
    NOT_OWNER = "not_owner"
    NOT_FOUND = "not_found"
    ALREADY = "already"
    STALE = "stale"  # the term changed since the suggestion was made
    INVALID = "invalid"  # approving it would break the glossary's rules


@dataclass(frozen=True)
class Submitted:
    errors: dict[str, str]  # by block id; empty when accepted
    suggestion: Suggestion | None = None


class SuggestionBox:
    def __init__(self, core: Core, admins: Admins, people: People, overlays: Overlays) -> None:
        self.core = core
        self.admins = admins
        self.people = people
        self.overlays = overlays

    def enabled(self, ws: Workspace) -> bool:
        return bool(self.admins.glossary_owners(ws))

    def is_owner(self, ws: Workspace, user_id: str) -> bool:
        return user_id in self.admins.glossary_owners(ws)

    # -- suggesting ---------------------------------------------------------------

    def modal(self, ws: Workspace, typed: str = "", edit: str | None = None) -> dict[str, object] | None:
        """The suggestion form: new (prefilled with what was typed) or an edit; None if suggestions are off."""
        if not self.enabled(ws):
            return None
        glossary = self.core.glossary(ws).glossary
        term = glossary.get(edit) if edit else None
        if edit and term is None:
            return None
        current = TermText.of(term) if term is not None else None
        base_term = glossary.key(term) if term else None  # one meaning of a shared name
        return suggestion_views.suggestion_modal(glossary, current, typed, base_term=base_term)

    def submit(self, ws: Workspace, user_id: str, values: dict[str, str], base_term: str | None) -> Submitted:
        """Check and store a suggestion; `errors` by block id when it cannot be taken as it is."""
        if not self.enabled(ws):
            return Submitted({suggestion_views.BLOCK_OF["term"]: "Suggestions are off in this workspace."})
        glossary = self.core.glossary(ws).glossary
        base = glossary.get(base_term) if base_term else None
        if base_term and base is None:
            return Submitted({suggestion_views.BLOCK_OF["term"]: "That term is no longer in the glossary."})
        suggested, category_problem = suggestion_views.term_from_form(values)
        problems = problems_for(glossary, suggested, glossary.key(base) if base else None)
        if category_problem:
            problems["category"] = category_problem
        if base is not None and TermText.of(base) == suggested:
            problems["term"] = "Nothing changed: edit a field to suggest a change."
        if problems:
            return Submitted(suggestion_views.modal_errors(problems))
        old = TermText.of(base) if base else None
        key = self.overlays.key_of(ws, base.term) if base else normalise(suggested.term)
        stored = self.core.storage.suggestions.create(
            ws, user_id, suggested, old, glossary.key(base) if base else None, key, self.core.clock()
        )
        if stored is None:
            message = f"You already have {MAX_PENDING_PER_PERSON} suggestions waiting for review; wait for a decision first."
            return Submitted({suggestion_views.BLOCK_OF["term"]: message})
        return Submitted({}, stored)

    def announce(self, suggestion: Suggestion) -> None:
        """Post the suggestion for review (with no review channel, owners see it in their Home tab)."""
        ws = suggestion.workspace
        channel = self.admins.review_channel(ws)
        if not channel:
            return
        author = self.people.name(ws, suggestion.author_id)
        response = self.core.client(ws).chat_postMessage(
            channel=channel,
            text=views.kit.plain(f"Glossary suggestion #{suggestion.id}: {suggestion.fields.term}"),
            blocks=suggestion_views.review_blocks(
                suggestion.id, author, suggestion.base_fields, suggestion.fields
            ),
            unfurl_links=False,
        )
        self.core.storage.suggestions.set_review_message(suggestion.id, channel, str(response["ts"]))

    # -- deciding -----------------------------------------------------------------

    def decide(
        self, ws: Workspace, suggestion_id: int, approve: bool, by: str, reason: str | None = None
    ) -> tuple[Decision, Suggestion | None]:
        """Record an owner's decision once; anyone else's changes nothing."""
        if not self.is_owner(ws, by):
            return Decision.NOT_OWNER, None
        suggestions = self.core.storage.suggestions
        existing = suggestions.get(ws, suggestion_id)
        if existing is None:
            return Decision.NOT_FOUND, None
        if approve and existing.state == "pending":
            problem = self._approvable(ws, existing)
            if problem is not None:
                return problem, existing
        decided = suggestions.decide(ws, suggestion_id, approve, by, self.core.clock(), reason)
        if decided is None:
            return Decision.ALREADY, existing
        return Decision.DONE, decided

    def _approvable(self, ws: Workspace, suggestion: Suggestion) -> Decision | None:
        """STALE when the term is no longer the text the suggestion was made against; INVALID when
        the glossary with it applied would break `check`'s rules; None when it can be approved."""
        if suggestion.base_term is not None:
            current = self.core.glossary(ws).glossary.get(suggestion.base_term)
            if current is None or TermText.of(current) != suggestion.base_fields:
                return Decision.STALE
        change = Change(1 << 62, suggestion.term_key, suggestion.fields, suggestion.base_fields)
        candidate = self.overlays.candidate(ws, change)
        if change.id in candidate.conflicts or candidate.problems():
            return Decision.INVALID
        return None

    def after_decision(self, suggestion: Suggestion) -> None:
        """Apply an approval here at once (other processes within seconds), edit the review message
        to say who decided and when, and tell the author privately."""
        ws = suggestion.workspace
        if suggestion.state == "approved":
            self.overlays.rebuild(ws)
        approved = suggestion.state == "approved"
        by = self.people.name(ws, suggestion.decided_by or "")
        decided = suggestion_views.decided_text(
            approved, by, suggestion.decided_at or self.core.clock(), suggestion.reason
        )
        client = self.core.client(ws)
        if suggestion.review_channel and suggestion.review_ts:
            author = self.people.name(ws, suggestion.author_id)
            try:
                client.chat_update(
                    channel=suggestion.review_channel,
                    ts=suggestion.review_ts,
                    text=views.kit.plain(
                        f"Glossary suggestion #{suggestion.id}: {'approved' if approved else 'rejected'}"
                    ),
                    blocks=suggestion_views.review_blocks(
                        suggestion.id, author, suggestion.base_fields, suggestion.fields, decided
                    ),
                )
            except UNREACHABLE as exc:
                log.warning(
                    "review message of suggestion %s not updated (%s)", suggestion.id, type(exc).__name__
                )
        notice = suggestion_views.author_notice(suggestion.fields.term, approved, suggestion.reason)
        client.chat_postMessage(
            channel=suggestion.author_id,
            text=views.kit.plain(notice),
            blocks=suggestion_views.notice(notice),
        )

    # -- the owners' view ------------------------------------------------------------

    def owners_blocks(self, ws: Workspace, user_id: str) -> list[Any]:
        """The owners' part of the Home tab: this week's misses, pending count, and the pending
        suggestions that no message in the review channel shows (all of them without a review
        channel; with one, those made before it was set or before it changed); nothing for anyone else."""
        if not self.is_owner(ws, user_id):
            return []
        storage, now = self.core.storage, self.core.clock()
        misses = storage.stats.top_misses(ws, now - timedelta(days=7), limit=5)
        review = self.admins.review_channel(ws)
        unposted = [
            s
            for s in storage.suggestions.pending(ws, limit=MAX_LISTED_PENDING)
            if not (review and s.review_channel == review and s.review_ts)
        ]
        shown = unposted[:HOME_PENDING]
        blocks = suggestion_views.owners_section(
            misses, storage.suggestions.count_pending(ws), review, len(shown)
        )
        items = [(s.id, self.people.name(ws, s.author_id), s.base_fields, s.fields) for s in shown]
        return blocks + suggestion_views.pending_blocks(items)
