"""The hold lifecycle as a pure state machine, and who may move a hold where.

    opened --release|confirm|escalate--> released | confirmed | escalated
    escalated --release|confirm--> released | confirmed

Rules (the worker and the review API both call `apply_disposition`, so they cannot drift):
- an `auditor` changes nothing; an unknown reviewer changes nothing;
- an escalated hold is decided by a `senior` other than the person who escalated it;
- a BLOCK is released only by a `senior`, never by the person who escalated it or first
  reviewed it (four-eyes): so a BLOCK is always seen by two people before it is released;
- a disposition already applied (same content, redelivered) changes nothing.

Refusals carry the HTTP status the review API answers with: 403 for who, 409 for state,
404 for a hold nobody knows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from schemas.common import Subject
from schemas.inputs import Disposition, DispositionAction
from schemas.outputs import Decision, HoldEvent, HoldStatus, Outcome
from schemas.review import ReviewerRole

CLOSED: frozenset[HoldStatus] = frozenset({HoldStatus.released, HoldStatus.confirmed})

_TARGET: dict[DispositionAction, HoldStatus] = {
    DispositionAction.release: HoldStatus.released,
    DispositionAction.confirm: HoldStatus.confirmed,
    DispositionAction.escalate: HoldStatus.escalated,
}

# Which actions each status allows, whoever asks.
_ALLOWED: dict[HoldStatus, frozenset[DispositionAction]] = {
    HoldStatus.opened: frozenset(DispositionAction),
    HoldStatus.escalated: frozenset({DispositionAction.release, DispositionAction.confirm}),
    HoldStatus.released: frozenset(),
    HoldStatus.confirmed: frozenset(),
}

_ACTING_ROLES = frozenset({ReviewerRole.reviewer, ReviewerRole.senior})


class HoldAction(BaseModel):
    """One line of a hold's history."""

    model_config = ConfigDict(frozen=True)

    status: HoldStatus
    at: datetime
    reviewer: str | None = None
    reason: str | None = None
    decision_id: str | None = None
    # Set when a disposition caused this step: what makes redelivery harmless.
    disposition_key: str | None = None


class HoldState(BaseModel):
    """What the worker keeps per hold (table keyed by `hold_id`) and the review service
    rebuilds from `holds`. Immutable: every change returns a new state."""

    model_config = ConfigDict(frozen=True)

    hold_id: str
    subject: Subject
    status: HoldStatus
    # Outcome of the decision that opened the hold (updated when a re-screen attaches
    # a HOLD/BLOCK decision).
    outcome: Outcome
    # Decisions attached, oldest first: the one that opened the hold, then re-screens.
    decision_ids: tuple[str, ...]
    opened_at: datetime
    history: tuple[HoldAction, ...] = ()
    first_reviewer: str | None = None
    escalated_by: str | None = None
    # Input offset of the last disposition applied (worker side): the same message coming
    # again is a replay, whose hold event goes out again.
    applied_offset: int = -1

    @property
    def decision_id(self) -> str:
        return self.decision_ids[-1]

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def applied(self, disposition_key: str) -> bool:
        return any(a.disposition_key == disposition_key for a in self.history)


@dataclass(frozen=True)
class Applied:
    """The disposition moved the hold: keep `state`, emit `event`."""

    state: HoldState
    event: HoldEvent


@dataclass(frozen=True)
class AlreadyApplied:
    """A redelivered disposition: nothing changes, nothing is emitted."""

    state: HoldState


@dataclass(frozen=True)
class Refusal:
    """The disposition is not allowed; `code` is stable for metrics and dead letters."""

    code: str
    reason: str
    http_status: int


DispositionResult = Applied | AlreadyApplied | Refusal


def disposition_key(disposition: Disposition) -> str:
    """Identity of a disposition: the digest of what it says. A redelivery has the same
    key; two reviewers, actions or instants never do."""
    parts = (disposition.hold_id, disposition.action.value, disposition.reviewer, disposition.reason,
             disposition.at.isoformat())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def open_hold(decision: Decision, hold_id: str, now: datetime, summary: str | None = None) -> HoldState:
    """A new hold for a HOLD or BLOCK decision; `summary` is what its first step says."""
    if decision.outcome is Outcome.CLEAR:
        raise ValueError(f"decision {decision.decision_id} is CLEAR: it opens no hold")
    return HoldState(
        hold_id=hold_id, subject=decision.subject, status=HoldStatus.opened, outcome=decision.outcome,
        decision_ids=(decision.decision_id,), opened_at=now,
        history=(HoldAction(status=HoldStatus.opened, at=now, decision_id=decision.decision_id, reason=summary),),
    )


def attach_decision(state: HoldState, decision: Decision, now: datetime) -> HoldState | None:
    """A later decision on the subject of an open hold updates that hold instead of opening
    another. None: nothing to change (closed hold, or decision already attached)."""
    if state.closed or decision.decision_id in state.decision_ids:
        return None
    outcome = state.outcome if decision.outcome is Outcome.CLEAR else decision.outcome
    step = HoldAction(status=state.status, at=now, decision_id=decision.decision_id,
                      reason=f"re-screen: {decision.outcome.value}")
    return state.model_copy(update={"outcome": outcome, "decision_ids": (*state.decision_ids, decision.decision_id),
                                    "history": (*state.history, step)})


