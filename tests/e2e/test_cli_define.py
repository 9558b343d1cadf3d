"""`python -m bot define` in the terminal answers as `/define` does in Slack, comparisons included."""

from __future__ import annotations

import os
import subprocess

from tests.support.cli import run_bot, start_bot


def test_define_a_vs_b_shows_both_terms_with_their_traps() -> None:
    out = run_bot("define", "rpo vs rto", env={})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("RPO vs RTO\n")
    assert "The amount of data loss a recovery plan permits." in out.stdout  # RPO
    assert "The target time to restore service after failure." in out.stdout  # RTO
    assert "Common trap: Confusing it with downtime." in out.stdout
    assert "Common trap: Confusing it with data loss." in out.stdout


def test_define_difference_between_is_a_comparison_too_and_one_term_stays_one() -> None:
    out = run_bot("define", "difference between drain and route epoch", env={})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Drain vs Route epoch\n")
    single = run_bot("define", "drain", env={})
    assert single.returncode == 0 and " vs " not in single.stdout
    assert single.stdout.startswith("Drain  (Runtime)")


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """`python -m bot export | head -1`: once the reader has gone, no traceback, just an exit."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        for args in (("define", "drain"), ("export",)):
            done = start_bot(*args, env={}, stdout=write, stderr=subprocess.PIPE)
            _, errors = done.communicate(timeout=60)
            assert done.returncode == 1 and errors == "", errors
    finally:
        os.close(write)
