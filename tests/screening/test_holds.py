"""Hold lifecycle, roles and four-eyes: role × action × state, as a table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import Decision, Disposition, DispositionAction, HoldStatus, Outcome, Subject, Trigger
from schemas.review import ReviewerRole
from screening.holds import (
    AlreadyApplied,
    Applied,
    HoldState,
    Refusal,
    apply_disposition,
    apply_hold_event,
    attach_decision,
    disposition_key,
    hold_event,
    open_hold,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
R, S, A = ReviewerRole.reviewer, ReviewerRole.senior, ReviewerRole.auditor
release, confirm, escalate = DispositionAction.release, DispositionAction.confirm, DispositionAction.escalate


def decision(outcome: Outcome, decision_id: str = "d-1", at: datetime = T0) -> Decision:
    return Decision(decision_id=decision_id, event_id="e-1", subject=Subject(kind="order", id="o-1"),
                    trigger=Trigger.event, outcome=outcome, reasons=[], lists_version="v1", decided_at=at)


def disposition(action: DispositionAction, reviewer: str, at: datetime = T0, reason: str = "checked") -> Disposition:
    return Disposition(hold_id="h-1", action=action, reviewer=reviewer, reason=reason, at=at)


def hold(outcome: Outcome, status: HoldStatus, escalated_by: str = "erin") -> HoldState:
    """A hold in `status`; an escalated one was escalated (first reviewed) by `escalated_by`."""
    state = open_hold(decision(outcome), "h-1", T0)
    if status is HoldStatus.opened:
        return state
    if status is HoldStatus.escalated:
        result = apply_disposition(state, disposition(escalate, escalated_by), R, T0)
    else:
        action = release if status is HoldStatus.released else confirm
        result = apply_disposition(state, disposition(action, "sam"), S, T0)
        if isinstance(result, Refusal):  # a BLOCK is released only after escalation
            state = hold(outcome, HoldStatus.escalated)
            result = apply_disposition(state, disposition(action, "sam"), S, T0)
    assert isinstance(result, Applied), result
    assert result.state.status is status
    return result.state


OK = None
# (outcome, state, role, reviewer, action) -> None (applied) or the refusal (status, code).
CASES: list[tuple[Outcome, HoldStatus, ReviewerRole | None, str, DispositionAction, tuple[int, str] | None]] = [
    # opened HOLD: reviewers and seniors may do anything; auditors and strangers nothing.
    (Outcome.HOLD, HoldStatus.opened, R, "bob", release, OK),
    (Outcome.HOLD, HoldStatus.opened, R, "bob", confirm, OK),
    (Outcome.HOLD, HoldStatus.opened, R, "bob", escalate, OK),
    (Outcome.HOLD, HoldStatus.opened, S, "sam", release, OK),
    (Outcome.HOLD, HoldStatus.opened, S, "sam", confirm, OK),
    (Outcome.HOLD, HoldStatus.opened, S, "sam", escalate, OK),
    (Outcome.HOLD, HoldStatus.opened, A, "ann", release, (403, "role")),
    (Outcome.HOLD, HoldStatus.opened, A, "ann", confirm, (403, "role")),
    (Outcome.HOLD, HoldStatus.opened, A, "ann", escalate, (403, "role")),
    (Outcome.HOLD, HoldStatus.opened, None, "mallory", confirm, (403, "unknown_reviewer")),
    # opened BLOCK: nobody releases it straight away (four-eyes); confirming is always allowed.
    (Outcome.BLOCK, HoldStatus.opened, R, "bob", release, (403, "role")),
    (Outcome.BLOCK, HoldStatus.opened, S, "sam", release, (403, "four_eyes")),
    (Outcome.BLOCK, HoldStatus.opened, R, "bob", confirm, OK),
    (Outcome.BLOCK, HoldStatus.opened, R, "bob", escalate, OK),
    (Outcome.BLOCK, HoldStatus.opened, A, "ann", escalate, (403, "role")),
    # escalated (by erin): a senior other than erin decides.
    (Outcome.HOLD, HoldStatus.escalated, S, "sam", release, OK),
    (Outcome.HOLD, HoldStatus.escalated, S, "sam", confirm, OK),
    (Outcome.HOLD, HoldStatus.escalated, S, "sam", escalate, (409, "wrong_state")),
    (Outcome.HOLD, HoldStatus.escalated, R, "bob", release, (403, "role")),
    (Outcome.HOLD, HoldStatus.escalated, R, "bob", confirm, (403, "role")),
    (Outcome.HOLD, HoldStatus.escalated, A, "ann", confirm, (403, "role")),
    (Outcome.BLOCK, HoldStatus.escalated, S, "sam", release, OK),
    (Outcome.BLOCK, HoldStatus.escalated, S, "sam", confirm, OK),
    (Outcome.BLOCK, HoldStatus.escalated, R, "bob", release, (403, "role")),
    (Outcome.BLOCK, HoldStatus.escalated, R, "erin", release, (403, "role")),
    (Outcome.BLOCK, HoldStatus.escalated, A, "ann", release, (403, "role")),
    # closed holds: nothing moves them.
    (Outcome.HOLD, HoldStatus.released, S, "sam", confirm, (409, "wrong_state")),
    (Outcome.HOLD, HoldStatus.released, R, "bob", escalate, (409, "wrong_state")),
    (Outcome.HOLD, HoldStatus.confirmed, S, "sam", release, (409, "wrong_state")),
    (Outcome.BLOCK, HoldStatus.confirmed, S, "sam", release, (409, "wrong_state")),
    (Outcome.BLOCK, HoldStatus.released, R, "bob", confirm, (409, "wrong_state")),
]


@pytest.mark.parametrize(("outcome", "status", "role", "reviewer", "action", "expected"), CASES)
def test_role_action_state(outcome: Outcome, status: HoldStatus, role: ReviewerRole | None, reviewer: str,
                           action: DispositionAction, expected: tuple[int, str] | None) -> None:
    state = hold(outcome, status)
    later = T0 + timedelta(minutes=5)
    result = apply_disposition(state, disposition(action, reviewer, later), role, later)
    if expected is None:
        assert isinstance(result, Applied), result
        assert result.event.status.value == {"release": "released", "confirm": "confirmed",
                                             "escalate": "escalated"}[action.value]
        assert result.event.reviewer == reviewer and result.event.hold_id == "h-1"
        assert result.state.history[-1].reviewer == reviewer
    else:
        assert isinstance(result, Refusal), result
        assert (result.http_status, result.code) == expected


@pytest.mark.parametrize("outcome", [Outcome.HOLD, Outcome.BLOCK])
def test_the_escalator_of_a_hold_cannot_decide_it(outcome: Outcome) -> None:
    """Even a senior who escalated a hold must leave the decision to another senior."""
    state = hold(outcome, HoldStatus.escalated, escalated_by="sam")
    for action in (release, confirm):
        result = apply_disposition(state, disposition(action, "sam", T0 + timedelta(hours=1)), S, T0)
        assert isinstance(result, Refusal) and (result.http_status, result.code) == (403, "four_eyes")


def test_block_needs_two_people_start_to_end() -> None:
    state = open_hold(decision(Outcome.BLOCK), "h-1", T0)
    escalated = apply_disposition(state, disposition(escalate, "sam", T0), S, T0)
    assert isinstance(escalated, Applied)
    assert escalated.state.first_reviewer == "sam" and escalated.state.escalated_by == "sam"
    own = apply_disposition(escalated.state, disposition(release, "sam", T0 + timedelta(1)), S, T0)
    assert isinstance(own, Refusal) and own.code == "four_eyes"
    other = apply_disposition(escalated.state, disposition(release, "tess", T0 + timedelta(1)), S, T0)
    assert isinstance(other, Applied) and other.state.status is HoldStatus.released
    assert [a.status for a in other.state.history] == [HoldStatus.opened, HoldStatus.escalated, HoldStatus.released]


def test_a_redelivered_disposition_changes_nothing() -> None:
    state = open_hold(decision(Outcome.HOLD), "h-1", T0)
    once = apply_disposition(state, disposition(confirm, "bob"), R, T0)
    assert isinstance(once, Applied)
    again = apply_disposition(once.state, disposition(confirm, "bob"), R, T0 + timedelta(hours=2))
    assert isinstance(again, AlreadyApplied) and again.state == once.state
    # A different disposition on the closed hold is refused, not ignored.
    other = apply_disposition(once.state, disposition(confirm, "bob", reason="again"), R, T0)
    assert isinstance(other, Refusal) and other.http_status == 409


def test_unknown_hold_and_empty_reason() -> None:
    missing = apply_disposition(None, disposition(confirm, "bob"), R, T0)
    assert isinstance(missing, Refusal) and (missing.http_status, missing.code) == (404, "unknown_hold")
    blank = apply_disposition(open_hold(decision(Outcome.HOLD), "h-1", T0), disposition(confirm, "bob", reason=" "),
                              R, T0)
    assert isinstance(blank, Refusal) and blank.code == "reason_required"


def test_disposition_key_tells_dispositions_apart() -> None:
    keys = {disposition_key(disposition(a, who, T0 + timedelta(seconds=s)))
            for a in (release, confirm) for who in ("bob", "sam") for s in (0, 1)}
    assert len(keys) == 8
    assert disposition_key(disposition(release, "bob")) == disposition_key(disposition(release, "bob"))


def test_a_rescreen_attaches_to_the_open_hold() -> None:
    state = open_hold(decision(Outcome.HOLD), "h-1", T0)
    worse = attach_decision(state, decision(Outcome.BLOCK, "d-2"), T0 + timedelta(hours=1))
    assert worse is not None
    assert worse.decision_ids == ("d-1", "d-2") and worse.outcome is Outcome.BLOCK
    assert worse.status is HoldStatus.opened and worse.decision_id == "d-2"
    assert attach_decision(worse, decision(Outcome.BLOCK, "d-2"), T0) is None  # already attached
    cleared = attach_decision(worse, decision(Outcome.CLEAR, "d-3"), T0)
    assert cleared is not None and cleared.outcome is Outcome.BLOCK  # a clear re-screen is shown, never closes
    closed = apply_disposition(state, disposition(confirm, "bob"), R, T0)
    assert isinstance(closed, Applied)
    assert attach_decision(closed.state, decision(Outcome.HOLD, "d-4"), T0) is None
    with pytest.raises(ValueError, match="CLEAR"):
        open_hold(decision(Outcome.CLEAR), "h-2", T0)


def test_state_rebuilt_from_hold_events_equals_the_worker_state() -> None:
    """What the review service rebuilds from `holds` is what the worker holds."""
    state = open_hold(decision(Outcome.BLOCK), "h-1", T0)
    events = []
    events.append(hold_event(state, state.history[0]))
    step1 = apply_disposition(state, disposition(escalate, "erin"), R, T0 + timedelta(minutes=1))
    assert isinstance(step1, Applied)
    events.append(step1.event)
    step2 = apply_disposition(step1.state, disposition(release, "sam", T0 + timedelta(minutes=2)), S,
                              T0 + timedelta(minutes=2))
    assert isinstance(step2, Applied)
    events.append(step2.event)
    rebuilt: HoldState | None = None
    for event in [*events, events[1]]:  # one redelivered
        rebuilt = apply_hold_event(rebuilt, event)
    assert rebuilt is not None
    assert rebuilt.status is HoldStatus.released and rebuilt.outcome is Outcome.BLOCK
    assert rebuilt.first_reviewer == "erin" and rebuilt.escalated_by == "erin"
    assert [a.status for a in rebuilt.history] == [a.status for a in step2.state.history]
    assert rebuilt.applied(disposition_key(disposition(release, "sam", T0 + timedelta(minutes=2))))
