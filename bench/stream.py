"""Stream throughput and latency of real worker processes on the embedded broker, with two
ceilings measured in the same run on the same broker:

- worker: realistic orders (4 parties, 3 lines) screened against full SDN 2021-07 + CSL
  2022-05; decisions per second flat out (a backlog produced first, then drained), and
  produce -> decision-consumed latency at fixed offered rates;
- passthrough: a bare Faust agent (bench/passthrough.py) that consumes, decodes and sends
  one message, with the worker's consumer settings;
- broker: a confluent-kafka producer -> consumer round trip with no worker in between.

usage: python bench/stream.py [--orders 20000] [--workers 1] [--rates 500,1000,2000]
                              [--seconds 10] [--skip-ceilings] [--profile FILE]
       python bench/stream.py --compare-rules ROUNDS [--orders N] [--interleave]   (issue 10, point 7)
       python bench/stream.py --compare-code CHECKOUT [--rounds 4] [--orders N] [--compare-rate PER_S --seconds S]
       python bench/stream.py --compare-env TRADESCREEN_X=V [--rounds 4] [--orders N]
       python bench/stream.py --compare-workers ROUNDS [--orders N]   (issue 13: two >= 1.7x one)
           (this checkout's worker against another's, e.g. `git worktree add /tmp/base main`;
           the other checkout needs its compiled screening/matching modules)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import orjson  # noqa: E402
from confluent_kafka import Consumer, Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

from screening.lists import load_directory, parse_file  # noqa: E402
from screening.liststate import ListState  # noqa: E402
from screening.matching import tune_gc_after_build  # noqa: E402
from streams.broker import EmbeddedBroker, free_port  # noqa: E402
from streams.kafka import create_topics, make_producer  # noqa: E402
from streams.list_publisher import publish_entries  # noqa: E402
from streams.settings import Settings  # noqa: E402
from tests.integration.harness import WorkerProcess  # noqa: E402

LISTS = REPO.parent / "shared" / "data" / "lists"
WORDS = ("Nordic", "Alpine", "Pacific", "Atlas", "Meridian", "Harbor", "Summit", "Crescent", "Granite", "Silver",
         "Cedar", "Delta", "Orion", "Vector", "Quantum", "Sterling", "Falcon", "Horizon", "Beacon", "Cobalt",
         "Lumen", "Aurora", "Kestrel", "Juniper", "Willow", "Ember", "Tundra", "Sable", "Onyx", "Argent")
FORMS = ("GmbH", "Ltd", "LLC", "Inc.", "S.A.", "B.V.", "AB", "Co., Ltd.", "Pty Ltd", "SAS")
TRADES = ("Trading", "Electronics", "Logistics", "Systems", "Industrial Supply", "Networks", "Instruments")
CITIES = (("Stuttgart", "DE"), ("Osaka", "JP"), ("Ottawa", "CA"), ("Lyon", "FR"), ("Manchester", "GB"),
          ("Seoul", "KR"), ("Stockholm", "SE"), ("Perth", "AU"), ("Madrid", "ES"), ("Milan", "IT"))
STREETS = ("Main St", "Harbour Rd", "Industriestrasse", "Rue de la Gare", "High St", "Station Rd",
           "Via Roma", "Calle Mayor", "Kungsgatan", "Queen St", "Market St", "Park Ave", "Mill Lane",
           "Bahnhofstrasse", "Avenue Foch", "Church St", "Dock Rd", "Elm St", "Bridge St", "King St")
ITEMS = (("BB-CHIPSET-7", "baseband chipset", "5A991", "854231", 14.5),
         ("SW-ROUTER-4", "carrier router", "5A002", "851762", 8200.0),
         ("OSC-200", "digital oscilloscope", "3A992", "903020", 2300.0),
         ("PUMP-11", "industrial pump", "EAR99", "841370", 640.0),
         ("FPGA-X9", "programmable logic device", "3A991", "854239", 450.0))
FAST_CONSUMER = {"fetch.wait.max.ms": 10, "enable.auto.commit": False, "auto.offset.reset": "earliest"}


def clean_name(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(FORMS)}"


def realistic_order(rng: random.Random, listed: list[str]) -> dict[str, Any]:
    """Seller, buyer, consignee and end user; three lines; one party in 20 a listed name."""
    def party(role: str) -> dict[str, Any]:
        city, country = rng.choice(CITIES)
        name = rng.choice(listed) if listed and rng.random() < 0.05 else clean_name(rng)
        # Street addresses from a pool as large as a real customer base's: unrelated
        # companies rarely share one (with 200 "Main St" numbers a city, a fifth of the
        # orders named a party at the address of one held before: FRONT_COMPANY).
        street = f"{rng.randint(1, 9999)} {rng.choice(STREETS)}"
        return {"role": role, "name": name, "address": {"line1": street, "city": city, "country": country}}
    buyer = party("buyer")
    return {
        "event_id": str(uuid.UUID(int=rng.getrandbits(128))), "type": "order.created",
        "order_id": f"SO-{rng.getrandbits(48):012x}", "occurred_at": datetime.now(UTC).isoformat(),
        "parties": [{"role": "seller", "name": "Northwind Network Systems Inc.",
                     "address": {"city": "Richardson", "region": "TX", "country": "US"}},
                    buyer, party("consignee"), party("end_user")],
        "ship_to": buyer["address"],
        "lines": [{"sku": sku, "description": d, "quantity": rng.randint(1, 500), "unit_value": v,
                   "currency": "USD", "eccn": eccn, "hs_code": hs, "origin_country": "US"}
                  for sku, d, eccn, hs, v in rng.sample(ITEMS, 3)],
        "payment": {"method": "wire"},
    }


class DecisionClock:
    """Consumes an output topic in a thread; records when each event_id first came out."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4()}",
                                   **FAST_CONSUMER})
        self._consumer.subscribe([topic])
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for msg in self._consumer.consume(1000, 0.005):
                if msg.error() or msg.value() is None:
                    continue
                now = time.monotonic()
                event_id = orjson.loads(msg.value()).get("event_id")  # the cheapest parse: the clock shares the CPU
                if event_id is not None:
                    self.seen.setdefault(event_id, now)
        self._consumer.close()

    def wait(self, ids: list[str], timeout_s: float) -> float:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(i in self.seen for i in ids[-50:]) and sum(1 for i in ids if i in self.seen) == len(ids):
                return max(self.seen[i] for i in ids)
            time.sleep(0.05)
        missing = sum(1 for i in ids if i not in self.seen)
        raise TimeoutError(f"{missing} of {len(ids)} outputs not seen within {timeout_s}s")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def flat_out(producer: Producer, topic: str, clock: DecisionClock, events: list[dict[str, Any]],
             key: str = "order_id") -> dict[str, float]:
    """Produce the whole backlog, then time its draining: from the first output to the last."""
    ids = [e["event_id"] for e in events]
    for e in events:
        producer.produce(topic, key=e[key].encode(), value=json.dumps(e).encode())
        producer.poll(0)
    producer.flush(60)
    last = clock.wait(ids, timeout_s=600)
    first = min(clock.seen[i] for i in ids)
    return {"count": len(ids), "seconds": last - first, "per_s": (len(ids) - 1) / max(last - first, 1e-9)}


