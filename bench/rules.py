"""Screening cost of every rule against the name-and-embargo-only screening (issue 10,
point 7), in-process, on the same realistic orders bench/stream.py sends (4 parties, 3
lines), against SDN 2021-07 + CSL 2022-05. Both rule sets run over the same orders in
alternating rounds (the machine's neighbours move single passes), new orders each round;
medians are reported. Stream facts are fed as the worker feeds them (after a warm-up
round), so the red-flag rules see a real history.

usage: python bench/rules.py [--orders 3000] [--rounds 7] [--block 100] [--repeat] [--per-rule] [--outputs]

--outputs: each decided order also goes out as the worker sends it, to an embedded broker:
its subject record and hold serialised as changelog records, and every output through the
emit point (streams/emitter.py: audit chain, serialisation, produce). What every rule
adds then counts its holds too (half of these orders are held with every rule on). Not
counted: Faust (consuming, the table's own bookkeeping) and librdkafka's threads.

--per-rule: instead, each rule's own cost on new orders with every rule on (the rules of
one screening in registry order, each timed alone; the first to ask for the subject view
or a party's matches pays for it), the median over the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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

from stream import NAME_AND_EMBARGO as NAME_AND_EMBARGO_SETTING  # noqa: E402
from stream import list_entries, listed_names, loaded_list_state, realistic_order  # noqa: E402

from schemas import OrderEvent  # noqa: E402
from screening.facts import StreamFacts  # noqa: E402
from screening.policy import ScreeningPolicy  # noqa: E402
from screening.ruledata import RuleData  # noqa: E402
from screening.rules import RULES, RULES_BY_NAME, rules_named  # noqa: E402
from screening.screener import Screened, Screener  # noqa: E402
from streams.broker import EmbeddedBroker  # noqa: E402
from streams.emitter import Emitter  # noqa: E402
from streams.kafka import create_topics, make_producer  # noqa: E402
from streams.settings import Settings  # noqa: E402
from streams.topology import OUTPUT_PRODUCER  # noqa: E402

# The subset bench/stream.py's name-and-embargo workers run with (TRADESCREEN_RULES_ENABLED)
NAME_AND_EMBARGO_NAMES = tuple(NAME_AND_EMBARGO_SETTING.split(","))
NAME_AND_EMBARGO = rules_named(NAME_AND_EMBARGO_NAMES)


class OutputPath:
    """Where a decided order goes in the worker after screening (streams/handlers.py
    screen_subject): the subject record and the hold written as changelog records, the
    outputs through the emit point, each rule set to topics of its own."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        settings = Settings(_env_file=None, topic_prefix=prefix)  # type: ignore[call-arg]
        create_topics(settings, bootstrap)
        self.book = settings.topic("bench-orders_book-changelog")
        self.holds = settings.topic("bench-holds-changelog")
        self.emitter = Emitter(make_producer(bootstrap, settings, **OUTPUT_PRODUCER, **{"linger.ms": 2}),
                               settings.topic, audit_tail=None,
                               records=make_producer(bootstrap, settings, **OUTPUT_PRODUCER, **{"linger.ms": 50}),
                               writer="bench")

    async def send(self, screened: Screened, partition: int) -> None:
        record = screened.record
        self.emitter.changelog(self.book, partition, record.id.encode(), record.model_dump_json().encode())
        if screened.hold is not None:
            self.emitter.changelog(self.holds, partition, screened.hold.hold_id.encode(),
                                   screened.hold.model_dump_json().encode())
        await self.emitter.emit(screened.outputs, partition)


def main() -> None:
    asyncio.run(_main())


async def _main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=3000, help="orders per round (new ones each round)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--block", type=int, default=100, help="orders per alternation inside a round")
    ap.add_argument("--per-rule", action="store_true", help="each rule's own cost, every rule on")
    ap.add_argument("--outputs", action="store_true",
                    help="send each decided order as the worker does (emit point, changelogs) to an embedded broker")
    ap.add_argument("--repeat", action="store_true",
                    help="screen the warm-up orders again every round instead of new ones (how this bench "
                         "measured before 2026-12-01: every per-item and per-party answer is then remembered)")
    args = ap.parse_args()
    now = datetime.now(UTC)
    state = loaded_list_state(now)
    entries = list_entries()
    rng = random.Random(11)
    listed = listed_names(entries, rng)
    # New orders every round, as a stream brings them (a round of orders seen before would
    # find every per-item and per-party answer remembered); the same orders for both sets.
    warm = [OrderEvent.model_validate(realistic_order(rng, listed)) for _ in range(args.orders)]
    rounds = ([warm] * args.rounds if args.repeat else
              [[OrderEvent.model_validate(realistic_order(rng, listed)) for _ in range(args.orders)]
               for _ in range(args.rounds)])
    data = RuleData.packaged()
    screeners = {name: Screener(state, ScreeningPolicy(), data=data, facts=StreamFacts(data.red_flags), rules=rules)
                 for name, rules in (("name_and_embargo", NAME_AND_EMBARGO), ("all_rules", RULES))}
    for screener in screeners.values():
        for order in warm:
            screener.on_event(order, None, now)
    # The orders of every round are built in advance: set them aside from the collector,
    # as a worker holds one message at a time, not thousands waiting.
    gc.collect()
    gc.freeze()
    if args.per_rule:
        print(json.dumps(per_rule(screeners["all_rules"], rounds, now), indent=2))
        return
    async with contextlib.AsyncExitStack() as stack:
        paths = None
        if args.outputs:
            broker = stack.enter_context(EmbeddedBroker())
            paths = {name: OutputPath(broker.bootstrap, f"bench-rules-{name}.") for name in screeners}
        report = await alternate(screeners, rounds, args.block, now, paths)
    print(json.dumps({"date": now.isoformat(timespec="seconds"), "orders": args.orders, "rounds": args.rounds,
                      "block": args.block, "repeat": args.repeat, "outputs": args.outputs, **report}, indent=2))


