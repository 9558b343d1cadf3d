"""Rendering: every builder stays within Block Kit's limits (checked with
slack_sdk's models, as Slack checks them) and escapes every text that came
from a user or the glossary, so nothing can become a mention or a link."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import views
from bot.domain.glossary import Glossary, Term
from bot.domain.leaderboard import Standing, week_of
from bot.domain.lookup import LookupResult
from bot.domain.quiz import KIND_TERM, KIND_TRAP, Question
from bot.standin.checks import MESSAGE_BLOCKS as MESSAGE_LIMIT
from bot.standin.checks import VIEW_BLOCKS as VIEW_LIMIT
from bot.standin.checks import blocks_error

MENTION = re.compile(r"<[@!#]|<https?:")
hostile = st.text(alphabet=st.sampled_from("<>&@!#|:/ abcXYZ-é🚀\n"), min_size=1, max_size=120).map(
    lambda s: s + " <!channel> <@U1> <https://evil.example|x> &amp;"
)


def glossary_of(n: int, categories: int = 20, text: str = "") -> Glossary:
    terms = tuple(
        Term(
            term=f"Term {i:05d}{text[:20]}",
            category=f"Category {i % categories}{text[:10]}",
            definition=f"Definition of term {i} {text}",
            trap=f"Trap of term {i} {text}" + " long" * 60,
            aliases=(f"alias {i}",),
        )
        for i in range(n)
    )
    return Glossary(title="Big glossary", terms=terms)


def mrkdwn_texts(node: Any) -> list[str]:
    """Every mrkdwn text in a block tree: the only place Slack turns <…> into mentions and links.

    (plain_text, button values and option values are shown literally.)"""
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for value in node.values() for t in mrkdwn_texts(value)]
    return []


def test_help_for_2000_terms_fits_a_message() -> None:
    big = glossary_of(2000)
    shown = views.terms.help_blocks(big)
    assert len(shown) <= MESSAGE_LIMIT
    assert blocks_error(shown, MESSAGE_LIMIT) is None
    menus = [b["accessory"] for b in shown if b.get("accessory")]
    assert len(menus) == 20 and {m["type"] for m in menus} == {"external_select"}
    # every term is reachable through its category's menu
    reachable = {
        o["value"]
        for b in shown
        if b.get("accessory")
        for o in views.terms.category_options(big, b["block_id"], "")
    }
    assert len(reachable) == 2000
    assert [o["value"] for o in views.terms.category_options(big, "cat_3", "00023")] == ["Term 00023"]
    assert (
        views.terms.category_options(big, "cat_99", "") == []
        and views.terms.category_options(big, "nope", "") == []
    )


def test_help_with_many_categories_says_what_is_left_out() -> None:
    shown = views.terms.help_blocks(glossary_of(2000, categories=400))
    assert len(shown) <= MESSAGE_LIMIT and blocks_error(shown, MESSAGE_LIMIT) is None
    assert "more categories" in json.dumps(shown)


def test_home_for_2000_terms_fits_a_view() -> None:
    view = views.home.home_view(
        glossary_of(2000, categories=150), 10, 7, 3, [("C1", 2), ("C2", None)], (4, 2)
    )
    assert len(view["blocks"]) <= VIEW_LIMIT
    assert blocks_error(view["blocks"], VIEW_LIMIT) is None


def test_long_traps_fit_a_quiz_message() -> None:
    traps = tuple("A very long trap " * 40 + str(i) for i in range(4))
    question = Question(term="X", kind=KIND_TRAP, prompt="X", choices=traps, correct=2)
    for shown in (
        views.quiz.quiz_blocks(1, question, 7, "Fri 00:00 UTC"),
        views.quiz.reveal_blocks(question, None, 9, 3),
    ):
        assert blocks_error(shown, MESSAGE_LIMIT) is None
    buttons = [
        e
        for b in views.quiz.quiz_blocks(1, question, 0, "x")
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert [b["text"]["text"] for b in buttons] == ["A", "B", "C", "D"]
    assert all("trap" not in b["value"] for b in buttons)  # a value names the choice, not the answer


@settings(max_examples=80, deadline=None)
@given(text=hostile)
def test_glossary_and_user_text_is_escaped_everywhere(text: str) -> None:
    glossary = glossary_of(3, categories=2, text=text)
    term = glossary.terms[0]
    question = Question(
        term=term.term,
        kind=KIND_TERM,
        prompt=term.definition,
        choices=tuple(t.term for t in glossary.terms) + ("Other " + text,),
        correct=0,
    )
    week = week_of(__import__("datetime").date(2026, 11, 26), __import__("zoneinfo").ZoneInfo("UTC"))
    standing = Standing(1, "U1", 3, 4, 2)
    rendered: list[Any] = [
        views.terms.term_blocks(glossary, term, note=f"Showing for ‘{views.kit.quote(text)}’"),
        views.terms.term_blocks(glossary, term, shared_by="U2"),
        views.terms.lookup_blocks(glossary, LookupResult(query=text), text),
        views.terms.lookup_blocks(glossary, LookupResult(query=text, suggestions=glossary.terms), text),
        views.terms.lookup_blocks(glossary, LookupResult(query=text, match=term, how="fuzzy"), text),
        views.terms.help_blocks(glossary),
        views.quiz.quiz_blocks(1, question, 3, "Fri 00:00 UTC"),
        views.quiz.reveal_blocks(question, term, 3, 1),
        views.quiz.feedback_blocks(question, 1, term),
        views.quiz.closed_blocks(question),
        views.boards.leaderboard_blocks("C1", week, [standing], standing, "U1", most_missed=(term.term, 2)),
        views.home.home_view(glossary, 1, 1, 1, [("C1", 1)], (0, 0))["blocks"],
        views.home.practice_feedback_view(question, 0, term, 2, term.term)["blocks"],
    ]
    for shown in rendered:
        assert blocks_error(shown, VIEW_LIMIT) is None
        # Only the bot's own mentions remain: <@U1>/<@U2> from the payload, <#C1> for a channel.
        for text in mrkdwn_texts(shown):
            left = text.replace("<@U1>", "").replace("<@U2>", "").replace("<#C1>", "")
            assert not MENTION.search(left), left


def test_counts_of_one_read_in_the_singular() -> None:
    week = week_of(date(2026, 12, 2), ZoneInfo("Europe/Berlin"))
    board = json.dumps(
        views.boards.leaderboard_blocks(
            "C1",
            week,
            [Standing(1, "U1", 1, 1, 0)],
            Standing(12, "U9", 1, 2, 0),
            "U9",
            most_missed=("Drain", 1),
        ),
        ensure_ascii=False,
    )
    assert "Leaderboard · 30 Nov – 6 Dec" in board and "2026-W49" not in board.split("leaderboard_share")[0]
    assert "1 point (1 answered)" in board
    assert "Your rank: 12 with 1 point (2 answered)" in board
    assert "(1 wrong answer)" in board
    one = glossary_of(1, categories=1)
    help_text = json.dumps(views.terms.help_blocks(one), ensure_ascii=False)
    assert "1 term in 1 category." in help_text