def offered(producer: Producer, topic: str, clock: DecisionClock, make: Callable[[], dict[str, Any]], rate: float,
            seconds: float, key: str = "order_id") -> dict[str, float]:
    """Produce at a fixed rate; latency from produce() to the output being consumed. The
    events are built and encoded before the clock starts, so that the load generator takes
    as little as it can of the CPU it shares with the worker and the broker."""
    backlog = [(e["event_id"], e[key].encode(), json.dumps(e).encode())
               for e in (make() for _ in range(int(rate * seconds) + 1))]
    sent: dict[str, float] = {}
    start = time.monotonic()
    n = 0
    while (now := time.monotonic()) - start < seconds:
        due = min(int((now - start) * rate), len(backlog))
        while n < due:
            event_id, event_key, value = backlog[n]
            sent[event_id] = time.monotonic()
            producer.produce(topic, key=event_key, value=value)
            n += 1
        producer.poll(0)
        time.sleep(0.001)
    producer.flush(60)
    ids = list(sent)
    last = clock.wait(ids, timeout_s=300)
    lat = sorted((clock.seen[i] - sent[i]) * 1000 for i in ids)
    # The worst latency of the events sent in each second: a stall shows as one bad second.
    worst: dict[int, float] = {}
    for i in ids:
        second = int(sent[i] - start)
        worst[second] = max(worst.get(second, 0.0), (clock.seen[i] - sent[i]) * 1000)
    return {"offered_per_s": rate, "count": len(ids), "achieved_per_s": len(ids) / max(last - start, 1e-9),
            "p50_ms": statistics.median(lat), "p99_ms": lat[int(len(lat) * 0.99) - 1],
            "worst_ms_by_second": [round(worst[k]) for k in sorted(worst)]}


