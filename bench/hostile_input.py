"""Hostile input, the full run (issue 13, point 2): 10,000 or more hypothesis-drawn
payloads, hostile ones interleaved with valid events, on every input topic the worker reads
(orders, shipments, lists.entries, ownership, dispositions; a valid disposition names a
hold that does not exist, so the worker judges and refuses it), against an embedded
broker of its own and one worker with OFAC SDN 2021-07 + CSL 2022-05 loaded, as the test
session has.

Reports payloads per topic and kind, dead letters matched to their payloads (by topic,
partition and offset), valid events decided, list entries applied, and the worker's
resident memory before and at its peak. Exits non-zero if a bad payload has no readable
dead letter, a valid event is dead-lettered or not decided, the worker restarted, or its
memory passed the bound. The suite's seed-fixed sample of the same run is
tests/integration/test_hostile_property.py.

usage: python bench/hostile_input.py [--payloads 10000] [--seed 1302]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.lists import load_directory, parse_file
from streams.broker import EmbeddedBroker
from streams.kafka import create_topics
from streams.list_publisher import publish_entries
from streams.settings import Settings
from tests.integration.harness import OutputReader, WorkerProcess
from tests.integration.hostile_payloads import DISPOSITIONS, LIST_ENTRIES, ORDERS, OWNERSHIP, SHIPMENTS
from tests.integration.hostile_run import Outcome, RssSampler, applied_entries, check, draw_payloads, produce_all
from tests.integration.test_hostile_property import RSS_BOUND_BYTES

LISTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "lists"


def start_worker(broker: EmbeddedBroker, tmp: Path) -> WorkerProcess:
    settings = Settings(_env_file=None)
    create_topics(settings, broker.bootstrap)
    entries = load_directory(LISTS / "ofac" / "sdn-2021-07").entries
    sdn_keys = {e.key for e in entries}
    entries += [e for e in parse_file(LISTS / "csl" / "consolidated-2022-05.csv.gz").entries if e.key not in sdn_keys]
    publish_entries(settings, broker.bootstrap, entries, source="bench", loaded_at=datetime.now(UTC))
    worker = WorkerProcess(broker.bootstrap, tmp / "worker").start()
    worker.wait_health(lambda h: sum(h["lists"]["entries"].values()) >= len({e.key for e in entries})
                       and h["lists"]["fail_closed"] is None, timeout_s=300)
    return worker


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payloads", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1302)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for every letter and decision")
    args = ap.parse_args()
    shapes = (ORDERS, SHIPMENTS, LIST_ENTRIES, OWNERSHIP, DISPOSITIONS)
    run_id = uuid.uuid4().hex[:8]
    started = time.monotonic()
    payloads = draw_payloads(shapes, args.payloads, args.seed, run_id)
    drawn_s = time.monotonic() - started
    print(f"{platform.node()} {platform.machine()} python {platform.python_version()} "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; drew {len(payloads):,} payloads in {drawn_s:.1f} s")
    with tempfile.TemporaryDirectory() as tmp_dir, EmbeddedBroker(log_file=Path(tmp_dir) / "broker.log") as broker:
        tmp = Path(tmp_dir)
        worker = start_worker(broker, tmp)
        assert worker.proc is not None
        pid = worker.proc.pid
        reader = OutputReader(broker.bootstrap)
        try:
            rss = RssSampler(pid)
            produce_started = time.monotonic()
            sent = produce_all(broker.bootstrap, payloads, run_id)
            produced_s = time.monotonic() - produce_started
            outcome = check(reader, sent, timeout_s=args.timeout)
            total_s = time.monotonic() - produce_started
            entries = applied_entries(worker)
            peak = rss.stop()
            alive = worker.proc.pid == pid and worker.proc.poll() is None
        finally:
            reader.close()
            worker.stop()
    report(outcome, produced_s, total_s, entries, rss.first, peak, alive)
    valid_entries = sum(1 for s in sent if s.payload.topic == LIST_ENTRIES.topic and s.payload.kind == "valid")
    failed = not outcome.ok() or not alive or peak >= RSS_BOUND_BYTES or entries != valid_entries
    if failed:
        print("FAILED")
        print(outcome.summary())
        if entries != valid_entries:
            print(f"list entries applied: {entries}, valid ones sent: {valid_entries}")
        sys.exit(1)
    print("held: every bad payload dead-lettered with a readable error, every valid event decided or applied")


def report(outcome: Outcome, produced_s: float, total_s: float, entries: int, rss_first: int, rss_peak: int,
           alive: bool) -> None:
    sent = outcome.sent
    by_topic = Counter((s.payload.topic, "bad" if s.payload.bad else "valid") for s in sent)
    print(f"\npayloads produced: {len(sent):,} in {produced_s:.1f} s; all outputs in after {total_s:.1f} s")
    print(f"{'topic':<15}{'bad':>7}{'valid':>7}")
    for topic in sorted({t for t, _ in by_topic}):
        print(f"{topic:<15}{by_topic[(topic, 'bad')]:>7}{by_topic[(topic, 'valid')]:>7}")
    kinds = Counter(s.payload.kind for s in sent)
    print("kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    bad = sum(1 for s in sent if s.payload.bad)
    events = sum(1 for s in sent if s.payload.event_id)
    print(f"dead letters matched: {bad - len(outcome.missing_letters):,} of {bad:,} bad payloads "
          f"({len(outcome.unreadable)} unreadable); valid payloads dead-lettered: {len(outcome.lettered_valid)}")
    print("dead letters by error_kind: " + ", ".join(f"{k} {n}" for k, n in sorted(outcome.error_kinds.items())))
    print(f"valid orders and shipments decided: {events - len(outcome.undecided):,} of {events:,}; "
          f"list entries applied: {entries:,}")
    print(f"worker resident memory: {rss_first / 2**20:,.0f} MiB before, {rss_peak / 2**20:,.0f} MiB peak "
          f"({rss_peak / rss_first:.2f}x; bound {RSS_BOUND_BYTES / 2**20:,.0f} MiB); same process throughout: {alive}")


if __name__ == "__main__":
    main()