def hold_event(state: HoldState, step: HoldAction) -> HoldEvent:
    """The HoldEvent for one step. `outcome` and `disposition_key` ride along as optional
    fields so a read model can rebuild the state from `holds` alone."""
    extra: dict[str, str] = {"outcome": state.outcome.value}
    if step.disposition_key:
        extra["disposition_key"] = step.disposition_key
    return HoldEvent(hold_id=state.hold_id, status=step.status, subject=state.subject,
                     decision_id=step.decision_id or state.decision_id, reviewer=step.reviewer, reason=step.reason,
                     at=step.at, **extra)


def check_disposition(state: HoldState | None, action: DispositionAction, reviewer: str,
                      role: ReviewerRole | None) -> Refusal | None:
    """Why `reviewer` (with `role`) may not take `action` on the hold now; None if they may."""
    if state is None:
        return Refusal("unknown_hold", "no such hold", 404)
    if role is None:
        return Refusal("unknown_reviewer", f"reviewer {reviewer!r} is not known", 403)
    if role not in _ACTING_ROLES:
        return Refusal("role", f"role {role.value} may not change holds", 403)
    if action not in _ALLOWED[state.status]:
        return Refusal("wrong_state", f"hold {state.hold_id} is {state.status.value}: cannot {action.value}", 409)
    if state.status is HoldStatus.escalated:
        if role is not ReviewerRole.senior:
            return Refusal("role", "an escalated hold is decided by a senior reviewer", 403)
        if reviewer == state.escalated_by:
            return Refusal("four_eyes", f"{reviewer} escalated this hold: another senior must decide it", 403)
    if action is DispositionAction.release and state.outcome is Outcome.BLOCK:
        if role is not ReviewerRole.senior:
            return Refusal("role", "a BLOCK is released only by a senior reviewer", 403)
        if reviewer in (state.first_reviewer, state.escalated_by) or state.first_reviewer is None:
            return Refusal("four_eyes", "a BLOCK is released only by a senior other than its first reviewer "
                           "(escalate it first)", 403)
    return None


def apply_disposition(state: HoldState | None, disposition: Disposition, role: ReviewerRole | None,
                      now: datetime) -> DispositionResult:
    """Validate `disposition` against the state machine and the reviewer's role, and apply it.
    `role` is looked up by the caller from the reviewer directory (None: unknown)."""
    key = disposition_key(disposition)
    if state is not None and state.applied(key):
        return AlreadyApplied(state)
    if state is not None and state.hold_id != disposition.hold_id:
        raise ValueError(f"disposition for {disposition.hold_id} applied to hold {state.hold_id}")
    if not disposition.reason.strip():
        return Refusal("reason_required", "a disposition needs a reason", 422)
    refusal = check_disposition(state, disposition.action, disposition.reviewer, role)
    if refusal is not None:
        return refusal
    assert state is not None  # check_disposition refuses a missing hold
    target = _TARGET[disposition.action]
    step = HoldAction(status=target, at=now, reviewer=disposition.reviewer, reason=disposition.reason,
                      disposition_key=key)
    update: dict[str, object] = {"status": target, "history": (*state.history, step)}
    if state.first_reviewer is None:
        update["first_reviewer"] = disposition.reviewer
    if target is HoldStatus.escalated:
        update["escalated_by"] = disposition.reviewer
    new_state = state.model_copy(update=update)
    return Applied(new_state, hold_event(new_state, step))


def apply_hold_event(state: HoldState | None, event: HoldEvent) -> HoldState:
    """Rebuild a hold from its HoldEvents (what a read model does with topic `holds`).
    Events repeated by redelivery change nothing."""
    extra = event.model_extra or {}
    outcome_text = extra.get("outcome")
    key = extra.get("disposition_key")
    step = HoldAction(status=event.status, at=event.at, reviewer=event.reviewer, reason=event.reason,
                      decision_id=event.decision_id, disposition_key=key)
    if state is None:
        # Fail closed: without the outcome, the stricter (BLOCK) rules apply until it is known.
        outcome = Outcome(outcome_text) if outcome_text else Outcome.BLOCK
        return HoldState(hold_id=event.hold_id, subject=event.subject, status=event.status, outcome=outcome,
                         decision_ids=(event.decision_id,), opened_at=event.at, history=(step,),
                         first_reviewer=event.reviewer if event.status is not HoldStatus.opened else None,
                         escalated_by=event.reviewer if event.status is HoldStatus.escalated else None)
    if step in state.history or (key and state.applied(key)):
        return state
    update: dict[str, object] = {"status": event.status, "history": (*state.history, step)}
    if outcome_text:
        update["outcome"] = Outcome(outcome_text)
    if event.decision_id not in state.decision_ids:
        update["decision_ids"] = (*state.decision_ids, event.decision_id)
    if event.reviewer and event.status is not HoldStatus.opened:
        if state.first_reviewer is None:
            update["first_reviewer"] = event.reviewer
        if event.status is HoldStatus.escalated:
            update["escalated_by"] = event.reviewer
    return state.model_copy(update=update)
