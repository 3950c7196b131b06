"""Orders and shipments as the worker remembers them between events: enough to
de-duplicate re-delivered events, give a re-delivered event its first decision back, and
re-screen open subjects when lists change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from schemas import (
    Decision,
    OrderEvent,
    OrderEventType,
    ShipmentEvent,
    ShipmentEventType,
    Subject,
    SubjectKind,
)

SubjectEvent = OrderEvent | ShipmentEvent

# How many recent event ids per subject are remembered for de-duplication.
SEEN_EVENTS_KEPT = 64


class SubjectRecord(BaseModel):
    """One order or shipment (table value)."""

    kind: SubjectKind
    id: str
    open: bool = True
    event: dict[str, Any]
    occurred_at: datetime
    last_decision_id: str | None = None
    last_outcome: str | None = None
    held_for_lists: bool = False
    open_hold_id: str | None = None
    # Its last hold was released by a reviewer: a list change that holds it again opens a
    # new hold even though the outcome is what it was.
    released: bool = False
    # Entry keys behind the last decision's list reasons, to find holds a delisting touches.
    reason_keys: list[str] = Field(default_factory=list)
    last_event_id: str = ""
    # Input offset of the last decided event: the same message coming again is a replay.
    last_offset: int = -1
    # Input partition the subject lives on: a worker re-screens only what it owns.
    partition: int = 0
    # event_id -> decision_id of every recent event.
    seen: dict[str, str] = Field(default_factory=dict)
    # Set while a shipment waits for its order to be seen (no decision yet).
    pending_since: datetime | None = None
    # The last decision in full, so that a re-delivered event gets it back unchanged.
    last_decision: Decision | None = None

    def parsed_event(self) -> SubjectEvent:
        model = OrderEvent if self.kind is SubjectKind.order else ShipmentEvent
        return model.model_validate(self.event)


def subject_of(event: SubjectEvent) -> Subject:
    if isinstance(event, OrderEvent):
        return Subject(kind=SubjectKind.order, id=event.order_id)
    return Subject(kind=SubjectKind.shipment, id=event.shipment_id)


def subject_id(event: SubjectEvent) -> str:
    return event.order_id if isinstance(event, OrderEvent) else event.shipment_id


def closes_subject(event: SubjectEvent) -> bool:
    return event.type in (OrderEventType.cancelled, ShipmentEventType.delivered)
