"""Pure learning figures: does the glossary teach?  Computed from stored answers, clock and zone passed in.

- `weekly_accuracy`: per term, the share of channel quiz answers right, ISO
  week by ISO week in the workspace's zone (each answer is a person's first
  and only try at that question), with a Wilson 95% interval.  A cell of fewer
  than `MIN_ANSWERS` answers is "too few answers", never a percentage.
- `delayed_recall`: quiz answers given `RECALL_GAP` or more after the person
  last met the term (answered it in a quiz or in practice), right or not, for
  terms the person had practised before vs terms they had not; the effect is
  the difference of the two shares, with Newcombe's interval for it.
- `initial_vs_current`: one person's first and latest answer to each term.
- `most_missed` and `missing_terms`: the terms quizzes miss most, and what
  people searched for that the glossary does not hold.

`build_report` gathers them for the last N weeks; `bot.views.report_page`
and `bot.views.learning` show it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from statistics import NormalDist
from zoneinfo import ZoneInfo

from bot.domain.leaderboard import Week, week_of

MIN_ANSWERS = 10  # fewer answers than this in a cell: "too few answers"
RECALL_GAP = timedelta(days=7)
Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054
TOO_FEW = "too few answers"


class Source(Enum):
    QUIZ = "quiz"
    PRACTICE = "practice"


@dataclass(frozen=True)
class Answer:
    user: str
    term: str
    correct: bool
    at: datetime  # aware
    source: Source = Source.QUIZ


def wilson_interval(right: int, answered: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a share `right / answered` (0..1 when nothing was answered)."""
    if answered <= 0:
        return 0.0, 1.0
    p = right / answered
    denominator = 1 + z * z / answered
    centre = (p + z * z / (2 * answered)) / denominator
    half = z * math.sqrt(p * (1 - p) / answered + z * z / (4 * answered * answered)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Share:
    right: int
    answered: int

    @property
    def too_few(self) -> bool:
        return self.answered < MIN_ANSWERS

    @property
    def value(self) -> float | None:
        """The share right; None when there are too few answers to say."""
        return None if self.too_few else self.right / self.answered

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.right, self.answered)

    def text(self) -> str:
        """`73% (61–83%)`, or "too few answers"."""
        if self.too_few:
            return TOO_FEW
        low, high = self.interval
        return f"{_percent(self.right / self.answered)} ({_percent(low, '')}–{_percent(high)})"


def _percent(value: float, sign: str = "%") -> str:
    return f"{round(100 * value)}{sign}"


def last_weeks(now: datetime, zone: ZoneInfo, count: int) -> list[Week]:
    """The `count` ISO weeks in `zone` up to and including the one holding `now`, oldest first."""
    if count < 1:
        raise ValueError("choose at least one week")
    today = now.astimezone(zone).date()
    return [week_of(today - timedelta(days=7 * back), zone) for back in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class TermWeeks:
    term: str
    cells: tuple[Share, ...]  # one per week of the report, oldest first

    @property
    def answered(self) -> int:
        return sum(c.answered for c in self.cells)


def weekly_accuracy(answers: Iterable[Answer], weeks: Sequence[Week]) -> list[TermWeeks]:
    """Per term, its quiz answers' share right in each week; most answered terms first."""
    counts: dict[str, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in weeks])
    for a in answers:
        if a.source is not Source.QUIZ:
            continue
        for i, week in enumerate(weeks):
            if week.start <= a.at < week.end:
                cell = counts[a.term][i]
                cell[0] += a.correct
                cell[1] += 1
                break
    rows = [TermWeeks(term, tuple(Share(r, n) for r, n in cells)) for term, cells in counts.items()]
    return sorted(rows, key=lambda row: (-row.answered, row.term))


