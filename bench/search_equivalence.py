"""Every field of what `NameIndex.search` returns, for a fixed seeded set of queries, to a
file: a change meant to make searches cheaper must leave that file byte-identical.

    .venv/bin/python bench/search_equivalence.py OUT [--shared ../shared]

Index: SDN 2021-07 + CSL 2022-05, as bench/stream.py loads them. About 24,000 queries:
the bench's clean company names (bench/stream.py `clean_name`) with and without a
country and kind; listed names and aliases changed as bench/names.py changes them
(a swap, punctuation dropped, word order, case) with their kind, country and, where the
entry lists one, an identifier (the right one and a wrong one); the dev evaluation set
with its kind, without it and with a country; a few searches restricted by `only_keys`
and with a small `limit`. Prints the number of queries, of matches and the file's
SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from names import build, perturb  # noqa: E402
from stream import CITIES, clean_name, list_entries  # noqa: E402

from schemas.lists import EntryKind  # noqa: E402
from screening.matching import NameIndex  # noqa: E402

Query = dict[str, Any]
KINDS = (None, EntryKind.person, EntryKind.organization)


def build_queries(shared: Path, entries: list[Any], rng: random.Random) -> list[Query]:
    found: list[Query] = []
    countries = [c for _, c in CITIES] + ["IR", "RU", "CN", "SY", "AE"]
    for _ in range(8000):  # the stream's new names
        found.append({"name": clean_name(rng), "country": rng.choice(countries) if rng.random() < 0.8 else None,
                      "kind": rng.choice(KINDS) if rng.random() < 0.3 else None})
    for entry in rng.sample(entries, 7000):  # listed names, changed
        names = [entry.name, *entry.aliases, *entry.weak_aliases]
        listed_countries = sorted({a.country for a in entry.addresses if a.country})
        query: Query = {"name": perturb(rng.choice(names), rng),
                        "kind": entry.kind if rng.random() < 0.7 else None,
                        "country": (rng.choice(listed_countries) if listed_countries and rng.random() < 0.6
                                    else rng.choice(countries) if rng.random() < 0.3 else None)}
        if entry.ids and rng.random() < 0.5:
            id_type, value = rng.choice(sorted(entry.ids.items()))
            value = value[0] if isinstance(value, list | tuple) else value
            query["ids"] = {id_type: str(value) if rng.random() < 0.7 else "X" + str(value)[::-1]}
        elif rng.random() < 0.05:
            query["ids"] = {"imo": str(rng.randint(1_000_000, 9_999_999))}
        found.append(query)
    for line in (shared / "eval" / "names-dev.jsonl").read_text().splitlines():
        record = json.loads(line)
        kind = EntryKind(record["kind"]) if record.get("kind") else None
        found.append({"name": record["name"], "kind": kind})
        found.append({"name": record["name"], "kind": None})
        found.append({"name": record["name"], "kind": kind, "country": rng.choice(countries)})
    keys = [e.key for e in entries]
    for query in rng.sample(found, 300):
        found.append({**query, "only_keys": rng.sample(keys, 50)})
    for query in rng.sample(found, 300):
        found.append({**query, "limit": rng.choice((1, 2, 3))})
    return found


def run(index: NameIndex, queries: list[Query]) -> tuple[list[str], int]:
    lines: list[str] = []
    matches = 0
    for query in queries:
        hits = index.search(query["name"], kind=query.get("kind"), country=query.get("country"),
                            ids=query.get("ids"), only_keys=query.get("only_keys"), limit=query.get("limit", 10))
        matches += len(hits)
        record = {"q": {k: (v.value if isinstance(v, EntryKind) else v) for k, v in query.items()
                        if k != "only_keys"},
                  "m": [[h.key, h.list_code, h.source_id, h.matched_name, repr(h.score), h.strong, h.weak_alias,
                         h.explanation] for h in hits]}
        lines.append(json.dumps(record, sort_keys=True, ensure_ascii=False))
    return lines, matches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--shared", type=Path, default=REPO / ".." / "shared")
    args = parser.parse_args()
    entries = list_entries()
    index = build(entries)[0]
    queries = build_queries(args.shared, entries, random.Random(20261201))
    start = time.process_time()
    lines, matches = run(index, queries)
    # The same queries again, every cache a search fills now warm: the answers must not
    # depend on what earlier searches left behind.
    again, _ = run(index, queries)
    seconds = time.process_time() - start
    if again != lines:
        raise SystemExit("a second pass over the same queries answered differently")
    text = "".join(line + "\n" for line in lines)
    args.out.write_text(text)
    print(f"{len(queries)} queries, {matches} matches, {seconds:.1f} s CPU (two passes); "
          f"sha256 {hashlib.sha256(text.encode()).hexdigest()}")


if __name__ == "__main__":
    main()
