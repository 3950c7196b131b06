"""`tradescreen tail TOPIC`: print what comes out of tradescreen, one readable line each."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from typing import Any

import typer
from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer

from streams import topics
from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.kafka import assign_whole_topic, client_config
from streams.settings import Settings

_COLOURS = {"CLEAR": "green", "HOLD": "yellow", "BLOCK": "red", "critical": "red", "warning": "yellow"}


def describe(topic: str, value: dict[str, Any]) -> tuple[str, str | None]:
    """One line for one message, and a colour for it."""
    if topic == topics.DECISIONS:
        subject = value.get("subject", {})
        reasons = value.get("reasons", [])
        detail = "; ".join(
            f"{r.get('code')}" + (f" {r.get('party_role')} '{r.get('party_name')}' ~ {r.get('list')} "
                                  f"'{r.get('matched_name')}' {r.get('score')}" if r.get("matched_name") else
                                  f": {r.get('detail')}")
            for r in reasons[:3])
        more = f" (+{len(reasons) - 3})" if len(reasons) > 3 else ""
        line = (f"{value.get('outcome', '?'):5} {subject.get('kind')} {subject.get('id')} "
                f"[{value.get('trigger')}] {detail}{more}  lists={value.get('lists_version')}")
        return line, _COLOURS.get(value.get("outcome", ""))
    if topic == topics.HOLDS:
        subject = value.get("subject", {})
        return (f"{value.get('status')} {value.get('hold_id')} {subject.get('kind')} {subject.get('id')}: "
                f"{value.get('reason') or ''}"), "yellow"
    if topic == topics.ALERTS:
        return (f"{value.get('severity', '').upper()} {value.get('code')}: {value.get('summary')}",
                _COLOURS.get(value.get("severity", "")))
    if topic == topics.DEADLETTER:
        raw = base64.b64decode(value.get("value_b64", "")).decode("utf-8", "replace")
        return (f"{value.get('topic')}[{value.get('partition')}]@{value.get('offset')} key={value.get('key')}: "
                f"{value.get('error')} | {raw[:80]!r}"), "red"
    return json.dumps(value)[:300], None


def tail_topic(cfg: Settings, bootstrap: str, topic: str, from_beginning: bool = False,
               limit: int | None = None, stop: threading.Event | None = None) -> None:
    consumer = Consumer(client_config(bootstrap, cfg, **{
        "group.id": f"tradescreen-tail-{uuid.uuid4()}", "enable.auto.commit": False}))
    try:
        assign_whole_topic(consumer, cfg.topic(topic), OFFSET_BEGINNING if from_beginning else OFFSET_END)
    except RuntimeError as exc:
        consumer.close()
        raise typer.BadParameter(str(exc)) from exc
    shown = 0
    try:
        while (limit is None or shown < limit) and not (stop and stop.is_set()):
            msg = consumer.poll(1.0)
            if msg is None or msg.error():
                continue
            value = msg.value()
            if value is None and (msg.key() or b"").startswith(topics.SYNC_KEY_PREFIX.encode()):
                continue  # a marker written past a lagging high watermark, not a message
            try:
                line, colour = describe(topic, json.loads(value)) if value else ("<tombstone>", None)
            except ValueError:
                line, colour = repr(value[:200] if value else value), None
            typer.secho(line, fg=colour)
            shown += 1
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()


def tail(
    topic: str = typer.Argument(..., help=f"one of: {', '.join(topics.TAILABLE)}"),
    from_beginning: bool = typer.Option(False, "--from-beginning", help="start at the oldest message"),
    limit: int | None = typer.Option(None, "--limit", "-n", help="stop after N messages"),
    bootstrap: str | None = BootstrapOption,
) -> None:
    """Print messages of TOPIC as they arrive, one readable line each."""
    if topic not in topics.TAILABLE:
        raise typer.BadParameter(f"unknown topic {topic!r}; choose from {', '.join(topics.TAILABLE)}")
    cfg = settings()
    tail_topic(cfg, require_bootstrap(bootstrap or cfg.kafka_bootstrap), topic, from_beginning, limit)