def listed_names(entries: list[Any], rng: random.Random, count: int = 200) -> list[str]:
    names = [e.name for e in entries if e.kind.value == "organization"]
    return rng.sample(names, min(count, len(names)))


_ENTRIES: list[Any] = []


def loaded_list_state(now: datetime) -> ListState:
    """`list_entries()` in a ListState as a worker holds them after a load: the index
    settled and the collector tuned (screening/matching/memory.py)."""
    state = ListState()
    for e in list_entries():
        state.apply(e.key, e, now)
    state.index.settle()
    tune_gc_after_build()
    return state


def list_entries() -> list[Any]:
    """SDN 2021-07 + CSL 2022-05 (read from the files once)."""
    if not _ENTRIES:
        entries = load_directory(LISTS / "ofac" / "sdn-2021-07").entries
        sdn_keys = {e.key for e in entries}
        _ENTRIES.extend(entries + [e for e in parse_file(LISTS / "csl" / "consolidated-2022-05.csv.gz").entries
                                   if e.key not in sdn_keys])
    return _ENTRIES


def publish_lists(broker: EmbeddedBroker, prefix: str = "bench.") -> list[Any]:
    """The lists on the list topics under `prefix`."""
    settings = Settings(_env_file=None, topic_prefix=prefix, app_id="bench-stream")  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    publish_entries(settings, broker.bootstrap, list_entries(), source="bench", loaded_at=datetime.now(UTC))
    return list_entries()


def start_workers(broker: EmbeddedBroker, tmp: Path, entries: list[Any], count: int, checkout: Path | None = None,
                  prefix: str = "bench.", **extra: str) -> list[WorkerProcess]:
    env = {"TRADESCREEN_TOPIC_PREFIX": prefix, "TRADESCREEN_APP_ID": "bench-stream",
           **{k: v for k, v in os.environ.items() if k.startswith("TRADESCREEN_BENCH_")}, **extra}
    procs = [WorkerProcess(broker.bootstrap, tmp / f"w{i}", cwd=checkout, **env).start() for i in range(count)]
    total = len({e.key for e in entries})
    for p in procs:
        p.wait_health(lambda h: sum(h["lists"]["entries"].values()) >= total and h["lists"]["fail_closed"] is None,
                      timeout_s=300)
    return procs


