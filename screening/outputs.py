"""The messages screening hands to the emit point. The domain builds them; which topic
each goes to, and how, is the emit point's business (`streams/emitter.py`)."""

from __future__ import annotations

import base64
from datetime import datetime

from schemas import Alert, DeadLetter, Decision, HoldEvent, MessageError

Output = Decision | HoldEvent | Alert | DeadLetter


def dead_letter(topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None,
                error: MessageError, now: datetime) -> DeadLetter:
    return DeadLetter(
        topic=topic, partition=partition, offset=offset,
        key=key.decode("utf-8", "replace") if key is not None else None,
        value_b64=base64.b64encode(value or b"").decode(), error=str(error), error_kind=error.kind, at=now,
    )
