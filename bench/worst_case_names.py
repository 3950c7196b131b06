"""Worst cases of name matching within the input limits (issue 13: no name that passes the
limits takes more than 5 ms to match).

    .venv/bin/python bench/worst_case_names.py [--shared ../shared] [--repeat 7]

Index: OFAC SDN 2021-07 plus the full CSL 2022-05 (as bench/names.py). Query names are
built to be expensive within the limits (512 characters, 24 words): the 24 most common
listed words; 24 one-letter words; 24 words each one typo away from many listed words
(the deletion keys shared by the most listed words); one word repeated to 512
characters (57 words: over the word limit, kept as the longest case); mixed scripts.
Each is timed cold (every query cache emptied) `--repeat` times; the median and the
slowest run are reported beside the median of realistic queries (the dev set) in the
same run. A hostile list entry (24-word name of common words, 200 aliases of
them) is also upserted and removed, timed, with the index's memory before and after.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from names import build

from schemas.lists import EntryKind, ListEntry
from screening.lists import load_directory, parse_file
from screening.matching import NameIndex, clear_name_caches

REPO = Path(__file__).resolve().parents[1]
MAX_CHARS = 512
MAX_WORDS = 24
MAX_ALIASES = 200
HAN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def within_limits(words: list[str]) -> str:
    name = " ".join(words[:MAX_WORDS])
    return name[:MAX_CHARS].strip()


def adversarial(index: NameIndex, rng: random.Random) -> dict[str, str]:
    postings = index._postings
    by_count = sorted(postings.words.values(), key=lambda w: -len(w.names))
    common = [w.text.upper() for w in by_count if len(w.text) > 2][:MAX_WORDS]
    common_short = [w.text.upper() for w in by_count if len(w.text) > 1][:MAX_WORDS]
    # Deletion keys shared by the most listed words: a query word equal to one is one
    # typo from each of them.
    deletions = index._vocabulary._deletions
    shared_keys = sorted(
        (k for k, v in deletions.items() if isinstance(v, tuple) and len(k) >= 4), key=lambda k: -len(deletions[k])
    )
    letters = "abcdefghijklmnopqrstuvwxyz"
    return {
        "24 most common words": within_limits(common),
        "24 most common words (2+ letters)": within_limits(common_short),
        "24 one-letter words": within_limits([rng.choice(letters).upper() for _ in range(MAX_WORDS)]),
        "24 one-letter words, a-x": within_limits(list(letters[:MAX_WORDS].upper())),
        "24 near-typos of many words": within_limits([k.upper() for k in shared_keys[:MAX_WORDS]]),
        "one word to 512 chars": ("MOHAMMED " * 60)[:MAX_CHARS].strip(),
        "one common word x24": within_limits([common[0]] * MAX_WORDS),
        "common words + initials": within_limits([w if i % 2 else w[0] for i, w in enumerate(common)]),
        "mixed scripts": within_limits(
            ["Владимир", "محمد", "习近平", "Αλέξης", "MOHAMMED", "ALI", "Путин", "عبد", "الله", "KHAN"] * 3
        ),
        "24 Han characters": "".join(rng.choice(HAN_SURNAMES) for _ in range(MAX_WORDS)),
        "common legal words": within_limits(
            ("LIMITED LIABILITY COMPANY JOINT STOCK CORPORATION INTERNATIONAL TRADING GROUP " * 4).split()
        ),
    }


def time_cold(index: NameIndex, name: str, kind: EntryKind | None, repeat: int) -> tuple[float, float]:
    """Median and slowest of `repeat` cold searches (ms): the median is the query's cost,
    the slowest adds whatever the machine's neighbours took from it."""
    times: list[float] = []
    for _ in range(repeat):
        clear_name_caches()
        index.clear_query_caches()
        start = time.perf_counter()
        index.search(name, kind=kind)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def hostile_entry(index: NameIndex) -> ListEntry:
    by_count = sorted(index._postings.words.values(), key=lambda w: -len(w.names))
    common = [w.text.upper() for w in by_count if len(w.text) > 2][:60]
    rng = random.Random(7)
    aliases = [within_limits(rng.sample(common, MAX_WORDS)) for _ in range(MAX_ALIASES)]
    return ListEntry.model_validate(
        {
            "list": "HOSTILE",
            "source_id": "1",
            "kind": "organization",
            "name": within_limits(common),
            "aliases": aliases,
            "source_version": "bench",
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO / ".." / "shared")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    lists = args.shared / "data" / "lists"
    entries = load_directory(lists / "ofac" / "sdn-2021-07").entries
    entries += parse_file(lists / "csl" / "consolidated-2022-05.csv.gz").entries
    index = build(entries)[0]
    rng = random.Random(13)

    realistic = []
    for line in (args.shared / "eval" / "names-dev.jsonl").read_text().splitlines()[:1000]:
        record = json.loads(line)
        realistic.append(time_cold(index, record["name"], EntryKind(record["kind"]), 1)[0])
    baseline = statistics.median(realistic)
    print(f"date {time.strftime('%Y-%m-%d')}; index {index.name_count} names")
    print(f"baseline: dev-set queries cold, median {baseline:.3f} ms, max {max(realistic):.3f} ms")
    worst_median = worst_max = 0.0
    for label, name in adversarial(index, rng).items():
        for kind in (None, EntryKind.person, EntryKind.organization):
            median, slowest = time_cold(index, name, kind, args.repeat)
            worst_median, worst_max = max(worst_median, median), max(worst_max, slowest)
            hits = len(index.search(name, kind=kind))
            print(
                f"{label:36s} kind={kind.value if kind else '-':12s} median {median:7.3f} ms "
                f"({median / baseline:4.0f}x baseline), slowest {slowest:7.3f} ms; hits {hits} "
                f"[{len(name)} chars, {len(name.split())} words]"
            )
    print(f"worst adversarial query: median {worst_median:.3f} ms, slowest run {worst_max:.3f} ms (limit 5 ms)")

    before = rss_mb()
    entry = hostile_entry(index)
    start = time.perf_counter()
    index.upsert(entry)
    index.settle()
    upsert_ms = (time.perf_counter() - start) * 1000
    grown = rss_mb() - before
    common_query = entry.aliases[0]
    ms = time_cold(index, common_query, None, args.repeat)[0]
    start = time.perf_counter()
    index.remove(entry.key)
    remove_ms = (time.perf_counter() - start) * 1000
    print(
        f"hostile entry (24-word name + {len(entry.aliases)} aliases of common words): upsert {upsert_ms:.1f} ms, "
        f"+{grown:.1f} MB, a query of its words then {ms:.3f} ms, remove {remove_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
