"""`tradescreen worker` (one Faust worker on a configured cluster) and `tradescreen up`
(everything on one machine: embedded broker, topics, lists, worker, optional demo)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import typer
from faust.worker import Worker as FaustWorker

from schemas.common import utc_now
from screening.demo_list import DEMO_LISTS, demo_entries
from streams.broker import EmbeddedBroker
from streams.commands import review_cmd
from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.kafka import create_topics
from streams.list_publisher import publish_entries
from streams.settings import Settings
from streams.topology import build_worker
from streams.web import DEMO_WARNING


def run_worker(cfg: Settings, bootstrap: str, loglevel: str) -> None:
    worker = build_worker(cfg, bootstrap)
    # redirect_stdouts=False: Faust would otherwise re-log every printed line as a warning.
    FaustWorker(worker.app, loglevel=loglevel, quiet=True, redirect_stdouts=False).execute_from_commandline()


def worker(
    bootstrap: str | None = BootstrapOption,
    loglevel: str = typer.Option("info", help="log level"),
) -> None:
    """Run one screening worker against an existing Kafka cluster (topics must exist)."""
    cfg = settings()
    run_worker(cfg, require_bootstrap(bootstrap or cfg.kafka_bootstrap), loglevel)


def _load_lists(cfg: Settings, bootstrap: str) -> None:
    if cfg.lists_dir is not None:
        from streams.commands.lists_cmd import load_and_publish

        load_and_publish(cfg, bootstrap, cfg.lists_dir)
        return
    banner = "!" * 100
    typer.secho(f"{banner}\n{DEMO_WARNING}\n{banner}", fg="yellow", bold=True, err=True)
    report = publish_entries(cfg, bootstrap, demo_entries(), source="built-in demo list",
                             loaded_at=utc_now(), lists=DEMO_LISTS, demo=True)
    typer.echo(f"demo list published: {report.counts}", err=True)


def _wait_ready(cfg: Settings, timeout_s: float = 120.0) -> bool:
    url = f"http://{cfg.web_host}:{cfg.web_port}/health"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            health = httpx.get(url, timeout=2).json()
            if health["lists"]["entries"]:
                return True
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(1)
    return False


def _start_demo(cfg: Settings, bootstrap: str, stop: threading.Event) -> None:
    from streams.commands.demo_cmd import produce_demo
    from streams.commands.tail_cmd import tail_topic

    def run() -> None:
        if not _wait_ready(cfg):
            typer.secho("worker did not become ready; demo not started", fg="red", err=True)
            return
        threading.Thread(target=tail_topic, args=(cfg, bootstrap, "decisions"), kwargs={"stop": stop},
                         daemon=True).start()
        produce_demo(cfg, bootstrap, count=0, rate=2.0, stop=stop)

    threading.Thread(target=run, daemon=True, name="demo").start()


def up(
    broker_port: int | None = typer.Option(None, "--broker-port", envvar="TRADESCREEN_BROKER_PORT",
                                           help="pin the embedded broker's port"),
    demo: bool = typer.Option(False, "--demo", help="also produce a demo stream and print decisions"),
    loglevel: str = typer.Option("warning", help="worker log level"),
) -> None:
    """Start tradescreen on this machine: an embedded Kafka-protocol broker (unless
    TRADESCREEN_KAFKA_BOOTSTRAP is set), all topics, lists, and a worker on 127.0.0.1."""
    cfg = settings()
    stop = threading.Event()
    stop_review: Callable[[], None] | None = None
    broker: EmbeddedBroker | None = None
    bootstrap = cfg.kafka_bootstrap
    if bootstrap is None:
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        broker = EmbeddedBroker(port=broker_port or cfg.broker_port, log_file=Path(cfg.data_dir) / "broker.log")
        broker.start()
        bootstrap = broker.bootstrap
        typer.secho(f"embedded broker (Tansu, memory only) at {bootstrap} — produce to it with "
                    f"TRADESCREEN_KAFKA_BOOTSTRAP={bootstrap}", fg="green", err=True)
    else:
        typer.echo(f"using Kafka cluster at {bootstrap}", err=True)
    try:
        for name, status in create_topics(cfg, bootstrap).items():
            typer.echo(f"topic {name}: {status}", err=True)
        _load_lists(cfg, bootstrap)
        stop_review = review_cmd.start_with_up(cfg, bootstrap)
        typer.secho(f"worker web server on http://{cfg.web_host}:{cfg.web_port} (/health, /metrics); "
                    "Ctrl-C stops everything", fg="green", err=True)
        if demo:
            _start_demo(cfg, bootstrap, stop)
        run_worker(cfg, bootstrap, loglevel)
    finally:
        stop.set()
        if stop_review is not None:
            stop_review()
        time.sleep(1.5)  # let the demo threads leave their poll loops before the broker goes
        if broker is not None:
            broker.stop()
            typer.echo("embedded broker stopped", err=True)
