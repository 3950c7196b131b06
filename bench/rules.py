"""Screening cost of every rule against the name-and-embargo-only screening (issue 10,
point 7), in-process, on the same realistic orders bench/stream.py sends (4 parties, 3
lines), against SDN 2021-07 + CSL 2022-05. Both rule sets run over the same orders in
alternating rounds (the machine's neighbours move single passes); medians are reported.
Stream facts are fed as the worker feeds them, so the red-flag rules see a real history.

usage: python bench/rules.py [--orders 3000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from stream import LISTS, listed_names, realistic_order  # noqa: E402

from schemas import OrderEvent  # noqa: E402
from screening.facts import StreamFacts  # noqa: E402
from screening.lists import load_directory, parse_file  # noqa: E402
from screening.liststate import ListState  # noqa: E402
from screening.matching import tune_gc_after_build  # noqa: E402
from screening.policy import ScreeningPolicy  # noqa: E402
from screening.ruledata import RuleData  # noqa: E402
from screening.rules import RULES, embargo, lists_available, restricted_party  # noqa: E402
from screening.screener import Screener  # noqa: E402

NAME_AND_EMBARGO = (embargo.destinations, embargo.transit, lists_available.check, restricted_party.check)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    now = datetime.now(UTC)
    state = ListState()
    entries = load_directory(LISTS / "ofac" / "sdn-2021-07").entries
    keys = {e.key for e in entries}
    entries += [e for e in parse_file(LISTS / "csl" / "consolidated-2022-05.csv.gz").entries if e.key not in keys]
    for e in entries:
        state.apply(e.key, e, now)
    state.index.settle()
    tune_gc_after_build()
    rng = random.Random(11)
    listed = listed_names(entries, rng)
    orders = [OrderEvent.model_validate(realistic_order(rng, listed)) for _ in range(args.orders)]
    data = RuleData.packaged()
    screeners = {name: Screener(state, ScreeningPolicy(), data=data, facts=StreamFacts(data.red_flags), rules=rules)
                 for name, rules in (("name_and_embargo", NAME_AND_EMBARGO), ("all_rules", RULES))}
    times: dict[str, list[float]] = {name: [] for name in screeners}
    for _ in range(args.rounds):
        for name, screener in screeners.items():
            started = time.perf_counter()
            for order in orders:
                screened = screener.on_event(order, None, now)
                assert screened is not None
            times[name].append((time.perf_counter() - started) / len(orders))
    base, full = statistics.median(times["name_and_embargo"]), statistics.median(times["all_rules"])
    print(json.dumps({
        "date": now.isoformat(timespec="seconds"), "orders": args.orders, "rounds": args.rounds,
        "name_and_embargo_ms": round(base * 1000, 4), "all_rules_ms": round(full * 1000, 4),
        "all_rules_throughput_ratio": round(base / full, 3),
        "per_round_ratio": [round(b / f, 3)
                            for b, f in zip(times["name_and_embargo"], times["all_rules"], strict=True)],
    }, indent=2))


if __name__ == "__main__":
    main()
