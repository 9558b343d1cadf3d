"""`bench/load.py`'s verdicts: each target judged on ratios within a round; two bots side by side."""

from __future__ import annotations

import math

from bench.harness import Run
from bench.load import BEFORE, DEFAULT_FLOOR, PBR_FLOOR, before_and_after, paired_ratio, verdicts


def run(server: str, rps: float, round_no: int, connections: int = 32) -> Run:
    return Run(server, connections, 1.0, int(rps), 1.0, 2.0, 3.0, 4.0, {}, round_no=round_no)


def test_a_slow_spell_shared_by_both_sides_of_a_round_cancels() -> None:
    # Round 1 is slow for both; round 2 is slow for ours alone.
    runs = [run("ours", 100, 0), run("ours", 60, 1), run("ours", 60, 2)]
    runs += [run(PBR_FLOOR, 100, 0), run(PBR_FLOOR, 60, 1), run(PBR_FLOOR, 100, 2)]
    assert paired_ratio(runs, "ours", PBR_FLOOR, 32, lambda r: r.rps) == 1.0  # medians alone: 0.6
    (pbr, _errors) = verdicts(runs, [32])
    assert pbr[1] and "1.00x the pbr floor" in pbr[0] and "0.60x" in pbr[0]


def test_rounds_pair_only_with_their_own_round_and_connection_count() -> None:
    runs = [run("ours", 90, 0), run(PBR_FLOOR, 100, 0), run(PBR_FLOOR, 10, 1), run(PBR_FLOOR, 10, 0, 4)]
    assert paired_ratio(runs, "ours", PBR_FLOOR, 32, lambda r: r.rps) == 0.9
    assert math.isnan(paired_ratio(runs, "ours", PBR_FLOOR, 4, lambda r: r.rps))


def test_a_ratio_below_the_target_misses() -> None:
    runs = [run("ours", 80, n) for n in range(3)] + [run(PBR_FLOOR, 100, n) for n in range(3)]
    (pbr, _errors) = verdicts(runs, [32])
    assert not pbr[1] and "0.80x" in pbr[0]


def test_before_and_after_pairs_both_bots_round_by_round() -> None:
    runs = [run("ours", 90, 0), run(BEFORE, 100, 0), run(DEFAULT_FLOOR, 30, 0), run(PBR_FLOOR, 120, 0)]
    runs += [run("ours", 40, 1), run(BEFORE, 50, 1), run(DEFAULT_FLOOR, 20, 1), run(PBR_FLOOR, 50, 1)]
    lines = before_and_after(runs, [32, 4])
    assert lines == [
        "32 conns: ours = 0.85x the req/s of ours (before), p99 1.00x its p99",  # the middle of 0.9 and 0.8
        "32 conns: ours = 2.50x the default-Bolt floor, 0.78x the pbr floor",  # of 3.0 and 2.0; 0.75, 0.8
        "32 conns: ours (before) = 2.92x the default-Bolt floor, 0.92x the pbr floor",
    ]  # no line for 4 connections: neither bot ran there
