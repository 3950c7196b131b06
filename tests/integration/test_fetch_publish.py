"""`lists fetch` end to end on the embedded broker: a good fetch publishes, a shrinking SDN
file is quarantined with an alert on `alerts` while the CSL update still publishes.
Runs under its own topic prefix so the screening worker's lists are not touched."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from schemas import Alert, ListManifest, parse_message
from screening.lists import parse_file
from streams import topics
from streams.broker import EmbeddedBroker
from streams.commands.lists_fetch import run_fetch
from streams.kafka import client_config, create_topics
from streams.settings import Settings
from tests.streams.list_server import ListServer, serve_lists


@pytest.fixture
def server() -> Iterator[ListServer]:
    with serve_lists() as s:
        yield s


def _drain(bootstrap: str, topic: str, idle_s: float = 1.0) -> list[tuple[bytes | None, bytes | None]]:
    """Everything in a topic, read until nothing more arrives. Not
    `streams.kafka.read_topic`: that stops at the high watermark, which the embedded broker
    reports short of the last record batch."""
    consumer = Consumer(client_config(bootstrap, **{"group.id": f"fetch-test-{uuid.uuid4()}",
                                                    "enable.auto.commit": False}))
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    records: list[tuple[bytes | None, bytes | None]] = []
    idle_since = time.monotonic()
    try:
        while time.monotonic() - idle_since < idle_s:
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                records.append((msg.key(), msg.value()))
                idle_since = time.monotonic()
    finally:
        consumer.close()
    return records


def _entry_counts(cfg: Settings, bootstrap: str) -> dict[str, int]:
    state: dict[bytes, str] = {}
    for key, value in _drain(bootstrap, cfg.topic(topics.LIST_ENTRIES)):
        if key is None:
            continue
        if value is None:
            state.pop(key, None)
        else:
            state[key] = key.decode().split(":", 1)[0]
    return dict(Counter(state.values()))


def _alerts(cfg: Settings, bootstrap: str) -> list[Alert]:
    return [parse_message(Alert, value, topics.ALERTS)
            for _key, value in _drain(bootstrap, cfg.topic(topics.ALERTS)) if value is not None]


def test_fetch_publishes_then_quarantines_a_shrinking_list(broker: EmbeddedBroker, server: ListServer,
                                                          shared_lists: Path, tmp_path: Path) -> None:
    daily = shared_lists / "ofac" / "sdn-daily" / "sdn_2024-02-23.csv"
    server.files["/sdn.csv"] = daily
    server.files["/consolidated.csv"] = shared_lists / "csl" / "consolidated-2025-06-sample.csv"
    cfg = Settings(_env_file=None, topic_prefix=f"fetch-{uuid.uuid4().hex[:8]}.", data_dir=tmp_path / "data",
                   list_sources={"ofac-sdn": server.url("/sdn.csv"),
                                 "trade-gov-csl": server.url("/consolidated.csv")})
    create_topics(cfg, broker.bootstrap)

    first = run_fetch(cfg, broker.bootstrap, now=datetime(2024, 2, 23, 6, tzinfo=UTC))

    assert not first.failed and not first.alerts
    sdn_keys = {e.key for e in parse_file(daily).entries}
    counts = _entry_counts(cfg, broker.bootstrap)
    assert counts["SDN"] >= len(sdn_keys) and counts["EL"] == 1

    lines = daily.read_bytes().splitlines(keepends=True)
    shrunk = tmp_path / "sdn-shrunk.csv"
    shrunk.write_bytes(b"".join(line for i, line in enumerate(lines) if i % 5 != 4))  # 20% of rows gone
    server.files["/sdn.csv"] = shrunk
    server.files["/consolidated.csv"] = shared_lists / "csl" / "csl-2019-12-sample.csv"

    second = run_fetch(cfg, broker.bootstrap, now=datetime(2024, 2, 24, 6, tzinfo=UTC))

    assert [q.list_code for q in second.quarantined] == ["SDN"]
    after = _entry_counts(cfg, broker.bootstrap)
    csl = parse_file(shared_lists / "csl" / "csl-2019-12-sample.csv").by_list()
    assert after["EL"] == csl["EL"] and after["DPL"] == csl["DPL"]
    assert after["SDN"] >= len(sdn_keys)  # not one SDN entry of the last good file was removed
    manifests = {m.list_code: m for m in (parse_message(ListManifest, v, topics.LIST_MANIFEST)
                                          for _k, v in _drain(broker.bootstrap, cfg.topic(topics.LIST_MANIFEST)) if v)}
    assert manifests["EL"].entries == csl["EL"] and manifests["EL"].source == "lists fetch"

    [alert] = _alerts(cfg, broker.bootstrap)
    assert alert.code == "LIST_QUARANTINED" and alert.severity.value == "warning"
    [moved] = second.quarantined[0].files
    assert moved.is_file() and str(moved) in alert.summary and "SDN" in alert.summary
