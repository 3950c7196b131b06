"""The emit point's delivery bookkeeping: a flush before a commit returns only once every
output produced before it is reported on, whatever order the reports come in (librdkafka
orders them per partition only). The producer here only records calls and plays back
delivery reports in the order a test chooses; the broker behaviour itself is tested
against the real broker in tests/integration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from streams.emitter import Emitter, OutputDeliveryError


class ReportsOnCue:
    """Keeps each produce()'s delivery callback until `deliver(n)` plays it back."""

    def __init__(self) -> None:
        self.callbacks: list[Callable[[Any, Any], None]] = []
        self.values: list[tuple[str, bytes | None]] = []
        self.headers: list[Any] = []

    def produce(self, topic: str, key: bytes, value: bytes | None, on_delivery: Any, headers: Any = None,
                **_: Any) -> None:
        self.callbacks.append(on_delivery)
        self.values.append((topic, value))
        self.headers.append(headers)

    def poll(self, timeout: float = 0) -> int:
        return 0

    def deliver(self, n: int, error: Any = None) -> None:
        self.callbacks[n](error, Delivered())


class Delivered:
    def topic(self) -> str:
        return "t"


async def emit_a_decision_and_its_fact(out: Emitter, marker: ReportsOnCue) -> None:
    """Emit a CLEAR decision and its activity fact on partition 0; `marker`, the producer
    of audit records, reports the marker the audit head is resumed behind."""
    from datetime import UTC, datetime

    from schemas import Decision, Subject, SubjectKind, Trigger
    from screening.facts import ActivityFact

    now = datetime(2026, 3, 2, tzinfo=UTC)
    order = Subject(kind=SubjectKind.order, id="SO-1")
    emitting = asyncio.ensure_future(out.emit([
        Decision(decision_id="d", event_id="e", subject=order, trigger=Trigger.event, outcome="CLEAR",
                 lists_version="v", decided_at=now),
        ActivityFact(consignee="HK|x", consignee_name="X", subject=order, event_id="e", at=now)], partition=0))
    await asyncio.sleep(0.01)
    marker.deliver(0)
    await asyncio.wait_for(emitting, 1)


def run(scenario: Callable[[ReportsOnCue, Emitter], Awaitable[None]]) -> None:
    """Play `scenario` against an emit point whose producer reports on cue."""
    producer = ReportsOnCue()
    asyncio.run(scenario(producer, Emitter(producer, lambda t: t)))  # type: ignore[arg-type]


def test_a_flush_waits_for_an_earlier_output_even_when_later_ones_are_reported_first() -> None:
    async def scenario(producer: ReportsOnCue, out: Emitter) -> None:
        out.forward("t", 0, b"k", b"first")
        out.forward("t", 1, b"k", b"second")
        flushing = asyncio.ensure_future(out.flush(timeout_s=5))
        await asyncio.sleep(0.01)
        out.forward("t", 2, b"k", b"third, produced during the flush")
        producer.deliver(2)
        producer.deliver(1)  # two reports arrived, but not the first output's
        await asyncio.sleep(0.02)
        assert not flushing.done()
        producer.deliver(0)
        await asyncio.wait_for(flushing, 1)

    run(scenario)


def test_a_flush_does_not_wait_for_outputs_produced_after_it_began() -> None:
    async def scenario(producer: ReportsOnCue, out: Emitter) -> None:
        out.forward("t", 0, b"k", b"before")
        flushing = asyncio.ensure_future(out.flush(timeout_s=5))
        await asyncio.sleep(0.01)
        out.forward("t", 0, b"k", b"after")
        producer.deliver(0)
        await asyncio.wait_for(flushing, 1)

    run(scenario)


def test_a_failed_or_missing_report_fails_the_flush() -> None:
    async def scenario(producer: ReportsOnCue, out: Emitter) -> None:
        out.forward("t", 0, b"k", b"lost")
        producer.deliver(0, error="broker said no")
        with pytest.raises(OutputDeliveryError, match="1 failed"):
            await out.flush(timeout_s=1)
        out.forward("t", 0, b"k", b"never reported")
        with pytest.raises(OutputDeliveryError, match="1 outputs undelivered"):
            await out.flush(timeout_s=0.05)

    run(scenario)


