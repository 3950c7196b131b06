"""Screener: one accepted event (or a re-screen, or a reviewer's disposition) in, the
decision and the holds and alerts it calls for out, with the subject record and hold the
worker keeps. Pure: the worker supplies state and time and sends what comes back through
its emit point."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from schemas import (
    Alert,
    AlertSeverity,
    Decision,
    Disposition,
    HoldStatus,
    Outcome,
    Reason,
    ReasonCode,
    Severity,
    ShipmentEvent,
    Subject,
    Trigger,
    entry_key,
)
from schemas.review import AllowListEntry, ReviewerRole
from screening.allowlist import suppress_allowlisted
from screening.decisions import alert_for, hold_id_for, make_decision, stable_id, summary
from screening.facts import StreamFacts
from screening.holds import (
    AlreadyApplied,
    Applied,
    HoldState,
    Refusal,
    apply_disposition,
    attach_decision,
    disposition_key,
    hold_event,
    open_hold,
)
from screening.liststate import ListState
from screening.outputs import AuditNote, Output
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData
from screening.rules import RULES, Rule, RuleContext, Screening, all_parties, evaluate, outcome_of
from screening.rules.context import MatchMemo
from screening.subjects import SEEN_EVENTS_KEPT, SubjectEvent, SubjectRecord, closes_subject, subject_of

# seen[event_id] of a shipment event waiting for its order (no decision id yet).
PENDING = "pending"


def _remember(seen: dict[str, str], event_id: str, decision_id: str) -> None:
    seen[event_id] = decision_id
    while len(seen) > SEEN_EVENTS_KEPT:
        seen.pop(next(iter(seen)))


@dataclass
class Screened:
    # None: a shipment held pending until its order is known (nothing to send yet).
    decision: Decision | None
    record: SubjectRecord
    outputs: list[Output] = field(default_factory=list)
    # The subject's hold if this opened or changed it (to store under its hold_id).
    hold: HoldState | None = None


@dataclass
class Reviewed:
    """What a disposition did: `refusal` (dead-letter it) or the changed hold and subject."""

    outputs: list[Output]
    hold: HoldState | None = None
    record: SubjectRecord | None = None
    refusal: Refusal | None = None


@dataclass
class Screener:
    """Screens subject events against the worker's list state, rule data and stream facts."""

    state: ListState
    policy: ScreeningPolicy
    data: RuleData = field(default_factory=RuleData.packaged)
    facts: StreamFacts = field(default_factory=StreamFacts)
    rules: tuple[Rule, ...] = RULES
    # Reviewed false positives by allowlist_key (topic `allowlist`, read whole).
    allowlist: dict[str, AllowListEntry] = field(default_factory=dict)
    matches: MatchMemo = field(default_factory=MatchMemo)

    def context(self, now: datetime) -> RuleContext:
        return RuleContext.at(self.state, self.policy, self.data, self.facts, now, self.matches)

    def screen(self, event: SubjectEvent, now: datetime) -> Screening:
        screening = evaluate(event, self.context(now), now, self.rules)
        if not self.allowlist or not screening.reasons:
            return screening
        reasons = suppress_allowlisted(screening.reasons, all_parties(event), self.allowlist, self.state.entries,
                                       self.state.index.config.strong_threshold, now)
        return Screening(outcome_of(reasons), reasons, screening.lists_version, screening.rules_version)

    def on_event(self, event: SubjectEvent, record: SubjectRecord | None, now: datetime,
                 partition: int = 0, offset: int = -1, hold: HoldState | None = None,
                 event_data: dict[str, Any] | None = None) -> Screened | None:
        """Decide one accepted event (`hold`: the subject's open hold, if any; `event_data`:
        the JSON object it was validated from, kept in the record as it is instead of a dump
        of the model, which validates the same). An event_id
        already decided gives None, except when the very message that was decided comes
        again (a consumer replaying after a crash): then its first decision and outputs
        come back unchanged, since whether they reached the topics before the crash is
        unknown."""
        if record is not None and event.event_id in record.seen:
            if (record.last_decision is not None and record.last_event_id == event.event_id
                    and 0 <= offset <= record.last_offset):
                return Screened(record.last_decision, record, self.outputs_of(record.last_decision, hold))
            return None
        earlier: list[Output] = []
        if record is not None and record.pending_since is not None:
            # A newer event of a shipment still waiting for its order: the waiting one is
            # decided now, so that no event goes undecided.
            first = self.decide_pending(record, now, timeout=timedelta(0), hold=hold)
            earlier, hold = first.outputs, first.hold or hold
        subject = subject_of(event)
        seen = dict(record.seen) if record else {}
        new_record = SubjectRecord(
            kind=subject.kind, id=subject.id, open=not closes_subject(event),
            event=event_data if event_data is not None else event.model_dump(mode="json", by_alias=True,
                                                                             exclude_none=True),
            occurred_at=event.occurred_at, seen=seen, last_event_id=event.event_id, partition=partition,
            last_offset=offset, open_hold_id=record.open_hold_id if record else None,
            released=record.released if record else False,
        )
        if isinstance(event, ShipmentEvent) and self.facts.awaits_order(event):
            new_record.pending_since = now
            _remember(seen, event.event_id, PENDING)
            return Screened(None, new_record, earlier, hold)
        decision = self._decide(event, new_record, now)
        screened = self.conclude(decision, new_record, event, now, hold)
        screened.outputs[:0] = earlier
        return screened

    def _decide(self, event: SubjectEvent, record: SubjectRecord, now: datetime,
                extra: tuple[Reason, ...] = ()) -> Decision:
        screening = self.screen(event, now)
        if extra:
            reasons = screening.reasons + extra
            screening = Screening(outcome_of(reasons), reasons, screening.lists_version, screening.rules_version)
        decision = make_decision(screening, event.event_id, subject_of(event), Trigger.event, now)
        _remember(record.seen, event.event_id, decision.decision_id)
        return decision

    def decide_pending(self, record: SubjectRecord, now: datetime, timeout: timedelta,
                       hold: HoldState | None = None) -> Screened:
        """A shipment held pending: decided once its order is known, or held for review
        once it has waited `timeout` (then DIVERSION says the order was never seen)."""
        event = record.parsed_event()
        assert record.pending_since is not None and isinstance(event, ShipmentEvent)
        known = not self.facts.awaits_order(event)
        if not known and now - record.pending_since < timeout:
            return Screened(None, record, [])
        updated = record.model_copy(deep=True)
        updated.pending_since = None
        extra: tuple[Reason, ...] = ()
        if not known:
            extra = (Reason(code=ReasonCode.DIVERSION, severity=Severity.hold, party_role="shipment",
                            detail=(f"Shipment {event.shipment_id} names order {event.order_id}, which was not seen "
                                    f"within {timeout.total_seconds():.0f} s: it cannot be checked against its "
                                    "order's consignee, end user and destination.")),)
        decision = self._decide(event, updated, now, extra)
        return self.conclude(decision, updated, event, now, hold)

    def outputs_of(self, decision: Decision, hold: HoldState | None) -> list[Output]:
        """The outputs a decision made, again (a replay): the decision, its step on the
        subject's hold, its alert."""
        out: list[Output] = [decision]
        if hold is not None:
            out += [hold_event(hold, step) for step in hold.history if step.decision_id == decision.decision_id][:1]
        alert = alert_for(decision)
        if alert is not None:
            out.append(alert)
        return out

    def conclude(self, decision: Decision, record: SubjectRecord, event: SubjectEvent, now: datetime,
                 hold: HoldState | None) -> Screened:
        """Decision; for HOLD/BLOCK a new hold, or the decision attached to the subject's
        open `hold` (any outcome: a re-screen updates the hold it does not duplicate); for
        BLOCK an alert; and the stream facts it adds (applied here at once, published by
        the emit point). Updates `record`."""
        record.last_decision_id = decision.decision_id
        record.last_decision = decision
        record.last_outcome = decision.outcome.value
        record.held_for_lists = any(r.code is ReasonCode.LISTS_UNAVAILABLE for r in decision.reasons)
        record.reason_keys = sorted({entry_key(r.list_code, r.source_id) for r in decision.reasons
                                     if r.list_code and r.source_id})
        out: list[Output] = [decision]
        changed: HoldState | None = None
        if hold is not None and not hold.closed:
            changed = attach_decision(hold, decision, now)
            if changed is not None:
                out.append(hold_event(changed, changed.history[-1]))
        elif decision.outcome is not Outcome.CLEAR:
            changed = open_hold(decision, hold_id_for(decision.decision_id, record.partition), now, summary(decision))
            out.append(hold_event(changed, changed.history[0]))
            record.open_hold_id = changed.hold_id
            record.released = False
        alert = alert_for(decision)
        if alert is not None:
            out.append(alert)
        for fact in self.facts.facts_from(event, decision, now):
            self.facts.apply(fact.key, fact)
            out.append(fact)
        return Screened(decision, record, out, changed)

    # -- dispositions -------------------------------------------------------------------

    def review(self, hold: HoldState | None, disposition: Disposition, role: ReviewerRole | None,
               record: SubjectRecord | None, now: datetime, offset: int = -1) -> Reviewed:
        """Apply a reviewer's disposition to the subject's hold, once. A disposition applied
        before changes nothing, unless it is the very message that applied it coming again
        (a replay after a crash): then its hold event goes out again. A hold that closes
        frees the subject, so that a later list change can hold it again."""
        key = disposition_key(disposition)
        result = apply_disposition(hold, disposition, role, now)
        note = AuditNote.of_disposition(disposition, key, result, hold, now)
        if isinstance(result, Refusal):
            return Reviewed([note], refusal=result)
        if isinstance(result, AlreadyApplied):
            state = result.state
            if offset < 0 or offset > state.applied_offset:
                return Reviewed([])
            steps = [s for s in state.history if s.disposition_key == key]
            return Reviewed([note, *(hold_event(state, s) for s in steps)])
        assert isinstance(result, Applied)
        state = result.state.model_copy(update={"applied_offset": max(offset, result.state.applied_offset)})
        updated = None
        if state.closed and record is not None and record.open_hold_id == state.hold_id:
            updated = record.model_copy(update={"open_hold_id": None,
                                                "released": state.status is HoldStatus.released})
        return Reviewed([note, result.event], state, updated)

    # -- list updates -------------------------------------------------------------------

    def is_open(self, record: SubjectRecord, now: datetime, horizon: timedelta) -> bool:
        return record.open and now - record.occurred_at <= horizon

    def touched_by(self, record: SubjectRecord, changed_keys: Collection[str], now: datetime) -> bool:
        """Does any party of this subject match one of the changed entries? One indexed
        search per party (the index proposes candidates, so this is cheap), keeping only hits
        on changed entries: subjects the change cannot affect are not re-screened."""
        event = record.parsed_event()
        on = event.occurred_at.date()
        ctx = self.context(now)
        return any(m.key in changed_keys for p in all_parties(event) for m in ctx.party_matches(p, on))

    def rescreen(self, record: SubjectRecord, now: datetime, hold: HoldState | None = None) -> Screened | None:
        """Screen a known subject again against the current lists; a Decision (trigger
        list_update) only if the outcome changed, if it was held for want of lists, or if a
        reviewer released it and it would be held again."""
        if record.pending_since is not None:
            return None  # decided when its order arrives
        event = record.parsed_event()
        screening = self.screen(event, now)
        held_again = record.released and screening.outcome is not Outcome.CLEAR
        if screening.outcome.value == record.last_outcome and not record.held_for_lists and not held_again:
            return None
        subject = subject_of(event)
        decision = make_decision(screening, record.last_event_id or event.event_id, subject, Trigger.list_update,
                                 now, basis=screening.lists_version)
        updated = record.model_copy(deep=True)
        return self.conclude(decision, updated, event, now, hold)

    def delisting_alerts(self, record: SubjectRecord, removed_keys: Collection[str], now: datetime) -> list[Output]:
        """A delisting never releases a hold by itself: it tells the reviewers."""
        gone = sorted(set(record.reason_keys) & set(removed_keys))
        if not gone or record.open_hold_id is None:
            return []
        return [Alert(
            alert_id=stable_id("a", "delisted", record.open_hold_id, *gone), severity=AlertSeverity.info,
            code="DELISTED", subject=Subject(kind=record.kind, id=record.id),
            summary=(f"{record.kind.value} {record.id}: hold {record.open_hold_id} rests on {', '.join(gone)}, "
                     "which is no longer listed. The hold stays open until a reviewer releases it."),
            at=now,
        )]
