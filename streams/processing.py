"""What the agents do with one message, apart from Kafka itself: decode or dead-letter,
de-duplicate on event_id, screen, and say which messages to send. Agents stay thin."""

from __future__ import annotations

import base64
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from schemas import (
    Alert,
    AlertSeverity,
    DeadLetter,
    Decision,
    MessageError,
    OrderEvent,
    OrderEventType,
    ReasonCode,
    ShipmentEvent,
    ShipmentEventType,
    Subject,
    SubjectKind,
    Trigger,
    entry_key,
)
from screening.decisions import alert_for, hold_for, make_decision, stable_id
from screening.liststate import ListState
from screening.policy import ScreeningPolicy
from screening.rules import Screening, all_parties, party_matches, screen_order, screen_shipment
from streams import topics

# How many recent event ids per subject are remembered for de-duplication.
SEEN_EVENTS_KEPT = 64

SubjectEvent = OrderEvent | ShipmentEvent


@dataclass(frozen=True)
class Outgoing:
    topic: str
    key: str
    value: bytes


class SubjectRecord(BaseModel):
    """One order or shipment as the worker remembers it (table value): enough to
    de-duplicate events and, later, to re-screen it when lists change."""

    kind: SubjectKind
    id: str
    open: bool = True
    event: dict[str, Any]
    occurred_at: datetime
    last_decision_id: str | None = None
    last_outcome: str | None = None
    held_for_lists: bool = False
    open_hold_id: str | None = None
    # Entry keys behind the last decision's list reasons, to find holds a delisting touches.
    reason_keys: list[str] = Field(default_factory=list)
    last_event_id: str = ""
    # Input partition the subject lives on: a worker re-screens only what it owns.
    partition: int = 0
    seen: dict[str, str] = Field(default_factory=dict)

    def parsed_event(self) -> SubjectEvent:
        model = OrderEvent if self.kind is SubjectKind.order else ShipmentEvent
        return model.model_validate(self.event)


def subject_of(event: SubjectEvent) -> Subject:
    if isinstance(event, OrderEvent):
        return Subject(kind=SubjectKind.order, id=event.order_id)
    return Subject(kind=SubjectKind.shipment, id=event.shipment_id)


def closes_subject(event: SubjectEvent) -> bool:
    return event.type in (OrderEventType.cancelled, ShipmentEventType.delivered)


def dead_letter(topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None,
                error: MessageError, now: datetime) -> Outgoing:
    letter = DeadLetter(
        topic=topic, partition=partition, offset=offset,
        key=key.decode("utf-8", "replace") if key is not None else None,
        value_b64=base64.b64encode(value or b"").decode(), error=str(error), error_kind=error.kind, at=now,
    )
    return Outgoing(topics.DEADLETTER, letter.key or "", letter.to_json_bytes())


@dataclass
class Screened:
    decision: Decision
    record: SubjectRecord
    messages: list[Outgoing] = field(default_factory=list)


@dataclass
class Screener:
    """Screens subject events against the worker's list state."""

    state: ListState
    policy: ScreeningPolicy

    def screen(self, event: SubjectEvent, now: datetime) -> Screening:
        if isinstance(event, OrderEvent):
            return screen_order(event, self.state, self.policy, now)
        return screen_shipment(event, self.state, self.policy, now)

    def on_event(self, event: SubjectEvent, record: SubjectRecord | None, now: datetime,
                 partition: int = 0) -> Screened | None:
        """Decide one accepted event; None if this event_id was already decided."""
        if record is not None and event.event_id in record.seen:
            return None
        subject = subject_of(event)
        screening = self.screen(event, now)
        decision = make_decision(screening, event.event_id, subject, Trigger.event, now)
        seen = dict(record.seen) if record else {}
        seen[event.event_id] = decision.decision_id
        while len(seen) > SEEN_EVENTS_KEPT:
            seen.pop(next(iter(seen)))
        new_record = SubjectRecord(
            kind=subject.kind, id=subject.id, open=not closes_subject(event),
            event=event.model_dump(mode="json", by_alias=True, exclude_none=True),
            occurred_at=event.occurred_at, seen=seen, last_event_id=event.event_id, partition=partition,
            open_hold_id=record.open_hold_id if record else None,
        )
        return Screened(decision, new_record, self.outputs(decision, new_record))

    def outputs(self, decision: Decision, record: SubjectRecord) -> list[Outgoing]:
        """Decision, and for HOLD/BLOCK a hold and (BLOCK) an alert; updates `record`."""
        key = decision.subject.id
        out = [Outgoing(topics.DECISIONS, key, decision.to_json_bytes())]
        record.last_decision_id = decision.decision_id
        record.last_outcome = decision.outcome.value
        record.held_for_lists = any(r.code is ReasonCode.LISTS_UNAVAILABLE for r in decision.reasons)
        record.reason_keys = sorted({entry_key(r.list_code, r.source_id) for r in decision.reasons
                                     if r.list_code and r.source_id})
        hold = hold_for(decision)
        if hold is not None:
            out.append(Outgoing(topics.HOLDS, hold.hold_id, hold.to_json_bytes()))
            record.open_hold_id = hold.hold_id
        alert = alert_for(decision)
        if alert is not None:
            out.append(Outgoing(topics.ALERTS, key, alert.to_json_bytes()))
        return out


    # -- list updates -------------------------------------------------------------------

    def is_open(self, record: SubjectRecord, now: datetime, horizon: timedelta) -> bool:
        return record.open and now - record.occurred_at <= horizon

    def touched_by(self, record: SubjectRecord, changed_keys: Collection[str]) -> bool:
        """Does any party of this subject match one of the changed entries? One indexed
        search per party (the index proposes candidates, so this is cheap), keeping only hits
        on changed entries: subjects the change cannot affect are not re-screened."""
        event = record.parsed_event()
        on = event.occurred_at.date()
        return any(m.key in changed_keys for p in all_parties(event) for m in party_matches(p, self.state, on))

    def rescreen(self, record: SubjectRecord, now: datetime) -> Screened | None:
        """Screen a known subject again against the current lists; a Decision (trigger
        list_update) only if the outcome changed, or if it was held for want of lists."""
        event = record.parsed_event()
        screening = self.screen(event, now)
        if screening.outcome.value == record.last_outcome and not record.held_for_lists:
            return None
        subject = subject_of(event)
        decision = make_decision(screening, record.last_event_id or event.event_id, subject, Trigger.list_update,
                                 now, basis=screening.lists_version)
        updated = record.model_copy(deep=True)
        return Screened(decision, updated, self.outputs(decision, updated))

    def delisting_alerts(self, record: SubjectRecord, removed_keys: Collection[str], now: datetime) -> list[Outgoing]:
        """A delisting never releases a hold by itself: it tells the reviewers."""
        gone = sorted(set(record.reason_keys) & set(removed_keys))
        if not gone or record.open_hold_id is None:
            return []
        alert = Alert(
            alert_id=stable_id("a", "delisted", record.open_hold_id, *gone), severity=AlertSeverity.info,
            code="DELISTED", subject=Subject(kind=record.kind, id=record.id),
            summary=(f"{record.kind.value} {record.id}: hold {record.open_hold_id} rests on {', '.join(gone)}, "
                     "which is no longer listed. The hold stays open until a reviewer releases it."),
            at=now,
        )
        return [Outgoing(topics.ALERTS, record.id, alert.to_json_bytes())]

