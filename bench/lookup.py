"""Benchmark `/define` lookups: latency against difflib, and right-first quality on typos.

Run from the repository root; it prints its figures and is not a test::

    .venv/bin/python bench/lookup.py            # full run, about a minute
    .venv/bin/python bench/lookup.py --quick    # fewer queries and typos, about 15 s

Two glossaries are measured: the real `data/glossary.yml`, and 10,000 generated terms
(seeded; plausible multi-word names from the word lists below, many containing shorter
names, about a third with aliases, eight categories), written as YAML text and loaded
through `parse_glossary`, so they pass the same validation as a real file.

Latency: `Finder.of(glossary).find(text)` (what `/define` runs: names, typos, then the
description search of `bot.domain.descriptions`) against the baseline
`difflib.get_close_matches(normalise(text), names, n=5)` over the same normalised names
and the same queries (exact names, aliases, one- and two-edit typos, free text around a
name, free text around a typo, and misses), both timed in this run, one call at a time
with the garbage collector on.  difflib runs on the first queries of the shuffled list
only (it is slow); the ratios compare the two on exactly those queries.

Quality: one- and two-edit typos (deletion, insertion, substitution, transposition) of
every name and alias (ten of each per name for the real glossary; one of each for a seeded
sample of 2,000 names of the generated one).  A typo counts as right when the first answer
(`result.match`, else `result.suggestions[0]`) is the term the typo came from.  Every typo
stays in the count; the table also says how many are exactly another term's name
("collide") and how many are at least as close, by edit distance, to another term's name as
to their own ("ambiguous"), which no matcher can be expected to get right.  Finally, every
exact term and alias must come back as its own term with how == "exact".
"""

from __future__ import annotations

import argparse
import difflib
import gc
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for bench.harness

from bench.harness import machine, percentile, print_verdicts, table  # noqa: E402
from bot.domain.descriptions import Finder  # noqa: E402
from bot.domain.glossary import Glossary, Term, load_glossary, parse_glossary  # noqa: E402
from bot.domain.lookup import LookupResult  # noqa: E402
from bot.domain.text import normalise  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240611
GENERATED_TERMS = 10_000

# Targets from the issue.
TARGET_TOP3_PARAPHRASE = 0.90
PARAPHRASES = ROOT / "bench" / "data" / "paraphrases.yml"
TARGET_P99_MS = 2.0
TARGET_SPEEDUP = 20.0
TARGET_RIGHT_FIRST = 0.95


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MODIFIERS = words(
    """
warm cold durable stale shadow canary blue green rolling sticky leased pinned sharded primary
standby hot frozen atomic eager lazy bounded global local regional edge origin upstream
downstream signed sealed ephemeral persistent idle active passive orphan dangling partial full
delta snapshot batch async sync retry backoff circuit quorum leader follower tenant private
public trusted blocked paused scheduled manual fallback default dynamic static versioned
immutable mutable weighted virtual physical soft hard dry live dead zombie transient cached
compact graceful
"""
)

NOUNS = words(
    """
cache route shard ledger queue token lease lock epoch cursor offset checkpoint journal replica
partition bucket gateway proxy socket session cookie header payload manifest digest artifact
image container volume mount node cluster region zone cell pool worker runner scheduler trigger
webhook secret vault policy quota budget limiter window tombstone watermark heartbeat probe
metric trace span sampler alert pager runbook rollback rollout release migration schema index
table view backup restore failover handoff fence barrier latch semaphore mutex channel topic
stream consumer producer broker subscription listener dispatcher router balancer resolver
registry catalog inventory allocation deploy drain
"""
)

SUFFIXES = words("layer service policy mode window budget pipeline")

CATEGORIES = (
    "Runtime",
    "Deploy",
    "Storage",
    "Networking",
    "Security",
    "Observability",
    "Messaging",
    "Distributed systems",
)

FREE_TEXT = (
    "what is a {}?",
    "what does {} mean",
    "define {} please",
    "{}??",
    "can someone explain {} for the deploy review",
    "is {} the same thing we saw in the incident yesterday",
)

# Syllables that none of the words above are made of, for queries that should find nothing.
MISS_SYLLABLES = words("zor vex plim quaz thrud blorf yib nux gorp frel skiv wug jax")
MISS_TEXT = (
    "how do I reset my password for the vpn",
    "lunch menu friday",
    "who is on call this weekend",
    "quantum flux capacitor",
)


