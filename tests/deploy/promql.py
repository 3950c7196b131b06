"""The metric names that the Grafana dashboard's and the alert rules' PromQL expressions
select, and the series names a scrape of the worker offers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import promql_parser
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy.tools import DEPLOY

DASHBOARD = DEPLOY / "grafana" / "dashboards" / "tradescreen.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
# Series Prometheus writes itself for every target, and labels it attaches at scrape time.
SCRAPE_SERIES = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})
TARGET_LABELS = frozenset({"job", "instance", "namespace"})
# Grafana's built-in interval variables; any duration parses the same.
_GRAFANA_VARIABLE = re.compile(r"\$__(range|rate_interval|interval)\b|\$\{__(range|rate_interval|interval)\}")


@dataclass(frozen=True)
class Selector:
    where: str
    metric: str
    labels: frozenset[str]


def dashboard_expressions() -> Iterator[tuple[str, str]]:
    def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))

    dashboard = json.loads(DASHBOARD.read_text())
    for panel in panels(dashboard["panels"]):
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield f"dashboard panel {panel.get('title')!r}", _GRAFANA_VARIABLE.sub("5m", target["expr"])


def alert_expressions() -> Iterator[tuple[str, str]]:
    for group in yaml.safe_load(ALERTS.read_text())["groups"]:
        for rule in group["rules"]:
            yield f"rule {rule.get('alert') or rule.get('record')}", rule["expr"]


def selectors(where: str, expression: str) -> list[Selector]:
    found: list[Selector] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            matchers = node.matchers.matchers
            name = node.name or next((m.value for m in matchers if m.name == "__name__"), None)
            assert name, f"{where}: a selector without a metric name: {expression}"
            found.append(Selector(where, name, frozenset(m.name for m in matchers if m.name != "__name__")))

    promql_parser.walk(promql_parser.parse(expression), visit)
    return found


def all_selectors() -> list[Selector]:
    return [s for where, expr in [*dashboard_expressions(), *alert_expressions()] for s in selectors(where, expr)]


def exported_series(exposition: str) -> dict[str, frozenset[str] | None]:
    """Series name -> label names seen on it (None: a family with no sample yet, whose
    labels a scrape cannot show). Counters are offered as `_total`, histograms as
    `_bucket`/`_sum`/`_count` (`le` on buckets)."""
    series: dict[str, frozenset[str] | None] = {}
    for family in text_string_to_metric_families(exposition):
        suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created"),
                    "summary": ("_sum", "_count", "_created", "")}.get(family.type, ("",))
        for suffix in suffixes:
            series.setdefault(family.name + suffix, None)
        for sample in family.samples:
            labels = frozenset(sample.labels)
            series[sample.name] = labels | (series.get(sample.name) or frozenset())
    return series
