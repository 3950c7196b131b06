"""The one way out: every output the worker produces (decisions, holds, alerts, dead
letters) leaves through `Emitter.emit`, which picks topic and key by message type, sends,
and counts. Audit records and delivery guarantees are added here, once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import faust

from schemas import Alert, DeadLetter, Decision, HoldEvent, HoldStatus
from screening.outputs import Output
from streams import metrics, topics

log = logging.getLogger("tradescreen.worker")


def route(output: Output) -> tuple[str, str]:
    """(topic, key) of one output, as the contract says."""
    if isinstance(output, Decision):
        return topics.DECISIONS, output.subject.id
    if isinstance(output, HoldEvent):
        return topics.HOLDS, output.hold_id
    if isinstance(output, Alert):
        return topics.ALERTS, output.subject.id if output.subject else (output.list_code or "lists")
    if isinstance(output, DeadLetter):
        return topics.DEADLETTER, output.key or ""
    raise TypeError(f"not an output message: {type(output).__name__}")


@dataclass
class Emitter:
    topics: dict[str, faust.TopicT] = field(default_factory=dict)

    async def emit(self, outputs: Sequence[Output]) -> None:
        for output in outputs:
            topic, key = route(output)
            await self.topics[topic].send(key=key.encode(), value=output.to_json_bytes())
            _count(output)


def _count(output: Output) -> None:
    if isinstance(output, Decision):
        metrics.DECISIONS.labels(output.outcome.value, output.trigger.value).inc()
        for reason in output.reasons:
            metrics.DECISION_REASONS.labels(reason.code.value).inc()
    elif isinstance(output, HoldEvent) and output.status is HoldStatus.opened:
        metrics.HOLDS_OPENED.inc()
    elif isinstance(output, Alert):
        metrics.ALERTS.labels(output.severity.value, output.code).inc()
    elif isinstance(output, DeadLetter):
        metrics.DEADLETTERS.labels(output.topic, output.error_kind or "unknown").inc()


