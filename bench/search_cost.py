"""CPU time of `NameIndex.search` for the new names a stream screens: the bench's clean
company names (bench/stream.py `clean_name`, names no earlier search has seen, with a
country as the order gives one), and the same shape with new pseudo-words in place of the
bench's 30 words (bench/names.py `pseudo_words`: word pairs that do not recur as the
bench's do). The index is SDN 2021-07 + CSL 2022-05; before timing, 3,000 other clean
names are screened, as a running worker has screened names before (the caches of query
words are warm, the names are new).

    .venv/bin/python bench/search_cost.py [--names 3000] [--rounds 5]
    .venv/bin/python bench/search_cost.py --compare CHECKOUT [--runs 4]

`--compare` runs this script in a process of this checkout and of CHECKOUT (its own
.venv, compiled matcher and sources) in the order ABBA..., and prints the medians of the
runs and their ratio. CPU time is `time.process_time()`; a run's figure is the median of
its rounds.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def measure(repo: Path, names: int, rounds: int) -> dict[str, Any]:
    sys.path.insert(0, str(repo))
    sys.path.insert(0, str(repo / "bench"))
    from names import build, pseudo_words
    from stream import CITIES, FORMS, TRADES, clean_name, list_entries


    entries = list_entries()
    index = build(entries)[0]
    rng = random.Random(13)
    word = pseudo_words(entries, random.Random(17))
    seen: set[str] = set()

    def fresh(make: Any, count: int) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        while len(found) < count:
            name = make()
            if name not in seen:
                seen.add(name)
                found.append((name, rng.choice(CITIES)[1]))
        return found

    def varied() -> str:
        return f"{word().title()} {word().title()} {rng.choice(TRADES)} {rng.choice(FORMS)}"

    for name, country in fresh(lambda: clean_name(rng), 3000):
        index.search(name, country=country)
    gc.collect()
    gc.freeze()
    result: dict[str, Any] = {"repo": str(repo)}
    for label, make in (("clean", lambda: clean_name(rng)), ("varied", varied)):
        per_search: list[float] = []
        hits = 0
        for _ in range(rounds):
            queries = fresh(make, names)
            start = time.process_time()
            for name, country in queries:
                hits += len(index.search(name, country=country))
            per_search.append((time.process_time() - start) / len(queries))
        result[label] = {"us_per_search": 1e6 * statistics.median(per_search),
                         "rounds_us": [round(1e6 * s, 2) for s in per_search], "hits": hits}
    return result


def compare(other: Path, runs: int, names: int, rounds: int) -> None:
    checkouts = {"this": REPO, "other": other.resolve()}
    order = ["other", "this", "this", "other"] * ((runs + 1) // 2)
    results: dict[str, list[dict[str, Any]]] = {"this": [], "other": []}
    for which in order[: 2 * runs]:
        repo = checkouts[which]
        out = subprocess.run([str(repo / ".venv" / "bin" / "python"), __file__, "--repo", str(repo),
                              "--names", str(names), "--rounds", str(rounds), "--json"],
                             check=True, capture_output=True, text=True, cwd=repo).stdout
        results[which].append(json.loads(out.strip().splitlines()[-1]))
        print(which, results[which][-1], flush=True)
    for label in ("clean", "varied"):
        other_us = statistics.median(r[label]["us_per_search"] for r in results["other"])
        this_us = statistics.median(r[label]["us_per_search"] for r in results["this"])
        print(f"{label}: other {other_us:.2f} us/search ({3 * other_us:.1f} per order of 3 new names), "
              f"this {this_us:.2f} us/search ({3 * this_us:.1f} per order); this/other {this_us / other_us:.3f} "
              f"({other_us / this_us:.2f}x); runs {runs} each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=3000, help="new names per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare", type=Path, help="another checkout with its own compiled .venv")
    parser.add_argument("--runs", type=int, default=4, help="runs per checkout with --compare")
    parser.add_argument("--repo", type=Path, default=REPO, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        compare(args.compare, args.runs, args.names, args.rounds)
        return
    result = measure(args.repo, args.names, args.rounds)
    if args.json:
        print(json.dumps(result))
        return
    for label in ("clean", "varied"):
        held = result[label]
        print(f"{label}: {held['us_per_search']:.2f} us per search (median of rounds {held['rounds_us']}), "
              f"{3 * held['us_per_search']:.1f} us per order of three new names; {held['hits']} matches")


if __name__ == "__main__":
    main()