# --- the generated glossary -------------------------------------------------------------


def generate_glossary_yaml(count: int, rng: random.Random) -> str:
    """YAML text for `count` terms with unique names and aliases (after normalising)."""
    used: set[str] = set()
    terms: list[dict[str, object]] = []

    def claim(name: str) -> bool:
        key = normalise(name)
        if not key or key in used:
            return False
        used.add(key)
        return True

    # Some one-word terms, so that many longer names contain a shorter one.
    for noun in rng.sample(NOUNS, 40):
        if claim(noun):
            terms.append(_term_entry(noun.capitalize(), rng))
    while len(terms) < count:
        shape = rng.random()
        if shape < 0.45:
            words = [rng.choice(MODIFIERS), rng.choice(NOUNS)]
        elif shape < 0.75:
            words = [rng.choice(MODIFIERS), rng.choice(NOUNS), rng.choice(NOUNS)]
        elif shape < 0.95:
            words = [rng.choice(NOUNS), rng.choice(NOUNS)]
        else:
            words = [rng.choice(MODIFIERS), rng.choice(MODIFIERS), rng.choice(NOUNS)]
        if len(set(words)) < len(words):
            continue
        name = " ".join(words).capitalize()
        if not claim(name):
            continue
        entry = _term_entry(name, rng)
        aliases = [a for a in _alias_candidates(words, rng) if claim(a)]
        if aliases:
            entry["aliases"] = aliases
        terms.append(entry)
    document = {"title": "Generated glossary", "terms": terms}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000)


def _term_entry(name: str, rng: random.Random) -> dict[str, object]:
    category = rng.choice(CATEGORIES)
    return {
        "term": name,
        "category": category,
        "definition": f"A {category.lower()} concept named {name.lower()}.",
        "trap": f"Confusing {name.lower()} with its neighbours.",
    }


def _alias_candidates(words: list[str], rng: random.Random) -> list[str]:
    """About a third of the terms get an alias, a few of them two."""
    out: list[str] = []
    roll = rng.random()
    if roll < 0.15:
        out.append(" ".join([*words, rng.choice(SUFFIXES)]))  # warm cache -> warm cache layer
    elif roll < 0.25 and len(words) == 2:
        out.append("".join(words))  # jet stream -> jetstream
    elif roll < 0.30 and len(words) == 3:
        out.append("".join(w[0] for w in words).upper())  # an acronym
    if rng.random() < 0.05:
        out.append(" ".join([words[-1], "of", *words[:-1]]))  # cache shard -> shard of cache
    return out


# --- typos ------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_edit(text: str, rng: random.Random) -> str:
    kind = rng.choice(("delete", "insert", "substitute", "transpose"))
    if kind == "delete" and len(text) > 1:
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1 :]
    if kind == "substitute":
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(LETTERS) + text[i + 1 :]
    if kind == "transpose" and len(text) > 1:
        i = rng.randrange(len(text) - 1)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    i = rng.randrange(len(text) + 1)
    return text[:i] + rng.choice(LETTERS) + text[i:]


def make_typo(name: str, edits: int, rng: random.Random) -> str:
    """`name` (normalised) with exactly `edits` edits, counting a swapped pair as one."""
    base = normalise(name)
    for _ in range(200):
        typo = base
        for _ in range(edits):
            typo = one_edit(typo, rng)
        if typo.strip() == typo and normalise(typo) and OSA.distance(base, typo) == edits:
            return typo
    raise RuntimeError(f"no {edits}-edit typo for {name!r}")


# --- queries ----------------------------------------------------------------------------


