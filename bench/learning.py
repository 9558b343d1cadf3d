"""A learning report with a known answer: does `bot.domain.learning` recover a practice effect that was set?

Run from the repository root (a second or two)::

    .venv/bin/python bench/learning.py              # 200 people, 8 weeks, practice adds 15 points
    .venv/bin/python bench/learning.py --effect 0.05 --seed 7

200 people (`--people`) meet 25 glossary terms in a channel quiz posted every weekday for 8 weeks
(`--weeks`), each term in turn, so a term comes back every five weeks.  Each person answers a
quiz with probability 0.6.  Their chance of answering right follows a forgetting curve in the
days since they last met the term, `0.35 + 0.45 * exp(-days / 20)` (0.8 on first meeting), plus
`--effect` when they practise that term.  Each person practises a random half of the terms, each
time right after a quiz answer to it, so practice never changes how long ago a term was last
met: the practised and not-practised answers forget alike, and the true effect on delayed recall
is exactly `--effect`.

The answers go through `bot.domain.learning.build_report`, as the bot's report does; the script prints
the true effect, the measured one with its 95% interval (Newcombe), and whether the interval
holds the true effect.  Exit status 1 when it does not.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.learning import Answer, Source, build_report

START = datetime(2026, 9, 7, 9, 30, tzinfo=UTC)  # a Monday; the window crosses no DST change in UTC
TERMS = [f"term {i:02d}" for i in range(25)]
ANSWER_RATE = 0.6


def recall(days: float | None) -> float:
    """The forgetting curve: the chance of recalling a term last met `days` ago (None: never met)."""
    return 0.8 if days is None else 0.35 + 0.45 * math.exp(-days / 20)


def simulate(people: int, weeks: int, effect: float, rng: random.Random) -> list[Answer]:
    practised = {p: set(rng.sample(TERMS, len(TERMS) // 2)) for p in range(people)}
    last_met: dict[tuple[int, str], datetime] = {}
    out: list[Answer] = []
    quiz_days = [
        START + timedelta(days=d) for d in range(weeks * 7) if (START + timedelta(days=d)).weekday() < 5
    ]
    for n, day in enumerate(quiz_days):
        term = TERMS[n % len(TERMS)]
        for p in range(people):
            if rng.random() >= ANSWER_RATE:
                continue
            at = day + timedelta(minutes=rng.randrange(600))
            before = last_met.get((p, term))
            days = None if before is None else (at - before).total_seconds() / 86400
            chance = min(1.0, recall(days) + (effect if term in practised[p] else 0.0))
            out.append(Answer(f"U{p}", term, rng.random() < chance, at))
            if term in practised[p]:
                out.append(
                    Answer(f"U{p}", term, rng.random() < 0.9, at + timedelta(minutes=1), Source.PRACTICE)
                )
            last_met[(p, term)] = at
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--effect", type=float, default=0.15, help="what practice adds to recall (0..0.2)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    answers = simulate(args.people, args.weeks, args.effect, random.Random(args.seed))
    now = START + timedelta(weeks=args.weeks) - timedelta(hours=12)
    report = build_report(answers, [], lambda _: False, now, ZoneInfo("UTC"), args.weeks)
    recall_ = report.recall
    measured, interval = recall_.effect, recall_.effect_interval
    print(
        f"answers: {sum(a.source is Source.QUIZ for a in answers)} quiz, "
        f"{sum(a.source is Source.PRACTICE for a in answers)} practice"
    )
    print(
        f"delayed answers: practised {recall_.practised.answered} ({recall_.practised.text()}), "
        f"not practised {recall_.unpractised.answered} ({recall_.unpractised.text()})"
    )
    print(f"true effect of practice:     {100 * args.effect:+.1f} points")
    if measured is None or interval is None:
        print("measured effect: too few answers")
        return 1
    held = interval[0] <= args.effect <= interval[1]
    print(
        f"measured effect of practice: {100 * measured:+.1f} points, 95% interval "
        f"{100 * interval[0]:+.1f} to {100 * interval[1]:+.1f}: {'recovered' if held else 'NOT recovered'}"
    )
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
