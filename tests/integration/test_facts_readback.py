"""The stream facts a worker writes (the order join, consignee windows, flagged parties)
come back to it from the facts topic. It skips those it wrote itself, having applied them
when it wrote them; a worker started later, another or the same one after a restart,
applies them from the topic."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemas import ListEntry
from streams.broker import EmbeddedBroker
from streams.kafka import create_topics
from streams.list_publisher import publish_entries
from streams.settings import Settings
from tests.integration.crash_run import worker
from tests.integration.harness import OutputReader, produce
from tests.scenarios import test_zte_patterns as story  # its helpers; its tests stay there

PREFIX = "facts1."


def decide(broker: EmbeddedBroker, reader: OutputReader, topic: str, key: str, event: dict[str, Any]
           ) -> dict[str, Any]:
    produce(broker.bootstrap, PREFIX + topic, key, json.dumps(event).encode())
    return reader.wait_for("decisions", event_id=event["event_id"], timeout_s=60)[0]


def test_a_restarted_worker_joins_shipments_to_the_orders_its_earlier_life_decided(
        broker: EmbeddedBroker, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, topic_prefix=PREFIX)
    create_topics(settings, broker.bootstrap)
    entry = ListEntry.model_validate({"list": "SDN", "source_id": "facts-1", "name": "Arya Readback Trading",
                                      "kind": "organization", "source_version": "test"})
    publish_entries(settings, broker.bootstrap, [entry], source="test", loaded_at=datetime.now(UTC))
    reader = OutputReader(broker.bootstrap, prefix=PREFIX)
    consignee = story.party("consignee", "Nordlicht Automation GmbH", "DE", city="Stuttgart")
    order = story.an_order(story.party("buyer", "Nordlicht Automation GmbH", "DE", city="Stuttgart"), consignee,
                     ship_to={"city": "Stuttgart", "country": "DE"})
    first = worker(broker, tmp_path, PREFIX, "w1").start()
    try:
        first.wait_health(lambda h: h["status"] == "ok", timeout_s=120)
        assert decide(broker, reader, "orders", str(order["order_id"]), order)["outcome"] == "CLEAR"
        # The same process knows the order at once: it applied the fact when it wrote it.
        faithful = story.a_shipment(consignee, legs=[("US", "DE")], order_id=str(order["order_id"]))
        assert decide(broker, reader, "shipments", str(faithful["shipment_id"]), faithful)["outcome"] == "CLEAR"
    finally:
        first.stop()
        reader.close()
    reader = OutputReader(broker.bootstrap, prefix=PREFIX)
    second = worker(broker, tmp_path, PREFIX, "w2").start()
    try:
        second.wait_health(lambda h: h["status"] == "ok", timeout_s=120)
        diverted = story.a_shipment(story.party("consignee", "Baltic Transit Solutions OU", "EE", city="Narva"),
                              legs=[("US", "DE"), ("DE", "EE")], order_id=str(order["order_id"]))
        # Decided at once (a shipment of an unknown order would wait up to 600 s), and
        # against the order's consignee, which only the facts topic can have told it.
        decision = decide(broker, reader, "shipments", str(diverted["shipment_id"]), diverted)
        assert "DIVERSION" in story.codes(decision), decision
        details = " ".join(str(r["detail"]) for r in decision["reasons"])
        assert "Nordlicht Automation" in details and "was not seen" not in details, details
    finally:
        second.stop()
        reader.close()