def miss_query(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(MISS_TEXT)
    words = ["".join(rng.sample(MISS_SYLLABLES, rng.randint(1, 3))) for _ in range(rng.randint(1, 2))]
    return " ".join(words)


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    meant: Term | None  # None for a miss


def latency_queries(glossary: Glossary, count: int, rng: random.Random) -> list[Query]:
    """A fixed mix of exact names, aliases, typos, free text and misses, shuffled."""
    terms = glossary.terms
    aliased = [t for t in terms if t.aliases]
    mix = (
        ("exact", 0.20),
        ("alias", 0.10),
        ("typo", 0.25),
        ("text", 0.15),
        ("text+typo", 0.10),
        ("miss", 0.20),
    )
    out: list[Query] = []
    for kind, share in mix:
        for _ in range(round(count * share)):
            term = rng.choice(aliased if kind == "alias" else terms)
            if kind == "exact":
                text = term.term
            elif kind == "alias":
                text = rng.choice(term.aliases)
            elif kind == "typo":
                text = make_typo(rng.choice(term.names), rng.choice((1, 2)), rng)
            elif kind == "text":
                text = rng.choice(FREE_TEXT).format(term.term.lower())
            elif kind == "text+typo":
                text = rng.choice(FREE_TEXT).format(make_typo(term.term, 1, rng))
            else:
                out.append(Query(kind, miss_query(rng), None))
                continue
            out.append(Query(kind, text, term))
    rng.shuffle(out)
    return out


# --- measuring --------------------------------------------------------------------------


def time_calls(call: Callable[[str], object], queries: Sequence[str], passes: int) -> list[float]:
    """Microseconds per call, one sample per query per pass."""
    for text in queries[:50]:  # warm up caches and lazy imports
        call(text)
    samples: list[float] = []
    clock = time.perf_counter_ns
    gc.collect()  # start clean; the collector stays on, as in the bot
    for _ in range(passes):
        for text in queries:
            started = clock()
            call(text)
            samples.append((clock() - started) / 1000)
    return samples


def first_answer(result: LookupResult) -> Term | None:
    if result.match is not None:
        return result.match
    return result.suggestions[0] if result.suggestions else None


@dataclass
class Latency:
    ours: list[float]  # every sample of every pass
    ours_same: list[float]  # the samples of the queries difflib also ran, for the ratios
    baseline: list[float]
    by_kind: dict[str, list[float]]
    as_meant: dict[
        str, tuple[int, int]
    ]  # kind -> (first answer the meant term, or no match for a miss; queries)


@dataclass
class TypoScore:
    edits: int
    total: int = 0
    right: int = 0
    wrong_match: int = 0
    nothing: int = 0
    collide: int = 0
    ambiguous: int = 0
    right_clear: int = 0  # right among the typos that are not ambiguous


def measure_latency(lookup: Finder, queries: list[Query], passes: int, baseline_count: int) -> Latency:
    texts = [query.text for query in queries]
    names = list(lookup.glossary.names)
    ours = time_calls(lookup.find, texts, passes)
    ours_same: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for index, sample in enumerate(ours):
        position = index % len(queries)
        by_kind.setdefault(queries[position].kind, []).append(sample)
        if position < baseline_count:
            ours_same.append(sample)

    def baseline(text: str) -> object:
        return difflib.get_close_matches(normalise(text), names, n=5)

    as_meant: dict[str, tuple[int, int]] = {}
    for query in queries:
        result = lookup.find(query.text)
        right = result.match is None if query.meant is None else first_answer(result) is query.meant
        done, total = as_meant.get(query.kind, (0, 0))
        as_meant[query.kind] = (done + right, total + 1)
    return Latency(ours, ours_same, time_calls(baseline, texts[:baseline_count], 1), by_kind, as_meant)


def measure_typos(
    lookup: Finder, sample: int | None, per_name: int, rng: random.Random
) -> tuple[TypoScore, TypoScore]:
    glossary = lookup.glossary
    pairs = [(name, term) for term in glossary.terms for name in term.names]
    if sample is not None and sample < len(pairs):
        pairs = rng.sample(pairs, sample)
    keys = list(glossary.names)
    owners = [glossary.names[k].term for k in keys]
    scores = (TypoScore(1), TypoScore(2))
    for name, term in pairs:
        own = [normalise(n) for n in term.names]
        for score in scores:
            for _ in range(per_name):
                typo = make_typo(name, score.edits, rng)
                score.total += 1
                key = normalise(typo)
                owner = glossary.names.get(key)
                if owner is not None and owner is not term:
                    score.collide += 1
                # Ambiguous: another term has a name at least as close as the nearest own name.
                near = min(OSA.distance(key, n) for n in own)
                rivals = process.extract(key, keys, scorer=OSA.distance, score_cutoff=near, limit=None)
                ambiguous = any(owners[index] != term.term for _, _, index in rivals)
                score.ambiguous += ambiguous
                result = lookup.find(typo)
                answer = first_answer(result)
                if answer is term:
                    score.right += 1
                    score.right_clear += not ambiguous
                elif answer is None:
                    score.nothing += 1
                elif result.match is not None:
                    score.wrong_match += 1
    return scores


def measure_paraphrases(finder: Finder) -> tuple[int, int, int]:
    """(asked, top-1, top-3) over the paraphrase set: descriptions of the seed terms in a
    person's words (`bench/data/paraphrases.yml`); the ranking is the match, then suggestions."""
    wanted: dict[str, list[str]] = yaml.safe_load(PARAPHRASES.read_text(encoding="utf-8"))
    asked = top1 = top3 = 0
    for name, texts in wanted.items():
        for text in texts:
            result = finder.find(text)
            ranked = [t.term for t in ([result.match] if result.match else []) + list(result.suggestions)]
            asked += 1
            top1 += ranked[:1] == [name]
            top3 += name in ranked[:3]
    return asked, top1, top3


def exact_failures(lookup: Finder) -> tuple[int, int]:
    """(checked, failed): every term and alias, as written, must find itself exactly."""
    checked = failed = 0
    for term in lookup.glossary.terms:
        for name in term.names:
            checked += 1
            result = lookup.find(name)
            if result.match is not term or result.how != "exact":
                failed += 1
                print(f"  exact failure: {name!r} -> {result.match and result.match.term!r} {result.how}")
    return checked, failed


# --- reporting --------------------------------------------------------------------------


def fmt_us(us: float) -> str:
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


@dataclass
class Run:
    label: str
    glossary: Glossary
    build_ms: float
    latency: Latency
    typos: tuple[TypoScore, TypoScore]
    exact: tuple[int, int]
    paraphrases: tuple[int, int, int] | None = None

    def ratios(self) -> tuple[float, float, float]:
        """difflib time / our time at p50, p99 and on the mean, over the same queries."""
        ours, base = self.latency.ours_same, self.latency.baseline
        return (
            percentile(base, 0.5) / percentile(ours, 0.5),
            percentile(base, 0.99) / percentile(ours, 0.99),
            (sum(base) / len(base)) / (sum(ours) / len(ours)),
        )

    def right_first(self) -> float:
        return sum(p.right for p in self.typos) / sum(p.total for p in self.typos)


def run_glossary(
    label: str, glossary: Glossary, quick: bool, query_count: int, baseline_count: int, sample: int | None
) -> Run:
    started = time.perf_counter()
    lookup = Finder.of(glossary)  # what /define uses: names, typos, then descriptions
    build_ms = (time.perf_counter() - started) * 1000
    queries = latency_queries(glossary, query_count, random.Random(f"{SEED}-{label}"))
    latency = measure_latency(lookup, queries, passes=1 if quick else 3, baseline_count=baseline_count)
    per_name = 1 if sample is not None else (2 if quick else 10)
    typos = measure_typos(lookup, sample, per_name, random.Random(f"{SEED}-{label}-typos"))
    paraphrases = measure_paraphrases(lookup) if label == "real" else None
    return Run(label, glossary, build_ms, latency, typos, exact_failures(lookup), paraphrases)


KINDS = ("exact", "alias", "typo", "text", "text+typo", "miss")


def report(runs: list[Run], generate_s: float) -> int:
    """Print the tables and the verdict on each target."""
    print(machine())
    print(f"seed {SEED}")
    for run in runs:
        g = run.glossary
        aliases = sum(len(t.aliases) for t in g.terms)
        print(
            f"glossary {run.label}: {len(g.terms)} terms, {aliases} aliases, {len(g.categories())} categories; "
            f"Lookup and description index built in {run.build_ms:.0f} ms"
        )
    print(f"(generating and parsing the 10k YAML took {generate_s:.1f} s)")
    print()
    header = [
        "latency",
        "ours p50",
        "ours p99",
        "difflib p50",
        "difflib p99",
        "x p50",
        "x p99",
        "x mean",
        "timed",
    ]
    rows = [header]
    for run in runs:
        lat = run.latency
        x50, x99, xmean = run.ratios()
        rows.append(
            [
                run.label,
                fmt_us(percentile(lat.ours, 0.5)),
                fmt_us(percentile(lat.ours, 0.99)),
                fmt_us(percentile(lat.baseline, 0.5)),
                fmt_us(percentile(lat.baseline, 0.99)),
                f"{x50:.0f}x",
                f"{x99:.0f}x",
                f"{xmean:.0f}x",
                f"{len(lat.ours)}/{len(lat.baseline)}",
            ]
        )
    print(table(rows))
    print("(timed: calls timed, ours/difflib; x = difflib time / our time, over the queries both ran)")
    print()
    rows = [["ours by kind", *KINDS]]
    for run in runs:
        cells = [f"{run.label} p50/p99"]
        for kind in KINDS:
            samples = run.latency.by_kind.get(kind, [])
            cells.append(f"{fmt_us(percentile(samples, 0.5))}/{fmt_us(percentile(samples, 0.99))}")
        rows.append(cells)
        cells = [f"{run.label} as meant"]
        for kind in KINDS:
            done, total = run.latency.as_meant.get(kind, (0, 0))
            cells.append(pct(done, total))
        rows.append(cells)
    print(table(rows))
    print("(as meant: the first answer is the term queried; for a miss, no match)")
    print()
    header = [
        "typos",
        "edits",
        "n",
        "right first",
        "wrong match",
        "nothing",
        "collide",
        "ambiguous",
        "right if clear",
    ]
    rows = [header]
    for run in runs:
        for score in (*run.typos, None):
            parts = run.typos if score is None else (score,)
            total = sum(p.total for p in parts)
            ambiguous = sum(p.ambiguous for p in parts)
            rows.append(
                [
                    run.label,
                    "all" if score is None else str(score.edits),
                    str(total),
                    pct(sum(p.right for p in parts), total),
                    pct(sum(p.wrong_match for p in parts), total),
                    pct(sum(p.nothing for p in parts), total),
                    str(sum(p.collide for p in parts)),
                    str(ambiguous),
                    pct(sum(p.right_clear for p in parts), total - ambiguous),
                ]
            )
    print(table(rows))
    print("(wrong match: a confident match on another term; collide: the typo is exactly another")
    print(" term's name; ambiguous: another term has a name at least as close by edit distance;")
    print(" right if clear: right first among the typos that are not ambiguous)")
    print()
    for run in runs:
        checked, failed = run.exact
        print(f"exact names {run.label}: {checked} terms and aliases checked, {failed} not found as exact")
    print()
    real = runs[0]
    asked, top1, top3 = real.paraphrases or (0, 0, 0)
    print(
        f"paraphrases {real.label}: {asked} descriptions ({PARAPHRASES.name}), "
        f"top-1 {pct(top1, asked)}, top-3 {pct(top3, asked)}"
    )
    print()
    big = runs[-1]
    p99 = percentile(big.latency.ours, 0.99) / 1000
    x50, _, xmean = big.ratios()
    speedup = min(x50, xmean)
    quality = ", ".join(f"{run.label} {run.right_first():.1%}" for run in runs)
    failures = sum(run.exact[1] for run in runs)
    verdicts = [
        (f"p99 at {big.label}: {p99:.2f} ms (target <= {TARGET_P99_MS:g} ms)", p99 <= TARGET_P99_MS),
        (
            f"faster than difflib at {big.label}: {speedup:.0f}x, the lower of p50 and mean "
            f"(target >= {TARGET_SPEEDUP:.0f}x)",
            speedup >= TARGET_SPEEDUP,
        ),
        (
            f"right first on typos: {quality} (target >= {TARGET_RIGHT_FIRST:.0%})",
            min(run.right_first() for run in runs) >= TARGET_RIGHT_FIRST,
        ),
        (f"exact terms and aliases answered wrongly: {failures} (target 0)", failures == 0),
        (
            f"paraphrases found within the first three: {pct(top3, asked)} "
            f"(target >= {TARGET_TOP3_PARAPHRASE:.0%})",
            asked > 0 and top3 / asked >= TARGET_TOP3_PARAPHRASE,
        ),
    ]
    return print_verdicts(verdicts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer queries and typos (about 15 s instead of a minute)"
    )
    quick: bool = parser.parse_args(argv).quick

    real = load_glossary(ROOT / "data" / "glossary.yml")
    started = time.perf_counter()
    generated = parse_glossary(generate_glossary_yaml(GENERATED_TERMS, random.Random(SEED)), "<generated>")
    generate_s = time.perf_counter() - started
    runs = [
        run_glossary("real", real, quick, 400 if quick else 2000, 400 if quick else 2000, None),
        run_glossary(
            "10k", generated, quick, 300 if quick else 1500, 100 if quick else 500, 300 if quick else 2000
        ),
    ]
    return report(runs, generate_s)


if __name__ == "__main__":
    sys.exit(main())
