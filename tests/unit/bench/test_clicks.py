"""`bench/clicks.py`'s verdicts: the bot's ack p99 against the floor of the same run, the median over runs."""

from __future__ import annotations

from bench.clicks import BEFORE, BOT, DEFAULT_FLOOR, PBR_FLOOR, Result, ratio_verdicts
from bench.harness import Burst


def result(label: str, p99_ms: float, cpu_s: float = 1.0) -> Result:
    acks = [1.0] * 98 + [p99_ms, p99_ms]  # nearest rank: the p99 of 100 acks is the 99th
    return Result(label, Burst(0.0, 1.0, [200] * len(acks), [0.0] * len(acks), acks), cpu_s)


def one_run(bot: float, before: float | None, floor: float = 50.0) -> list[Result]:
    results = [result(DEFAULT_FLOOR, floor), result(PBR_FLOOR, floor / 2), result(BOT, bot)]
    return results + ([result(BEFORE, before)] if before is not None else [])


def test_the_target_is_the_median_over_runs_of_the_ratio_within_a_run() -> None:
    # Ratios 1.5, 1.8 and 3.0: the median is 1.8, met; the ratio of the medians (120 / 50 = 2.4)
    # would miss, blaming the bot for the run where the whole machine was slow.
    runs = [one_run(300, None, floor=200.0), one_run(90, None), one_run(120, None, floor=40.0)]
    [verdict] = ratio_verdicts("sqlite", runs)
    text, met = verdict
    assert met and "1.80x the default-Bolt floor's" in text and "median of 3 run(s)" in text


def test_a_bot_over_twice_the_floor_misses_and_both_bots_are_judged() -> None:
    runs = [one_run(110, 80), one_run(120, 90), one_run(130, 70)]
    (ours, ours_met), (before, before_met) = ratio_verdicts("sqlite", runs)
    assert not ours_met and "2.40x" in ours and BOT in ours
    assert before_met and "1.60x" in before and BEFORE in before