def stat_cpu_seconds(stat: Path) -> float:
    """User + system CPU time in a /proc `stat` file (of a process or one of its tasks)."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


def cpu_seconds(procs: list[WorkerProcess]) -> float:
    """CPU time of the worker processes so far (every thread: the event loop and
    librdkafka's)."""
    total = 0.0
    for p in procs:
        assert p.proc is not None
        total += stat_cpu_seconds(Path(f"/proc/{p.proc.pid}/stat"))
    return total


def thread_cpu_seconds(procs: list[WorkerProcess]) -> dict[str, float]:
    """CPU time so far by thread: "main" (the event loop the agents run on), then by name
    (`comm`: librdkafka names its threads rdk:*, Python threads keep the process's name:
    Faust's consumer thread, executors)."""
    by_name: dict[str, float] = {}
    for p in procs:
        assert p.proc is not None
        for task in Path(f"/proc/{p.proc.pid}/task").iterdir():
            try:
                name = (task / "comm").read_text().strip()
                spent = stat_cpu_seconds(task / "stat")
            except OSError:
                continue  # the thread ended
            name = "main" if task.name == str(p.proc.pid) else (name.split("/")[0].rstrip("0123456789:-") or name)
            by_name[name] = by_name.get(name, 0.0) + spent
    return by_name


def worker_metric(procs: list[WorkerProcess], prefix: str) -> float:
    """The sum over the workers' /metrics of the samples whose line starts with `prefix`."""
    total = 0.0
    for p in procs:
        if p.proc is None or p.proc.poll() is not None:
            continue
        for line in p.metrics().splitlines():
            if line.startswith(prefix):
                total += float(line.rsplit(" ", 1)[1])
    return total


def gc_pause_seconds(procs: list[WorkerProcess]) -> float:
    """Seconds the workers spent in the cyclic garbage collector."""
    return worker_metric(procs, "tradescreen_gc_pause_seconds_total{")


def measured_flat_out(producer: Producer, clock: DecisionClock, procs: list[WorkerProcess],
                      events: list[dict[str, Any]], topic: str = "bench.orders") -> dict[str, Any]:
    """`flat_out` plus the workers' CPU time per order (less disturbed by neighbours on a
    shared machine than wall time), in all and by thread."""
    before, threads_before, gc_before = cpu_seconds(procs), thread_cpu_seconds(procs), gc_pause_seconds(procs)
    screening_before = worker_metric(procs, "tradescreen_screening_seconds_sum ")
    run: dict[str, Any] = flat_out(producer, topic, clock, events)
    run["cpu_ms_per_order"] = (cpu_seconds(procs) - before) * 1000 / len(events)
    # The worker's own timing of Screener.on_event (rules, decision, holds, facts): what
    # is left of the CPU per order is Faust, decoding, tables and the emit point.
    run["screening_ms_per_order"] = round(
        (worker_metric(procs, "tradescreen_screening_seconds_sum ") - screening_before) * 1000 / len(events), 3)
    run["gc_ms_per_order"] = round((gc_pause_seconds(procs) - gc_before) * 1000 / len(events), 3)
    run["cpu_ms_per_order_by_thread"] = {
        name: round((spent - threads_before.get(name, 0.0)) * 1000 / len(events), 3)
        for name, spent in sorted(thread_cpu_seconds(procs).items())}
    return run


def measured_offered(producer: Producer, clock: DecisionClock, procs: list[WorkerProcess],
                     make: Callable[[], dict[str, Any]], rate: float, seconds: float,
                     topic: str = "bench.orders") -> dict[str, Any]:
    """`offered` plus the workers' CPU time per order, in all and by thread."""
    before, threads_before = cpu_seconds(procs), thread_cpu_seconds(procs)
    run: dict[str, Any] = offered(producer, topic, clock, make, rate, seconds)
    run["cpu_ms_per_order"] = round((cpu_seconds(procs) - before) * 1000 / run["count"], 3)
    run["cpu_ms_per_order_by_thread"] = {
        name: round((spent - threads_before.get(name, 0.0)) * 1000 / run["count"], 3)
        for name, spent in sorted(thread_cpu_seconds(procs).items())}
    return run


# Issue 10, point 7: the baseline rule set.
NAME_AND_EMBARGO = "embargo_destinations,embargo_transit,lists_available,restricted_party"


Variant = tuple[Path | None, dict[str, str], int]  # (checkout or None for this one, extra environment, workers)


class Fleet:
    """One variant's workers, on topics, lists and a consumer group of their own (`tag`
    names them), and the clock that watches their decisions."""

    def __init__(self, broker: EmbeddedBroker, tmp: Path, tag: str, variant: Variant) -> None:
        checkout, extra, workers = variant
        self.prefix = f"bench-{tag}."
        self.orders = f"{self.prefix}orders"
        entries = publish_lists(broker, self.prefix)
        self.clock = DecisionClock(broker.bootstrap, f"{self.prefix}decisions")
        try:
            self.procs = start_workers(broker, tmp / tag, entries, workers, checkout, self.prefix,
                                       **{"TRADESCREEN_APP_ID": f"bench-stream-{tag}", **extra})
        except BaseException:
            self.clock.close()
            raise

    def warm(self, producer: Producer, orders: list[dict[str, Any]]) -> None:
        """Every partition assigned and every cache filled as in steady operation."""
        flat_out(producer, self.orders, self.clock, orders)

    def stop(self) -> None:
        for p in self.procs:
            p.stop()
        self.clock.close()


def alternate(broker: EmbeddedBroker, args: argparse.Namespace, tmp: Path, rng: random.Random,
              variants: dict[str, Variant]) -> dict[str, Any]:
    """Flat-out decisions per second (and CPU ms per order) of each variant (label ->
    (checkout or None for this one, extra environment, number of workers)), whole runs
    alternating on the same broker (ABBA...), each warmed with 500 orders. Every run has
    topics, lists and consumer group of its own: no run recovers, re-screens or remembers
    (stream facts) what an earlier one decided, and none rejoins a group behind a stopped
    member."""
    listed = listed_names(list_entries(), rng)
    producer = make_producer(broker.bootstrap, **{"linger.ms": 2})
    labels = list(variants)
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    for n in range(args.rounds):
        for label in (labels if n % 2 == 0 else labels[::-1]):
            fleet = Fleet(broker, tmp, f"{n}-{labels.index(label)}", variants[label])
            try:
                fleet.warm(producer, [realistic_order(rng, listed) for _ in range(500)])
                run = measured_flat_out(producer, fleet.clock, fleet.procs,
                                        [realistic_order(rng, listed) for _ in range(args.orders)], fleet.orders)
                if args.compare_rate:
                    # The same worker at a steady offered rate, after its flat-out run.
                    run["steady"] = measured_offered(producer, fleet.clock, fleet.procs,
                                                     lambda: realistic_order(rng, listed), args.compare_rate,
                                                     args.seconds, fleet.orders)
                runs[label].append(run)
                print(f"{label} round {n}: {run['per_s']:.0f} /s, {run['cpu_ms_per_order']:.3f} CPU ms/order"
                      + (f"; at {args.compare_rate:.0f} /s p50 {run['steady']['p50_ms']:.0f} ms, p99 "
                         f"{run['steady']['p99_ms']:.0f} ms, {run['steady']['cpu_ms_per_order']:.3f} CPU ms/order"
                         if args.compare_rate else ""), file=sys.stderr)
            finally:
                fleet.stop()
    medians = {label: {"per_s": statistics.median(r["per_s"] for r in rs),
                       "cpu_ms_per_order": statistics.median(r["cpu_ms_per_order"] for r in rs),
                       "gc_ms_per_order": statistics.median(r.get("gc_ms_per_order", 0.0) for r in rs)}
               for label, rs in runs.items()}
    if args.compare_rate:
        for label, rs in runs.items():
            medians[label]["steady"] = {k: statistics.median(r["steady"][k] for r in rs)
                                        for k in ("p50_ms", "p99_ms", "cpu_ms_per_order", "achieved_per_s")}
    first, second = labels
    return {"runs": runs, "medians": medians,
            f"{first}_over_{second}": {
                "per_s": medians[first]["per_s"] / medians[second]["per_s"],
                "cpu": medians[second]["cpu_ms_per_order"] / medians[first]["cpu_ms_per_order"]}}


def interleaved(broker: EmbeddedBroker, args: argparse.Namespace, tmp: Path, rng: random.Random,
                variants: dict[str, Variant]) -> dict[str, Any]:
    """Like `alternate`, but every variant's workers run side by side (topics, lists and
    group of their own) and are fed in turn, block after block of `--orders` orders: the
    neighbours' load on this shared machine changes over tens of seconds, so variants
    measured a second apart see the same machine, where whole runs a minute apart do not.
    A waiting worker costs little (its consumer's idle fetches). Reported: each variant's
    rate and CPU over all its blocks, and the median of the block-by-block ratios."""
    listed = listed_names(list_entries(), rng)
    producer = make_producer(broker.bootstrap, **{"linger.ms": 2})
    labels = list(variants)
    fleets: dict[str, Fleet] = {}
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    try:
        for i, label in enumerate(labels):
            fleets[label] = Fleet(broker, tmp, f"i{i}", variants[label])
        for fleet in fleets.values():
            fleet.warm(producer, [realistic_order(rng, listed) for _ in range(500)])
        for n in range(args.rounds):
            for label in (labels if n % 2 == 0 else labels[::-1]):
                fleet = fleets[label]
                run = measured_flat_out(producer, fleet.clock, fleet.procs,
                                        [realistic_order(rng, listed) for _ in range(args.orders)], fleet.orders)
                runs[label].append(run)
                print(f"{label} block {n}: {run['per_s']:.0f} /s, {run['cpu_ms_per_order']:.3f} CPU ms/order",
                      file=sys.stderr)
    finally:
        for fleet in fleets.values():
            fleet.stop()
    totals = {label: {"per_s": sum(r["count"] for r in rs) / sum(r["seconds"] for r in rs),
                      "cpu_ms_per_order": sum(r["cpu_ms_per_order"] * r["count"] for r in rs)
                      / sum(r["count"] for r in rs)}
              for label, rs in runs.items()}
    first, second = labels
    pairs = list(zip(runs[first], runs[second], strict=True))
    return {"runs": runs, "totals": totals,
            f"{first}_over_{second}": {
                "per_s": totals[first]["per_s"] / totals[second]["per_s"],
                "cpu": totals[second]["cpu_ms_per_order"] / totals[first]["cpu_ms_per_order"],
                "median_block_per_s": statistics.median(a["per_s"] / b["per_s"] for a, b in pairs),
                "median_block_cpu": statistics.median(b["cpu_ms_per_order"] / a["cpu_ms_per_order"]
                                                      for a, b in pairs)}}


def comparison_of(args: argparse.Namespace) -> tuple[str, dict[str, Variant],
                                                     dict[str, Any]] | None:
    """(report key, variants for `alternate`, what else to report) of the --compare-* option
    given, or None for the ceilings-and-worker run."""
    if args.compare_rules:
        args.rounds = args.compare_rules
        return "rules", {"all": (None, {}, 1),
                         "name_and_embargo": (None, {"TRADESCREEN_RULES_ENABLED": NAME_AND_EMBARGO}, 1)}, {}
    if args.compare_env:
        setting = dict(pair.split("=", 1) for pair in args.compare_env.split(","))
        return "env", {"with": (None, setting, 1), "without": (None, {}, 1)}, {"setting": setting}
    if args.compare_workers:
        args.rounds = args.compare_workers
        return "workers", {"two": (None, {}, 2), "one": (None, {}, 1)}, {}
    if args.compare_code:
        return ("code", {"this": (None, {}, 1), "other": (args.compare_code.resolve(), {}, 1)},
                {"other_checkout": str(args.compare_code)})
    return None


def run_workers(broker: EmbeddedBroker, args: argparse.Namespace, tmp: Path, rng: random.Random) -> dict[str, Any]:
    entries = publish_lists(broker)
    listed = listed_names(entries, rng)
    procs = start_workers(broker, tmp, entries, args.workers)
    clock = DecisionClock(broker.bootstrap, "bench.decisions")
    producer = make_producer(broker.bootstrap, **{"linger.ms": 2})
    try:
        # Warm up: every partition assigned and every cache filled as in steady operation.
        warm = [realistic_order(rng, listed) for _ in range(500)]
        flat_out(producer, "bench.orders", clock, warm)
        with profiled(procs[0], args, rates=False):
            result: dict[str, Any] = {"flat_out": measured_flat_out(
                producer, clock, procs, [realistic_order(rng, listed) for _ in range(args.orders)])}
        result["rates"] = []
        with profiled(procs[0], args, rates=True):
            for rate in args.rates:
                result["rates"].append(measured_offered(producer, clock, procs, lambda: realistic_order(rng, listed),
                                                        rate, args.seconds))
        rss = [int(Path(f"/proc/{p.proc.pid}/status").read_text().split("VmRSS:")[1].split()[0]) // 1024
               for p in procs if p.proc is not None]
        result["worker_rss_mb"] = rss
        # Cycles the whole-heap collections found (what freezing young survivors would
        # otherwise keep), and the unreachable objects young collections freed.
        result["gc_reclaimed_objects"] = worker_metric(procs, "tradescreen_gc_reclaimed_objects_total ")
        result["gc_unreachable_young_objects"] = worker_metric(
            procs, 'tradescreen_gc_unreachable_objects_total{generation="0"}')
        return result
    finally:
        clock.close()
        for p in procs:
            p.stop()


@contextlib.contextmanager
def profiled(worker: WorkerProcess, args: argparse.Namespace, rates: bool) -> Iterator[None]:
    """py-spy on `worker` for the block, if --profile asks for this part of the run (the
    fixed-rate runs with --profile-rates, else the flat-out one)."""
    spy = profiler(worker, args.profile, args.profile_idle) if args.profile and args.profile_rates == rates else None
    try:
        yield
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)


