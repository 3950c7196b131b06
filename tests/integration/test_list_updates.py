"""Given an open order and a real list update, expect a re-screening decision; given no
lists, expect fail-closed holds that clear themselves once lists arrive.

Runs its own worker on prefixed topics ("upd."), so its list state is its own."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from schemas import ListEntry, ListManifest, OrderEvent, Outcome
from screening.lists import parse_file
from screening.lists.delta import compute_delta
from screening.liststate import ListState
from screening.policy import ScreeningPolicy
from screening.screener import Screener
from streams.broker import EmbeddedBroker
from streams.kafka import create_topics, read_topic
from streams.list_publisher import publish_entries
from streams.settings import Settings
from tests.integration.harness import OutputReader, WorkerProcess, produce

PREFIX = "upd."
SETTINGS = Settings(_env_file=None, topic_prefix=PREFIX)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def daily(shared_lists: Path) -> dict[str, list[ListEntry]]:
    folder = shared_lists / "ofac" / "sdn-daily"
    return {day: parse_file(folder / f"sdn_{day}.csv").entries for day in ("2024-02-20", "2024-02-23")}


@pytest.fixture(scope="module")
def update_worker(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    create_topics(SETTINGS, broker.bootstrap)
    worker = WorkerProcess(broker.bootstrap, tmp_path_factory.mktemp("upd-worker"),
                           TRADESCREEN_TOPIC_PREFIX=PREFIX, TRADESCREEN_APP_ID="tradescreen-upd",
                           TRADESCREEN_STARTUP_GRACE_S="0").start()
    try:
        worker.wait_health(lambda h: h["broker"]["reachable"])
        yield worker
    finally:
        worker.stop()


@pytest.fixture(scope="module")
def upd_outputs(broker: EmbeddedBroker, update_worker: WorkerProcess) -> Iterator[OutputReader]:
    reader = OutputReader(broker.bootstrap, prefix=PREFIX)
    yield reader
    reader.close()


def order_event(buyer: str, country: str | None = None) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()), "type": "order.created", "order_id": f"SO-{uuid.uuid4().hex[:10]}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "parties": [{"role": "buyer", "name": buyer, **({"address": {"country": country}} if country else {})}],
        "ship_to": {"country": "AE"}, "lines": [],
    }


def send(broker: EmbeddedBroker, event: dict[str, Any]) -> None:
    produce(broker.bootstrap, PREFIX + "orders", event["order_id"], json.dumps(event).encode())


def newly_listed_buyer(daily: dict[str, list[ListEntry]]) -> tuple[dict[str, Any], ListEntry]:
    """An order whose buyer is CLEAR against 02-20 and matches one of the entries 02-23 added,
    chosen from the data by the engine itself rather than written into the test."""
    before = ListState()
    for e in daily["2024-02-20"]:
        before.apply(e.key, e, datetime.now(UTC))
    delta = compute_delta({e.key: e for e in daily["2024-02-20"]}, daily["2024-02-23"])
    assert (len(delta.added), len(delta.removed), len(delta.modified)) == (553, 0, 8)
    for entry in sorted(delta.added, key=lambda e: e.source_id):
        if entry.kind.value != "organization":
            continue
        event = order_event(entry.name)
        if Screener(before, ScreeningPolicy()).screen(OrderEvent.model_validate(event), datetime.now(UTC)).outcome \
                is Outcome.CLEAR:
            return event, entry
    raise AssertionError("no newly added organisation is clear against the earlier list")


def test_no_lists_fail_closed_then_lists_arrive_and_held_orders_are_rescreened(
        broker: EmbeddedBroker, update_worker: WorkerProcess, upd_outputs: OutputReader,
        daily: dict[str, list[ListEntry]]) -> None:
    early = order_event("Nordlicht Automation GmbH", "DE")
    send(broker, early)
    held = upd_outputs.wait_for("decisions", event_id=early["event_id"], trigger="event")[0]
    assert held["outcome"] == "HOLD"
    assert [r["code"] for r in held["reasons"]] == ["LISTS_UNAVAILABLE"]
    assert held["lists_version"] == "none"
    upd_outputs.wait_for("alerts", code="LISTS_UNAVAILABLE", severity="critical")

    publish_entries(SETTINGS, broker.bootstrap, daily["2024-02-20"], source="sdn_2024-02-20.csv",
                    loaded_at=datetime.now(UTC))
    cleared = upd_outputs.wait_for("decisions", event_id=early["event_id"], trigger="list_update",
                                   timeout_s=120)[0]
    assert cleared["outcome"] == "CLEAR"
    assert cleared["lists_version"].startswith("SDN:")
    assert len(upd_outputs.where("alerts", code="LISTS_UNAVAILABLE")) == 1, "one alert per episode"


def test_open_order_is_rescreened_against_the_delta_and_delisting_only_alerts(
        broker: EmbeddedBroker, update_worker: WorkerProcess, upd_outputs: OutputReader,
        daily: dict[str, list[ListEntry]]) -> None:
    update_worker.wait_health(lambda h: h["lists"]["entries"].get("SDN") == len(daily["2024-02-20"])
                              and h["lists"]["fail_closed"] is None, timeout_s=120)
    event, new_entry = newly_listed_buyer(daily)
    send(broker, event)
    first = upd_outputs.wait_for("decisions", event_id=event["event_id"], trigger="event")[0]
    assert first["outcome"] == "CLEAR"

    report = publish_entries(SETTINGS, broker.bootstrap, daily["2024-02-23"], source="sdn_2024-02-23.csv",
                             loaded_at=datetime.now(UTC))
    assert report.delta.summary()["SDN"] == {"added": 553, "modified": 8, "removed": 0}
    update = upd_outputs.wait_for("decisions", event_id=event["event_id"], trigger="list_update",
                                  timeout_s=120)[0]
    assert update["outcome"] in ("HOLD", "BLOCK")
    assert update["decision_id"] != first["decision_id"]
    assert any(r["code"] == "RESTRICTED_PARTY" and r["source_id"] == new_entry.source_id
               for r in update["reasons"]), update
    hold = upd_outputs.wait_for("holds", decision_id=update["decision_id"])[0]
    assert hold["status"] == "opened"
    assert "tradescreen_rescreen_subjects_total" in update_worker.metrics()

    # A load that no longer has the entry delists it (a tombstone plus a new manifest): an
    # info alert on the hold, and nothing released.
    without = [e for e in daily["2024-02-23"] if e.key != new_entry.key]
    delisting = publish_entries(SETTINGS, broker.bootstrap, without, source="delisting", loaded_at=datetime.now(UTC))
    assert delisting.delta.removed == [new_entry.key]
    alert = upd_outputs.wait_for("alerts", code="DELISTED", subject__id=event["order_id"], timeout_s=60)[0]
    assert alert["severity"] == "info" and hold["hold_id"] in alert["summary"]
    assert upd_outputs.where("holds", hold_id=hold["hold_id"], status="released") == []


def test_stale_list_state_holds_new_orders_until_a_fresh_load_arrives(
        broker: EmbeddedBroker, update_worker: WorkerProcess, upd_outputs: OutputReader) -> None:
    manifests = {k.decode(): ListManifest.model_validate_json(v)
                 for k, v in read_topic(broker.bootstrap, PREFIX + "lists.manifest") if k and v}
    current = manifests["SDN"]
    alerts_before = len(upd_outputs.where("alerts", code="LISTS_UNAVAILABLE"))

    old = current.model_copy(update={"loaded_at": datetime.now(UTC) - timedelta(hours=40)})
    produce(broker.bootstrap, PREFIX + "lists.manifest", "SDN", old.to_json_bytes())
    update_worker.wait_health(lambda h: "h old" in (h["lists"]["fail_closed"] or ""), timeout_s=30)
    event = order_event("Nordlicht Automation GmbH", "DE")
    send(broker, event)
    held = upd_outputs.wait_for("decisions", event_id=event["event_id"], trigger="event")[0]
    assert held["outcome"] == "HOLD" and [r["code"] for r in held["reasons"]] == ["LISTS_UNAVAILABLE"]
    assert "40.0 h old" in held["reasons"][0]["detail"]
    upd_outputs.wait_for("alerts", count=alerts_before + 1, code="LISTS_UNAVAILABLE", severity="critical")

    fresh = current.model_copy(update={"loaded_at": datetime.now(UTC)})
    produce(broker.bootstrap, PREFIX + "lists.manifest", "SDN", fresh.to_json_bytes())
    cleared = upd_outputs.wait_for("decisions", event_id=event["event_id"], trigger="list_update", timeout_s=60)[0]
    assert cleared["outcome"] == "CLEAR"
    assert len(upd_outputs.where("alerts", code="LISTS_UNAVAILABLE")) == alerts_before + 1, "one alert per episode"
