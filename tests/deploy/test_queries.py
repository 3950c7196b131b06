"""The dashboard's and the alerts' queries parse and name tradescreen metrics that exist in
the worker's registry. tests/integration/test_deploy_metrics.py compares them with what a
running worker actually serves on /metrics."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY, generate_latest

import streams.metrics  # noqa: F401 - registers the worker's metrics
from tests.deploy.promql import SCRAPE_SERIES, Selector, all_selectors, exported_series, selectors


def test_every_query_parses_and_selects_metrics() -> None:
    found = all_selectors()
    assert len({s.where for s in found}) >= 30
    assert {s.metric for s in found} >= {"up", "tradescreen_decisions_total",
                                         "tradescreen_decision_latency_seconds_bucket"}


def test_selectors_are_read_from_every_part_of_an_expression() -> None:
    found = selectors("x", 'a{job="j"} unless on (instance) b offset 1d or sum(rate({__name__="c", x="1"}[5m]))')
    assert [(s.metric, sorted(s.labels)) for s in found] == [("a", ["job"]), ("b", []), ("c", ["x"])]


def test_scrape_parsing_offers_counter_and_histogram_series() -> None:
    series = exported_series(generate_latest(REGISTRY).decode())
    assert "tradescreen_deadletters_total" in series
    assert {"tradescreen_decision_latency_seconds_bucket", "tradescreen_decision_latency_seconds_count"} <= set(series)
    assert "tradescreen_decision_latency_seconds" not in series


@pytest.mark.parametrize("selector", all_selectors(), ids=lambda s: f"{s.where}:{s.metric}")
def test_query_names_a_metric_the_worker_registers(selector: Selector) -> None:
    series = exported_series(generate_latest(REGISTRY).decode())
    assert selector.metric in SCRAPE_SERIES or selector.metric in series, f"{selector}: not a registered metric"
