"""bot/domain/text.py: escaping for Slack mrkdwn, clipping to a limit, normalising names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import clip, escape_mrkdwn, normalise, quantity, strip_control

ENTITY_OR_AMPERSAND = re.compile(r"&(amp;|lt;|gt;)?")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def ampersands_are_whole_entities(text: str) -> bool:
    return all(m.group(1) is not None for m in ENTITY_OR_AMPERSAND.finditer(text))


# --- escape_mrkdwn -------------------------------------------------------------------


def test_escape_replaces_the_three_special_characters() -> None:
    assert escape_mrkdwn("a & b < c > d") == "a &amp; b &lt; c &gt; d"


def test_escape_does_the_ampersand_first() -> None:
    # Done last, the entities made for < and > would themselves be escaped.
    assert escape_mrkdwn("<") == "&lt;"
    assert escape_mrkdwn("&lt;") == "&amp;lt;"


@pytest.mark.parametrize("hostile", ["<!channel>", "<!here>", "<@U123>", "<https://evil.example|click>"])
def test_a_broadcast_mention_or_link_cannot_survive(hostile: str) -> None:
    escaped = escape_mrkdwn(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert unescape(escaped) == hostile


def test_plain_text_is_unchanged() -> None:
    assert escape_mrkdwn("Route epoch: *bold* _it_") == "Route epoch: *bold* _it_"


# --- clip --------------------------------------------------------------------------


def test_short_text_is_returned_as_is() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("", 0) == ""


def test_long_text_is_cut_to_the_limit_with_an_ellipsis() -> None:
    assert clip("abcdefgh", 5) == "abcd…"
    assert len(clip("x" * 100, 10)) == 10


@pytest.mark.parametrize("limit", range(1, 14))
def test_clip_never_cuts_an_entity_in_half(limit: int) -> None:
    text = escape_mrkdwn("ab & <cd> & ef")  # ab &amp; &lt;cd&gt; &amp; ef
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    assert ampersands_are_whole_entities(clipped)
    assert text.startswith(clipped.removesuffix("…"))


def test_clip_drops_a_partial_entity_rather_than_leaving_it() -> None:
    assert clip("ab &amp; cd", 6) == "ab …"
    assert clip("ab &amp; cd", 9) == "ab &amp;…"


@pytest.mark.parametrize("limit", [0, -1])
def test_clip_to_nothing_gives_nothing(limit: int) -> None:
    assert clip("abc", limit) == ""


# --- properties --------------------------------------------------------------------


@given(st.text())
def test_escaped_text_has_no_angle_brackets_and_round_trips(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert ampersands_are_whole_entities(escaped)
    assert unescape(escaped) == text


@given(st.text(alphabet=st.sampled_from("ab &<>;lmpgt\n")), st.integers(min_value=0, max_value=60))
def test_clipped_escaped_text_fits_and_keeps_entities_whole(text: str, limit: int) -> None:
    escaped = escape_mrkdwn(text)
    clipped = clip(escaped, limit)
    assert len(clipped) <= limit
    assert ampersands_are_whole_entities(clipped)
    if len(escaped) <= limit:
        assert clipped == escaped
    else:
        assert clipped.endswith("…") or clipped == ""
        assert escaped.startswith(clipped.removesuffix("…"))


@given(st.text(), st.integers(min_value=-5, max_value=300))
def test_clip_of_any_escaped_text_is_within_the_limit(text: str, limit: int) -> None:
    assert len(clip(escape_mrkdwn(text), limit)) <= max(limit, 0)


# --- normalise and strip_control ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Route-Epoch", "route epoch"),
        ("  route   epoch? ", "route epoch"),
        ("route_epoch", "route epoch"),
        ("RTOs", "rto"),
        ("CAS", "cas"),
        ("Compare-and-swap", "compare and swap"),
        ("access", "access"),
        ("status", "status"),
        ("ＣＡＳ", "cas"),
        ("!!!", ""),
    ],
)
def test_normalise_folds_case_punctuation_space_and_plural(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


def test_strip_control_keeps_newline_and_tab() -> None:
    assert strip_control("a\x00b\x07c\nd\te\x7f\x9f") == "abc\nd\te"


@pytest.mark.parametrize(
    ("count", "noun", "many", "expected"),
    [
        (1, "wrong answer", None, "1 wrong answer"),
        (2, "wrong answer", None, "2 wrong answers"),
        (0, "wrong answer", None, "0 wrong answers"),
        (1, "category", None, "1 category"),
        (3, "category", None, "3 categories"),
        (2, "day", None, "2 days"),  # a vowel before the y
        (2, "match", None, "2 matches"),
        (1, "point", None, "1 point"),
        (-1, "point", None, "-1 points"),
        (2, "person", "people", "2 people"),
        (1, "person", "people", "1 person"),
    ],
)
def test_quantity_is_singular_only_for_exactly_one(
    count: int, noun: str, many: str | None, expected: str
) -> None:
    assert quantity(count, noun, many) == expected