@dataclass(frozen=True)
class Recall:
    practised: Share
    unpractised: Share

    @property
    def effect(self) -> float | None:
        """How much more often practised terms are recalled (a difference of shares), when both say."""
        p, u = self.practised.value, self.unpractised.value
        return None if p is None or u is None else p - u

    @property
    def effect_interval(self) -> tuple[float, float] | None:
        """Newcombe's hybrid score interval for the difference (from the two Wilson intervals)."""
        p, u = self.practised.value, self.unpractised.value
        if p is None or u is None:
            return None
        (p_low, p_high), (u_low, u_high) = self.practised.interval, self.unpractised.interval
        d = p - u
        return (
            d - math.sqrt((p - p_low) ** 2 + (u_high - u) ** 2),
            d + math.sqrt((p_high - p) ** 2 + (u - u_low) ** 2),
        )

    def effect_text(self) -> str:
        effect, interval = self.effect, self.effect_interval
        if effect is None or interval is None:
            return TOO_FEW
        return f"{100 * effect:+.0f} points ({100 * interval[0]:+.0f} to {100 * interval[1]:+.0f})"


def delayed_recall(
    answers: Iterable[Answer], since: datetime | None = None, gap: timedelta = RECALL_GAP
) -> Recall:
    """Quiz answers (given at or after `since`) `gap` or more after the person last met the term:
    right or not, for terms they had practised before vs terms they had not."""
    by_person: dict[tuple[str, str], list[Answer]] = defaultdict(list)
    for a in answers:
        by_person[(a.user, a.term)].append(a)
    tally = {True: [0, 0], False: [0, 0]}
    for history in by_person.values():
        history.sort(key=lambda a: (a.at, a.source is Source.QUIZ))
        practised = False
        last: datetime | None = None
        for a in history:
            delayed = last is not None and a.at - last >= gap
            if a.source is Source.QUIZ and delayed and (since is None or a.at >= since):
                tally[practised][0] += a.correct
                tally[practised][1] += 1
            practised = practised or a.source is Source.PRACTICE
            last = a.at
    return Recall(Share(*tally[True]), Share(*tally[False]))


@dataclass(frozen=True)
class TermProgress:
    term: str
    first_right: bool
    first_at: datetime
    latest_right: bool
    latest_at: datetime
    answered: int


def initial_vs_current(answers: Iterable[Answer], user: str) -> list[TermProgress]:
    """For each term `user` met (quiz or practice), their first answer and their latest; by term."""
    mine: dict[str, list[Answer]] = defaultdict(list)
    for a in answers:
        if a.user == user:
            mine[a.term].append(a)
    out = []
    for term, history in mine.items():
        history.sort(key=lambda a: a.at)
        first, latest = history[0], history[-1]
        out.append(TermProgress(term, first.correct, first.at, latest.correct, latest.at, len(history)))
    return sorted(out, key=lambda p: p.term.casefold())


def most_missed(
    answers: Iterable[Answer], start: datetime, end: datetime, limit: int = 10
) -> list[tuple[str, int]]:
    """Terms most often answered wrongly in quizzes between `start` and `end`, with counts."""
    wrong = Counter(
        a.term for a in answers if a.source is Source.QUIZ and not a.correct and start <= a.at < end
    )
    return sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:limit]


def missing_terms(
    searches: Iterable[tuple[str, int]], in_glossary: Callable[[str], bool], limit: int = 10
) -> list[tuple[str, int]]:
    """Searches that found nothing, most frequent first, without those the glossary now holds."""
    kept = [(text, n) for text, n in searches if not in_glossary(text)]
    return sorted(kept, key=lambda item: (-item[1], item[0]))[:limit]


@dataclass(frozen=True)
class Report:
    made_at: datetime
    zone: str
    weeks: tuple[Week, ...]
    terms: tuple[TermWeeks, ...]
    recall: Recall
    most_missed: tuple[tuple[str, int], ...]
    missing: tuple[tuple[str, int], ...]

    @property
    def start(self) -> datetime:
        return self.weeks[0].start


def build_report(
    answers: Sequence[Answer],
    searches: Iterable[tuple[str, int]],
    in_glossary: Callable[[str], bool],
    now: datetime,
    zone: ZoneInfo,
    weeks: int,
) -> Report:
    """The learning report for the `weeks` ISO weeks up to `now` (answers: all of them, for recall)."""
    chosen = tuple(last_weeks(now, zone, weeks))
    start, end = chosen[0].start, chosen[-1].end
    return Report(
        made_at=now,
        zone=zone.key,
        weeks=chosen,
        terms=tuple(weekly_accuracy(answers, chosen)),
        recall=delayed_recall(answers, since=start),
        most_missed=tuple(most_missed(answers, start, end)),
        missing=tuple(missing_terms(searches, in_glossary)),
    )
