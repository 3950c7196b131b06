"""The messages screening hands to the emit point. The domain builds them; which topic
each goes to, and how, is the emit point's business (`streams/emitter.py`)."""

from __future__ import annotations

import base64
from datetime import datetime

from schemas import Alert, DeadLetter, Decision, HoldEvent, MessageError
from screening.facts import ActivityFact, FlaggedParty, OrderFact

# Stream facts go out too (to the `facts` topic), for every worker to read back.
Output = Decision | HoldEvent | Alert | DeadLetter | OrderFact | ActivityFact | FlaggedParty

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
