"""`tradescreen lists fetch`: download the configured official lists, check them, publish
what changed; failures and quarantined updates go to the `alerts` topic."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from schemas import Alert, ListEntry
from schemas.common import utc_now
from streams import topics
from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.fetch import FetchOutcome, SnapshotStore, list_sources, make_client, refresh_lists
from streams.kafka import flush_or_raise, make_producer
from streams.list_publisher import PublishReport, publish_entries, published_entries
from streams.settings import Settings

console = Console(stderr=True)
log = logging.getLogger("tradescreen.fetch")
ALERT_KEY = "lists"  # the key the worker uses for list-state alerts


def published_counts(cfg: Settings, bootstrap: str) -> dict[str, int]:
    state, _unreadable = published_entries(cfg, bootstrap)
    return dict(Counter(entry.list_code for entry in state.values()))


def send_alerts(cfg: Settings, bootstrap: str, alerts: list[Alert]) -> None:
    if not alerts:
        return
    producer = make_producer(bootstrap, cfg)
    for alert in alerts:
        producer.produce(cfg.topic(topics.ALERTS), key=ALERT_KEY.encode(), value=alert.to_json_bytes())
    flush_or_raise(producer)


def run_fetch(cfg: Settings, bootstrap: str | None, *, only: list[str] | None = None, dry_run: bool = False,
              force: bool = False, now: datetime | None = None,
              sleep: Callable[[float], None] = time.sleep) -> FetchOutcome:
    """The whole command without the terminal: what the CLI and the integration tests run.
    A dry run needs no cluster; with one it also tells which lists would be quarantined."""
    at = now or utc_now()
    store = SnapshotStore.of(cfg)
    sources = list_sources(cfg, only or ())

    def counts() -> dict[str, int]:
        return published_counts(cfg, bootstrap) if bootstrap else {}

    def publish(entries: list[ListEntry], scope: set[str]) -> PublishReport:
        assert bootstrap is not None
        return publish_entries(cfg, bootstrap, entries, source="lists fetch", loaded_at=at, lists=scope)

    with store.locked(), make_client(cfg) as client:
        outcome = refresh_lists(cfg, sources, store, client, at, published_counts=counts,
                                publish=None if dry_run else publish, force=force, sleep=sleep)
    for alert in outcome.alerts:
        log.warning("list_alert code=%s severity=%s summary=%r", alert.code, alert.severity.value, alert.summary)
    if not dry_run and bootstrap:
        send_alerts(cfg, bootstrap, outcome.alerts)
    return outcome


def print_outcome(outcome: FetchOutcome, dry_run: bool) -> None:
    table = Table(title="list sources")
    for col in ("source", "status", "attempts", "bytes", "sha256", "note"):
        table.add_column(col)
    for d in outcome.downloads:
        name = d.source.name
        status = "rejected" if name in outcome.invalid else d.status.value
        if any(name in q.sources for q in outcome.quarantined):
            status = "quarantined"
        note = outcome.invalid.get(name) or d.error or ""
        table.add_row(name, status, str(d.attempts), str(d.meta.size) if d.meta else "-",
                      d.meta.sha256[:12] if d.meta else "-", note)
    console.print(table)
    if outcome.counts:
        verb = "would publish" if dry_run else "published"
        summary = outcome.report.delta.summary() if outcome.report else {}
        console.print(f"{verb}: " + ", ".join(
            f"{code} {n}" + (f" (+{summary[code]['added']} ~{summary[code]['modified']} -{summary[code]['removed']})"
                             if code in summary else "")
            for code, n in sorted(outcome.counts.items())))
    elif not outcome.failed and not outcome.quarantined:
        console.print("nothing new to publish (use --force to republish the last good snapshots)")
    for alert in outcome.alerts:
        colour = "red" if alert.severity.value == "critical" else "yellow"
        console.print(f"[{colour}]{alert.code}: {alert.summary}[/]")


def fetch(
    bootstrap: str | None = BootstrapOption,
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="only this configured source "
                                                     "(repeatable; default: all of TRADESCREEN_LIST_SOURCES)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="download and check, publish and keep nothing")] = False,
    force: Annotated[bool, typer.Option("--force", help="publish the last good snapshots even if "
                                        "nothing changed")] = False,
) -> None:
    """Download the configured official lists (conditional requests, retries), check them,
    quarantine any list that shrinks too much, and publish what changed.
    Exit code 1 if any source failed or was rejected (its last good snapshot is kept)."""
    cfg = settings()
    servers = bootstrap or cfg.kafka_bootstrap
    if not dry_run:
        servers = require_bootstrap(servers)
    try:
        outcome = run_fetch(cfg, servers, only=source, dry_run=dry_run, force=force)
    except (ValueError, RuntimeError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    print_outcome(outcome, dry_run)
    if outcome.failed:
        raise typer.Exit(1)
