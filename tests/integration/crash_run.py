"""Crash safety (issue 13, point 3): a worker killed with SIGKILL in the middle of 10,000
orders, the broker kept running, then restarted; or one of two workers killed. Checks that
every event ends with one outcome and one decision id, that no subject has two holds, and
that the restarted worker decides again within 60 s, and that shipments waiting for their
order when the worker died are decided once it arrives. Run by
tests/integration/test_crash_safety.py (a slice of SDN, the session broker) and by
bench/crash_restart.py (full SDN, a broker of its own, logs kept on request)."""

from __future__ import annotations

import json
import random
import signal
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from schemas import ListEntry
from streams.broker import EmbeddedBroker
from streams.kafka import create_topics, flush_or_raise, make_producer, read_messages
from streams.list_publisher import publish_entries
from streams.settings import Settings
from tests.integration.harness import OutputReader, WorkerProcess

ORDERS = 10_000
# Shipments produced before their orders, which come only after the restart: each waits in
# the killed worker's shipments book and must be decided by the restarted one.
LATE_ORDERS = 20
BUYERS = ("Nordlicht Automation GmbH", "Kansai Precision Devices K.K.", "Maple Ridge Networks Inc.",
          "Banco Nacional de Cuba", "Vasa Datacenter AB")


def orders(rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i in range(ORDERS):
        buyer = rng.choice(BUYERS)
        ship_to = rng.choice(("DE", "JP", "CA", "IR", "SE"))
        out.append({"event_id": str(uuid.UUID(int=rng.getrandbits(128))), "type": "order.created",
                    "order_id": f"SO-CRASH-{i:05d}", "occurred_at": datetime.now(UTC).isoformat(),
                    "parties": [{"role": "buyer", "name": buyer, "address": {"country": "PA"}}],
                    "ship_to": {"country": ship_to}, "lines": []})
    return out


def waiting_shipments() -> list[dict[str, Any]]:
    return [{"event_id": str(uuid.uuid4()), "type": "shipment.booked", "shipment_id": f"SH-CRASH-{i:03d}",
             "order_id": f"SO-LATE-{i:03d}", "occurred_at": datetime.now(UTC).isoformat(), "mode": "sea",
             "parties": [{"role": "consignee", "name": "Nordlicht Automation GmbH", "address": {"country": "DE"}}],
             "legs": [{"from": "US", "to": "DE"}]} for i in range(LATE_ORDERS)]


def late_orders(shipments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"event_id": str(uuid.uuid4()), "type": "order.created", "order_id": s["order_id"],
             "occurred_at": datetime.now(UTC).isoformat(),
             "parties": [{"role": "buyer", "name": "Nordlicht Automation GmbH", "address": {"country": "DE"}}],
             "ship_to": {"country": "DE"}, "lines": []} for s in shipments]


def produce_all(broker: EmbeddedBroker, prefix: str, topic: str, key: str, events: list[dict[str, Any]]) -> None:
    producer = make_producer(broker.bootstrap)
    for e in events:
        producer.produce(f"{prefix}{topic}", key=e[key].encode(), value=json.dumps(e).encode())
        producer.poll(0)
    flush_or_raise(producer, 60)


def start_run(broker: EmbeddedBroker, entries: list[ListEntry], prefix: str) -> list[dict[str, Any]]:
    settings = Settings(_env_file=None, topic_prefix=prefix)  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    publish_entries(settings, broker.bootstrap, entries, source="test", loaded_at=datetime.now(UTC))
    events = orders(random.Random(prefix))
    produce_all(broker, prefix, "orders", "order_id", events)
    # The embedded broker's high watermark can lag a partition's last batch until another
    # is written: trailing orders (not checked) keep every real one readable.
    markers = orders(random.Random(f"{prefix}markers"))[:40]
    for marker in markers:
        marker["order_id"] = f"SO-MARKER-{uuid.uuid4().hex}"
    produce_all(broker, prefix, "orders", "order_id", markers)
    return events


def worker(broker: EmbeddedBroker, tmp: Path, prefix: str, name: str) -> WorkerProcess:
    return WorkerProcess(broker.bootstrap, tmp / name, TRADESCREEN_TOPIC_PREFIX=prefix,
                         TRADESCREEN_APP_ID=f"{prefix}app")


def decided(reader: OutputReader) -> set[str]:
    return {d["event_id"] for d in reader.where("decisions")}


