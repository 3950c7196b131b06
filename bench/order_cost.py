"""Where one order's time goes in-process, every rule on: parsing the event (pydantic),
screening it (`Screener.on_event`: rules, decision, hold, facts) and sending what it
decided (`bench/rules.py`'s OutputPath: subject record and hold changelogs, the emit point,
produce to an embedded broker). One screener, new realistic orders every round (4 parties,
3 lines; SDN 2021-07 + CSL 2022-05), CPU time of this thread, microseconds per order,
median over the rounds. Run it from each checkout in turn to compare code (ABBA).

usage: python bench/order_cost.py [--orders 3000] [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
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

from rules import OutputPath  # noqa: E402
from stream import list_entries, listed_names, loaded_list_state, realistic_order  # noqa: E402

from schemas import OrderEvent  # noqa: E402
from screening.facts import StreamFacts  # noqa: E402
from screening.policy import ScreeningPolicy  # noqa: E402
from screening.ruledata import RuleData  # noqa: E402
from screening.rules import RULES  # noqa: E402
from screening.screener import Screener  # noqa: E402
from streams.broker import EmbeddedBroker  # noqa: E402

PHASES = ("parse", "screen", "send")


async def _main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=3000, help="new orders per round")
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    now = datetime.now(UTC)
    state = loaded_list_state(now)
    rng = random.Random(11)
    listed = listed_names(list_entries(), rng)
    rounds = [[realistic_order(rng, listed) for _ in range(args.orders)] for _ in range(args.rounds + 1)]
    data = RuleData.packaged()
    screener = Screener(state, ScreeningPolicy(), data=data, facts=StreamFacts(data.red_flags), rules=RULES)
    spent: dict[str, list[float]] = {phase: [] for phase in PHASES}
    with EmbeddedBroker() as broker:
        path = OutputPath(broker.bootstrap, "bench-order-cost.")
        gc.collect()
        gc.freeze()  # the lists and the orders in waiting, as a worker keeps them (streams/collector.py)
        for n, raw in enumerate(rounds):
            totals = dict.fromkeys(PHASES, 0.0)
            for k, event in enumerate(raw):
                partition = k % 4
                started = time.thread_time()
                order = OrderEvent.model_validate(event)
                parsed = time.thread_time()
                screened = screener.on_event(order, None, now, partition=partition, event_data=event)
                decided = time.thread_time()
                assert screened is not None
                await path.send(screened, partition)
                sent = time.thread_time()
                totals["parse"] += parsed - started
                totals["screen"] += decided - parsed
                totals["send"] += sent - decided
            await path.emitter.flush()  # not timed: the worker's commits wait for this
            if n == 0:
                continue  # the warm-up round: the stream facts start with a history
            for phase, total in totals.items():
                spent[phase].append(total / len(raw) * 1e6)
    medians = {phase: round(statistics.median(values), 1) for phase, values in spent.items()}
    print(json.dumps({"date": now.isoformat(timespec="seconds"), "checkout": str(REPO), "orders": args.orders,
                      "rounds": args.rounds, "us_per_order": medians,
                      "us_per_order_by_round": {p: [round(v, 1) for v in vs] for p, vs in spent.items()}}, indent=2))


if __name__ == "__main__":
    asyncio.run(_main())
