"""The Grafana dashboard and the alert rules select only metrics, and labels, that a running
worker serves on /metrics (tests/deploy/promql.py reads their PromQL)."""

from __future__ import annotations

import uuid

from streams.broker import EmbeddedBroker
from tests.deploy.promql import SCRAPE_SERIES, TARGET_LABELS, all_selectors, exported_series
from tests.integration.harness import OutputReader, WorkerProcess, produce
from tests.integration.test_screening_pipeline import decision_for, order, send_order


def test_dashboard_and_alerts_name_only_what_the_worker_exports(
        broker: EmbeddedBroker, screening_worker: WorkerProcess, outputs: OutputReader) -> None:
    # Traffic first, so the labelled counters have samples whose label names can be compared.
    cleared, blocked = order("Nordlicht Automation GmbH"), order("Nordlicht Automation GmbH", ship_to="IR")
    for event in (cleared, blocked):
        send_order(broker, event)
    bad_key = f"SO-bad-{uuid.uuid4().hex[:8]}"
    produce(broker.bootstrap, "orders", bad_key, b'{"event_id": ')
    decision_for(outputs, cleared)
    decision_for(outputs, blocked)
    outputs.wait_for("deadletter", key=bad_key)

    series = exported_series(screening_worker.metrics())
    for name in ("tradescreen_decisions_total", "tradescreen_deadletters_total", "tradescreen_events_consumed_total",
                 "tradescreen_decision_latency_seconds_bucket"):
        assert series.get(name), f"{name} has no sample after traffic"

    problems = []
    for selector in all_selectors():
        if selector.metric in SCRAPE_SERIES:
            continue
        if selector.metric not in series:
            problems.append(f"{selector.where}: {selector.metric} is not exported")
            continue
        labels = series[selector.metric]
        if labels is not None and not selector.labels <= labels | TARGET_LABELS:
            problems.append(f"{selector.where}: {selector.metric} has no label "
                            f"{sorted(selector.labels - labels - TARGET_LABELS)} (it has {sorted(labels)})")
    assert problems == [], "\n".join(problems)
