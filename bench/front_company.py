"""CPU cost of the FRONT_COMPANY rule alone per realistic order (issue 10, point 7), in-
process, on the orders bench/stream.py sends (4 parties, 3 lines; buyer, consignee and
end user new random names and street addresses on every order, the seller the same),
against SDN 2021-07 + CSL 2022-05. A screener with every rule screens a warm-up batch
first, so the stream facts hold the parties it flagged, as a worker's would; then the
rule is timed on new orders only, round after round; medians are reported.

To compare two checkouts, run this script from each, alternating (ABBA): the orders are
the same for the same --seed, and `findings` (a digest of the reasons found) must agree.

usage: python bench/front_company.py [--orders 3000] [--rounds 7] [--seed 11]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
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

from stream import list_entries, listed_names, loaded_list_state, realistic_order  # noqa: E402

from schemas import OrderEvent  # noqa: E402
from screening.facts import StreamFacts  # noqa: E402
from screening.policy import ScreeningPolicy  # noqa: E402
from screening.ruledata import RuleData  # noqa: E402
from screening.rules import RULES, RULES_BY_NAME, front_company  # noqa: E402
from screening.screener import Screener  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=3000, help="orders per round (new ones each round)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    now = datetime.now(UTC)
    state = loaded_list_state(now)
    entries = list_entries()
    rng = random.Random(args.seed)
    listed = listed_names(entries, rng)
    warm = [OrderEvent.model_validate(realistic_order(rng, listed)) for _ in range(args.orders)]
    rounds = [[OrderEvent.model_validate(realistic_order(rng, listed)) for _ in range(args.orders)]
              for _ in range(args.rounds)]
    data = RuleData.packaged()
    screener = Screener(state, ScreeningPolicy(), data=data, facts=StreamFacts(data.red_flags), rules=RULES)
    for order in warm:
        screener.on_event(order, None, now)
    restricted_party = RULES_BY_NAME["restricted_party"]
    gc.collect()
    gc.freeze()
    digest = hashlib.sha256()
    found = 0
    cpu: list[float] = []
    for orders in rounds:
        spent = 0.0
        for order in orders:
            # A context per order, as the screener makes one per screening; restricted_party
            # runs first there and leaves the party's matches in it, so it does here too.
            ctx = screener.context(now)
            restricted_party(order, ctx, now)
            started = time.thread_time()
            reasons = front_company.check(order, ctx, now)
            spent += time.thread_time() - started
            found += len(reasons)
            for reason in reasons:
                digest.update(f"{reason.party_name}|{reason.source_id}|{reason.matched_name}|{reason.detail}\n"
                              .encode())
        cpu.append(spent / len(orders))
    print(json.dumps({
        "date": now.isoformat(timespec="seconds"), "repo": str(REPO), "orders": args.orders, "rounds": args.rounds,
        "seed": args.seed,
        "front_company_cpu_us_per_order": round(statistics.median(cpu) * 1e6, 2),
        "per_round_cpu_us": [round(c * 1e6, 2) for c in cpu],
        "reasons": found, "findings": digest.hexdigest()[:16],
    }, indent=2))


if __name__ == "__main__":
    main()