def wait_until(predicate: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out: {what}")
        time.sleep(0.1)


def lag(bootstrap: str, prefix: str) -> str:
    """Committed offset against the high watermark of each input partition (the app's
    consumer group), to see where a stalled worker stands."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{prefix}app", "enable.auto.commit": False})
    try:
        parts = [TopicPartition(f"{prefix}orders", p) for p in range(4)]
        committed = consumer.committed(parts, timeout=10)
        lines = []
        for tp in committed:
            _low, high = consumer.get_watermark_offsets(tp, timeout=10)
            lines.append(f"{tp.topic}[{tp.partition}] committed {tp.offset} high {high}")
        return "\n".join(lines)
    finally:
        consumer.close()


def missing_where(bootstrap: str, prefix: str, reader: OutputReader, events: list[dict[str, Any]]) -> str:
    """Which input offsets the undecided events sit at, and whether the decisions topic
    (read to its end on its own) has them where the reader does not."""
    reader.close()  # its null markers would keep the topic from ever going quiet
    in_topic = {json.loads(m.value())["event_id"] for m in read_messages(bootstrap, f"{prefix}decisions", 60, 3)
                if m.value()}
    missing = {e["event_id"] for e in events} - decided(reader)
    where: dict[int, list[int]] = defaultdict(list)
    for m in read_messages(bootstrap, f"{prefix}orders", 60, 3):
        if m.value() and json.loads(m.value())["event_id"] in missing:
            where[m.partition() or 0].append(m.offset() or 0)
    spans = {p: (min(o), max(o), len(o)) for p, o in sorted(where.items())}
    wm = Consumer({"bootstrap.servers": bootstrap, "group.id": "crash-wm"})
    marks = {t: [wm.get_watermark_offsets(TopicPartition(f"{prefix}{t}", p), timeout=10) for p in range(4)]
             for t in ("decisions", "audit", "holds", "orders")}
    wm.close()
    return (f"watermarks (low, high): {marks}; "
            f"missing {len(missing)}; of them in the decisions topic: {len(missing & in_topic)}; "
            f"input offsets (first, last, count) by partition: {spans}")


def check_outputs(reader: OutputReader, events: list[dict[str, Any]]) -> None:
    wait_until(lambda: len(decided(reader)) >= len(events), 240, "every event decided")
    time.sleep(2)  # let redelivered duplicates, if any, arrive too
    outcomes: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, set[str]] = defaultdict(set)
    # A replayed decision is the first one again, decided_at included; a second decided_at
    # means the event was screened again (its subject record was not read back).
    decided_ats: dict[str, list[str]] = defaultdict(list)
    for d in reader.where("decisions"):
        outcomes[d["event_id"]].add(d["outcome"])
        ids[d["event_id"]].add(d["decision_id"])
        decided_ats[d["event_id"]].append(d["decided_at"])
        assert not any(r["code"] == "LISTS_UNAVAILABLE" for r in d["reasons"]), (d["reasons"], d["decided_at"])
    again = sum(1 for v in decided_ats.values() if len(set(v)) > 1)
    replayed = sum(1 for v in decided_ats.values() if len(v) > 1 and len(set(v)) == 1)
    print(f"after the crash: {replayed} events got their first decision back, {again} were screened again",
          file=sys.stderr)
    assert {e["event_id"] for e in events} <= set(outcomes)
    assert [k for k, v in outcomes.items() if len(v) > 1] == []
    assert [k for k, v in ids.items() if len(v) > 1] == []
    holds: dict[str, set[str]] = defaultdict(set)
    for h in reader.where("holds"):
        holds[h["subject"]["id"]].add(h["hold_id"])
    assert [k for k, v in holds.items() if len(v) > 1] == []
    assert holds, "the stream has held orders (Iran, a listed bank): the check above means something"


def sigkill_and_restart(broker: EmbeddedBroker, entries: list[ListEntry], tmp_path: Path,
                        prefix: str = "crash1.") -> None:
    events = start_run(broker, entries, prefix)
    shipments = waiting_shipments()
    produce_all(broker, prefix, "shipments", "shipment_id", shipments)
    reader = OutputReader(broker.bootstrap, prefix=prefix)
    first = worker(broker, tmp_path, prefix, "w1").start()
    try:
        try:
            wait_until(lambda: len(decided(reader)) >= ORDERS * 0.3, 240, "30% decided")
        except AssertionError:
            print(f"decided {len(decided(reader))} of {len(events)}", file=sys.stderr)
            print(first.tail_log(80), file=sys.stderr)
            raise
        assert first.proc is not None
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
        restarted_at = time.monotonic()
        second = worker(broker, tmp_path, prefix, "w2").start()
        try:
            second.wait_health(lambda h: h["status"] == "ok", timeout_s=60)
            # Replayed events count too: they get their first decision back.
            before = len(reader.where("decisions"))
            wait_until(lambda: len(reader.where("decisions")) > before or len(decided(reader)) >= ORDERS,
                       60 - (time.monotonic() - restarted_at), "deciding again within 60 s of the restart")
            produce_all(broker, prefix, "orders", "order_id", late_orders(shipments))
            try:
                check_outputs(reader, events)
                wait_until(lambda: {s["event_id"] for s in shipments} <= decided(reader), 60,
                           "every shipment that waited for its order decided")
            except AssertionError:
                print(f"decided {len(decided(reader))} of {len(events)}", file=sys.stderr)
                print(lag(broker.bootstrap, prefix), file=sys.stderr)
                print(missing_where(broker.bootstrap, prefix, reader, events), file=sys.stderr)
                raise
        finally:
            second.stop()
    finally:
        first.stop()
        reader.close()


def kill_one_of_two(broker: EmbeddedBroker, entries: list[ListEntry], tmp_path: Path,
                    prefix: str = "crash2.") -> None:
    events = start_run(broker, entries, prefix)
    reader = OutputReader(broker.bootstrap, prefix=prefix)
    workers = [worker(broker, tmp_path, prefix, f"w{i}").start() for i in range(2)]
    try:
        wait_until(lambda: len(decided(reader)) >= ORDERS * 0.3, 240, "30% decided")
        victim = workers[1]
        assert victim.proc is not None
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(timeout=10)
        check_outputs(reader, events)
        assert workers[0].proc is not None and workers[0].proc.poll() is None
    finally:
        for w in workers:
            w.stop()
        reader.close()