def test_an_unaudited_output_sent_outside_an_event_is_counted_in_the_flush_and_audited_ones_are_refused() -> None:
    from datetime import UTC, datetime

    from schemas import Decision, Subject, SubjectKind, Trigger
    from screening.facts import ActivityFact

    async def scenario(producer: ReportsOnCue, out: Emitter) -> None:
        now = datetime(2026, 3, 2, tzinfo=UTC)
        order = Subject(kind=SubjectKind.order, id="SO-1")
        await out.emit([ActivityFact(consignee="HK|x", consignee_name="X", subject=order, event_id="e", at=now)])
        flushing = asyncio.ensure_future(out.flush(timeout_s=5))
        await asyncio.sleep(0.01)
        assert not flushing.done()
        producer.deliver(0)
        await asyncio.wait_for(flushing, 1)
        with pytest.raises(ValueError, match="audited"):
            await out.emit([Decision(decision_id="d", event_id="e", subject=order, trigger=Trigger.event,
                                     outcome="CLEAR", lists_version="v", decided_at=now)])

    run(scenario)


def test_an_audited_output_goes_out_as_its_audit_payload_says() -> None:
    from datetime import UTC, datetime

    from schemas import AuditRecord, Decision, Reason, ReasonCode, Severity, Subject, SubjectKind, Trigger
    from screening.audit import record_hash

    decision = Decision(decision_id="d", event_id="e", subject=Subject(kind=SubjectKind.order, id="SO-1"),
                        trigger=Trigger.event, outcome="HOLD", lists_version="v",
                        decided_at=datetime(2026, 3, 2, 9, 30, 0, 250, tzinfo=UTC),
                        reasons=[Reason(code=ReasonCode.LICENSE_REQUIRED, severity=Severity.hold, detail="NS2")])

    async def scenario(producer: ReportsOnCue, out: Emitter) -> None:
        emitting = asyncio.ensure_future(out.emit([decision], partition=0))
        await asyncio.sleep(0.01)
        producer.deliver(0)  # the marker the audit head is resumed behind
        await asyncio.wait_for(emitting, 1)
        sent = dict(producer.values[1:])
        assert Decision.model_validate_json(sent["decisions"] or b"") == decision
        record = AuditRecord.model_validate_json(sent["audit"] or b"")
        assert record.payload == decision.model_dump(mode="json", by_alias=True, exclude_none=True)
        assert (record.seq, record.hash) == (0, record_hash(record.prev_hash, record.payload))

    run(scenario)


def test_records_only_the_service_reads_go_through_the_records_producer_and_a_flush_waits_for_both() -> None:
    fast, records = ReportsOnCue(), ReportsOnCue()

    async def scenario() -> None:
        out = Emitter(fast, lambda t: t, records=records)  # type: ignore[arg-type]
        await emit_a_decision_and_its_fact(out, records)
        out.changelog("tradescreen-orders_book-changelog", 0, b"SO-1", b"{}")
        assert [t for t, _ in fast.values] == ["decisions"]
        assert [t for t, _ in records.values] == ["audit", "audit", "facts", "tradescreen-orders_book-changelog"]
        flushing = asyncio.ensure_future(out.flush(timeout_s=5))
        fast.deliver(0)
        for n in (1, 2):
            records.deliver(n)
        await asyncio.sleep(0.01)
        assert not flushing.done()  # the changelog record is not reported yet
        records.deliver(3)
        await asyncio.wait_for(flushing, 1)

    asyncio.run(scenario())


def test_facts_name_their_writer_so_that_it_skips_them_when_it_reads_them_back() -> None:
    from streams.emitter import WRITER_HEADER

    producer = ReportsOnCue()

    async def scenario() -> None:
        out = Emitter(producer, lambda t: t, writer="w-1")  # type: ignore[arg-type]
        await emit_a_decision_and_its_fact(out, producer)
        out.tombstone("facts", "activity:HK|x:order:SO-1")
        sent = {topic: headers for (topic, _), headers in zip(producer.values, producer.headers, strict=True)}
        assert sent["facts"] == [(WRITER_HEADER, b"w-1")] and sent["decisions"] is None and sent["audit"] is None
        assert producer.headers[-1] == [(WRITER_HEADER, b"w-1")]  # the tombstone too
        # Faust gives headers as pairs or as a mapping.
        assert out.wrote([(WRITER_HEADER, b"w-1")]) and out.wrote({WRITER_HEADER: b"w-1"})
        assert not out.wrote([(WRITER_HEADER, b"w-2")]) and not out.wrote(None) and not out.wrote([])
        assert not Emitter(producer, lambda t: t).wrote([(WRITER_HEADER, b"w-1")])  # type: ignore[arg-type]

    asyncio.run(scenario())
