"""bot/domain/learning.py: the learning figures on hand-made answers; clock and zone passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.learning import (
    MIN_ANSWERS,
    TOO_FEW,
    Answer,
    Recall,
    Share,
    Source,
    build_report,
    delayed_recall,
    initial_vs_current,
    last_weeks,
    missing_terms,
    most_missed,
    weekly_accuracy,
    wilson_interval,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thursday of 2026-W48
DAY = timedelta(days=1)
PRACTICE = Source.PRACTICE


def quiz(user: str, term: str, correct: bool, at: datetime) -> Answer:
    return Answer(user, term, correct, at)


def many(term: str, right: int, wrong: int, at: datetime) -> list[Answer]:
    return [quiz(f"U{i}", term, i < right, at) for i in range(right + wrong)]


# --- Wilson interval and "too few answers" -----------------------------------------------


def test_wilson_interval_matches_the_textbook_values() -> None:
    low, high = wilson_interval(7, 10)
    assert (round(low, 4), round(high, 4)) == (0.3968, 0.8922)
    low, high = wilson_interval(0, 20)
    assert low == pytest.approx(0.0) and round(high, 4) == 0.1611
    low, high = wilson_interval(20, 20)
    assert round(low, 4) == 0.8389 and high == pytest.approx(1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_a_cell_of_fewer_than_ten_answers_is_too_few_never_a_percentage() -> None:
    nine = Share(9, MIN_ANSWERS - 1)
    assert nine.too_few and nine.value is None and nine.text() == TOO_FEW and "%" not in nine.text()
    ten = Share(7, MIN_ANSWERS)
    assert not ten.too_few and ten.value == 0.7 and ten.text() == "70% (40–89%)"


# --- weeks in a zone, across DST -----------------------------------------------------------


def test_last_weeks_are_iso_weeks_in_the_zone_oldest_first() -> None:
    weeks = last_weeks(NOW, BERLIN, 3)
    assert [w.label for w in weeks] == ["2026-W46", "2026-W47", "2026-W48"]
    assert weeks[-1].start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 00:00 CET
    with pytest.raises(ValueError):
        last_weeks(NOW, BERLIN, 0)


def test_a_week_that_crosses_the_dst_change_keeps_its_last_hour() -> None:
    """2026-W43 in Berlin ends Monday 26 October 00:00 CET: 169 hours, clocks went back on Sunday."""
    now = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
    w43, w44 = last_weeks(now, BERLIN, 2)
    assert w43.label == "2026-W43" and w43.end - w43.start == timedelta(hours=169)
    sunday_late = datetime(2026, 10, 25, 23, 30, tzinfo=BERLIN)  # 22:30 UTC: 168.5 h into the week
    monday_early = datetime(2026, 10, 26, 0, 30, tzinfo=BERLIN)
    answers = many("Drain", 10, 0, sunday_late) + many("Drain", 0, 10, monday_early)
    (row,) = weekly_accuracy(answers, [w43, w44])
    assert row.cells == (Share(10, 10), Share(0, 10))


def test_weekly_accuracy_per_term_counts_quiz_answers_only_most_answered_first() -> None:
    weeks = last_weeks(NOW, BERLIN, 2)
    answers = (
        many("Drain", 8, 4, NOW)
        + many("Drain", 3, 2, NOW - 7 * DAY)
        + many("Cell", 2, 1, NOW)
        + [Answer("U1", "Drain", False, NOW, PRACTICE)]  # practice is not a first try at a quiz
        + many("Drain", 5, 5, NOW - 30 * DAY)  # before the report's weeks
    )
    drain, cell = weekly_accuracy(answers, weeks)
    assert drain.term == "Drain" and drain.cells == (Share(3, 5), Share(8, 12))
    assert drain.cells[0].text() == TOO_FEW and drain.cells[1].text() == "67% (39–86%)"
    assert cell.term == "Cell" and cell.cells == (Share(0, 0), Share(2, 3))


# --- delayed recall --------------------------------------------------------------------------


def test_delayed_recall_compares_practised_and_unpractised_terms_after_a_week_away() -> None:
    t0 = NOW - 30 * DAY
    answers = [
        # U1 practised Drain, then met it again 8 days later (delayed, practised, right)
        quiz("U1", "Drain", False, t0),
        Answer("U1", "Drain", True, t0 + DAY, PRACTICE),
        quiz("U1", "Drain", True, t0 + 9 * DAY),
        # U1 met Cell twice, 7 days apart exactly (delayed, not practised, wrong), then 2 days later (not delayed)
        quiz("U1", "Cell", True, t0),
        quiz("U1", "Cell", False, t0 + 7 * DAY),
        quiz("U1", "Cell", True, t0 + 9 * DAY),
        # U2: a first answer is never delayed; practice after the quiz answer does not count for it
        quiz("U2", "Drain", True, t0 + 20 * DAY),
        Answer("U2", "Drain", True, t0 + 20 * DAY, PRACTICE),
        # U2 practised RTO 6 days before: not delayed
        Answer("U2", "RTO", True, t0, PRACTICE),
        quiz("U2", "RTO", False, t0 + 6 * DAY),
    ]
    recall = delayed_recall(answers)
    assert recall == Recall(practised=Share(1, 1), unpractised=Share(0, 1))
    assert recall.effect is None and recall.effect_text() == TOO_FEW  # one answer each is too few
    assert delayed_recall(answers, since=t0 + 8 * DAY) == Recall(Share(1, 1), Share(0, 0))


def test_the_recall_effect_and_its_newcombe_interval() -> None:
    recall = Recall(practised=Share(56, 70), unpractised=Share(48, 80))
    assert recall.effect == pytest.approx(0.8 - 0.6)
    low, high = recall.effect_interval or (0, 0)
    # Newcombe (1998), Statistics in Medicine 17:873-890, example (a), method 10
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    assert recall.effect_text() == "+20 points (+5 to +33)"


# --- initial vs current, most missed, missing ---------------------------------------------


def test_initial_vs_current_is_one_persons_first_and_latest_answer_per_term() -> None:
    answers = [
        quiz("U1", "drain", False, NOW - 9 * DAY),
        Answer("U1", "drain", True, NOW - 5 * DAY, PRACTICE),
        quiz("U1", "drain", True, NOW - DAY),
        quiz("U1", "Cell", True, NOW - 2 * DAY),
        quiz("U2", "RTO", False, NOW),  # someone else's
    ]
    cell, drain = initial_vs_current(answers, "U1")
    assert (cell.term, cell.first_right, cell.latest_right, cell.answered) == ("Cell", True, True, 1)
    assert (drain.term, drain.first_right, drain.latest_right, drain.answered) == ("drain", False, True, 3)
    assert (drain.first_at, drain.latest_at) == (NOW - 9 * DAY, NOW - DAY)
    assert initial_vs_current(answers, "U3") == []


def test_most_missed_counts_wrong_quiz_answers_in_the_window() -> None:
    answers = (
        many("Drain", 1, 3, NOW)
        + many("Cell", 0, 3, NOW)
        + many("RTO", 0, 5, NOW - 40 * DAY)
        + [Answer("U1", "RPO", False, NOW, PRACTICE)]
    )
    assert most_missed(answers, NOW - 7 * DAY, NOW + DAY) == [("Cell", 3), ("Drain", 3)]
    assert most_missed(answers, NOW - 7 * DAY, NOW + DAY, limit=1) == [("Cell", 3)]


def test_missing_terms_leave_out_searches_the_glossary_now_holds() -> None:
    searches = [("blue green", 4), ("canary", 9), ("drain", 6)]
    assert missing_terms(searches, lambda text: text == "drain") == [("canary", 9), ("blue green", 4)]


def test_build_report_gathers_the_figures_for_the_chosen_weeks() -> None:
    answers = many("Drain", 9, 3, NOW) + many("Drain", 2, 2, NOW - 3 * 7 * DAY)
    report = build_report(answers, [("canary", 2)], lambda t: False, NOW, BERLIN, 2)
    assert [w.label for w in report.weeks] == ["2026-W47", "2026-W48"]
    assert report.terms[0].cells == (Share(0, 0), Share(9, 12))
    assert report.most_missed == (("Drain", 3),) and report.missing == (("canary", 2),)
    assert report.zone == "Europe/Berlin" and report.start == report.weeks[0].start
