"""Prometheus metrics of the worker (exposed on GET /metrics)."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

EVENTS_CONSUMED = Counter("tradescreen_events_consumed_total", "Input messages consumed", ["topic"])
DUPLICATE_EVENTS = Counter("tradescreen_duplicate_events_total",
                           "Re-delivered events (event_id already decided) skipped", ["topic"])
DECISIONS = Counter("tradescreen_decisions_total", "Decisions emitted", ["outcome", "trigger"])
DECISION_REASONS = Counter("tradescreen_decision_reasons_total", "Reasons on emitted decisions", ["code"])
DECISION_LATENCY = Histogram(
    "tradescreen_decision_latency_seconds", "Event occurred_at to decision",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
SCREENING_SECONDS = Histogram(
    "tradescreen_screening_seconds", "CPU-bound screening time per event",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
)
OUTPUT_FAILURES = Counter("tradescreen_output_delivery_failures_total",
                          "Outputs the broker did not acknowledge (offsets behind them are not committed)", ["topic"])
AUDIT_RECORDS = Counter("tradescreen_audit_records_total", "Records appended to the audit chain", ["kind"])
DISPOSITIONS = Counter("tradescreen_dispositions_total", "Dispositions handled by the worker", ["result"])
DEADLETTERS = Counter("tradescreen_deadletters_total", "Messages dead-lettered", ["topic", "error_kind"])
HOLDS_OPENED = Counter("tradescreen_holds_opened_total", "Holds opened")
ALERTS = Counter("tradescreen_alerts_total", "Alerts raised", ["severity", "code"])
LIST_ENTRIES = Gauge("tradescreen_list_entries", "List entries in the worker's list state", ["list"])
LIST_STATE_AGE = Gauge("tradescreen_list_state_age_seconds",
                       "Seconds since the newest successful list load (-1: none loaded)")
LIST_LAST_LOAD = Gauge("tradescreen_list_last_load_timestamp_seconds",
                       "Unix time of the last successful load per list", ["list"])
LIST_DELTA = Counter("tradescreen_list_delta_entries_total", "List entry changes applied",
                     ["list", "change"])
LIST_QUARANTINED = Counter("tradescreen_list_quarantined_total",
                           "List updates quarantined (counted by the worker that reads the alert)", ["list"])
LIST_FETCH_FAILURES = Counter("tradescreen_list_fetch_failures_total",
                              "Failed list downloads (counted by the worker that reads the alert)")
RESCREENS = Counter("tradescreen_rescreen_subjects_total", "Open subjects re-screened after a list change",
                    ["changed"])
RESCREEN_SECONDS = Histogram("tradescreen_rescreen_duration_seconds", "Duration of one re-screening pass",
                             buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60))
BROKER_UP = Gauge("tradescreen_broker_up", "1 if the worker reached the Kafka cluster at its last check")
GC_PAUSES = Counter("tradescreen_gc_pause_seconds_total",
                    "Time spent in Python's cyclic garbage collector, by generation collected", ["generation"])
GC_UNREACHABLE = Counter("tradescreen_gc_unreachable_objects_total",
                         "Objects the cyclic garbage collector found unreachable and freed", ["generation"])
GC_RECLAIMED = Counter("tradescreen_gc_reclaimed_objects_total",
                       "Unreachable objects found by the periodic whole-heap collection (cycles that died frozen)")


# Labelled children of the worker's metrics, by (metric, label values): prometheus_client's
# labels() (a lock and a validation per call) costs more than the increment, several times
# per order. Label values here come from small fixed sets (outcomes, reason codes, topics).
_children: dict[tuple[int, tuple[str, ...]], Any] = {}


def labelled(metric: MetricWrapperBase, *values: str) -> Any:
    """`metric.labels(*values)`, remembered."""
    key = (id(metric), values)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*values)
    return child
