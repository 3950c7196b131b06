"""`tradescreen demo`: produce a realistic mixed stream into a running service."""

from __future__ import annotations

import threading
import time

import typer

from schemas import OrderEvent
from schemas.common import utc_now
from streams import topics
from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.demo import demo_events
from streams.kafka import flush_or_raise, make_producer
from streams.settings import Settings


def produce_demo(cfg: Settings, bootstrap: str, count: int, rate: float, seed: int | None = None,
                 echo: bool = False, stop: threading.Event | None = None) -> int:
    """Produce `count` events (0: until interrupted) at about `rate` per second."""
    producer = make_producer(bootstrap, cfg)
    sent = 0
    try:
        for event in demo_events(utc_now(), seed):
            event = event.model_copy(update={"occurred_at": utc_now()})
            if isinstance(event, OrderEvent):
                topic, key = topics.ORDERS, event.order_id
            else:
                topic, key = topics.SHIPMENTS, event.shipment_id
            producer.produce(cfg.topic(topic), key=key.encode(), value=event.to_json_bytes())
            producer.poll(0)
            sent += 1
            if echo:
                typer.echo(f"-> {topic} {key}", err=True)
            if (count and sent >= count) or (stop and stop.is_set()):
                break
            if rate > 0:
                time.sleep(1.0 / rate)
    except KeyboardInterrupt:
        pass
    finally:
        flush_or_raise(producer)
    return sent


def demo(
    count: int = typer.Option(100, "--count", "-n", help="events to produce (0: until Ctrl-C)"),
    rate: float = typer.Option(5.0, "--rate", help="events per second (0: as fast as possible)"),
    seed: int | None = typer.Option(None, help="random seed for a repeatable stream"),
    bootstrap: str | None = BootstrapOption,
) -> None:
    """Produce demo orders and shipments (mostly clean, some embargoed, some listed)."""
    cfg = settings()
    sent = produce_demo(cfg, require_bootstrap(bootstrap or cfg.kafka_bootstrap), count, rate, seed, echo=True)
    typer.echo(f"produced {sent} events", err=True)