async def alternate(screeners: dict[str, Screener], rounds: list[list[OrderEvent]], block_size: int, now: datetime,
                    paths: dict[str, OutputPath] | None) -> dict[str, object]:
    """Both rule sets over the same orders, `block_size` orders at a time in turn; with
    `paths`, each decided order is sent as well. Medians over the rounds."""
    wall: dict[str, list[float]] = {name: [] for name in screeners}
    cpu: dict[str, list[float]] = {name: [] for name in screeners}
    # What a worker keeps of an event: the JSON object it was read from.
    data = {id(order): order.model_dump(mode="json", by_alias=True, exclude_none=True)
            for orders in rounds for order in orders}
    for orders in rounds:
        spent = {name: [0.0, 0.0] for name in screeners}
        # The two sets take turns every `block` orders, each going first in every other
        # block, so that a neighbour's burst on this shared machine falls on both alike.
        for i, start in enumerate(range(0, len(orders), block_size)):
            block = orders[start:start + block_size]
            for name in (list(screeners) if i % 2 == 0 else list(reversed(screeners))):
                screener = screeners[name]
                path = paths[name] if paths else None
                started, started_cpu = time.perf_counter(), time.thread_time()
                for n, order in enumerate(block):
                    partition = n % 4
                    screened = screener.on_event(order, None, now, partition=partition, event_data=data[id(order)])
                    assert screened is not None
                    if path is not None:
                        await path.send(screened, partition)
                spent[name][0] += time.perf_counter() - started
                spent[name][1] += time.thread_time() - started_cpu
                if path is not None:
                    await path.emitter.flush()  # not timed: the worker's commits wait for this
        for name, (w, c) in spent.items():
            wall[name].append(w / len(orders))
            cpu[name].append(c / len(orders))
    base, full = statistics.median(wall["name_and_embargo"]), statistics.median(wall["all_rules"])
    base_cpu, full_cpu = statistics.median(cpu["name_and_embargo"]), statistics.median(cpu["all_rules"])
    return {
        "name_and_embargo_ms": round(base * 1000, 4), "all_rules_ms": round(full * 1000, 4),
        "all_rules_throughput_ratio": round(base / full, 3),
        "per_round_ratio": [round(b / f, 3) for b, f in zip(wall["name_and_embargo"], wall["all_rules"], strict=True)],
        # CPU time of this thread: what the neighbours' load does not add.
        "cpu_name_and_embargo_ms": round(base_cpu * 1000, 4), "cpu_all_rules_ms": round(full_cpu * 1000, 4),
        "cpu_throughput_ratio": round(base_cpu / full_cpu, 3),
    }


def per_rule(screener: Screener, rounds: list[list[OrderEvent]], now: datetime) -> dict[str, object]:
    """Microseconds per order of each rule, median over the rounds; the orders are then
    decided, so that the stream facts grow as in a stream."""
    spent: dict[str, list[float]] = {name: [] for name in RULES_BY_NAME}
    for orders in rounds:
        round_spent = dict.fromkeys(RULES_BY_NAME, 0.0)
        for order in orders:
            ctx = screener.context(now)
            for name, rule in RULES_BY_NAME.items():
                started = time.thread_time()
                rule(order, ctx, now)
                round_spent[name] += time.thread_time() - started
            screener.on_event(order, None, now)
        for name, total in round_spent.items():
            spent[name].append(total / len(orders) * 1e6)
    medians = {name: round(statistics.median(v), 1) for name, v in spent.items()}
    return {"date": now.isoformat(timespec="seconds"), "rounds": len(rounds), "orders": len(rounds[0]),
            "us_per_order": medians, "beyond_name_and_embargo_us": round(
                sum(v for name, v in medians.items() if name not in NAME_AND_EMBARGO_NAMES), 1)}


if __name__ == "__main__":
    main()
