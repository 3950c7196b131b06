"""The subject's hold as the Screener keeps it: opened once, updated by re-screens, moved by
dispositions exactly once, freed when it closes; and allow-listed matches suppressed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import Disposition, EntryKind, HoldEvent, ListEntry, OrderEvent, ReasonCode
from schemas.review import ReviewerRole
from screening.allowlist import allowlist_key, make_allowlist_entry
from screening.decisions import hold_partition
from screening.liststate import ListState
from screening.outputs import AuditNote
from screening.policy import ScreeningPolicy
from screening.screener import Screened, Screener

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# "Orion Star Trading FZE" possibly matches this one (score about 0.88): a HOLD.
NEAR = ListEntry(list_code="SDN", source_id="901", kind=EntryKind.organization, name="ORION STARR TRADING",
                 source_version="t")


def screener(*entries: ListEntry) -> Screener:
    state = ListState()
    for e in entries:
        state.apply(e.key, e, NOW)
    return Screener(state, ScreeningPolicy())


def order(event_id: str, buyer: str = "Orion Star Trading FZE", ship_to: str = "AE") -> OrderEvent:
    return OrderEvent.model_validate({
        "event_id": event_id, "type": "order.created", "order_id": "SO-77", "occurred_at": NOW.isoformat(),
        "parties": [{"role": "buyer", "name": buyer, "address": {"country": "AE"}}],
        "ship_to": {"country": ship_to}, "lines": [],
    })


def hold_events(screened: Screened | None) -> list[HoldEvent]:
    assert screened is not None
    return [o for o in screened.outputs if isinstance(o, HoldEvent)]


def disposition(hold_id: str, action: str, reviewer: str, at: datetime = NOW) -> Disposition:
    return Disposition.model_validate({"hold_id": hold_id, "action": action, "reviewer": reviewer,
                                       "reason": f"{action} after review", "at": at.isoformat()})


def test_a_hold_opens_once_names_its_partition_and_re_screens_attach_to_it() -> None:
    s = screener(NEAR)
    first = s.on_event(order("e1"), None, NOW, partition=2, offset=5)
    assert first is not None and first.decision is not None and first.decision.outcome.value == "HOLD"
    [opened] = hold_events(first)
    assert first.hold is not None and opened.hold_id == first.hold.hold_id == first.record.open_hold_id
    assert hold_partition(opened.hold_id) == 2 and opened.status.value == "opened"

    # A BLOCK re-screen (the party is now an exact listed name) updates the same hold.
    s.state.apply("SDN:902", ListEntry(list_code="SDN", source_id="902", kind=EntryKind.organization,
                                       name="ORION STAR TRADING FZE", source_version="t2"), NOW)
    update = s.rescreen(first.record, NOW, first.hold)
    assert update is not None and update.decision is not None and update.decision.outcome.value == "BLOCK"
    [attached] = hold_events(update)
    assert attached.hold_id == opened.hold_id and attached.decision_id == update.decision.decision_id
    assert update.hold is not None and update.hold.outcome.value == "BLOCK"
    assert update.hold.decision_ids == (first.decision.decision_id, update.decision.decision_id)

    # A new event on the subject while the hold is open: attached as well, no second hold.
    later = s.on_event(order("e2"), update.record, NOW, partition=2, offset=6, hold=update.hold)
    [again] = hold_events(later)
    assert again.hold_id == opened.hold_id
    assert later is not None and later.hold is not None and len(later.hold.decision_ids) == 3


def test_a_replayed_event_gets_its_hold_event_back_not_a_new_hold() -> None:
    s = screener(NEAR)
    first = s.on_event(order("e1"), None, NOW, partition=0, offset=9)
    replay = s.on_event(order("e1"), first.record if first else None, NOW, partition=0, offset=9,
                        hold=first.hold if first else None)
    assert hold_events(replay) == hold_events(first)
    assert replay is not None and replay.hold is None  # nothing to store again


def test_a_disposition_is_applied_once_and_a_replay_re_emits_its_hold_event() -> None:
    s = screener(NEAR)
    first = s.on_event(order("e1"), None, NOW, partition=1, offset=1)
    assert first is not None and first.hold is not None
    confirm = disposition(first.hold.hold_id, "confirm", "bob")
    done = s.review(first.hold, confirm, ReviewerRole.reviewer, first.record, NOW, offset=30)
    assert done.refusal is None and done.hold is not None and done.hold.status.value == "confirmed"
    [event] = [o for o in done.outputs if isinstance(o, HoldEvent)]
    [note] = [o for o in done.outputs if isinstance(o, AuditNote)]
    assert event.reviewer == "bob" and note.payload["result"] == "applied" and note.key == "SO-77"
    assert done.record is not None and done.record.open_hold_id is None and not done.record.released

    # The same disposition sent again (a new message): nothing changes, nothing goes out.
    assert s.review(done.hold, confirm, ReviewerRole.reviewer, done.record, NOW, offset=31).outputs == []
    # The very message consumed again after a crash: its hold event goes out again.
    replay = s.review(done.hold, confirm, ReviewerRole.reviewer, done.record, NOW, offset=30)
    assert [o for o in replay.outputs if isinstance(o, HoldEvent)] == [event] and replay.hold is None


def test_refusals_are_audited_and_change_nothing() -> None:
    s = screener(NEAR)
    first = s.on_event(order("e1"), None, NOW, partition=1)
    assert first is not None and first.hold is not None
    hold_id = first.hold.hold_id
    cases = [
        (None, disposition(hold_id, "release", "bob"), ReviewerRole.reviewer, "unknown_hold"),
        (first.hold, disposition(hold_id, "release", "mallory"), None, "unknown_reviewer"),
        (first.hold, disposition(hold_id, "release", "ann"), ReviewerRole.auditor, "role"),
    ]
    for hold, d, role, code in cases:
        refused = s.review(hold, d, role, first.record, NOW)
        assert refused.refusal is not None and refused.refusal.code == code
        assert refused.hold is None and refused.record is None
        [note] = refused.outputs
        assert isinstance(note, AuditNote) and note.payload["refusal_code"] == code

    escalated = s.review(first.hold, disposition(hold_id, "escalate", "sam"), ReviewerRole.senior, first.record, NOW)
    assert escalated.hold is not None
    own = s.review(escalated.hold, disposition(hold_id, "release", "sam", NOW + timedelta(minutes=1)),
                   ReviewerRole.senior, first.record, NOW)
    assert own.refusal is not None and own.refusal.code == "four_eyes"


def test_a_released_subject_is_held_again_when_its_list_entry_changes() -> None:
    s = screener(NEAR)
    first = s.on_event(order("e1"), None, NOW, partition=0)
    assert first is not None and first.hold is not None
    released = s.review(first.hold, disposition(first.hold.hold_id, "release", "bob"), ReviewerRole.reviewer,
                        first.record, NOW)
    assert released.record is not None and released.record.released and released.record.open_hold_id is None

    s.state.apply(NEAR.key, NEAR.model_copy(update={"programs": ["SDGT"], "source_version": "t2"}), NOW)
    again = s.rescreen(released.record, NOW, None)
    assert again is not None and again.decision is not None and again.decision.outcome.value == "HOLD"
    [opened] = hold_events(again)
    assert opened.status.value == "opened" and opened.hold_id != first.hold.hold_id
    assert again.record.open_hold_id == opened.hold_id and not again.record.released


def test_an_allow_listed_potential_match_is_recorded_and_clears() -> None:
    s = screener(NEAR)
    allow = make_allowlist_entry("Orion Star Trading FZE", "AE", NEAR, "different company, Dubai", "bob", NOW)
    s.allowlist[allowlist_key("Orion Star Trading FZE", "AE", NEAR.key)] = allow
    screened = s.on_event(order("e1"), None, NOW)
    assert screened is not None and screened.decision is not None
    assert screened.decision.outcome.value == "CLEAR" and hold_events(screened) == []
    [reason] = screened.decision.reasons
    assert reason.code is ReasonCode.ALLOWLISTED and "bob" in reason.detail

    # Another country, an expired entry, or a changed list entry: held as before.
    other = s.on_event(order("e2", buyer="Orion Star Trading FZE").model_copy(update={"parties": [
        order("x").parties[0].model_copy(update={"address": None})]}), None, NOW)
    assert other is not None and other.decision is not None and other.decision.outcome.value == "HOLD"
    later = s.on_event(order("e3"), None, NOW + timedelta(days=181))
    assert later is not None and later.decision is not None and later.decision.outcome.value == "HOLD"
    s.state.apply(NEAR.key, NEAR.model_copy(update={"remarks": "updated", "source_version": "t3"}), NOW)
    changed = s.on_event(order("e4"), None, NOW)
    assert changed is not None and changed.decision is not None and changed.decision.outcome.value == "HOLD"


def test_strong_matches_are_never_suppressed() -> None:
    exact = NEAR.model_copy(update={"name": "ORION STAR TRADING FZE"})
    s = screener(exact)
    s.allowlist[allowlist_key("Orion Star Trading FZE", "AE", exact.key)] = make_allowlist_entry(
        "Orion Star Trading FZE", "AE", exact, "same name, other firm", "bob", NOW)
    screened = s.on_event(order("e1"), None, NOW)
    assert screened is not None and screened.decision is not None
    assert screened.decision.outcome.value == "BLOCK"
    assert all(r.code is not ReasonCode.ALLOWLISTED for r in screened.decision.reasons)