def profiler(worker: WorkerProcess, out: Path, idle: bool = False) -> subprocess.Popen[bytes]:
    """py-spy sampling one worker (collapsed stacks, one line per stack:
    `bench/profile_summary.py` or any flame graph tool). Only
    the thread holding the GIL is sampled: Python's CPU time, not the wait of a thread
    the neighbours' load has descheduled; `idle`: every thread, waiting or not (where the
    event loop waits)."""
    assert worker.proc is not None
    spy = REPO / ".venv" / "bin" / "py-spy"
    return subprocess.Popen([str(spy if spy.exists() else "py-spy"), "record", "--pid", str(worker.proc.pid),
                             "--format", "raw", "--output", str(out), "--rate", "200", "--nonblocking",
                             "--idle" if idle else "--gil"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_passthrough(broker: EmbeddedBroker, args: argparse.Namespace, tmp: Path, rng: random.Random
                    ) -> dict[str, Any]:
    AdminClient({"bootstrap.servers": broker.bootstrap}).create_topics(
        [NewTopic(t, num_partitions=4, replication_factor=1) for t in ("pt.in", "pt.out")])
    time.sleep(1)
    log = open(tmp / "passthrough.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, str(REPO / "bench" / "passthrough.py"), broker.bootstrap, "pt.in",
                             "pt.out", "bench-passthrough", str(free_port())], stdout=log, stderr=subprocess.STDOUT)
    clock = DecisionClock(broker.bootstrap, "pt.out")
    producer = make_producer(broker.bootstrap, **{"linger.ms": 2})
    try:
        flat_out(producer, "pt.in", clock, [realistic_order(rng, []) for _ in range(500)])
        result: dict[str, Any] = {"flat_out": flat_out(producer, "pt.in", clock,
                                                       [realistic_order(rng, []) for _ in range(args.orders)])}
        result["rates"] = [offered(producer, "pt.in", clock, lambda: realistic_order(rng, []), 1000, args.seconds)]
        return result
    finally:
        clock.close()
        proc.terminate()
        proc.wait(timeout=30)


def run_broker_floor(broker: EmbeddedBroker, args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    AdminClient({"bootstrap.servers": broker.bootstrap}).create_topics(
        [NewTopic("rtt", num_partitions=4, replication_factor=1)])
    time.sleep(1)
    clock = DecisionClock(broker.bootstrap, "rtt")
    producer = make_producer(broker.bootstrap, **{"linger.ms": 2})
    try:
        time.sleep(3)  # the consumer's group join
        flat = flat_out(producer, "rtt", clock, [realistic_order(rng, []) for _ in range(args.orders)])
        rate = offered(producer, "rtt", clock, lambda: realistic_order(rng, []), 1000, args.seconds)
        return {"flat_out": flat, "rates": [rate]}
    finally:
        clock.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")], default=[500.0, 1000.0, 2000.0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--skip-ceilings", action="store_true")
    ap.add_argument("--profile", type=Path, help="py-spy the first worker during the flat-out run into this file")
    ap.add_argument("--profile-idle", action="store_true", help="with --profile: sample waiting threads too")
    ap.add_argument("--profile-rates", action="store_true",
                    help="with --profile: sample the fixed-rate runs instead of the flat-out one")
    ap.add_argument("--compare-rules", type=int, default=0, metavar="ROUNDS",
                    help="only: every rule against name-and-embargo, ROUNDS alternating worker runs of each")
    ap.add_argument("--compare-env", metavar="NAME=VALUE[,NAME=VALUE]",
                    help="a worker with these TRADESCREEN_* settings against one without, alternating (--rounds)")
    ap.add_argument("--compare-workers", type=int, default=0, metavar="ROUNDS",
                    help="two workers against one, whole runs alternating (issue 13: two >= 1.7x one)")
    ap.add_argument("--compare-code", type=Path, metavar="CHECKOUT",
                    help="only: this checkout's worker against CHECKOUT's (a git worktree), alternating runs")
    ap.add_argument("--compare-rate", type=float, default=0.0, metavar="PER_S",
                    help="with a --compare-* option: each run also offers this steady rate for --seconds "
                         "(p50, p99, CPU per order)")
    ap.add_argument("--interleave", action="store_true",
                    help="with a --compare-* option: the variants' workers run side by side, fed in turn one "
                         "block of --orders orders at a time (--rounds blocks each), instead of whole runs")
    ap.add_argument("--rounds", type=int, default=4, help="worker runs of each variant with --compare-code")
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmpdir, EmbeddedBroker(log_file=Path(tmpdir) / "broker.log") as broker:
        tmp = Path(tmpdir)
        report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "workers": args.workers,
                                  "orders": args.orders}
        comparison = comparison_of(args)
        if comparison is not None:
            name, variants, about = comparison
            compare = interleaved if args.interleave else alternate
            report[name] = {**compare(broker, args, tmp, rng, variants), **about, "interleaved": args.interleave}
            print(json.dumps(report, indent=2))
            return
        if not args.skip_ceilings:
            report["broker"] = run_broker_floor(broker, args, rng)
            report["passthrough"] = run_passthrough(broker, args, tmp, rng)
        report["worker"] = run_workers(broker, args, tmp, rng)
        if not args.skip_ceilings:
            report["worker_over_passthrough"] = (report["worker"]["flat_out"]["per_s"]
                                                 / report["passthrough"]["flat_out"]["per_s"])
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
