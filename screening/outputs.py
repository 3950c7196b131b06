"""The messages screening hands to the emit point. The domain builds them; which topic
each goes to, and how, is the emit point's business (`streams/emitter.py`)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas import Alert, AuditKind, DeadLetter, Decision, Disposition, HoldEvent, MessageError
from screening.facts import ActivityFact, FlaggedParty, OrderFact
from screening.holds import AlreadyApplied, DispositionResult, HoldState, Refusal


@dataclass(frozen=True)
class AuditNote:
    """A record for the audit chain only, of something that is not itself an output
    message (a disposition applied or refused, a list update, an allow-list change).
    Decisions and hold events are audited by the emit point as they go out."""

    kind: AuditKind
    # The audit topic's key: the subject id, or what the note is about.
    key: str
    payload: dict[str, Any]
    at: datetime

    @classmethod
    def of_disposition(cls, disposition: Disposition, key: str, result: DispositionResult,
                       hold: HoldState | None, now: datetime) -> AuditNote:
        payload: dict[str, Any] = {"disposition": disposition.model_dump(mode="json"), "disposition_key": key}
        if isinstance(result, Refusal):
            payload |= {"result": "refused", "refusal_code": result.code, "refusal_reason": result.reason}
        elif isinstance(result, AlreadyApplied):
            payload |= {"result": "replayed", "hold_status": result.state.status.value}
        else:
            payload |= {"result": "applied", "hold_status": result.state.status.value,
                        "outcome": result.state.outcome.value}
        if hold is not None:
            payload["subject"] = hold.subject.model_dump(mode="json")
        return cls(AuditKind.disposition, hold.subject.id if hold else disposition.hold_id, payload, now)


# Stream facts go out too (to the `facts` topic), for every worker to read back.
Output = Decision | HoldEvent | Alert | DeadLetter | OrderFact | ActivityFact | FlaggedParty | AuditNote

# A dead letter carries at most this much of the original value (base64 grows it by a
# third), so the letter for an oversized message still fits in one Kafka message.
DEAD_LETTER_VALUE_BYTES = 256 * 1024


def dead_letter(topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None,
                error: MessageError, now: datetime) -> DeadLetter:
    value = value or b""
    truncated = len(value) > DEAD_LETTER_VALUE_BYTES
    return DeadLetter(
        topic=topic, partition=partition, offset=offset,
        key=key[:1024].decode("utf-8", "replace") if key is not None else None,
        value_b64=base64.b64encode(value[:DEAD_LETTER_VALUE_BYTES]).decode(),
        value_bytes=len(value) if truncated else None, value_truncated=True if truncated else None,
        error=str(error)[:2000], error_kind=error.kind, at=now,
    )
