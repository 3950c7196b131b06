"""Hostile messages on the input topics of a running worker: each lands in deadletter with
the bound or rule it broke, the valid event right behind it on the same partition is
decided, and the worker stays up with bounded memory."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer

from streams.broker import EmbeddedBroker
from streams.kafka import flush_or_raise, make_producer
from tests.integration.harness import OutputReader, WorkerProcess
from tests.integration.review_support import wait_for

# Resident memory the worker may reach with SDN + CSL loaded and the hostile messages
# below processed (it holds about 1.1 GB after loading the lists).
RSS_BOUND_BYTES = 3 * 1024**3


def order(order_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": str(uuid.uuid4()), "type": "order.created", "order_id": order_id,
        "occurred_at": "2026-11-30T09:00:00+00:00",
        "parties": [{"role": "buyer", "name": "Nordlicht Automation GmbH", "address": {"country": "DE"}}],
        "ship_to": {"country": "DE"},
        "lines": [{"sku": "PUMP-11", "description": "industrial pump", "quantity": 2, "unit_value": 640,
                   "currency": "USD", "eccn": "EAR99", "origin_country": "US"}],
    }
    base.update(changes)
    return base


def hostile_orders(order_id: str) -> list[tuple[str, bytes | None, bytes | None]]:
    """(error_kind, key, value) for each hostile message, all keyed to one partition."""
    key = order_id.encode()
    party = order(order_id)["parties"][0]
    line = order(order_id)["lines"][0]

    def dumps(**changes: Any) -> bytes:
        return json.dumps(order(order_id, **changes)).encode()

    return [
        ("invalid_json", key, b"\xff\xfe not utf-8"),
        ("limit.json_depth", key, dumps(deep="x").replace(b'"x"', b"[" * 5000 + b"]" * 5000)),
        ("limit.message_bytes", key, dumps(parties=[dict(party, name="N" * (2 << 20))])),
        ("limit.message_bytes", key, dumps(parties=[party] * 20_000)),  # 2 MB: the byte bound comes first
        ("limit.parties", key, dumps(parties=[party] * 65)),
        ("limit.lines", key, dumps(lines=[line] * 5_000)),
        ("limit.name_words", key, dumps(parties=[dict(party, name=" ".join(["word"] * 100))])),
        ("schema", key, dumps(type="order.exploded")),
        ("duplicate_key", key, b'{"event_id": "a", "event_id": "b"}'),
        ("forbidden_character", key, dumps(parties=[dict(party, name="Nord\u202elicht")])),
        ("empty", key, None),
        ("key_mismatch", key, json.dumps(order("SOMEONE-ELSE")).encode()),
    ]


def big_producer(bootstrap: str) -> Producer:
    return make_producer(bootstrap, **{"message.max.bytes": 16 << 20})


def rss_of(pid: int) -> int:
    fields = Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()
    return int(fields[0]) * 1024


def test_hostile_orders_are_dead_lettered_and_the_worker_goes_on(
        broker: EmbeddedBroker, outputs: OutputReader, screening_worker: WorkerProcess) -> None:
    producer = big_producer(broker.bootstrap)
    sent: list[tuple[str, str, dict[str, Any]]] = []
    for i, (kind, key, value) in enumerate(hostile_orders(f"SO-HOSTILE-{uuid.uuid4().hex[:8]}")):
        producer.produce("orders", key=key, value=value)
        good = order(key.decode() if key else "x")
        producer.produce("orders", key=good["order_id"].encode(), value=json.dumps(good).encode())
        sent.append((kind, good["event_id"], good))
        if i % 3 == 0:
            flush_or_raise(producer, 60)
    flush_or_raise(producer, 60)
    for _kind, event_id, _good in sent:
        outputs.wait_for("decisions", event_id=event_id, timeout_s=120)
    hostile_key = sent[0][2]["order_id"]
    # The letters are on the deadletter partition of the key; read them all.
    letters = outputs.wait_for("deadletter", count=len(sent), key=hostile_key, timeout_s=60)
    kinds = sorted(m["error_kind"] for m in letters)
    assert kinds == sorted(k for k, _, _ in sent), letters
    assert all(m["error"] and len(m["error"]) < 2000 for m in letters)
    oversized = next(m for m in letters if m["error_kind"] == "limit.message_bytes")
    assert oversized["value_truncated"] is True and oversized["value_bytes"] > 2 << 20
    assert screening_worker.proc is not None and screening_worker.proc.poll() is None
    assert screening_worker.health()["status"] in ("ok", "degraded")
    assert rss_of(screening_worker.proc.pid) < RSS_BOUND_BYTES


@pytest.mark.parametrize("kind", ["key_mismatch", "limit.name_chars"])
def test_hostile_list_entries_are_dead_lettered(broker: EmbeddedBroker, outputs: OutputReader,
                                                screening_worker: WorkerProcess, kind: str) -> None:
    source_id = uuid.uuid4().hex[:8]
    entry = {"list": "INTERNAL", "source_id": source_id, "kind": "organization", "name": "Hostile Holdings",
             "source_version": "t"}
    key = f"INTERNAL:{source_id}"
    if kind == "key_mismatch":
        key = f"INTERNAL:not-{source_id}"
    else:
        entry["name"] = "H" * 2000  # over the 1,024-character bound of listed names
    producer = big_producer(broker.bootstrap)
    producer.produce("lists.entries", key=key.encode(), value=json.dumps(entry).encode())
    flush_or_raise(producer, 30)
    [letter] = outputs.wait_for("deadletter", key=key, timeout_s=60)
    assert letter["topic"] == "lists.entries" and letter["error_kind"] == kind


def test_a_keyless_tombstone_on_list_entries_is_dead_lettered(broker: EmbeddedBroker, outputs: OutputReader,
                                                             screening_worker: WorkerProcess) -> None:
    """It once read as the deletion of the key "None" and left no trace."""
    producer = big_producer(broker.bootstrap)
    where: dict[str, int] = {}
    producer.produce("lists.entries", key=None, value=None,
                     on_delivery=lambda err, msg: where.update(offset=msg.offset()))
    # A record after it, so that a lagging high watermark does not hide it (skipped by workers).
    producer.produce("lists.entries", key=b"_sync:test-keyless", value=None)
    flush_or_raise(producer, 30)

    def letters() -> list[dict[str, object]]:
        return [d for d in outputs.where("deadletter", offset=where["offset"]) if d["topic"] == "lists.entries"]

    [letter] = wait_for(letters, "the keyless tombstone's dead letter", timeout_s=60)
    assert letter["error_kind"] == "key_missing" and "key" not in letter and "no key" in str(letter["error"])
