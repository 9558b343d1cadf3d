"""`bench/load.py`'s verdicts: each target judged on ratios within a round."""

from __future__ import annotations

import math

from bench.harness import Run
from bench.load import PBR_FLOOR, paired_ratio, verdicts


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
