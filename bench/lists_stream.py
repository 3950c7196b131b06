"""List state at stream scale (issue: list state over time), against real worker processes
on the embedded broker:

1. Load: SDN 2021-07 plus the full CSL 2022-05, from the start of the load to the list
   state being visible (all entries, manifest version reached) on every worker.
2. Delta: with 10,000 open orders decided against SDN 2024-02-20, publish the real
   2024-02-20 → 2024-02-23 delta (553 added, 8 modified) and time until every expected
   re-screening decision is out.
Baseline in the same run: screening the same 10,000 orders in-process, once each against the
whole list (what a naive "re-screen the book" would cost), versus the delta-only check.

usage: python bench/lists_stream.py [--orders 10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from schemas import OrderEvent  # noqa: E402
from screening.lists import load_directory, parse_file  # noqa: E402
from screening.lists.delta import compute_delta  # noqa: E402
from screening.liststate import ListState  # noqa: E402
from screening.policy import ScreeningPolicy  # noqa: E402
from screening.screener import Screener  # noqa: E402
from streams.broker import EmbeddedBroker  # noqa: E402
from streams.kafka import create_topics, flush_or_raise, make_producer  # noqa: E402
from streams.list_publisher import publish_entries  # noqa: E402
from streams.settings import Settings  # noqa: E402
from tests.integration.harness import OutputReader, WorkerProcess  # noqa: E402

LISTS = REPO.parent / "shared" / "data" / "lists"
WORDS = ("Nordic", "Alpine", "Pacific", "Atlas", "Meridian", "Harbor", "Summit", "Crescent", "Granite", "Silver",
         "Cedar", "Delta", "Orion", "Vector", "Quantum", "Sterling", "Falcon", "Horizon", "Beacon", "Cobalt")
FORMS = ("GmbH", "Ltd", "LLC", "Inc.", "S.A.", "B.V.", "AB", "Co., Ltd.", "Pty Ltd", "SAS")
TRADES = ("Trading", "Electronics", "Logistics", "Systems", "Industrial Supply", "Networks", "Instruments")


def clean_name(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(FORMS)}"


def order(buyer: str, rng: random.Random) -> dict[str, object]:
    return {"event_id": str(uuid.UUID(int=rng.getrandbits(128))), "type": "order.created",
            "order_id": f"SO-{rng.getrandbits(48):012x}", "occurred_at": datetime.now(UTC).isoformat(),
            "parties": [{"role": "seller", "name": "Northwind Network Systems Inc.", "address": {"country": "US"}},
                        {"role": "buyer", "name": buyer}],
            "ship_to": {"country": "DE"}, "lines": []}


def wait(predicate, timeout_s: float, what: str) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout_s:
            raise TimeoutError(what)
        time.sleep(0.05)
    return time.monotonic() - start


def bench_load(broker: EmbeddedBroker, workers: int, tmp: Path) -> dict[str, float]:
    settings = Settings(_env_file=None, topic_prefix="load.", app_id="bench-load")  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    procs = [WorkerProcess(broker.bootstrap, tmp / f"load-w{i}", TRADESCREEN_TOPIC_PREFIX="load.",
                           TRADESCREEN_APP_ID="bench-load").start() for i in range(workers)]
    try:
        for p in procs:
            p.wait_health(lambda h: h["broker"]["reachable"])
        folder = tmp / "load-lists"
        folder.mkdir()
        for f in (LISTS / "ofac" / "sdn-2021-07").iterdir():
            (folder / f.name).symlink_to(f)
        (folder / "consolidated.csv.gz").symlink_to(LISTS / "csl" / "consolidated-2022-05.csv.gz")
        t0 = time.monotonic()
        load = load_directory(folder)
        t_parse = time.monotonic() - t0
        report = publish_entries(settings, broker.bootstrap, load.entries, source="bench", loaded_at=datetime.now(UTC))
        t_publish = time.monotonic() - t0 - t_parse
        total = sum(report.counts.values())

        def visible() -> bool:
            for p in procs:
                lists = p.health()["lists"]
                if sum(lists["entries"].values()) != total or lists["differs_from_manifest"]:
                    return False
            return True

        wait(visible, 300, "list state visible on every worker")
        return {"entries": total, "parse_s": t_parse, "publish_s": t_publish, "visible_s": time.monotonic() - t0}
    finally:
        for p in procs:
            p.stop()


def bench_delta(broker: EmbeddedBroker, n_orders: int, tmp: Path) -> dict[str, float]:
    rng = random.Random(7)
    settings = Settings(_env_file=None, topic_prefix="delta.", app_id="bench-delta")  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    daily = LISTS / "ofac" / "sdn-daily"
    before = parse_file(daily / "sdn_2024-02-20.csv").entries
    after = parse_file(daily / "sdn_2024-02-23.csv").entries
    delta = compute_delta({e.key: e for e in before}, after)
    publish_entries(settings, broker.bootstrap, before, source="sdn_2024-02-20", loaded_at=datetime.now(UTC))
    added_orgs = [e for e in delta.added if e.kind.value == "organization"]
    newly_listed = {o["event_id"]: o for o in (order(e.name, rng) for e in added_orgs[:50])}
    orders = [order(clean_name(rng), rng) for _ in range(n_orders - len(newly_listed))] + list(newly_listed.values())
    rng.shuffle(orders)

    worker = WorkerProcess(broker.bootstrap, tmp / "delta-w", TRADESCREEN_TOPIC_PREFIX="delta.",
                           TRADESCREEN_APP_ID="bench-delta").start()
    reader = OutputReader(broker.bootstrap, prefix="delta.")
    try:
        worker.wait_health(lambda h: h["lists"]["entries"].get("SDN") == len(before), timeout_s=300)
        producer = make_producer(broker.bootstrap)
        for o in orders:
            producer.produce("delta.orders", key=str(o["order_id"]).encode(), value=json.dumps(o).encode())
            producer.poll(0)
        flush_or_raise(producer)
        t_decide = wait(lambda: len(reader.messages["decisions"]) >= len(orders), 600, "all orders decided")
        cleared = {d["event_id"] for d in reader.messages["decisions"] if d["outcome"] == "CLEAR"}
        expected = [eid for eid in newly_listed if eid in cleared]

        t1 = time.monotonic()
        publish_entries(settings, broker.bootstrap, after, source="sdn_2024-02-23", loaded_at=datetime.now(UTC))
        t_publish = time.monotonic() - t1

        def rescreened() -> bool:
            seen = {d["event_id"] for d in reader.where("decisions", trigger="list_update")}
            return all(eid in seen for eid in expected)

        wait(rescreened, 300, "re-screening decisions")
        t_total = time.monotonic() - t1
        updates = len(reader.where("decisions", trigger="list_update"))
    finally:
        reader.close()
        worker.stop()

    # Same-run baseline, in-process: the whole book against the whole list, versus the
    # delta-only check the worker does (party matches against the 561 changed entries).
    state = ListState()
    for e in after:
        state.apply(e.key, e, datetime.now(UTC))
    parsed = [OrderEvent.model_validate(o) for o in orders]
    changed = {e.key for e in (*delta.added, *delta.modified)}
    screener, now = Screener(state, ScreeningPolicy()), datetime.now(UTC)
    t2 = time.monotonic()
    for o in parsed:
        screener.screen(o, now)
    t_full = time.monotonic() - t2
    t3 = time.monotonic()
    for o in parsed:
        ctx = screener.context(now)
        any(m.key in changed for p in o.parties for m in ctx.party_matches(p, o.occurred_at.date()))
    t_delta_only = time.monotonic() - t3
    return {"orders": len(orders), "decide_all_s": t_decide, "publish_delta_s": t_publish,
            "delta_to_rescreened_s": t_total, "list_update_decisions": updates, "expected": len(expected),
            "inproc_full_rescreen_s": t_full, "inproc_delta_check_s": t_delta_only}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        load = bench_load(broker, args.workers, Path(tmp))
        print(json.dumps({"load": load}, indent=2), flush=True)
        delta = bench_delta(broker, args.orders, Path(tmp))
        print(json.dumps({"delta": delta}, indent=2), flush=True)


if __name__ == "__main__":
    main()
