"""Name-matching benchmark: NameIndex against a brute-force rapidfuzz scan, same run.

    .venv/bin/python bench/names.py [--shared ../shared] [--brute-queries 200] [--rounds 10]

Index: OFAC SDN 2021-07 (names and aliases) plus the full trade.gov CSL 2022-05.
Queries: the names of the dev evaluation set (people, companies, hard near-misses and
listed names with typos, reordering, legal-form and transliteration changes) plus CSL
names perturbed the same ways, so both halves of the index are exercised.
Reports per-query mean/p50/p99 (first pass: every cache a query fills emptied), index
build time (including the full garbage collection the build makes due), resident memory,
the brute-force baseline per query, and how per-query time grows with 10x more names
(synthetic names shaped like real ones): both indexes held at once and timed in
alternating first passes, growth taken from the medians. Method and results:
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from schemas.lists import EntryKind, ListEntry
from screening.lists import load_directory, parse_file
from screening.matching import NameIndex, clear_name_caches, tune_gc_after_build

REPO = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def perturb(name: str, rng: random.Random) -> str:
    """One realistic change: a typo, dropped punctuation, word order, case."""
    choice = rng.randrange(4)
    if choice == 0 and len(name) > 6:
        i = rng.randrange(1, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if choice == 1:
        return "".join(ch for ch in name if ch.isalnum() or ch == " ")
    if choice == 2 and "," in name:
        last, _, first = name.partition(",")
        return f"{first.strip()} {last.strip()}"
    return name.title()


def queries(shared: Path, csl: list[ListEntry], rng: random.Random) -> list[tuple[str, EntryKind | None]]:
    found: list[tuple[str, EntryKind | None]] = []
    for line in (shared / "eval" / "names-dev.jsonl").read_text().splitlines():
        record = json.loads(line)
        found.append((record["name"], EntryKind(record["kind"]) if record.get("kind") else None))
    for entry in rng.sample(csl, 1000):
        found.append((perturb(entry.name, rng), entry.kind))
    return found


def pseudo_words(entries: list[ListEntry], rng: random.Random) -> Callable[[], str]:
    """A character-trigram model of the listed words: new, name-like words (a larger real
    list brings new surnames and company words, not ten copies of the old ones)."""
    follow: dict[str, list[str]] = {}
    for entry in entries:
        for listed_word in entry.name.lower().replace(",", " ").split():
            padded = f"^^{listed_word}$"
            for i in range(len(padded) - 2):
                follow.setdefault(padded[i : i + 2], []).append(padded[i + 2])

    def word() -> str:
        state, out = "^^", ""
        while len(out) < 14:
            nxt = rng.choice(follow.get(state, ["$"]))
            if nxt == "$":
                break
            out += nxt
            state = state[1] + nxt
        return out.upper() or "X"

    return word


def synthetic(entries: list[ListEntry], count: int, rng: random.Random) -> list[ListEntry]:
    """`count` new one-name entries, each shaped like a listed name or alias (cycling
    through them): its 500 most frequent words (legal forms, particles, common given
    names) kept, other words replaced by new pseudo-words, so frequent tokens stay as
    frequent relative to list size."""
    templates = [(text, e.kind) for e in entries for text in (e.name, *e.aliases, *e.weak_aliases)]
    counts: Counter[str] = Counter(w for text, _ in templates for w in text.upper().replace(",", " ").split())
    common = {w for w, _ in counts.most_common(500)}
    word = pseudo_words(entries, rng)
    made: list[ListEntry] = []
    for n in range(count):
        text, kind = templates[n % len(templates)]
        words = [w if w in common else word() for w in text.upper().replace(",", " ").split()]
        made.append(
            ListEntry.model_validate(
                {
                    "list": "SYN",
                    "source_id": str(n),
                    "kind": kind,
                    "name": " ".join(words) or "X",
                    "source_version": "bench",
                }
            )
        )
    return made


def time_queries(index: NameIndex, qs: list[tuple[str, EntryKind | None]]) -> list[float]:
    times: list[float] = []
    for name, kind in qs:
        start = time.perf_counter()
        index.search(name, kind=kind)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"mean {statistics.fmean(times):.3f} ms, p50 {p50:.3f} ms, p99 {p99:.3f} ms"


def cold_pass(index: NameIndex, qs: list[tuple[str, EntryKind | None]]) -> list[float]:
    """Every query once, with every cache a query fills empty: the normaliser's (names,
    legal-form spellings, sound keys) and the index's (query words' neighbours and
    sources). Real traffic repeats words far more than these 4,000 distinct names do."""
    clear_name_caches()
    index.clear_query_caches()
    return time_queries(index, qs)


def build(entries: list[ListEntry]) -> tuple[NameIndex, float, float]:
    """The index of `entries`, its build time (s) and resident memory (MB)."""
    before = rss_mb()
    start = time.perf_counter()
    index = NameIndex()
    for entry in entries:
        index.upsert(entry)
    index.settle()  # re-read word counts once now rather than in the first search
    # The build leaves a full garbage collection due (millions of new objects); run it
    # now, as part of the build, not inside whichever query happens to trip it, and tune
    # the collector as the worker does after a bulk list load (matching/memory.py).
    tune_gc_after_build()
    return index, time.perf_counter() - start, rss_mb() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO / ".." / "shared")
    parser.add_argument("--brute-queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10, help="cold passes per index in the scaling run")
    parser.add_argument("--skip-scaling", action="store_true")
    args = parser.parse_args()
    rng = random.Random(20240521)
    lists = args.shared / "data" / "lists"

    sdn = load_directory(lists / "ofac" / "sdn-2021-07").entries
    csl = parse_file(lists / "csl" / "consolidated-2022-05.csv.gz").entries
    entries = sdn + csl
    qs = queries(args.shared, csl, rng)

    index, build_s, memory = build(entries)
    names = index.name_count
    cold = cold_pass(index, qs)
    warm = time_queries(index, qs)

    all_names = [n for e in entries for n in (e.name, *e.aliases, *e.weak_aliases)]
    processed = [utils.default_process(n) for n in all_names]
    brute: list[float] = []
    for name, _ in qs[: args.brute_queries]:
        start = time.perf_counter()
        process.extract(
            utils.default_process(name),
            processed,
            scorer=fuzz.WRatio,
            score_cutoff=90,
            limit=None,
            processor=None,
        )
        brute.append((time.perf_counter() - start) * 1000)

    print(f"machine: {cpu_model()}, Python {platform.python_version()}, one core")
    print(f"date: {time.strftime('%Y-%m-%d')}")
    print(f"index: {len(index)} entries, {names} names; build {build_s:.2f} s; resident memory +{memory:.0f} MB")
    print(f"queries: {len(qs)}")
    print(f"NameIndex first pass (cold caches): {summary(cold)}")
    print(f"NameIndex second pass (warm caches): {summary(warm)}")
    print(f"brute-force WRatio scan over {len(all_names)} names ({len(brute)} queries): {summary(brute)}")
    print(f"speed-up (mean, first pass): {statistics.fmean(brute) / statistics.fmean(cold):.0f}x")

    if args.skip_scaling:
        return
    # As many new names as there are listed ones, nine times over (one name per new
    # entry), so the name count grows tenfold; a second index beside the first, so that
    # the two are timed in alternation, under the same load of the machine's neighbours.
    listed = list({e.key: e for e in entries}.values())  # the entries the index holds
    big, big_build_s, big_memory = build(entries + synthetic(listed, 9 * names, rng))
    small_means: list[float] = []
    big_means: list[float] = []
    big_times: list[float] = []
    for round_ in range(args.rounds):
        for which in (index, big) if round_ % 2 == 0 else (big, index):
            times = cold_pass(which, qs)
            if which is big:
                big_means.append(statistics.fmean(times))
                big_times = times
            else:
                small_means.append(statistics.fmean(times))
    ratios = [b / s for s, b in zip(small_means, big_means, strict=True)]
    print(
        f"10x names ({big.name_count} names, {big.name_count / names:.1f}x; build {big_build_s:.1f} s, "
        f"+{big_memory:.0f} MB): {args.rounds} cold passes of each index in alternation"
    )
    for label, means in (("1x ", small_means), ("10x", big_means)):
        passes = ", ".join(f"{m:.3f}" for m in means)
        print(f"  {label} mean per pass (ms): {passes}; median {statistics.median(means):.3f}")
    print(f"  10x last pass: {summary(big_times)}")
    print(
        f"  mean grows {statistics.median(big_means) / statistics.median(small_means):.2f}x (medians); "
        f"per round {', '.join(f'{r:.2f}' for r in ratios)}"
    )


if __name__ == "__main__":
    main()
