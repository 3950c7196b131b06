"""Turn a Screening into the contract's output messages, with ids derived from their inputs
so that a re-delivered event yields the same ids (at-least-once in, idempotent out)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from schemas import (
    Alert,
    AlertSeverity,
    Decision,
    Outcome,
    ReasonCode,
    Subject,
    Trigger,
)
from screening.rules.base import Screening


def stable_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"{prefix}-{digest}"


def decision_id_for(event_id: str, subject: Subject, trigger: Trigger, basis: str = "") -> str:
    """`basis` tells apart several decisions on one event (a re-screen names the list
    version it used); an event's own decision has none."""
    return stable_id("d", event_id, subject.kind.value, subject.id, trigger.value, basis)


def make_decision(screening: Screening, event_id: str, subject: Subject, trigger: Trigger,
                  decided_at: datetime, basis: str = "") -> Decision:
    return Decision(
        decision_id=decision_id_for(event_id, subject, trigger, basis), event_id=event_id,
        subject=subject, trigger=trigger, outcome=screening.outcome, reasons=list(screening.reasons),
        lists_version=screening.lists_version, decided_at=decided_at,
        rules_version=screening.rules_version or None,
    )


def hold_id_for(decision_id: str, partition: int) -> str:
    """The id of the hold a decision opens. It names the input partition of its subject,
    so that a disposition, which arrives keyed by hold id on any partition of
    `dispositions`, can be routed to the worker that owns the subject and its hold."""
    return f"h{partition}-{stable_id('h', decision_id)[2:]}"


def hold_partition(hold_id: str) -> int | None:
    """The subject partition named by `hold_id`; None if it is not a hold id we issue."""
    head, sep, digest = hold_id.partition("-")
    if not sep or len(head) < 2 or head[0] != "h" or not head[1:].isdigit() or len(digest) != 24:
        return None
    return int(head[1:])


def alert_for(decision: Decision) -> Alert | None:
    """BLOCK decisions page someone; so does failing closed for want of lists."""
    if decision.outcome is not Outcome.BLOCK:
        return None
    first = decision.reasons[0]
    return Alert(
        alert_id=stable_id("a", decision.decision_id), severity=AlertSeverity.critical, code=first.code.value,
        subject=decision.subject, summary=summary(decision), at=decision.decided_at,
    )


def summary(decision: Decision) -> str:
    """One line on a decision: what hold and alert texts start with."""
    codes = sorted({r.code.value for r in decision.reasons if r.code is not ReasonCode.ALLOWLISTED})
    head = decision.reasons[0].detail if decision.reasons else ""
    more = f" (+{len(decision.reasons) - 1} more)" if len(decision.reasons) > 1 else ""
    subject = f"{decision.subject.kind.value} {decision.subject.id}"
    return f"{subject} {decision.outcome.value} [{', '.join(codes)}]: {head}{more}"
