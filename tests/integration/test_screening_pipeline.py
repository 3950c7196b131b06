"""Given events on the input topics of a running worker, expect these decisions."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from streams.broker import EmbeddedBroker
from tests.integration.harness import OutputReader, WorkerProcess, produce


def order(buyer: str, *, ship_to: str = "DE", buyer_country: str = "DE", **extra: Any) -> dict[str, Any]:
    order_id = f"SO-{uuid.uuid4().hex[:10]}"
    return {
        "event_id": str(uuid.uuid4()), "type": "order.created", "order_id": order_id,
        "occurred_at": datetime.now(UTC).isoformat(),
        "parties": [{"role": "seller", "name": "Northwind Network Systems Inc.", "address": {"country": "US"}},
                    {"role": "buyer", "name": buyer, "address": {"country": buyer_country}}],
        "ship_to": {"city": "somewhere", "country": ship_to},
        "lines": [{"sku": "OSC-200", "description": "oscilloscope", "quantity": 2, "unit_value": 2300,
                   "currency": "USD", "eccn": "3A992", "origin_country": "US"}],
        **extra,
    }


def send_order(broker: EmbeddedBroker, event: dict[str, Any]) -> None:
    produce(broker.bootstrap, "orders", event["order_id"], json.dumps(event).encode())


def decision_for(outputs: OutputReader, event: dict[str, Any]) -> dict[str, Any]:
    return outputs.wait_for("decisions", event_id=event["event_id"])[0]


def codes(decision: dict[str, Any]) -> set[str]:
    return {r["code"] for r in decision["reasons"]}


def test_clean_order_is_cleared(broker: EmbeddedBroker, outputs: OutputReader) -> None:
    event = order("Nordlicht Automation GmbH")
    send_order(broker, event)
    decision = decision_for(outputs, event)
    assert decision["outcome"] == "CLEAR"
    assert decision["reasons"] == []
    assert decision["subject"] == {"kind": "order", "id": event["order_id"]}
    assert "SDN:" in decision["lists_version"] and "EL:" in decision["lists_version"]
    assert outputs.where("holds", subject__id=event["order_id"]) == []


def test_ship_to_iran_is_blocked_with_hold_and_alert(broker: EmbeddedBroker, outputs: OutputReader) -> None:
    event = order("Nordlicht Automation GmbH", ship_to="IR")
    send_order(broker, event)
    decision = decision_for(outputs, event)
    assert decision["outcome"] == "BLOCK"
    assert "EMBARGOED_DESTINATION" in codes(decision)
    hold = outputs.wait_for("holds", decision_id=decision["decision_id"])[0]
    assert hold["status"] == "opened"
    alert = outputs.wait_for("alerts", subject__id=event["order_id"])[0]
    assert alert["severity"] == "critical" and alert["code"] == "EMBARGOED_DESTINATION"


def test_sdn_buyer_is_a_restricted_party(broker: EmbeddedBroker, outputs: OutputReader) -> None:
    # SDN 2021-07 entry 306, under the CUBA program; the order itself ships to Panama.
    event = order("Banco Nacional de Cuba", buyer_country="PA", ship_to="PA")
    send_order(broker, event)
    decision = decision_for(outputs, event)
    hits = [r for r in decision["reasons"] if r["code"] == "RESTRICTED_PARTY"]
    assert hits, decision
    assert any(r["list"] == "SDN" and r["source_id"] == "306" for r in hits), hits
    assert all(r["matched_name"] and r["score"] > 0 for r in hits)
    assert decision["outcome"] in ("HOLD", "BLOCK")


def test_beijing_8_star_is_on_the_entity_list(broker: EmbeddedBroker, outputs: OutputReader) -> None:
    event = order("BEIJING 8 STAR INTERNATIONAL CO LTD", buyer_country="CN", ship_to="CN")
    event["parties"][1]["role"] = "consignee"
    send_order(broker, event)
    decision = decision_for(outputs, event)
    entity = [r for r in decision["reasons"] if r["code"] == "ENTITY_LIST"]
    assert entity and entity[0]["list"] == "EL", decision
    assert "8-Star" in entity[0]["matched_name"] or "8 STAR" in entity[0]["matched_name"].upper()
    assert decision["outcome"] == "HOLD"


def test_shipment_through_north_korea_is_embargoed_transit(broker: EmbeddedBroker, outputs: OutputReader) -> None:
    shipment = {
        "event_id": str(uuid.uuid4()), "type": "shipment.booked", "shipment_id": f"SH-{uuid.uuid4().hex[:8]}",
        "occurred_at": datetime.now(UTC).isoformat(), "mode": "sea",
        "parties": [{"role": "consignee", "name": "Vladivostok Marine Supply", "address": {"country": "RU"}}],
        "legs": [{"from": "CN", "to": "KP"}, {"from": "KP", "to": "RU"}],
    }
    produce(broker.bootstrap, "shipments", shipment["shipment_id"], json.dumps(shipment).encode())
    decision = outputs.wait_for("decisions", event_id=shipment["event_id"])[0]
    assert decision["subject"]["kind"] == "shipment"
    assert "EMBARGOED_TRANSIT" in codes(decision)
    assert decision["outcome"] == "BLOCK"


def test_malformed_bytes_are_dead_lettered_and_the_next_event_is_decided(
        broker: EmbeddedBroker, outputs: OutputReader, screening_worker: WorkerProcess) -> None:
    bad_key = f"SO-BAD-{uuid.uuid4().hex[:6]}"
    produce(broker.bootstrap, "orders", bad_key, b"\xff{not json")
    schema_bad = order("Nordlicht Automation GmbH")
    schema_bad["event_id"] = 12
    del schema_bad["ship_to"]
    produce(broker.bootstrap, "orders", schema_bad["order_id"], json.dumps(schema_bad).encode())
    good = order("Nordlicht Automation GmbH")
    good["order_id"] = bad_key  # same partition as the bad message, right behind it
    send_order(broker, good)

    letter = outputs.wait_for("deadletter", key=bad_key)[0]
    assert letter["topic"] == "orders" and "not valid UTF-8 JSON" in letter["error"]
    assert letter["value_b64"]
    schema_letter = outputs.wait_for("deadletter", key=schema_bad["order_id"])[0]
    assert "event_id" in schema_letter["error"] and "ship_to" in schema_letter["error"]
    assert decision_for(outputs, good)["outcome"] == "CLEAR"
    assert 'tradescreen_deadletters_total{error_kind="invalid_json",topic="orders"}' in screening_worker.metrics()


def test_redelivered_event_yields_one_decision_and_one_hold(broker: EmbeddedBroker, outputs: OutputReader) -> None:
    event = order("Nordlicht Automation GmbH", ship_to="SY")
    send_order(broker, event)
    send_order(broker, event)
    marker = order("Nordlicht Automation GmbH")
    marker["order_id"] = event["order_id"]  # after both copies on the same partition
    send_order(broker, marker)
    decision_for(outputs, marker)
    decisions = outputs.where("decisions", event_id=event["event_id"])
    assert len({d["decision_id"] for d in decisions}) == 1
    assert len(decisions) == 1
    assert len(outputs.where("holds", decision_id=decisions[0]["decision_id"])) == 1


def test_health_and_metrics(screening_worker: WorkerProcess, outputs: OutputReader) -> None:
    health = screening_worker.health()
    assert health["broker"]["reachable"] is True
    assert health["lists"]["entries"]["SDN"] >= 8976
    assert health["lists"]["age_seconds"] is not None and health["lists"]["fail_closed"] is None
    text = screening_worker.metrics()
    for name in ("tradescreen_events_consumed_total", "tradescreen_decisions_total",
                 "tradescreen_decision_latency_seconds_bucket", "tradescreen_list_entries",
                 "tradescreen_list_state_age_seconds"):
        assert name in text


def test_a_malformed_list_entry_is_dead_lettered_and_list_updates_go_on(
        broker: EmbeddedBroker, outputs: OutputReader, screening_worker: WorkerProcess) -> None:
    key = f"EL:bad-{uuid.uuid4().hex[:6]}"
    produce(broker.bootstrap, "lists.entries", key, b'{"list": "EL", "name": 5}')
    letter = outputs.wait_for("deadletter", key=key)[0]
    assert letter["topic"] == "lists.entries" and "source_id" in letter["error"]

    good = {"list": "INTERNAL", "source_id": uuid.uuid4().hex[:8], "kind": "organization",
            "name": "Zephyr Blacklisted Holdings", "source_version": "test"}
    produce(broker.bootstrap, "lists.entries", f"INTERNAL:{good['source_id']}", json.dumps(good).encode())
    screening_worker.wait_health(lambda h: h["lists"]["entries"].get("INTERNAL", 0) >= 1, timeout_s=30)
    event = order("Zephyr Blacklisted Holdings")
    send_order(broker, event)
    decision = decision_for(outputs, event)
    assert any(r["list"] == "INTERNAL" for r in decision["reasons"]), decision


def test_tail_prints_one_readable_line_per_message(broker: EmbeddedBroker, outputs: OutputReader) -> None:
    key = f"SO-TAIL-{uuid.uuid4().hex[:6]}"
    produce(broker.bootstrap, "orders", key, b"not json at all")
    outputs.wait_for("deadletter", key=key)
    count = len(outputs.messages["deadletter"])
    run = subprocess.run([sys.executable, "-m", "streams.cli", "tail", "deadletter", "--from-beginning",
                          "-n", str(count), "--bootstrap", broker.bootstrap],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    [line] = [ln for ln in run.stdout.splitlines() if f"key={key}" in ln]
    assert line.startswith("orders[") and "not valid UTF-8 JSON" in line and "not json at all" in line

    for _ in range(3):  # at least three decisions on the topic, whichever tests ran before
        clean = order("Nordlicht Automation GmbH")
        send_order(broker, clean)
        decision_for(outputs, clean)
    decisions = subprocess.run([sys.executable, "-m", "streams.cli", "tail", "decisions", "--from-beginning",
                                "-n", "3", "--bootstrap", broker.bootstrap],
                               capture_output=True, text=True, timeout=60)
    lines = decisions.stdout.splitlines()
    assert len(lines) == 3 and all(ln.split()[0] in ("CLEAR", "HOLD", "BLOCK") for ln in lines), lines
    assert all("lists=" in ln for ln in lines)
