"""Benchmark "Explain terms": scanning a message for every glossary name (bot/domain/mentions.py).

Run from the repository root; it prints its figures and is not a test::

    .venv/bin/python bench/explain.py            # 2,000 scans of each message
    .venv/bin/python bench/explain.py --quick    # 300 scans

The glossary is bench/lookup.py's generated one (10,000 terms, seeded, about a third with
aliases, many names inside longer names).  Messages of 4,000 characters are made of the same
vocabulary with some names and aliases among ordinary words (so the automaton sees many partial
matches), plus one with no glossary word at all.  Each `MentionScanner.scan` call is timed alone
with the garbage collector on; the automaton's build time is printed too (once per snapshot).
For comparison, one compiled regular expression alternating every name (longest first, whole
words) scans the same messages: what the scan would be without Aho-Corasick.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for bench.harness

from bench.harness import machine, percentile, print_verdicts, table  # noqa: E402
from bench.lookup import MODIFIERS, NOUNS, SEED, generate_glossary_yaml  # noqa: E402
from bot.domain.glossary import Glossary, parse_glossary  # noqa: E402
from bot.domain.mentions import MentionScanner  # noqa: E402
from bot.domain.text import normalise  # noqa: E402

MESSAGE_CHARS = 4000
TERMS = 10_000
TARGET_P99_MS = 1.0  # "well under a millisecond or two"
FILLER_WORDS = [
    "the",
    "a",
    "we",
    "then",
    "after",
    "before",
    "it",
    "is",
    "was",
    "and",
    "so",
    "but",
    "our",
    "team",
    "said",
    "that",
    "this",
    "will",
]
PLAIN_WORDS = [
    "lunch",
    "friday",
    "coffee",
    "meeting",
    "notes",
    "agenda",
    "holiday",
    "weather",
    "parking",
    "badge",
    "desk",
]


def message(glossary: Glossary, rng: random.Random, names_share: float) -> str:
    """About MESSAGE_CHARS characters: glossary vocabulary, some whole names, filler words."""
    names = [n for t in glossary.terms for n in t.names]
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < MESSAGE_CHARS:
        roll = rng.random()
        if roll < names_share:
            words.append(rng.choice(names))
        elif roll < 0.6:
            words.append(rng.choice(MODIFIERS + NOUNS))
        else:
            words.append(rng.choice(FILLER_WORDS))
    return " ".join(words)[:MESSAGE_CHARS]


def plain_message(rng: random.Random) -> str:
    text = " ".join(rng.choice(PLAIN_WORDS) for _ in range(MESSAGE_CHARS // 5))
    return text[:MESSAGE_CHARS]


def time_scans(scan: object, text: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        scan(text)  # type: ignore[operator]
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 scans per message instead of 2,000")
    runs = 300 if parser.parse_args(argv).quick else 2000
    rng = random.Random(SEED)
    glossary = parse_glossary(generate_glossary_yaml(TERMS, rng), "<generated>")
    started = time.perf_counter()
    scanner = MentionScanner(glossary)
    build_ms = (time.perf_counter() - started) * 1000
    names = sorted(glossary.names, key=len, reverse=True)
    started = time.perf_counter()
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
    regex_build_ms = (time.perf_counter() - started) * 1000

    messages = {
        "some names (5%)": message(glossary, rng, 0.05),
        "many names (30%)": message(glossary, rng, 0.30),
        "no glossary word": plain_message(rng),
    }
    print(machine())
    print(
        f"glossary: {len(glossary.terms)} terms, {len(glossary.names)} names and aliases; "
        f"automaton built in {build_ms:.0f} ms (regex alternative compiled in {regex_build_ms:.0f} ms)"
    )
    rows = [["message (4,000 chars)", "terms found", "scan p50", "scan p99", "regex p50", "regex p99"]]
    worst = 0.0
    for label, text in messages.items():
        found = len(scanner.scan(text))
        ours = time_scans(scanner.scan, text, runs)
        regex = time_scans(lambda t: pattern.findall(normalise(t)), text, max(runs // 10, 20))
        worst = max(worst, percentile(ours, 0.99))
        rows.append(
            [
                label,
                str(found),
                f"{percentile(ours, 0.5):.3f} ms",
                f"{percentile(ours, 0.99):.3f} ms",
                f"{percentile(regex, 0.5):.2f} ms",
                f"{percentile(regex, 0.99):.2f} ms",
            ]
        )
    print(table(rows))
    print(f"({runs} scans per message; regex: one alternation of every name, as a baseline)")
    print()
    return print_verdicts(
        [
            (
                f"scan p99 of a 4,000-character message: {worst:.3f} ms (target <= {TARGET_P99_MS:g} ms)",
                worst <= TARGET_P99_MS,
            )
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
