"""Glossary suggestions, per workspace: pending until an owner decides.

A suggestion is pending until an owner decides; the decision is a conditional
UPDATE (pending → approved or rejected), so deciding twice, or two owners at
once, changes nothing the second time.  Approving writes the overlay row
(`glossary_changes`, read through `bot.storage.glossary_changes`) in the same
transaction, under a unique key per suggestion.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, func, select, update

from bot.domain.edits import Suggestion, SuggestionState, TermText
from bot.domain.workspace import Workspace
from bot.storage.database import Database, in_workspace, workspace_values
from bot.storage.tables import glossary_changes, suggestions

MAX_PENDING_PER_PERSON = 5


def _suggestion(row: Row[tuple[object, ...]]) -> Suggestion:
    r = row._mapping
    return Suggestion(
        id=r["id"],
        workspace=Workspace(team_id=r["team_id"], enterprise_id=r["enterprise_id"]),
        author_id=r["author_id"],
        base_term=r["base_term"],
        fields=TermText.from_json(r["fields"]),
        base_fields=TermText.from_json(r["base_fields"]) if r["base_fields"] else None,
        state=SuggestionState(r["state"]),
        decided_by=r["decided_by"],
        decided_at=r["decided_at"],
        reason=r["reason"],
        review_channel=r["review_channel"],
        review_ts=r["review_ts"],
        term_key=r["term_key"],
    )


class Suggestions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        ws: Workspace,
        author_id: str,
        fields: TermText,
        base: TermText | None,
        base_term: str | None,
        term_key: str,
        now: datetime,
    ) -> Suggestion | None:
        """Store a pending suggestion; None when the author already has the most pending allowed."""
        mine = (in_workspace(suggestions, ws), suggestions.c.author_id == author_id)
        with self.db.begin() as conn:
            # Lock the author's pending rows (PostgreSQL) so two quick submissions cannot both pass.
            pending = conn.execute(
                select(suggestions.c.id)
                .where(*mine, suggestions.c.state == SuggestionState.PENDING)
                .with_for_update()
            ).all()
            if len(pending) >= MAX_PENDING_PER_PERSON:
                return None
            row = conn.execute(
                suggestions.insert()
                .values(
                    **workspace_values(ws),
                    author_id=author_id,
                    term_key=term_key,
                    base_term=base_term,
                    fields=fields.to_json(),
                    base_fields=base.to_json() if base else None,
                    state=SuggestionState.PENDING,
                    created_at=now,
                )
                .returning(*suggestions.c)
            ).one()
        return _suggestion(row)

    def get(self, ws: Workspace, suggestion_id: int) -> Suggestion | None:
        query = select(suggestions).where(in_workspace(suggestions, ws), suggestions.c.id == suggestion_id)
        with self.db.read() as conn:
            row = conn.execute(query).first()
        return _suggestion(row) if row is not None else None

    def pending(self, ws: Workspace, limit: int = 20) -> list[Suggestion]:
        query = (
            select(suggestions)
            .where(in_workspace(suggestions, ws), suggestions.c.state == SuggestionState.PENDING)
            .order_by(suggestions.c.id)
            .limit(limit)
        )
        with self.db.read() as conn:
            return [_suggestion(r) for r in conn.execute(query)]

    def count_pending(self, ws: Workspace) -> int:
        query = select(func.count()).where(
            in_workspace(suggestions, ws), suggestions.c.state == SuggestionState.PENDING
        )
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def set_review_message(self, suggestion_id: int, channel_id: str, ts: str) -> None:
        with self.db.begin() as conn:
            conn.execute(
                update(suggestions)
                .where(suggestions.c.id == suggestion_id)
                .values(review_channel=channel_id, review_ts=ts)
            )

    def decide(
        self,
        ws: Workspace,
        suggestion_id: int,
        approve: bool,
        by: str,
        now: datetime,
        reason: str | None = None,
    ) -> Suggestion | None:
        """pending → approved (with its overlay row) or rejected; None when it was not pending."""
        state = SuggestionState.APPROVED if approve else SuggestionState.REJECTED
        with self.db.begin() as conn:
            done = conn.execute(
                update(suggestions)
                .where(
                    in_workspace(suggestions, ws),
                    suggestions.c.id == suggestion_id,
                    suggestions.c.state == SuggestionState.PENDING,
                )
                .values(state=state, decided_by=by, decided_at=now, reason=reason)
                .returning(*suggestions.c)
            ).first()
            if done is None:
                return None
            decided = _suggestion(done)
            if approve:
                conn.execute(
                    glossary_changes.insert().values(
                        **workspace_values(ws),
                        suggestion_id=decided.id,
                        term_key=decided.term_key,
                        fields=decided.fields.to_json(),
                        base_fields=decided.base_fields.to_json() if decided.base_fields else None,
                        author_id=decided.author_id,
                        approved_by=by,
                        approved_at=now,
                    )
                )
        return decided
